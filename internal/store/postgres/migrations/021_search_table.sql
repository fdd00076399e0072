-- What finding posts reads, in a narrow table of its own: each post's
-- tsvector (as posts.search had it) and the tsvector of its title and meta
-- alone (the index of migration 020), each with one more lexeme, '#N' for
-- the post's range of IDs (id >> 10: rangeBits in site.go).
--
-- A search counts up to store.SearchCountCap matches and takes the newest
-- few hundred. In posts, each match the index named was a visit to a row
-- of a kilobyte and more, most pages not in memory at 100 000 posts; and
-- to take the newest matches of a frequent word the planner walked the
-- newest posts by ID, decompressing each one's tsvector out of TOAST to
-- test it (13 000 buffers for the newest 3 000 posts). Here the tsvectors
-- are kept out of line (toast_tuple_target: a row over 2 kB, as nearly
-- every post's is, keeps neither inline; a shorter one stays whole), so a
-- row is some 70 bytes and the table stays in shared buffers (7.5 MB for
-- 100 000 posts); and the newest matches are asked of the index alone, as
-- the word and the lexemes of the newest ranges, so no tsvector is read
-- but to check a phrase. '#' is in no lexeme of text (the parser drops
-- it) nor of a reader's query (internal/search keeps letters and digits).
--
-- A trigger keeps the table in step with posts, whoever writes; deletes
-- cascade. posts loses its search column and both its search indexes.
LOCK TABLE posts IN SHARE MODE;

CREATE TABLE post_search (
    post_id BIGINT   PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    search  TSVECTOR NOT NULL,
    strong  TSVECTOR NOT NULL
) WITH (toast_tuple_target = 128);
INSERT INTO post_search
    SELECT id, search || array_to_tsvector(ARRAY['#' || (id >> 10)]),
        to_tsvector('simple', left(search_title, 1024) || ' ' || left(search_meta, 1024)) || array_to_tsvector(ARRAY['#' || (id >> 10)])
    FROM posts ORDER BY id;
CREATE INDEX post_search_search ON post_search USING gin (search);
CREATE INDEX post_search_strong ON post_search USING gin (strong);

-- posts_search_update of migration 011, writing here: weights title A,
-- meta B, body C (the body's first 512 KiB); and the strong tsvector, of
-- the same title and meta, so that a strong match is a match.
CREATE FUNCTION post_search_of_post() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cap   CONSTANT INTEGER := 524288;
    body  TEXT := NEW.search_body;
    id_range TSVECTOR := array_to_tsvector(ARRAY['#' || (NEW.id >> 10)]);
BEGIN
    IF octet_length(body) > cap THEN
        body := left(body, cap);
        body := left(body, greatest(char_length(body) - (octet_length(body) - cap), cap / 4));
    END IF;
    INSERT INTO post_search VALUES (NEW.id,
        setweight(to_tsvector('simple', left(NEW.search_title, 1024)), 'A')
            || setweight(to_tsvector('simple', left(NEW.search_meta, 1024)), 'B')
            || setweight(to_tsvector('simple', body), 'C') || id_range,
        to_tsvector('simple', left(NEW.search_title, 1024) || ' ' || left(NEW.search_meta, 1024)) || id_range)
    ON CONFLICT (post_id) DO UPDATE SET search = EXCLUDED.search, strong = EXCLUDED.strong;
    RETURN NULL;
END
$$;
CREATE TRIGGER post_search AFTER INSERT OR UPDATE OF search_title, search_meta, search_body ON posts
    FOR EACH ROW EXECUTE FUNCTION post_search_of_post();

DROP TRIGGER posts_search ON posts;
DROP FUNCTION posts_search_update();
DROP INDEX posts_search_strong;
ALTER TABLE posts DROP COLUMN search;
ANALYZE post_search;
