-- An article is stored up to model.MaxArticleBytes of text; a longer one is
-- kept up to it, cut at a paragraph boundary, and marked here so that the
-- site and the API can say so.
ALTER TABLE posts ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
