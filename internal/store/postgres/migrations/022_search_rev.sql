-- A revision of each post's ranking fields (post_rank), kept in post_search,
-- so that a search reads it with the IDs of its window. A site process keeps
-- the ranking fields of posts it has ranked (rankCache in site.go) and reads
-- from post_rank only those it lacks or whose revision moved: the window's
-- fields were the most of a search's work in the server and on the wire
-- (a kilobyte and a half for each of some 400 posts).
--
-- Every write of a post's search fields, or of its date, takes a new number
-- from the sequence, in the transaction that changes post_rank: a process
-- that holds a post's fields under an older number reads them again. Rows
-- already here keep 0 until they change; a process starts with no fields.
CREATE SEQUENCE post_search_rev;
ALTER TABLE post_search ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION post_search_of_post() RETURNS trigger LANGUAGE plpgsql AS $$
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
        to_tsvector('simple', left(NEW.search_title, 1024) || ' ' || left(NEW.search_meta, 1024)) || id_range,
        nextval('post_search_rev'))
    ON CONFLICT (post_id) DO UPDATE SET search = EXCLUDED.search, strong = EXCLUDED.strong, rev = EXCLUDED.rev;
    RETURN NULL;
END
$$;

-- A new date changes the ranking (recency) and nothing that is searched.
CREATE FUNCTION post_search_rev_of_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE post_search SET rev = nextval('post_search_rev') WHERE post_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER post_search_rev AFTER UPDATE OF published ON posts
    FOR EACH ROW WHEN (OLD.published IS DISTINCT FROM NEW.published)
    EXECUTE FUNCTION post_search_rev_of_post();
