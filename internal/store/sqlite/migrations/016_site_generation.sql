-- The site's generation: a number that grows with every write that can
-- change a page readers see, bumped by triggers so that no writer (the
-- site, the workers, an import, another process) can forget it. The site
-- keeps rendered pages in memory and checks this one row before serving
-- one: a page rendered at an older generation is rendered again.
CREATE TABLE site_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    gen        INTEGER NOT NULL,
    changed_at TEXT    NOT NULL
);
INSERT INTO site_generation VALUES (1, 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

CREATE TRIGGER site_gen_posts_ai AFTER INSERT ON posts BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_posts_au AFTER UPDATE ON posts BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_posts_ad AFTER DELETE ON posts BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_comments_ai AFTER INSERT ON comments BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_comments_au AFTER UPDATE ON comments BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_comments_ad AFTER DELETE ON comments BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_feed_options_ai AFTER INSERT ON feed_options BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_feed_options_au AFTER UPDATE ON feed_options BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_feed_options_ad AFTER DELETE ON feed_options BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
-- A feed's title is a label, and a site without feeds says so; a feed's
-- polling state is on no page.
CREATE TRIGGER site_gen_feeds_ai AFTER INSERT ON feeds BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_feeds_au AFTER UPDATE OF title ON feeds WHEN old.title IS NOT new.title BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_feeds_ad AFTER DELETE ON feeds BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_settings_ai AFTER INSERT ON settings BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_settings_au AFTER UPDATE ON settings BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_settings_ad AFTER DELETE ON settings BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_stories_ai AFTER INSERT ON stories BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_stories_au AFTER UPDATE ON stories BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_stories_ad AFTER DELETE ON stories BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_post_stories_ai AFTER INSERT ON post_stories BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_post_stories_au AFTER UPDATE ON post_stories BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_post_stories_ad AFTER DELETE ON post_stories BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_post_images_ai AFTER INSERT ON post_images BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_post_images_au AFTER UPDATE ON post_images BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_post_images_ad AFTER DELETE ON post_images BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
