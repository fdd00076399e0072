package gnews

import (
	"errors"
	"net/url"
	"testing"
)

func TestNewEdition(t *testing.T) {
	cases := []struct {
		hl, gl, ceid string
		want         Locale
	}{
		{"", "", "", Locale{"en-US", "US", "US:en"}},
		{"id", "ID", "", Locale{"id", "ID", "ID:id"}},
		{"id", "", "", Locale{"id", "ID", "ID:id"}},
		{"", "ID", "", Locale{"id", "ID", "ID:id"}},
		{"en", "ID", "", Locale{"en-ID", "ID", "ID:en"}},
		{"en-US", "", "", Locale{"en-US", "US", "US:en"}},
		{"en-gb", "gb", "", Locale{"en-GB", "GB", "GB:en"}},
		{"", "AU", "", Locale{"en-AU", "AU", "AU:en"}},
		{"de", "DE", "", Locale{"de", "DE", "DE:de"}},
		{"fr", "BE", "", Locale{"fr", "BE", "BE:fr"}},
		{"ko", "", "", Locale{"ko", "KR", "KR:ko"}},
		// Editions whose ceid language differs from hl.
		{"pt-BR", "BR", "", Locale{"pt-BR", "BR", "BR:pt-419"}},
		{"pt-BR", "", "", Locale{"pt-BR", "BR", "BR:pt-419"}},
		{"", "BR", "", Locale{"pt-BR", "BR", "BR:pt-419"}},
		{"pt", "BR", "", Locale{"pt", "BR", "BR:pt-419"}},
		{"pt-PT", "PT", "", Locale{"pt-PT", "PT", "PT:pt-150"}},
		{"zh-HK", "HK", "", Locale{"zh-HK", "HK", "HK:zh-Hant"}},
		{"zh-TW", "", "", Locale{"zh-TW", "TW", "TW:zh-Hant"}},
		{"zh-CN", "CN", "", Locale{"zh-CN", "CN", "CN:zh-Hans"}},
		{"es-419", "MX", "", Locale{"es-419", "MX", "MX:es-419"}},
		{"", "MX", "", Locale{"es-419", "MX", "MX:es-419"}},
		{"uk", "UA", "", Locale{"uk", "UA", "UA:uk"}},
		{"ru", "UA", "", Locale{"ru", "UA", "UA:ru"}},
		// An explicit ceid wins, normalised.
		{"en-US", "US", "us:es-419", Locale{"en-US", "US", "US:es-419"}},
		{"", "", "BR:pt-419", Locale{"pt-BR", "BR", "BR:pt-419"}},
	}
	for _, c := range cases {
		got, err := NewEdition(c.hl, c.gl, c.ceid)
		if err != nil || got != c.want {
			t.Errorf("NewEdition(%q, %q, %q) = %+v, %v; want %+v", c.hl, c.gl, c.ceid, got, err, c.want)
		}
	}
	for _, bad := range [][3]string{
		{"english", "", ""}, {"en_US", "", ""}, {"", "USA", ""}, {"", "U1", ""},
		{"xx", "", ""}, {"", "ZZ", ""}, {"en", "US", "US-en"}, {"en", "US", "US:"},
		{"en", "US", "US:en&q=x"}, {"en-US\nx", "US", ""}, {"", "", "garbage"}, {"", "", "B1:pt"},
	} {
		if got, err := NewEdition(bad[0], bad[1], bad[2]); !errors.Is(err, ErrEdition) {
			t.Errorf("NewEdition(%q) = %+v, %v; want ErrEdition", bad, got, err)
		}
	}
}

func mustEdition(t *testing.T, hl, gl string) Locale {
	t.Helper()
	e, err := NewEdition(hl, gl, "")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFeedURLs(t *testing.T) {
	us, id, br := DefaultLocale, mustEdition(t, "id", "ID"), mustEdition(t, "pt-BR", "BR")
	cases := []struct {
		got  func() (string, error)
		want string
	}{
		{func() (string, error) { return TopStoriesFeed(us) }, "https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en"},
		{func() (string, error) { return TopStoriesFeed(br) }, "https://news.google.com/rss?hl=pt-BR&gl=BR&ceid=BR:pt-419"},
		{func() (string, error) { return SearchFeed("belarus poland", mustEdition(t, "en-GB", "GB")) }, "https://news.google.com/rss/search?q=belarus+poland&hl=en-GB&gl=GB&ceid=GB:en"},
		{func() (string, error) { return SearchFeed(`"pemilu 2024" when:7d -hoaks`, id) }, "https://news.google.com/rss/search?q=%22pemilu+2024%22+when%3A7d+-hoaks&hl=id&gl=ID&ceid=ID:id"},
		{func() (string, error) { return SearchFeed("a&b=c#d", us) }, "https://news.google.com/rss/search?q=a%26b%3Dc%23d&hl=en-US&gl=US&ceid=US:en"},
		{func() (string, error) { return SearchFeed("반도체", mustEdition(t, "ko", "KR")) }, "https://news.google.com/rss/search?q=%EB%B0%98%EB%8F%84%EC%B2%B4&hl=ko&gl=KR&ceid=KR:ko"},
		{func() (string, error) { return TopicFeed("business", id) }, "https://news.google.com/rss/headlines/section/topic/BUSINESS?hl=id&gl=ID&ceid=ID:id"},
		{func() (string, error) { return TopicFeed("HEALTH", us) }, "https://news.google.com/rss/headlines/section/topic/HEALTH?hl=en-US&gl=US&ceid=US:en"},
		{func() (string, error) {
			return TopicFeed("CAAqJggKIiBDQkFTRWdvSUwyMHZNRFZxYUdjU0FtUmxHZ0pFUlNnQVAB", mustEdition(t, "de", "DE"))
		}, "https://news.google.com/rss/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRFZxYUdjU0FtUmxHZ0pFUlNnQVAB?hl=de&gl=DE&ceid=DE:de"},
		{func() (string, error) {
			return TopicFeed("https://news.google.com/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB/sections/CAQiQ0NCQVNLZ29JTDIwdk1EbHpNV1lTQW1WdUdnSlZVeUlOQ0FRYUNRb0hMMjB2TUhnMWVpb0pFZ2N2YlM4d2VEVjZLQUEqKggAKiYICiIgQ0JBU0Vnb0lMMjB2TURsek1XWVNBbVZ1R2dKVlV5Z0FQAVAB?hl=en-US&gl=US&ceid=US%3Aen", us)
		}, "https://news.google.com/rss/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB/sections/CAQiQ0NCQVNLZ29JTDIwdk1EbHpNV1lTQW1WdUdnSlZVeUlOQ0FRYUNRb0hMMjB2TUhnMWVpb0pFZ2N2YlM4d2VEVjZLQUEqKggAKiYICiIgQ0JBU0Vnb0lMMjB2TURsek1XWVNBbVZ1R2dKVlV5Z0FQAVAB?hl=en-US&gl=US&ceid=US:en"},
		{func() (string, error) { return GeoFeed("  San   Francisco ", us) }, "https://news.google.com/rss/headlines/section/geo/San%20Francisco?hl=en-US&gl=US&ceid=US:en"},
		{func() (string, error) { return GeoFeed("Київ", mustEdition(t, "uk", "UA")) }, "https://news.google.com/rss/headlines/section/geo/%D0%9A%D0%B8%D1%97%D0%B2?hl=uk&gl=UA&ceid=UA:uk"},
	}
	for i, c := range cases {
		got, err := c.got()
		if err != nil || got != c.want {
			t.Errorf("%d: %q, %v\nwant %q", i, got, err, c.want)
			continue
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "news.google.com" || u.Query().Get("hl") == "" || u.Query().Get("gl") == "" || u.Query().Get("ceid") == "" {
			t.Errorf("%d: %q does not parse with its edition: %v", i, got, err)
		}
	}
	// Searches round-trip through URL parsing exactly.
	for _, q := range []string{`"a b" OR c`, "x+y", "100% sure", "site:example.com after:2024-01-31"} {
		s, err := SearchFeed(q, us)
		u, _ := url.Parse(s)
		if err != nil || u.Query().Get("q") != q {
			t.Errorf("query %q -> %q", q, s)
		}
	}
}

func TestFeedURLErrors(t *testing.T) {
	us := DefaultLocale
	for _, topic := range []string{"", "POLITICS", "CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA", "CAIiEP3mC0iuRNhH9bQgc8yLWKsqFggEKg4IACoGCAowl6p7MN-zCTCOvRU", "https://example.com/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB", "https://news.google.com/search?q=x", "CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB/sections/bad id", "../../etc"} {
		if u, err := TopicFeed(topic, us); err == nil {
			t.Errorf("TopicFeed(%q) = %q", topic, u)
		}
	}
	for _, place := range []string{"", "   ", "a/b", "x?y", "x\x00", string(make([]byte, MaxPlaceLen+1))} {
		if u, err := GeoFeed(place, us); err == nil {
			t.Errorf("GeoFeed(%q) = %q", place, u)
		}
	}
	for _, q := range []string{"", "  ", "a\nb", string(make([]byte, MaxQueryLen+1))} {
		if u, err := SearchFeed(q, us); err == nil {
			t.Errorf("SearchFeed(%q) = %q", q, u)
		}
	}
	if _, err := TopStoriesFeed(Locale{HL: "en-US", GL: "US", CEID: "US:en&x=1"}); !errors.Is(err, ErrEdition) {
		t.Errorf("unchecked edition accepted: %v", err)
	}
}
