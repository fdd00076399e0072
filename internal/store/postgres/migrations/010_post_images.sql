-- sqlite/migrations/010_post_images.sql on PostgreSQL: posts' lead images
-- as kabar re-encoded them, one row per size; data is NULL when the bytes
-- are kept in a directory (--image-dir).
CREATE TABLE post_images (
    post_id      BIGINT      NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    size         TEXT        NOT NULL,
    content_type TEXT        NOT NULL,
    width        INTEGER     NOT NULL,
    height       INTEGER     NOT NULL,
    length       INTEGER     NOT NULL,
    etag         TEXT        NOT NULL,
    data         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (post_id, size)
);
