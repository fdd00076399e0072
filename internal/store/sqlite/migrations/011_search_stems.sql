-- Search finds word forms: "flood" finds "floods", "pengungsi" finds
-- "mengungsi". SQL cannot stem, so kabar stems each post in Go
-- (internal/search, by the post's language) and stores the stemmed title,
-- publisher and author ("meta") and body here; the full-text index is
-- built over these columns instead of the raw text. search_version is the
-- analysis a row was stemmed with: rows below search.Version are stemmed
-- again when the store opens (sqlite.go, backfillSearch).
ALTER TABLE posts ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_meta TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_body TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_search_version ON posts (search_version) WHERE search_version = 0;

DROP TRIGGER posts_ad;
DROP TRIGGER posts_au;
DROP TABLE posts_fts;
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    search_title, search_meta, search_body,
    content = 'posts', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Title above publisher and author above body (BM25 column weights).
INSERT INTO posts_fts (posts_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)');
-- Every post waits for the index again; the store indexes the queue once
-- the stemmed columns are filled (as for new posts, write.go).
DELETE FROM posts_fts_pending;
INSERT INTO posts_fts_pending (post_id) SELECT id FROM posts;
CREATE TRIGGER posts_ad AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, search_title, search_meta, search_body)
        SELECT 'delete', old.id, old.search_title, old.search_meta, old.search_body
        WHERE NOT EXISTS (SELECT 1 FROM posts_fts_pending WHERE post_id = old.id);
    DELETE FROM posts_fts_pending WHERE post_id = old.id;
END;
CREATE TRIGGER posts_au AFTER UPDATE OF search_title, search_meta, search_body ON posts
WHEN NOT EXISTS (SELECT 1 FROM posts_fts_pending WHERE post_id = new.id) BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, search_title, search_meta, search_body)
        VALUES ('delete', old.id, old.search_title, old.search_meta, old.search_body);
    INSERT INTO posts_fts (rowid, search_title, search_meta, search_body)
        VALUES (new.id, new.search_title, new.search_meta, new.search_body);
END;
