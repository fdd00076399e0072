-- sqlite/migrations/011_search_stems.sql on PostgreSQL: the search column
-- is built from the text stemmed in Go (internal/search), with the
-- 'simple' configuration, so that both stores find the same posts for the
-- same query. Weights: title A, publisher and author B, body C.
-- Rows below search.Version are stemmed again when the store opens.
ALTER TABLE posts ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_meta TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_body TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_search_version ON posts (id) WHERE search_version = 0;

-- The body cap of migration 007 holds: the stemmed body is never longer
-- than the body.
CREATE OR REPLACE FUNCTION posts_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cap  CONSTANT INTEGER := 524288;
    body TEXT := NEW.search_body;
BEGIN
    IF octet_length(body) > cap THEN
        body := left(body, cap);
        body := left(body, greatest(char_length(body) - (octet_length(body) - cap), cap / 4));
    END IF;
    NEW.search := setweight(to_tsvector('simple', left(NEW.search_title, 1024)), 'A')
               || setweight(to_tsvector('simple', left(NEW.search_meta, 1024)), 'B')
               || setweight(to_tsvector('simple', body), 'C');
    RETURN NEW;
END
$$;
DROP TRIGGER posts_search ON posts;
CREATE TRIGGER posts_search BEFORE INSERT OR UPDATE OF search_title, search_meta, search_body ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_search_update();
