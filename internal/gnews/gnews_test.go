package gnews

import (
	"bufio"
	"encoding/base64"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// readTSV returns the rows of a testdata TSV file as maps keyed by header.
func readTSV(t testing.TB, name string) []map[string]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	var rows []map[string]string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", name)
	}
	return rows
}

// encodeOld builds an old-form article ID the way Google did: field 1 = 19,
// field 4 = URL, field 26 = AMP URL (present but possibly empty when withAMP).
func encodeOld(u, amp string, withAMP bool) string {
	var b []byte
	b = protowire.AppendTag(b, fieldType, protowire.VarintType)
	b = protowire.AppendVarint(b, typeArticle)
	b = protowire.AppendTag(b, fieldURL, protowire.BytesType)
	b = protowire.AppendString(b, u)
	if withAMP {
		b = protowire.AppendTag(b, fieldAMP, protowire.BytesType)
		b = protowire.AppendString(b, amp)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func mustKind(t *testing.T, err error, want error, kind Kind) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("err %T is not *gnews.Error", err)
	}
	if ge.Kind != kind {
		t.Fatalf("error kind = %v, want %v", ge.Kind, kind)
	}
}

func TestDecodeOldVectors(t *testing.T) {
	n := 0
	for _, row := range readTSV(t, "vectors.tsv") {
		if row["kind"] != "old" {
			continue
		}
		n++
		link := row["link_or_id"]
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			d, err := Decode(link)
			if err != nil {
				t.Fatalf("Decode(%s): %v", link, err)
			}
			if d.Kind != KindOld {
				t.Errorf("kind = %v, want old", d.Kind)
			}
			if d.URL != row["url"] {
				t.Errorf("URL\n got %q\nwant %q", d.URL, row["url"])
			}
			if d.AMPURL != row["amp_url"] {
				t.Errorf("AMPURL\n got %q\nwant %q", d.AMPURL, row["amp_url"])
			}
			id, ok := ArticleID(link)
			if strings.Contains(link, "/") {
				if !ok || id != d.ID {
					t.Errorf("ArticleID = %q, %v; Decode ID = %q", id, ok, d.ID)
				}
				if !IsLink(link) {
					t.Errorf("IsLink(%s) = false", link)
				}
			} else {
				id = link
			}
			if strings.ContainsAny(id, "?/=") {
				t.Errorf("ID %q keeps query or padding", id)
			}
			// The bare ID, and the ID padded to a multiple of 4, decode alike.
			for _, in := range []string{id, id + strings.Repeat("=", (4-len(id)%4)%4), id + "?oc=5"} {
				d2, err := Decode(in)
				if err != nil || d2.URL != d.URL || d2.AMPURL != d.AMPURL || d2.ID != id {
					t.Errorf("Decode(%q) = %+v, %v; want %+v", in, d2, err, d)
				}
			}
		})
	}
	if n != 74 {
		t.Errorf("old rows = %d, want 74", n)
	}
}

func TestDecodeNewVectors(t *testing.T) {
	n := 0
	for _, row := range readTSV(t, "vectors.tsv") {
		if row["kind"] != "new" {
			continue
		}
		n++
		d, err := Decode(row["link_or_id"])
		mustKind(t, err, ErrNewForm, KindNew)
		if d == nil || d.Kind != KindNew || d.URL != "" || d.ID == "" {
			t.Errorf("Decode(%s) = %+v", row["link_or_id"], d)
		}
		if !strings.Contains(err.Error(), "online resolution") {
			t.Errorf("ErrNewForm message %q does not say it needs online resolution", err)
		}
	}
	if n != 3 {
		t.Errorf("new rows = %d, want 3", n)
	}
}

func TestDecodeNewIDs(t *testing.T) {
	for i, row := range readTSV(t, "new_ids.tsv") {
		id := row["id"]
		d, err := Decode(id)
		mustKind(t, err, ErrNewForm, KindNew)
		if d.ID != id {
			t.Errorf("%d: ID = %q", i, d.ID)
		}
		// The token lengths the fixture states come out of the protobuf walk.
		raw, err := base64.RawURLEncoding.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		m, err := walk(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strconv.Itoa(len(m.url)), row["field4_token_len"]; got != want {
			t.Errorf("%d: field 4 length = %s, want %s", i, got, want)
		}
		if got, want := strconv.Itoa(len(m.amp)), row["field26_token_len"]; got != want {
			t.Errorf("%d: field 26 length = %s, want %s", i, got, want)
		}
		// As links of every shape too.
		for _, link := range []string{
			"https://news.google.com/rss/articles/" + id + "?oc=5",
			"https://news.google.com/read/" + id + "?hl=en-US&gl=US&ceid=US%3Aen",
		} {
			_, err := Decode(link)
			mustKind(t, err, ErrNewForm, KindNew)
		}
	}
}

func TestDecodeOtherIDs(t *testing.T) {
	kinds := map[string]Kind{"CAIi": KindStory, "CCAi": KindVideo, "CAAq": KindTopic}
	for _, row := range readTSV(t, "other_ids.tsv") {
		want, ok := kinds[row["prefix"]]
		if !ok {
			t.Fatalf("unknown prefix %q", row["prefix"])
		}
		d, err := Decode(row["id"])
		mustKind(t, err, ErrNotArticle, want)
		if d == nil || d.Kind != want || d.ID != row["id"] || d.URL != "" {
			t.Errorf("Decode(%s) = %+v, want kind %v", row["id"], d, want)
		}
		// Also as an article-shaped link.
		_, err = Decode("https://news.google.com/articles/" + row["id"] + "?hl=en-US")
		mustKind(t, err, ErrNotArticle, want)
	}
}

func TestDecodeMalformed(t *testing.T) {
	good := encodeOld("https://example.com/a", "", true)
	wire := func(parts ...[]byte) string {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	tag := func(num protowire.Number, typ protowire.Type) []byte { return protowire.AppendTag(nil, num, typ) }
	str := func(s string) []byte { return protowire.AppendString(nil, s) }
	cases := map[string]string{
		"empty":            "",
		"spaces":           "   ",
		"bad alphabet":     "CBMi!!!",
		"inner padding":    "CBMi=abc",
		"star":             "*",
		"only padding":     "====",
		"truncated header": "CBMi",
		"truncated url":    good[:len(good)-10],
		"one char":         "C",
		"random bytes":     "Zm9vYmFyYmF6",
		"ftp url":          encodeOld("ftp://example.com/x", "", false),
		"relative url":     encodeOld("/just/a/path", "", false),
		"url with space":   encodeOld("https://example.com/a b", "", false),
		"invalid utf8":     encodeOld("https://example.com/\xff", "", false),
		"no field 4":       wire(tag(1, protowire.VarintType), protowire.AppendVarint(nil, 19)),
		"field 4 varint":   wire(tag(4, protowire.VarintType), protowire.AppendVarint(nil, 19)),
		"field 1 bytes":    wire(tag(1, protowire.BytesType), str("x"), tag(4, protowire.BytesType), str("https://example.com/")),
		"huge length":      wire(tag(1, protowire.VarintType), protowire.AppendVarint(nil, 19), tag(4, protowire.BytesType), protowire.AppendVarint(nil, 1<<40), []byte("https://")),
		"overlong varint":  wire(tag(1, protowire.VarintType), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
		"field 0":          wire([]byte{0x00, 0x01}),
		"token too short":  wire(tag(1, protowire.VarintType), protowire.AppendVarint(nil, 19), tag(4, protowire.BytesType), str("AU_yqL")),
		"token bad chars":  wire(tag(1, protowire.VarintType), protowire.AppendVarint(nil, 19), tag(4, protowire.BytesType), str("AU_yqL<script>")),
		"other host":       "https://example.com/rss/articles/" + good,
		"stories link":     "https://news.google.com/stories/CAAqNggKIjBDQklTSGpvSmMzUnZjbmt0TXpZd1NoRUtEd2lQbGNtd0NCR1V0SnhRbHNRdmRTZ0FQAQ?oc=5",
		"search feed":      "https://news.google.com/rss/search?q=belarus&hl=en-US&gl=US&ceid=US:en",
		"legacy no url":    "http://news.google.com/news/url?sa=t&fd=R&usg=x",
		"legacy js url":    "http://news.google.com/news/url?sa=t&url=javascript:alert(1)",
		"javascript":       "javascript:alert(1)",
		"consent no cont":  "https://consent.google.com/m?gl=DE",
		"article no id":    "https://news.google.com/rss/articles/",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := Decode(in)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Decode(%q) = %+v, %v; want ErrMalformed", in, d, err)
			}
			if d != nil {
				t.Errorf("Decoded = %+v, want nil", d)
			}
			if errors.Is(err, ErrNewForm) || errors.Is(err, ErrNotArticle) {
				t.Errorf("error matches more than one sentinel: %v", err)
			}
		})
	}
}

// TestDecodeLongURLs covers length varints of 1, 2 and 3 bytes, including the
// 128–255 range where byte-slicing decoders drop the last character.
func TestDecodeLongURLs(t *testing.T) {
	for _, n := range []int{1, 127, 128, 200, 255, 256, 16383, 16384, 20000} {
		for _, withAMP := range []bool{false, true} {
			u := makeURL("https://example.com/", n)
			amp := ""
			if withAMP {
				amp = makeURL("https://example-com.cdn.ampproject.org/c/s/example.com/amp/", n+7)
			}
			id := encodeOld(u, amp, true)
			d, err := Decode(id)
			if err != nil {
				t.Fatalf("len %d: %v", n, err)
			}
			if d.URL != u || d.AMPURL != amp {
				t.Fatalf("len %d amp %v: round trip failed: got %d/%d bytes", n, withAMP, len(d.URL), len(d.AMPURL))
			}
			// And as a feed link with the query Google appends.
			d, err = Decode("https://news.google.com/rss/articles/" + id + "?oc=5")
			if err != nil || d.URL != u {
				t.Fatalf("len %d as link: %v", n, err)
			}
			// Absent field 26 is fine too.
			d, err = Decode(encodeOld(u, "", false))
			if err != nil || d.URL != u || d.AMPURL != "" {
				t.Fatalf("len %d without field 26: %+v %v", n, d, err)
			}
		}
	}
}

// makeURL returns a URL of exactly n bytes (or the prefix when n is smaller).
func makeURL(prefix string, n int) string {
	if n <= len(prefix) {
		return prefix
	}
	var b strings.Builder
	b.WriteString(prefix)
	for i := 0; b.Len() < n; i++ {
		b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789-/"[i%38])
	}
	return b.String()
}

func TestDecodeExactLengths(t *testing.T) {
	for _, n := range []int{128, 255, 256, 20000} {
		u := makeURL("https://example.com/", n)
		if len(u) != n {
			t.Fatalf("makeURL gave %d bytes, want %d", len(u), n)
		}
		d, err := Decode(encodeOld(u, "", true))
		if err != nil || d.URL != u {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
}

func TestUnknownFieldsSkipped(t *testing.T) {
	var b []byte
	b = protowire.AppendTag(b, 99, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, 7)
	b = protowire.AppendTag(b, fieldType, protowire.VarintType)
	b = protowire.AppendVarint(b, typeArticle)
	b = protowire.AppendTag(b, 7, protowire.BytesType)
	b = protowire.AppendString(b, "ignored")
	b = protowire.AppendTag(b, fieldURL, protowire.BytesType)
	b = protowire.AppendString(b, "http://example.org/x?y=1&z=%20")
	b = protowire.AppendTag(b, 8, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, 1)
	d, err := Decode(base64.RawURLEncoding.EncodeToString(b))
	if err != nil || d.URL != "http://example.org/x?y=1&z=%20" {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestArticleID(t *testing.T) {
	const id = "CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA"
	good := []string{
		"https://news.google.com/rss/articles/" + id + "?oc=5",
		"https://news.google.com/rss/articles/" + id,
		"https://news.google.com/__i/rss/rd/articles/" + id + "?oc=5",
		"https://news.google.com/articles/" + id + "?hl=de&gl=DE&ceid=DE%3Ade",
		"https://news.google.com/read/" + id + "?hl=en-US&gl=US&ceid=US%3Aen",
		"http://news.google.com/articles/" + id + "/",
		"HTTPS://NEWS.GOOGLE.COM/rss/articles/" + id + "#frag",
		"  https://news.google.com/rss/articles/" + id + "?oc=5\n",
		"http://news.google.com:443/rss/articles/" + id,
		"https://consent.google.com/m?continue=https://news.google.com/rss/articles/" + id + "?oc%3D5&gl=DE&m=0&pc=n&hl=en-US&src=1",
		"https://consent.google.com/ml?continue=https%3A%2F%2Fnews.google.com%2Frss%2Farticles%2F" + id + "%3Foc%3D5&pc=n&src=1",
		"https://consent.google.com/m?continue=" + "https%3A%2F%2Fconsent.google.com%2Fm%3Fcontinue%3Dhttps%253A%252F%252Fnews.google.com%252Fread%252F" + id,
	}
	for _, link := range good {
		got, ok := ArticleID(link)
		if !ok || got != id {
			t.Errorf("ArticleID(%q) = %q, %v", link, got, ok)
		}
		if !IsLink(link) {
			t.Errorf("IsLink(%q) = false", link)
		}
	}
	bad := []string{
		"",
		id,
		"https://example.com/articles/" + id,
		"https://news.google.com.evil.test/rss/articles/" + id,
		"https://news.google.com/stories/" + id,
		"https://news.google.com/rss/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB",
		"https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en",
		"https://news.google.com/rss/articles/not%20base64",
		"https://news.google.com/articles",
		"ftp://news.google.com/articles/" + id,
		"https://consent.google.com/m?continue=https://example.com/articles/" + id,
		"https://consent.google.com/other?continue=https://news.google.com/rss/articles/" + id,
		"//news.google.com/rss/articles/" + id,
		"./articles/" + id,
	}
	for _, link := range bad {
		if got, ok := ArticleID(link); ok {
			t.Errorf("ArticleID(%q) = %q, true; want false", link, got)
		}
		if IsLink(link) {
			t.Errorf("IsLink(%q) = true", link)
		}
	}
}

func TestDecodeSchemeless(t *testing.T) {
	const id = "CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA"
	d, err := Decode("news.google.com/rss/articles/" + id + "?oc=5")
	if err != nil || d.URL != "https://www.mdr.de/video/mdr-videos/a/video-779952.html" {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestConsentNestingBounded(t *testing.T) {
	link := "https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA"
	for i := 0; i < 10; i++ {
		link = "https://consent.google.com/m?continue=" + urlQueryEscape(link)
	}
	if _, ok := ArticleID(link); ok {
		t.Fatal("10 nested consent wrappers accepted")
	}
}

func urlQueryEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "=", "%3D", "?", "%3F", "#", "%23", "+", "%2B")
	return r.Replace(s)
}

func TestLegacyURL(t *testing.T) {
	cases := map[string]string{
		"http://news.google.com/news/url?sa=t&fd=R&usg=AFQjCNE6x0eLvoLRZ_i6l-gb_9QoJE7hWw&url=http://www.telegraph.co.uk/news/worldnews/vladimir-putin/9125462/Russia-election-loser-outraged-as-Putin-loses-patience-with-protesters.html": "http://www.telegraph.co.uk/news/worldnews/vladimir-putin/9125462/Russia-election-loser-outraged-as-Putin-loses-patience-with-protesters.html",
		"https://news.google.com/news/url?url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1&ct=ga": "https://example.com/a?b=1",
	}
	for link, want := range cases {
		got, ok := LegacyURL(link)
		if !ok || got != want {
			t.Errorf("LegacyURL(%q) = %q, %v; want %q", link, got, ok, want)
		}
		if IsLink(link) {
			t.Errorf("IsLink(legacy) = true")
		}
		// Decode takes the legacy shape too, without an ID.
		d, err := Decode(link)
		if err != nil || d.Kind != KindLegacy || d.URL != want || d.ID != "" || d.AMPURL != "" {
			t.Errorf("Decode(%q) = %+v, %v", link, d, err)
		}
	}
	// Wrapped in a consent redirect, and pasted without its scheme.
	for _, link := range []string{
		"https://consent.google.com/m?continue=" + urlQueryEscape("http://news.google.com/news/url?sa=t&url=https://example.com/a") + "&gl=DE",
		"news.google.com/news/url?sa=t&url=https://example.com/a",
	} {
		if d, err := Decode(link); err != nil || d.Kind != KindLegacy || d.URL != "https://example.com/a" {
			t.Errorf("Decode(%q) = %+v, %v", link, d, err)
		}
	}
	for _, link := range []string{
		"http://news.google.com/news/url?sa=t",
		"http://news.google.com/news/url?url=javascript:alert(1)",
		"http://example.com/news/url?url=http://a.example/",
		"http://news.google.com/news/other?url=http://a.example/",
		"https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA",
	} {
		if got, ok := LegacyURL(link); ok {
			t.Errorf("LegacyURL(%q) = %q, true", link, got)
		}
	}
}

func TestKindString(t *testing.T) {
	want := map[Kind]string{KindUnknown: "unknown", KindOld: "old", KindNew: "new", KindStory: "story", KindVideo: "video", KindTopic: "topic", KindLegacy: "legacy", Kind(42): "Kind(42)"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("%d.String() = %q, want %q", int(k), k.String(), s)
		}
	}
}

// TestSeed checks the link and ID of the seed post decode to Sky News.
func TestSeed(t *testing.T) {
	const link = "https://news.google.com/__i/rss/rd/articles/CBMiemh0dHBzOi8vbmV3cy5za3kuY29tL3N0b3J5L2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc20gF-aHR0cHM6Ly9uZXdzLnNreS5jb20vc3RvcnkvYW1wL2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc2?oc=5"
	const id = "CBMiemh0dHBzOi8vbmV3cy5za3kuY29tL3N0b3J5L2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc20gF-aHR0cHM6Ly9uZXdzLnNreS5jb20vc3RvcnkvYW1wL2dlcm1hbnktdXJnZXMtZXUtdW5pdHktYW1pZC1ncm93aW5nLXRlbnNpb25zLWFzLW1pZ3JhbnRzLWNhbXAtb24tcG9sYW5kLWJlbGFydXMtYm9yZGVyLTEyNDY0NTc2"
	got, ok := ArticleID(link)
	if !ok || got != id {
		t.Fatalf("ArticleID = %q, %v", got, ok)
	}
	d, err := Decode(link)
	if err != nil {
		t.Fatal(err)
	}
	if d.URL != "https://news.sky.com/story/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576" ||
		d.AMPURL != "https://news.sky.com/story/amp/germany-urges-eu-unity-amid-growing-tensions-as-migrants-camp-on-poland-belarus-border-12464576" {
		t.Fatalf("%+v", d)
	}
}

// checkDecodeAnything: Decode of any text does not panic, types its
// error, and what decodes with a nil error re-encodes to the same.
func checkDecodeAnything(t *testing.T, s string) {
	d, err := Decode(s)
	switch {
	case err == nil && d != nil && d.Kind == KindLegacy:
		if d.ID != "" || d.AMPURL != "" || !isHTTPURL(d.URL) {
			t.Fatalf("Decode(%q) = %+v (legacy)", s, d)
		}
	case err == nil:
		if d == nil || d.Kind != KindOld || !isHTTPURL(d.URL) {
			t.Fatalf("Decode(%q) = %+v with nil error", s, d)
		}
		// What decodes re-encodes to an ID that decodes the same.
		d2, err := Decode(encodeOld(d.URL, d.AMPURL, true))
		if err != nil || *d2 != (Decoded{Kind: KindOld, ID: d2.ID, URL: d.URL, AMPURL: d.AMPURL}) {
			t.Fatalf("re-encode of %+v: %+v %v", d, d2, err)
		}
	case errors.Is(err, ErrNewForm):
		if d == nil || d.Kind != KindNew {
			t.Fatalf("ErrNewForm with %+v", d)
		}
	case errors.Is(err, ErrNotArticle):
		if d == nil || (d.Kind != KindStory && d.Kind != KindVideo && d.Kind != KindTopic) {
			t.Fatalf("ErrNotArticle with %+v", d)
		}
	case errors.Is(err, ErrMalformed):
		if d != nil {
			t.Fatalf("ErrMalformed with %+v", d)
		}
	default:
		t.Fatalf("untyped error %v", err)
	}
	_, _ = ArticleID(s)
	_, _ = LegacyURL(s)
}

func FuzzDecode(f *testing.F) {
	for _, row := range readTSV(f, "vectors.tsv") {
		f.Add(row["link_or_id"], "story/1", "")
	}
	for _, row := range readTSV(f, "new_ids.tsv") {
		f.Add(row["id"], "a?b=c", "amp/x")
	}
	for _, row := range readTSV(f, "other_ids.tsv") {
		f.Add(row["id"], "", "")
	}
	f.Add("http://news.google.com/news/url?sa=t&fd=R&usg=x&url=http://www.telegraph.co.uk/a.html", "", "")
	f.Add("https://consent.google.com/m?continue=https://news.google.com/rss/articles/CBMiN2h0dHBzOi8vd3d3Lm1kci5kZS92aWRlby9tZHItdmlkZW9zL2EvdmlkZW8tNzc5OTUyLmh0bWzSAQA?oc%3D5&gl=DE", "", "")
	f.Add("", strings.Repeat("x", 300), strings.Repeat("y", 130))
	f.Add("CBMi", "%zz", "\xff")
	f.Fuzz(func(t *testing.T, in, path, ampPath string) {
		// Arbitrary text, as text and as base64url of its bytes: no panic,
		// and a nil error always comes with an old-form result.
		for _, s := range []string{in, base64.RawURLEncoding.EncodeToString([]byte(in))} {
			checkDecodeAnything(t, s)
		}
		// Encoder output round-trips whenever the URL is one Decode accepts.
		u := "https://example.com/" + path
		amp := ""
		if ampPath != "" {
			amp = "https://amp.example.com/" + ampPath
		}
		if !isHTTPURL(u) || (amp != "" && !isHTTPURL(amp)) {
			return
		}
		id := encodeOld(u, amp, true)
		d, err := Decode("https://news.google.com/rss/articles/" + id + "?oc=5")
		if err != nil || d.Kind != KindOld || d.URL != u || d.AMPURL != amp || d.ID != id {
			t.Fatalf("round trip of %q / %q: %+v %v", u, amp, d, err)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	var links []string
	for _, row := range readTSV(b, "vectors.tsv") {
		if row["kind"] == "old" {
			links = append(links, row["link_or_id"])
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(links[i%len(links)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeID(b *testing.B) {
	id := encodeOld(makeURL("https://example.com/", 200), makeURL("https://example.com/amp/", 210), true)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeID(id); err != nil {
			b.Fatal(err)
		}
	}
}
