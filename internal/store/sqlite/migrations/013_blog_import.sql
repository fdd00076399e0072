-- A blog moved in from Blogger or WordPress: its own labels, its pages
-- (/p/slug.html), the old addresses that must keep answering, and the
-- comments already imported, so that importing twice adds nothing.

-- The blog's labels of its posts; post_labels shows them as topics, kept
-- in step through the view (rebuilt when a post changes) and the trigger
-- below. Imported posts have no feed, so a feed's topic never meets them.
CREATE TABLE blog_labels (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    name    TEXT    NOT NULL,
    PRIMARY KEY (post_id, name)
) WITHOUT ROWID;

DROP VIEW post_label_source;
CREATE VIEW post_label_source AS
    SELECT p.id AS post_id, 'publisher' AS kind, p.publisher AS name, p.published AS published
      FROM posts p WHERE p.publisher <> ''
    UNION ALL
    SELECT p.id, 'language', p.language, p.published FROM posts p WHERE p.language <> ''
    UNION ALL
    SELECT p.id, 'feed', f.title, p.published FROM posts p JOIN feeds f ON f.id = p.feed_id WHERE f.title <> ''
    UNION ALL
    SELECT p.id, 'topic', o.topic, p.published FROM posts p JOIN feed_options o ON o.feed_id = p.feed_id WHERE o.topic <> ''
    UNION ALL
    SELECT p.id, 'topic', b.name, p.published FROM posts p JOIN blog_labels b ON b.post_id = p.id;

CREATE TRIGGER blog_labels_ai AFTER INSERT ON blog_labels BEGIN
    INSERT OR IGNORE INTO post_labels SELECT new.post_id, 'topic', new.name, p.published FROM posts p WHERE p.id = new.post_id;
END;

CREATE TABLE blog_pages (
    id         INTEGER PRIMARY KEY,
    slug       TEXT    NOT NULL UNIQUE,
    title      TEXT    NOT NULL,
    author     TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL DEFAULT '',
    published  TEXT    NOT NULL,
    updated    TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
);

-- An old address (path, with its query when it has one) and the post or
-- page it now leads to.
CREATE TABLE old_paths (
    path    TEXT PRIMARY KEY,
    post_id INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    page_id INTEGER REFERENCES blog_pages (id) ON DELETE CASCADE,
    CHECK ((post_id IS NULL) <> (page_id IS NULL))
) WITHOUT ROWID;

CREATE TABLE imported_comments (
    key        TEXT    PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE
) WITHOUT ROWID;
