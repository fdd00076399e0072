-- Posts' lead images as kabar re-encoded them, one row per size, served
-- from the site's own origin. data is NULL when the bytes are kept in a
-- directory (--image-dir): the row still says the size and the ETag, so
-- that pages know the image without touching the disk.
CREATE TABLE post_images (
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    size         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    length       INTEGER NOT NULL,
    etag         TEXT    NOT NULL,
    data         BLOB,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (post_id, size)
);
