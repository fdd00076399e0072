-- Search ranks, besides the newest matches, the newest strong ones: found in
-- a post's title or meta (publisher, author, lead); search.TSQueryStrong.
-- Weights in the search tsvector could say so, but a weight is checked on
-- the row, after the index: for a word in most posts, finding the newest
-- hundred strong matches read and decompressed each match's tsvector
-- (seconds at 100 000 posts). This index holds the title and meta alone,
-- so the planner finds strong matches in it, or walks the newest posts
-- testing a text of a kilobyte. SQLite's FTS5 filters by column in its own
-- index and needs nothing of the kind.
CREATE INDEX posts_search_strong ON posts
    USING gin (to_tsvector('simple', search_title || ' ' || search_meta));
ANALYZE posts;
