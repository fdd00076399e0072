-- Bulk import (internal/bulk). import_progress keeps, per archive, the
-- place of the first record not yet committed: a batch of posts and the
-- progress past it commit together, so a killed import resumes there and
-- stores every article once. post_records keeps the record each imported
-- post came from, for exporting the pages again as WARC.
CREATE TABLE import_progress (
    archive       TEXT    PRIMARY KEY,
    path          TEXT    NOT NULL,
    member_offset INTEGER NOT NULL,
    inner_offset  INTEGER NOT NULL,
    records       INTEGER NOT NULL,
    done          INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE post_records (
    post_id       INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    archive_path  TEXT    NOT NULL,
    member_offset INTEGER NOT NULL,
    inner_offset  INTEGER NOT NULL
);
CREATE INDEX posts_language ON posts (language, id);
