package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestFeedsAddGoogleNews(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	cases := []struct {
		args []string
		url  string
	}{
		{[]string{"--gnews-search", "pemilu 2024", "--hl", "id", "--gl", "ID"}, "https://news.google.com/rss/search?q=pemilu+2024&hl=id&gl=ID&ceid=ID:id"},
		{[]string{"--gnews-search", `"banjir" when:1d`, "--gl", "ID"}, "https://news.google.com/rss/search?q=%22banjir%22+when%3A1d&hl=id&gl=ID&ceid=ID:id"},
		{[]string{"--gnews-topic", "world", "--hl", "pt-BR", "--gl", "BR"}, "https://news.google.com/rss/headlines/section/topic/WORLD?hl=pt-BR&gl=BR&ceid=BR:pt-419"},
		{[]string{"--gnews-topic", "TECHNOLOGY", "--hl", "zh-HK"}, "https://news.google.com/rss/headlines/section/topic/TECHNOLOGY?hl=zh-HK&gl=HK&ceid=HK:zh-Hant"},
		{[]string{"--gnews-topic", "CAAqJggKIiBDQkFTRWdvSUwyMHZNRFZxYUdjU0FtUmxHZ0pFUlNnQVAB", "--hl", "de", "--gl", "DE"}, "https://news.google.com/rss/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRFZxYUdjU0FtUmxHZ0pFUlNnQVAB?hl=de&gl=DE&ceid=DE:de"},
		{[]string{"--gnews-geo", "Jakarta Selatan", "--hl", "id", "--gl", "ID"}, "https://news.google.com/rss/headlines/section/geo/Jakarta%20Selatan?hl=id&gl=ID&ceid=ID:id"},
		{[]string{"--gnews-top"}, "https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en"},
		{[]string{"--gnews-top", "--gl", "GB"}, "https://news.google.com/rss?hl=en-GB&gl=GB&ceid=GB:en"},
		{[]string{"--gnews-top", "--hl", "es-419", "--gl", "US", "--ceid", "US:es-419"}, "https://news.google.com/rss?hl=es-419&gl=US&ceid=US:es-419"},
	}
	for i, c := range cases {
		args := append([]string{"--db", db, "feeds", "add"}, c.args...)
		out := mustKabar(t, args...)
		want := strconv.Itoa(i+1) + "\t" + c.url + "\n"
		if out != want {
			t.Errorf("kabar %s\n got %q\nwant %q", strings.Join(c.args, " "), out, want)
		}
	}
	list := mustKabar(t, "--db", db, "feeds", "list")
	for _, c := range cases {
		if !strings.Contains(list, c.url) {
			t.Errorf("feeds list lacks %s", c.url)
		}
	}
	// The same feed twice is the store's duplicate.
	if code, _, errs := kabar(t, "--db", db, "feeds", "add", "--gnews-top"); code != 1 || !strings.Contains(errs, "already exists") {
		t.Errorf("duplicate: exit %d %q", code, errs)
	}
	// Plain URLs work exactly as before, Google News ones included.
	if out := mustKabar(t, "--db", db, "feeds", "add", "--no-check", "https://news.google.com/rss/search?q=x&hl=en-US&gl=US&ceid=US:en"); out != strconv.Itoa(len(cases)+1)+"\thttps://news.google.com/rss/search?q=x&hl=en-US&gl=US&ceid=US:en\n" {
		t.Errorf("plain add = %q", out)
	}
}

func TestFeedsAddGoogleNewsErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	usage := [][]string{
		{"--gnews-top", "--gnews-search", "x"},
		{"--gnews-topic", "WORLD", "https://example.com/feed"},
		{"--hl", "id", "https://example.com/feed"},
		{"--gnews-top=false"},
	}
	for _, args := range usage {
		code, _, errs := kabar(t, append([]string{"--db", db, "feeds", "add"}, args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d %q, want 2", args, code, errs)
		}
	}
	bad := map[string][]string{
		"empty query":   {"--gnews-search", "  "},
		"bad topic":     {"--gnews-topic", "POLITICS"},
		"article id":    {"--gnews-topic", "CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA"},
		"bad place":     {"--gnews-geo", "a/b"},
		"bad hl":        {"--gnews-top", "--hl", "english"},
		"bad gl":        {"--gnews-top", "--gl", "USA"},
		"unknown gl":    {"--gnews-top", "--gl", "ZZ"},
		"bad ceid":      {"--gnews-top", "--hl", "en", "--gl", "US", "--ceid", "US-en"},
		"unknown lang":  {"--gnews-top", "--hl", "xx"},
		"plain ftp url": {"ftp://example.com/feed"},
	}
	for name, args := range bad {
		code, _, errs := kabar(t, append([]string{"--db", db, "feeds", "add"}, args...)...)
		if code != 1 || errs == "" {
			t.Errorf("%s: exit %d %q, want 1 with a message", name, code, errs)
		}
	}
	if list := mustKabar(t, "--db", db, "feeds", "list", "--json"); list != "" {
		t.Errorf("failed adds stored feeds: %s", list)
	}
}

// TestFeedsAddEditionFromEnvironment: KABAR_GNEWS_HL/GL set the edition,
// and do not disturb a plain URL add.
func TestFeedsAddEditionFromEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	env := map[string]string{"KABAR_DB": db, "KABAR_GNEWS_HL": "id", "KABAR_GNEWS_GL": "ID"}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
		return code, out.String(), errb.String()
	}
	if code, out, errs := run("feeds", "add", "--gnews-topic", "SPORTS"); code != 0 || out != "1\thttps://news.google.com/rss/headlines/section/topic/SPORTS?hl=id&gl=ID&ceid=ID:id\n" {
		t.Fatalf("exit %d %q %q", code, out, errs)
	}
	if code, out, errs := run("feeds", "add", "--no-check", "https://example.com/feed.xml"); code != 0 || out != "2\thttps://example.com/feed.xml\n" {
		t.Fatalf("plain add with edition env: exit %d %q %q", code, out, errs)
	}
	// The command line wins over the environment.
	if code, out, errs := run("feeds", "add", "--gnews-topic", "SPORTS", "--hl", "en", "--gl", "ID"); code != 0 || out != "3\thttps://news.google.com/rss/headlines/section/topic/SPORTS?hl=en-ID&gl=ID&ceid=ID:en\n" {
		t.Fatalf("exit %d %q %q", code, out, errs)
	}
}
