package bulk

import (
	"net/url"
	"testing"
)

func TestFilter(t *testing.T) {
	f, err := ParseFilter([]string{"host=example.com", "host=news.test", "url=*/2024/*", "lang=en"})
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]bool{
		"https://example.com/2024/05/a.html":     true,
		"https://www.example.com/2024/05/a.html": true,
		"https://news.test/x/2024/y":             true,
		"https://badexample.com/2024/05/a.html":  false, // not a subdomain
		"https://example.com/2023/05/a.html":     false, // the pattern
		"https://other.org/2024/05/a.html":       false,
	} {
		u, _ := url.Parse(raw)
		if got := f.matchURL(u); got != want {
			t.Errorf("%s: match %v, want %v", raw, got, want)
		}
	}
	if !f.matchLanguage("en") || !f.matchLanguage("EN-gb") || f.matchLanguage("id") || f.matchLanguage("") {
		t.Error("language filter")
	}
	var none *Filter
	if u, _ := url.Parse("https://x.org/"); !none.matchURL(u) || !none.matchLanguage("") {
		t.Error("no filter must select everything")
	}
	for _, bad := range []string{"host", "host=", "colour=red", "lang"} {
		if _, err := ParseFilter([]string{bad}); err == nil {
			t.Errorf("filter %q accepted", bad)
		}
	}
}

func TestShardOfEveryURL(t *testing.T) {
	shards := []Shard{{1, 3}, {2, 3}, {3, 3}}
	for i := range 300 {
		target := "https://example.com/" + string(rune('a'+i%26)) + "/" + string(rune('a'+i/26))
		n := 0
		for _, s := range shards {
			if s.has(target) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%s is in %d shards", target, n)
		}
	}
	if !(Shard{}).has("x") {
		t.Error("the zero shard is the whole archive")
	}
}
