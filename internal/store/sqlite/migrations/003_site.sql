-- The site: labels, feed options, comment moderation, users, sessions, API
-- tokens and settings.

-- A feed's display options, set by the owner.
CREATE TABLE feed_options (
    feed_id INTEGER PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
    topic   TEXT    NOT NULL DEFAULT '',
    excerpt INTEGER NOT NULL DEFAULT 0
);

-- Every label of every post, kept in step with posts, feeds and feed_options
-- by the triggers below, so that no writer can forget them. published is
-- copied from the post so that a label's page is one index range.
CREATE TABLE post_labels (
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    published TEXT    NOT NULL,
    PRIMARY KEY (post_id, kind, name)
) WITHOUT ROWID;
CREATE INDEX post_labels_name ON post_labels (name, published DESC, post_id DESC);
CREATE INDEX post_labels_kind ON post_labels (kind, name);

CREATE VIEW post_label_source AS
    SELECT p.id AS post_id, 'publisher' AS kind, p.publisher AS name, p.published AS published
      FROM posts p WHERE p.publisher <> ''
    UNION ALL
    SELECT p.id, 'language', p.language, p.published FROM posts p WHERE p.language <> ''
    UNION ALL
    SELECT p.id, 'feed', f.title, p.published FROM posts p JOIN feeds f ON f.id = p.feed_id WHERE f.title <> ''
    UNION ALL
    SELECT p.id, 'topic', o.topic, p.published FROM posts p JOIN feed_options o ON o.feed_id = p.feed_id WHERE o.topic <> '';

INSERT INTO post_labels SELECT * FROM post_label_source;

CREATE TRIGGER post_labels_ai AFTER INSERT ON posts BEGIN
    INSERT OR IGNORE INTO post_labels SELECT * FROM post_label_source WHERE post_id = new.id;
END;
CREATE TRIGGER post_labels_au AFTER UPDATE OF publisher, language, feed_id, published ON posts BEGIN
    DELETE FROM post_labels WHERE post_id = new.id;
    INSERT OR IGNORE INTO post_labels SELECT * FROM post_label_source WHERE post_id = new.id;
END;
CREATE TRIGGER post_labels_feed_au AFTER UPDATE OF title ON feeds BEGIN
    DELETE FROM post_labels WHERE kind = 'feed' AND post_id IN (SELECT id FROM posts WHERE feed_id = new.id);
    INSERT OR IGNORE INTO post_labels SELECT p.id, 'feed', new.title, p.published
      FROM posts p WHERE p.feed_id = new.id AND new.title <> '';
END;
CREATE TRIGGER post_labels_topic_ai AFTER INSERT ON feed_options BEGIN
    INSERT OR IGNORE INTO post_labels SELECT p.id, 'topic', new.topic, p.published
      FROM posts p WHERE p.feed_id = new.feed_id AND new.topic <> '';
END;
CREATE TRIGGER post_labels_topic_au AFTER UPDATE OF topic ON feed_options BEGIN
    DELETE FROM post_labels WHERE kind = 'topic' AND post_id IN (SELECT id FROM posts WHERE feed_id = old.feed_id);
    INSERT OR IGNORE INTO post_labels SELECT p.id, 'topic', new.topic, p.published
      FROM posts p WHERE p.feed_id = new.feed_id AND new.topic <> '';
END;
CREATE TRIGGER post_labels_topic_ad AFTER DELETE ON feed_options BEGIN
    DELETE FROM post_labels WHERE kind = 'topic' AND post_id IN (SELECT id FROM posts WHERE feed_id = old.feed_id);
END;

CREATE INDEX posts_publisher ON posts (publisher, published DESC, id DESC);

-- Who wrote a comment, as an opaque key of their browser: a commenter whose
-- comment the owner once approved may be let through without waiting.
ALTER TABLE comments ADD COLUMN commenter TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_commenter ON comments (commenter, status) WHERE commenter <> '';
CREATE INDEX comments_status ON comments (status, created_at DESC, id DESC);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL DEFAULT '',
    token_hash TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL,
    last_used  TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Posts of one month, newest first, for the archive.
CREATE INDEX posts_month ON posts (year, month, published DESC, id DESC);

-- Search ranks titles above bodies; setting the rank function here lets
-- "ORDER BY rank" use FTS5's own fast path.
INSERT INTO posts_fts (posts_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
