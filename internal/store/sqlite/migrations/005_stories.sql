-- Stories: the reports of one event grouped together (internal/story).

CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL DEFAULT '',
    lead_post_id    INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    posts           INTEGER NOT NULL DEFAULT 0,
    copies          INTEGER NOT NULL DEFAULT 0,
    first_published TEXT    NOT NULL,
    last_published  TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    -- A story found to be another's: its posts and keys moved there, and
    -- its address redirects there.
    merged_into     INTEGER REFERENCES stories (id) ON DELETE SET NULL
);
-- Listings go by the newest report.
CREATE INDEX stories_last ON stories (last_published DESC, id DESC) WHERE merged_into IS NULL;
CREATE INDEX stories_merged ON stories (merged_into) WHERE merged_into IS NOT NULL;

-- Each post's story, in the order assigned (id: StoryLink.Seq), and the post
-- of the story whose text it copies.
CREATE TABLE post_stories (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL UNIQUE REFERENCES posts (id) ON DELETE CASCADE,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    copy_of     INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    score       REAL    NOT NULL DEFAULT 0,
    evidence    TEXT    NOT NULL DEFAULT '',
    assigned_at TEXT    NOT NULL
);
CREATE INDEX post_stories_story ON post_stories (story_id);
CREATE INDEX post_stories_copy ON post_stories (copy_of) WHERE copy_of IS NOT NULL;

-- Evidence that ties later reports to a story: Google News article IDs
-- (gn:ID), canonical URLs (url:URL) and Full Coverage pages (gnstory:ID).
-- The first story to claim a key keeps it.
CREATE TABLE story_keys (
    key      TEXT    PRIMARY KEY,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX story_keys_story ON story_keys (story_id);
