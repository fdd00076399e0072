-- sqlite/migrations/007_truncated_posts.sql on PostgreSQL.
ALTER TABLE posts ADD COLUMN truncated BOOLEAN NOT NULL DEFAULT false;

-- One tsvector holds at most 1 MiB of distinct words, and a longer text
-- failed its post for good ("string is too long for tsvector"). Posts are
-- now stored up to 512 KiB of text (model.MaxArticleBytes), which always
-- fits; a longer body can only be older than that limit (or come from a
-- copied SQLite database), and its first 512 KiB are indexed instead of
-- failing. left() counts characters: the second cut drops as many
-- characters as the first left bytes too many, each at least one byte, and
-- never keeps fewer than 128 Ki characters, at most 4 bytes each.
CREATE OR REPLACE FUNCTION posts_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cap  CONSTANT INTEGER := 524288;
    body TEXT := NEW.body;
BEGIN
    IF octet_length(body) > cap THEN
        body := left(body, cap);
        body := left(body, greatest(char_length(body) - (octet_length(body) - cap), cap / 4));
    END IF;
    NEW.search := setweight(to_tsvector('simple', kabar_fold(left(NEW.title, 1024))), 'A')
               || setweight(to_tsvector('simple', kabar_fold(body)), 'B');
    RETURN NEW;
END
$$;
