-- A worker claims the items of a batch before it works on them, so that two
-- batches holding one item (a feed polled again while its items still wait
-- in the queue) never fetch it twice. A claim names its owner (a queue job)
-- and ends at claimed_until: a killed worker's items become free again when
-- its claim runs out, and the rescued job, the same owner, may take them at
-- once.
ALTER TABLE items ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN claimed_until TEXT NOT NULL DEFAULT '';

-- The full-text index is written once per commit instead of once per post.
-- FTS5 writes its pending terms out as a new segment at every statement
-- savepoint, and a post's save runs several statements, so indexing each
-- post from a trigger cost a segment (and later merges) per post. A new
-- post is now queued here by its trigger, and the store's committer indexes
-- the queue with one statement at the end of every write transaction that
-- added posts (sqlite/write.go), before it commits: a committed post is
-- always searchable.
CREATE TABLE posts_fts_pending (post_id INTEGER PRIMARY KEY);
DROP TRIGGER posts_ai;
CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts_pending (post_id) VALUES (new.id);
END;
-- A post still queued is not in the index: deleting it from the index
-- (with values it was never indexed under) would corrupt the index.
DROP TRIGGER posts_ad;
CREATE TRIGGER posts_ad AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, body)
        SELECT 'delete', old.id, old.title, old.body
        WHERE NOT EXISTS (SELECT 1 FROM posts_fts_pending WHERE post_id = old.id);
    DELETE FROM posts_fts_pending WHERE post_id = old.id;
END;
DROP TRIGGER posts_au;
CREATE TRIGGER posts_au AFTER UPDATE OF title, body ON posts
WHEN NOT EXISTS (SELECT 1 FROM posts_fts_pending WHERE post_id = new.id) BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO posts_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
