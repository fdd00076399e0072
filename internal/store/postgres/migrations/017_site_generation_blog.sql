-- A moved-in blog's labels, pages and old addresses are on pages readers
-- see, so writing them moves the site's generation like any other write
-- (016), and cached pages are rendered again.
CREATE CONSTRAINT TRIGGER site_gen_blog_labels AFTER INSERT OR UPDATE OR DELETE ON blog_labels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_blog_pages AFTER INSERT OR UPDATE OR DELETE ON blog_pages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
CREATE CONSTRAINT TRIGGER site_gen_old_paths AFTER INSERT OR UPDATE OR DELETE ON old_paths
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION site_generation_bump();
