-- sqlite/migrations/018_search_rank.sql on PostgreSQL: what ranking reads
-- of a post (its stemmed title and meta, the first 1024 characters of its
-- stemmed body: search.BodyScanBytes), in a narrow table of its own. Read
-- from posts, each of the window's few hundred rows decompressed its whole
-- stemmed body out of TOAST; a row here is stored inline. A trigger keeps
-- it in step with posts, whoever writes; deletes cascade.
CREATE TABLE post_rank (
    post_id    BIGINT      PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    published  TIMESTAMPTZ NOT NULL,
    body_bytes INTEGER     NOT NULL,
    title      TEXT        NOT NULL,
    meta       TEXT        NOT NULL,
    head       TEXT        NOT NULL
);
ALTER TABLE post_rank ALTER COLUMN head SET STORAGE MAIN;
INSERT INTO post_rank
    SELECT id, published, octet_length(search_body), search_title, search_meta, left(search_body, 1024)
    FROM posts;

CREATE FUNCTION post_rank_of_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_rank VALUES (NEW.id, NEW.published, octet_length(NEW.search_body),
        NEW.search_title, NEW.search_meta, left(NEW.search_body, 1024))
    ON CONFLICT (post_id) DO UPDATE SET published = EXCLUDED.published, body_bytes = EXCLUDED.body_bytes,
        title = EXCLUDED.title, meta = EXCLUDED.meta, head = EXCLUDED.head;
    RETURN NULL;
END
$$;
CREATE TRIGGER post_rank AFTER INSERT OR UPDATE OF search_title, search_meta, search_body, published ON posts
    FOR EACH ROW EXECUTE FUNCTION post_rank_of_post();
ANALYZE post_rank;
