package model

import "time"

// Page is a blog's standing page (About, Contact), at /p/slug.html as on
// Blogger: not a post, in no listing or feed.
type Page struct {
	ID         int64
	Slug       string
	Title      string
	Author     string
	Paragraphs []string
	Published  time.Time
	Updated    time.Time
	CreatedAt  time.Time
}

// Path is the page's path on the site.
func (p *Page) Path() string {
	return "/p/" + p.Slug + ".html"
}
