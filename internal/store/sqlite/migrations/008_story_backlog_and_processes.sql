-- Faults leave nothing half-done (docs/architecture.md, "Data flow and
-- guarantees").
--
-- A new post waits for its story: SavePost marks it in the transaction that
-- inserts it, and AssignStory clears the mark in the transaction that puts
-- it in a story. An assignment that failed (a full disk) leaves the mark,
-- and the pipeline assigns marked posts again until it succeeds. The mark
-- is a column, not the absence of a story link, so that posts saved before
-- stories existed are not assigned retroactively.
ALTER TABLE posts ADD COLUMN story_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_story_pending ON posts (id) WHERE story_pending = 1;
-- Posts that a failed assignment left without a story before this
-- migration: saved since stories exist (migration 005), yet in none.
UPDATE posts SET story_pending = 1
WHERE NOT EXISTS (SELECT 1 FROM post_stories WHERE post_id = posts.id)
  AND created_at >= (SELECT applied_at FROM kabar_migrations WHERE version = 5);

-- The processes that run jobs, by the ID their job queue client claims
-- jobs under (River's attempted_by), and when each last said it lives. A
-- process whose beat stopped is dead: its running jobs are handed back at
-- once instead of after --rescue-after.
CREATE TABLE processes (
    id         TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    beat_at    TEXT NOT NULL
) WITHOUT ROWID;
