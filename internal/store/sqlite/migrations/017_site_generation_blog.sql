-- A moved-in blog's labels, pages and old addresses are on pages readers
-- see, so writing them moves the site's generation like any other write
-- (016), and cached pages are rendered again.
CREATE TRIGGER site_gen_blog_labels_ai AFTER INSERT ON blog_labels BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_blog_labels_au AFTER UPDATE ON blog_labels BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_blog_labels_ad AFTER DELETE ON blog_labels BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_blog_pages_ai AFTER INSERT ON blog_pages BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_blog_pages_au AFTER UPDATE ON blog_pages BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_blog_pages_ad AFTER DELETE ON blog_pages BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_old_paths_ai AFTER INSERT ON old_paths BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_old_paths_au AFTER UPDATE ON old_paths BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
CREATE TRIGGER site_gen_old_paths_ad AFTER DELETE ON old_paths BEGIN
    UPDATE site_generation SET gen = gen + 1, changed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = 1;
END;
