-- Bulk import: see sqlite/migrations/012_bulk_import.sql.
CREATE TABLE import_progress (
    archive       TEXT        PRIMARY KEY,
    path          TEXT        NOT NULL,
    member_offset BIGINT      NOT NULL,
    inner_offset  BIGINT      NOT NULL,
    records       BIGINT      NOT NULL,
    done          BOOLEAN     NOT NULL DEFAULT false,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE post_records (
    post_id       BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    archive_path  TEXT   NOT NULL,
    member_offset BIGINT NOT NULL,
    inner_offset  BIGINT NOT NULL
);
CREATE INDEX posts_language ON posts (language, id);
