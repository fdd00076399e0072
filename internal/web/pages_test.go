package web

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kabarnews/kabar/internal/model"
)

func TestExcerpt(t *testing.T) {
	short := &model.Post{Paragraphs: []string{"Short lead.", "More."}}
	if got := excerpt(short); got != "Short lead." {
		t.Errorf("short: %q", got)
	}
	if got := excerpt(&model.Post{Description: "From the feed."}); got != "From the feed." {
		t.Errorf("description fallback: %q", got)
	}
	long := strings.Repeat("Pemerintah Indonesia menyatakan, ", 20)
	got := excerpt(&model.Post{Paragraphs: []string{long}})
	if n := utf8.RuneCountInString(got); n > excerptRunes+1 || n < excerptRunes/2 {
		t.Errorf("excerpt of %d runes", n)
	}
	if !strings.HasSuffix(got, "menyatakan…") && !strings.HasSuffix(got, "Indonesia…") && !strings.HasSuffix(got, "Pemerintah…") {
		t.Errorf("not cut at a word boundary: %q", got)
	}
	// A cut inside a multi-byte letter would leave invalid UTF-8.
	wide := strings.Repeat("é", 2*excerptRunes)
	if got := excerpt(&model.Post{Paragraphs: []string{wide}}); !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("multi-byte excerpt %q", got)
	}
}

func TestParsePostPath(t *testing.T) {
	cases := []struct {
		y, m, file string
		ok         bool
		slug       string
	}{
		{"2021", "11", "belarus.html", true, "belarus"},
		{"2021", "11", "belarus_2.html", true, "belarus_2"},
		{"2021", "11", ".html", false, ""},
		{"2021", "11", "belarus", false, ""},
		{"2021", "1", "belarus.html", false, ""},
		{"21", "11", "belarus.html", false, ""},
		{"2021", "00", "belarus.html", false, ""},
		{"2021", "+1", "belarus.html", false, ""},
		{"abcd", "11", "belarus.html", false, ""},
	}
	for _, c := range cases {
		y, m, slug, ok := parsePostPath(c.y, c.m, c.file)
		if ok != c.ok || slug != c.slug || (ok && (y != 2021 || m != 11)) {
			t.Errorf("%s/%s/%s: %d %d %q %v", c.y, c.m, c.file, y, m, slug, ok)
		}
	}
}

func TestNormalizeWebsite(t *testing.T) {
	for in, want := range map[string]string{
		"example.com":           "https://example.com",
		"http://example.com/a":  "http://example.com/a",
		"https://例え.jp/":        "https://例え.jp/",
		"javascript:alert(1)":   "",
		"ftp://example.com":     "",
		"https://":              "",
		"https://u:p@evil.com/": "",
		"data:text/html,hi":     "",
	} {
		got, ok := normalizeWebsite(in)
		if ok != (want != "") || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
}
