-- sqlite/migrations/008_story_backlog_and_processes.sql on PostgreSQL: posts
-- waiting for their story, and the processes that run jobs with their last
-- sign of life.
ALTER TABLE posts ADD COLUMN story_pending BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX posts_story_pending ON posts (id) WHERE story_pending;
UPDATE posts SET story_pending = true
WHERE NOT EXISTS (SELECT 1 FROM post_stories WHERE post_id = posts.id)
  AND created_at >= (SELECT applied_at FROM kabar_migrations WHERE version = 5);

CREATE TABLE processes (
    id         TEXT        PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    beat_at    TIMESTAMPTZ NOT NULL
);
