-- What ranking reads of a post, in a narrow table of its own. Search ranks
-- the newest few hundred matches of a query in Go (search.Ranker) from
-- their stemmed title, meta and the opening of their stemmed body. Read
-- from posts, each of those rows cost a walk through the post's body and
-- the whole stemmed body's overflow pages (the search_* columns come after
-- them in the row): half of a search's CPU at 100 000 posts. Here a row is
-- about a kilobyte, two or three to a page.
--
-- head keeps the stemmed body's first 1024 characters, search.BodyScanBytes
-- (a test checks that the two agree); body_bytes the whole stemmed body's
-- length, which BM25 normalizes by. Triggers keep the table in step with
-- posts, whoever writes.
CREATE TABLE post_rank (
    post_id    INTEGER PRIMARY KEY,
    published  TEXT    NOT NULL,
    body_bytes INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    meta       TEXT    NOT NULL,
    head       TEXT    NOT NULL
);
INSERT INTO post_rank
    SELECT id, published, octet_length(search_body), search_title, search_meta, substr(search_body, 1, 1024)
    FROM posts;

-- Delete then insert, rather than INSERT OR REPLACE: a conflict clause on
-- the statement that fires a trigger overrides the trigger's own.
CREATE TRIGGER post_rank_ai AFTER INSERT ON posts BEGIN
    DELETE FROM post_rank WHERE post_id = new.id;
    INSERT INTO post_rank VALUES (new.id, new.published, octet_length(new.search_body),
        new.search_title, new.search_meta, substr(new.search_body, 1, 1024));
END;
CREATE TRIGGER post_rank_au AFTER UPDATE OF search_title, search_meta, search_body, published ON posts BEGIN
    DELETE FROM post_rank WHERE post_id = old.id;
    INSERT INTO post_rank VALUES (new.id, new.published, octet_length(new.search_body),
        new.search_title, new.search_meta, substr(new.search_body, 1, 1024));
END;
CREATE TRIGGER post_rank_ad AFTER DELETE ON posts BEGIN
    DELETE FROM post_rank WHERE post_id = old.id;
END;
