-- The site's generation: a number that grows with every write that can
-- change a page readers see, bumped by triggers so that no writer (the
-- site, the workers, an import, another process) can forget it. The site
-- keeps rendered pages in memory and checks this one row before serving
-- one: a page rendered at an older generation is rendered again.
CREATE TABLE site_generation (
    id         INTEGER     PRIMARY KEY CHECK (id = 1),
    gen        BIGINT      NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL
);
INSERT INTO site_generation VALUES (1, 1, now());

-- The bump runs when the writing transaction commits (deferred), once per
-- transaction however many rows it wrote: the row's lock is then held only
-- for the commit, and taken after every other lock of the transaction, so
-- that writers neither queue behind each other's whole transactions nor
-- deadlock on it.
CREATE FUNCTION site_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kabar.site_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('kabar.site_bumped', 'on', true);
        UPDATE site_generation SET gen = gen + 1, changed_at = now() WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER site_gen_posts AFTER INSERT OR UPDATE OR DELETE ON posts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_comments AFTER INSERT OR UPDATE OR DELETE ON comments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_feed_options AFTER INSERT OR UPDATE OR DELETE ON feed_options
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
-- A feed's title is a label, and a site without feeds says so; a feed's
-- polling state is on no page.
CREATE CONSTRAINT TRIGGER site_gen_feeds_insert AFTER INSERT ON feeds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_feeds_title AFTER UPDATE OF title ON feeds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (old.title IS DISTINCT FROM new.title) EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_feeds_delete AFTER DELETE ON feeds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_settings AFTER INSERT OR UPDATE OR DELETE ON settings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_stories AFTER INSERT OR UPDATE OR DELETE ON stories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_post_stories AFTER INSERT OR UPDATE OR DELETE ON post_stories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_post_images AFTER INSERT OR UPDATE OR DELETE ON post_images
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
