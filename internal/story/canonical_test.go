package story

import "testing"

func TestCanonical(t *testing.T) {
	cases := []struct{ raw, page, want string }{
		// Scheme and host case, default ports, fragments, dot segments, index files.
		{"HTTPS://News.Example.COM:443/a/b/index.html#top", "", "https://news.example.com/a/b/"},
		{"http://example.com:80", "", "http://example.com/"},
		{"http://example.com:8080/x", "", "http://example.com:8080/x"},
		{"https://example.com/a/./b/../c", "", "https://example.com/a/c"},
		{"https://example.com/news/default.aspx?id=7", "", "https://example.com/news/?id=7"},
		{"https://example.com./x", "", "https://example.com/x"},
		// Tracking parameters, whatever their case; others kept, sorted.
		{"https://example.com/a?utm_source=rss&utm_Medium=feed&b=2&a=1", "", "https://example.com/a?a=1&b=2"},
		{"https://example.com/a?fbclid=IwAR0&gclid=x&mc_cid=1&mc_eid=2&igshid=3", "", "https://example.com/a"},
		{"https://example.com/a?oc=5", "", "https://example.com/a"},
		{"https://example.com/a?UTM_SOURCE=x&_ga=1.2&id=9", "", "https://example.com/a?id=9"},
		{"https://example.com/search?q=a+b&page=2", "", "https://example.com/search?page=2&q=a+b"},
		{"https://example.com/a?print", "", "https://example.com/a?print"},
		// AMP twins.
		{"https://example.com/news/story-1/amp/", "", "https://example.com/news/story-1/"},
		{"https://example.com/news/story-1/amp", "", "https://example.com/news/story-1/"},
		{"https://example.com/amp/news/story-1", "", "https://example.com/news/story-1"},
		{"https://example.com/story.amp.html", "", "https://example.com/story.html"},
		{"https://example.com/story.amp", "", "https://example.com/story"},
		{"https://example.com/story?amp=1&id=3", "", "https://example.com/story?id=3"},
		{"https://example.com/story?amp", "", "https://example.com/story"},
		{"https://example.com/story?outputType=amp", "", "https://example.com/story"},
		{"https://amp.theguardian.com/world/2024/mar/12/x", "", "https://www.theguardian.com/world/2024/mar/12/x"},
		{"https://amp.kompas.com/nasional/read/2024/03/12/banjir", "", "https://www.kompas.com/nasional/read/2024/03/12/banjir"},
		{"https://amp.news.example.co.uk/x", "", "https://news.example.co.uk/x"},
		{"https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a/b?x=1", "", "https://www.example.com/a/b?x=1"},
		{"https://www-example-com.cdn.ampproject.org/c/www.example.com/a", "", "http://www.example.com/a"},
		{"https://www.google.com/amp/s/www.example.com/a.amp.html", "", "https://www.example.com/a.html"},
		// rel=canonical: preferred on the same registrable site only.
		{"https://m.example.com/a?id=5&fbclid=1", "https://www.example.com/news/a-5?utm_source=x", "https://www.example.com/news/a-5"},
		{"https://example.com/a", "https://other.example.net/a", "https://example.com/a"},
		{"https://news.example.co.uk/a", "https://www.example.co.uk/b", "https://www.example.co.uk/b"},
		{"https://a.example.co.uk/a", "https://b.other.co.uk/a", "https://a.example.co.uk/a"},
		{"https://example.com/a/b?utm_x=1", "/a/b", "https://example.com/a/b"},
		{"https://example.com/a/b", "https://example.com/", "https://example.com/a/b"},
		{"https://example.com/a/b", "javascript:alert(1)", "https://example.com/a/b"},
		{"https://example.com/amp/a", "https://example.com/a/amp", "https://example.com/a/"},
		{"https://example.com/a", "  ", "https://example.com/a"},
		// What it cannot understand, it keeps.
		{"ftp://example.com/x", "", "ftp://example.com/x"},
		{" not a url ", "", "not a url"},
		{"", "", ""},
		{"https://[::1]:443/a", "", "https://[::1]/a"},
	}
	for _, c := range cases {
		if got := Canonical(c.raw, c.page); got != c.want {
			t.Errorf("Canonical(%q, %q) = %q, want %q", c.raw, c.page, got, c.want)
		}
	}
}

func TestCanonicalIsIdempotent(t *testing.T) {
	for _, raw := range []string{
		"https://Example.com/a/amp/?utm_source=x&b=1#f",
		"https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a",
		"https://example.com/a%20b/c?q=x%26y",
	} {
		once := Canonical(raw, "")
		if twice := Canonical(once, ""); twice != once {
			t.Errorf("Canonical(%q) = %q, again %q", raw, once, twice)
		}
	}
}

func TestTrackingListIsParsed(t *testing.T) {
	for _, name := range []string{"utm_source", "utm_anything", "fbclid", "gclid", "mc_cid", "mc_eid", "oc", "igshid", "pk_campaign", "WT.mc_id"} {
		if !IsTrackingParam(name) {
			t.Errorf("%s is not on the tracking list", name)
		}
	}
	for _, name := range []string{"id", "page", "q", "p", "amp", "utm"} {
		if IsTrackingParam(name) {
			t.Errorf("%s is on the tracking list", name)
		}
	}
}
