-- Times are TEXT in one fixed UTC layout (2006-01-02 15:04:05.000000Z) so that
-- they sort as strings and read well in the sqlite3 shell.

CREATE TABLE feeds (
    id              INTEGER PRIMARY KEY,
    url             TEXT    NOT NULL UNIQUE,
    title           TEXT    NOT NULL DEFAULT '',
    etag            TEXT    NOT NULL DEFAULT '',
    last_modified   TEXT    NOT NULL DEFAULT '',
    last_polled_at  TEXT    NOT NULL DEFAULT '',
    next_poll_at    TEXT    NOT NULL DEFAULT '',
    poll_interval_s INTEGER NOT NULL DEFAULT 900,
    error_count     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    paused          INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL
);

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY,
    feed_id      INTEGER REFERENCES feeds (id) ON DELETE SET NULL,
    item_id      INTEGER,
    year         INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    slug         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    author       TEXT    NOT NULL DEFAULT '',
    publisher    TEXT    NOT NULL DEFAULT '',
    source_url   TEXT    NOT NULL,
    amp_url      TEXT    NOT NULL DEFAULT '',
    item_link    TEXT    NOT NULL DEFAULT '',
    article_id   TEXT    NOT NULL DEFAULT '',
    published    TEXT    NOT NULL,
    language     TEXT    NOT NULL DEFAULT '',
    image        TEXT    NOT NULL DEFAULT '',
    description  TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL,
    content_hash TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    UNIQUE (year, month, slug)
);
CREATE UNIQUE INDEX posts_source_url ON posts (source_url);
CREATE INDEX posts_content_hash ON posts (content_hash) WHERE content_hash <> '';
CREATE INDEX posts_published ON posts (published DESC, id DESC);

CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid          TEXT    NOT NULL,
    link          TEXT    NOT NULL DEFAULT '',
    title         TEXT    NOT NULL DEFAULT '',
    publisher     TEXT    NOT NULL DEFAULT '',
    publisher_url TEXT    NOT NULL DEFAULT '',
    published     TEXT    NOT NULL DEFAULT '',
    description   TEXT    NOT NULL DEFAULT '',
    article_id    TEXT    NOT NULL DEFAULT '',
    source_url    TEXT    NOT NULL DEFAULT '',
    amp_url       TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'new',
    error         TEXT    NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    post_id       INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (feed_id, guid)
);
CREATE INDEX items_status ON items (feed_id, status);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id  INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    website    TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'pending',
    created_at TEXT    NOT NULL
);
CREATE INDEX comments_post ON comments (post_id, status, created_at);

-- Full-text search over posts; kept in step by triggers so that no writer can
-- forget it.
CREATE VIRTUAL TABLE posts_fts USING fts5 (
    title, body,
    content = 'posts', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER posts_ad AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
CREATE TRIGGER posts_au AFTER UPDATE OF title, body ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    INSERT INTO posts_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
END;
