-- The revision of each post's ranking fields (post_rank), as PostgreSQL's
-- post_search.rev (its migration 022): every write of a post's search
-- fields or date takes the next number of search_rev. A search reads its
-- window's IDs with their revisions from post_rev, whose rows are a few
-- bytes (some 1.5 MB at 100 000 posts, held in the page cache), and reads
-- from post_rank only the fields its process does not hold under that
-- revision (store.RankCache): reading them was some 40 % of a search's
-- CPU, most of it pread(2)s of post_rank's pages.
CREATE TABLE search_rev (n INTEGER NOT NULL);
INSERT INTO search_rev SELECT COALESCE(max(post_id), 0) FROM post_rank;

CREATE TABLE post_rev (
    post_id INTEGER PRIMARY KEY,
    rev     INTEGER NOT NULL
);
INSERT INTO post_rev SELECT post_id, post_id FROM post_rank;

-- post_rank's triggers (migration 018), restated with the revision.
DROP TRIGGER post_rank_ai;
DROP TRIGGER post_rank_au;
DROP TRIGGER post_rank_ad;
CREATE TRIGGER post_rank_ai AFTER INSERT ON posts BEGIN
    DELETE FROM post_rank WHERE post_id = new.id;
    INSERT INTO post_rank VALUES (new.id, new.published, octet_length(new.search_body),
        new.search_title, new.search_meta, substr(new.search_body, 1, 1024));
    UPDATE search_rev SET n = n + 1;
    DELETE FROM post_rev WHERE post_id = new.id;
    INSERT INTO post_rev SELECT new.id, n FROM search_rev;
END;
CREATE TRIGGER post_rank_au AFTER UPDATE OF search_title, search_meta, search_body, published ON posts BEGIN
    DELETE FROM post_rank WHERE post_id = old.id;
    INSERT INTO post_rank VALUES (new.id, new.published, octet_length(new.search_body),
        new.search_title, new.search_meta, substr(new.search_body, 1, 1024));
    UPDATE search_rev SET n = n + 1;
    DELETE FROM post_rev WHERE post_id = old.id;
    INSERT INTO post_rev SELECT new.id, n FROM search_rev;
END;
CREATE TRIGGER post_rank_ad AFTER DELETE ON posts BEGIN
    DELETE FROM post_rank WHERE post_id = old.id;
    DELETE FROM post_rev WHERE post_id = old.id;
END;
