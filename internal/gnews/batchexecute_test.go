package gnews

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/kabarnews/kabar/internal/gnews/gnewstest"
)

func TestParseReplyFixtures(t *testing.T) {
	a, err := parseReply([]byte(gnewstest.SuccessWithAMPReply))
	if err != nil || len(a) != 1 {
		t.Fatalf("success: %+v %v", a, err)
	}
	o := answerOutcome("x", a[0])
	if o.err != nil || o.url != gnewstest.SuccessURL || o.amp != gnewstest.SuccessAMPURL || a[0].tag != "" {
		t.Errorf("success: %+v %+v", a[0], o)
	}

	a, err = parseReply([]byte(gnewstest.ErrorReply))
	if err != nil || len(a) != 1 || a[0].hasPayload || a[0].errCode != "[3]" || a[0].tag != "generic" {
		t.Fatalf("error: %+v %v", a, err)
	}
	if o := answerOutcome("x", a[0]); o.err == nil || !strings.Contains(o.err.Error(), "[3]") {
		t.Errorf("error outcome %+v", o)
	}

	// The escaped-'=' payload in its envelope: decoded twice, the query
	// survives whole. A pattern cut at the first backslash would end at "?id".
	body := ")]}'\n\n[[\"wrb.fr\",\"Fbv4je\",\"" + gnewstest.EscapedEqualsPayload + "\",null,null,null,\"generic\"]]"
	a, err = parseReply([]byte(body))
	if err != nil || len(a) != 1 {
		t.Fatalf("escaped: %+v %v", a, err)
	}
	if !strings.Contains(a[0].payload, `id\u003d62306633`) {
		t.Errorf("first level should still hold \\u003d: %s", a[0].payload)
	}
	if o := answerOutcome("x", a[0]); o.err != nil || o.url != gnewstest.EscapedEqualsURL {
		t.Errorf("escaped: %+v", o)
	}
}

func TestParseReplyChunked(t *testing.T) {
	row := func(tag, u string) string {
		p, _ := json.Marshal(`["garturlres","` + u + `",1]`)
		return `[["wrb.fr","Fbv4je",` + string(p) + `,null,null,null,"` + tag + `"]]`
	}
	var b strings.Builder
	b.WriteString(")]}'\n\n")
	for _, chunk := range []string{row("1", "https://a.example/1"), `[["wrb.fr","Fbv4je",null,null,null,[3],"2"]]`, row("3", "https://a.example/3"), `[["di",41],["af.httprm",40,"1",29]]`, `[["e",4,null,null,700]]`} {
		b.WriteString(strings.Repeat("9", 3) + "\n" + chunk + "\n") // lengths are not trusted
	}
	a, err := parseReply([]byte(b.String()))
	if err != nil || len(a) != 3 {
		t.Fatalf("%+v %v", a, err)
	}
	if a[0].tag != "1" || a[1].tag != "2" || a[1].errCode != "[3]" || a[2].tag != "3" {
		t.Errorf("%+v", a)
	}
	// A truncated tail keeps what came before it.
	a, err = parseReply([]byte(b.String()[:strings.LastIndex(b.String(), `[["di"`)+5]))
	if err != nil || len(a) != 3 {
		t.Errorf("truncated tail: %+v %v", a, err)
	}
}

func TestParseReplyGarbage(t *testing.T) {
	for _, body := range []string{"", ")]}'", ")]}'\n\n", "<!doctype html><html><body>sorry</body></html>", `{"error":1}`, ")]}'\n\n[[", "12\n34\n"} {
		if a, err := parseReply([]byte(body)); err == nil && len(a) > 0 {
			t.Errorf("%q: %+v", body, a)
		}
	}
	// Valid JSON that is not an Fbv4je envelope yields no answer.
	for _, body := range []string{")]}'\n\n[]", ")]}'\n\n[[\"wrb.fr\",\"Other\",\"[]\"]]", ")]}'\n\n[[1,2,3]]", ")]}'\n\n[[\"wrb.fr\"]]"} {
		a, err := parseReply([]byte(body))
		if err != nil || len(a) != 0 {
			t.Errorf("%q: %+v %v", body, a, err)
		}
	}
}

func TestAnswerOutcome(t *testing.T) {
	payload := func(p string) answer { return answer{hasPayload: true, payload: p} }
	cases := []struct {
		a             answer
		url, amp, err string
	}{
		{payload(`["garturlres","https://e.example/a?b=c",1]`), "https://e.example/a?b=c", "", ""},
		{payload(`["garturlres","https://e.example/a",1,"https://e.example/amp/a"]`), "https://e.example/a", "https://e.example/amp/a", ""},
		{payload(`["garturlres","https://e.example/a",1,"javascript:x"]`), "https://e.example/a", "", ""},
		{payload(`["garturlres","https://e.example/a",1,null]`), "https://e.example/a", "", ""},
		{payload(`["garturlres",null,1]`), "", "", "no publisher URL"},
		{payload(`["garturlres","",1]`), "", "", "no publisher URL"},
		{payload(`["garturlres"]`), "", "", "no publisher URL"},
		{payload(`["garturlres","/relative",1]`), "", "", "no publisher URL"},
		{payload(`["garturlres","https://www.google.com/sorry/index",1]`), "", "", "no publisher URL"},
		{payload(`["other","https://e.example/a",1]`), "", "", "unexpected"},
		{payload(`not json`), "", "", "unexpected"},
		{answer{}, "", "", "unexpected"},
		{answer{errCode: "[5]"}, "", "", "error envelope"},
	}
	for i, c := range cases {
		o := answerOutcome("id", c.a)
		if o.url != c.url || o.amp != c.amp || (c.err == "") != (o.err == nil) || (o.err != nil && !strings.Contains(o.err.Error(), c.err)) {
			t.Errorf("%d: %+v -> %+v, want %q %q %q", i, c.a, o, c.url, c.amp, c.err)
		}
	}
}

func TestRequestBody(t *testing.T) {
	calls := []call{
		{id: "CBMiAAA", ts: 1, sig: "s1", locale: DefaultLocale},
		{id: "CBMiBBB", ts: 2, sig: "s&2=", locale: Locale{HL: "pt-BR", GL: "BR", CEID: "BR:pt-419"}},
	}
	body, err := requestBody(calls)
	if err != nil {
		t.Fatal(err)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || len(form) != 1 {
		t.Fatalf("%s: %v", body, err)
	}
	var outer [][][]any
	if err := json.Unmarshal([]byte(form.Get("f.req")), &outer); err != nil || len(outer) != 1 || len(outer[0]) != 2 {
		t.Fatalf("f.req %s: %v", form.Get("f.req"), err)
	}
	for i, env := range outer[0] {
		if env[0] != "Fbv4je" || env[2] != nil || env[3] != []string{"1", "2"}[i] {
			t.Errorf("envelope %d: %v", i, env)
		}
		var inner []any
		if err := json.Unmarshal([]byte(env[1].(string)), &inner); err != nil || len(inner) != 5 {
			t.Fatalf("inner %d: %v", i, err)
		}
		if inner[0] != "garturlreq" || inner[2] != calls[i].id || inner[3] != float64(calls[i].ts) || inner[4] != calls[i].sig {
			t.Errorf("inner %d: %v", i, inner)
		}
		loc := inner[1].([]any)[0].([]any)
		if loc[0] != calls[i].locale.HL || loc[1] != calls[i].locale.GL || loc[7] != calls[i].locale.CEID {
			t.Errorf("locale %d: %v", i, loc)
		}
	}
	one, _ := requestBody(calls[:1])
	if !strings.Contains(string(one), "%22generic%22") {
		t.Errorf("single call not tagged generic: %s", one)
	}
}

func TestScrapeParams(t *testing.T) {
	const id = "CBMiXYZ"
	cases := []struct {
		name, page string
		sig        string
		ts         int64
		ok         bool
	}{
		{"c-wiz div", `<c-wiz><div jscontroller="aLI87" data-n-a-sg="AZ5r3eQgUz4DTz0J9FazWGdfF2xD" data-n-a-ts="1772798585" data-n-a-id="CBMiXYZ"></div></c-wiz>`, "AZ5r3eQgUz4DTz0J9FazWGdfF2xD", 1772798585, true},
		{"other order, deeper", `<c-wiz><section><div data-n-a-ts='42' data-n-a-id=CBMiXYZ data-n-a-sg="sig-_+/="></div></section></c-wiz>`, "sig-_+/=", 42, true},
		{"upper-case attributes", `<DIV DATA-N-A-SG="S" DATA-N-A-TS="7">`, "S", 7, true},
		{"decoy first", `<div data-n-a-sg="A" data-n-a-ts="1" data-n-a-id="CBMiOTHER"></div><div data-n-a-sg="B" data-n-a-ts="2" data-n-a-id="CBMiXYZ"></div>`, "B", 2, true},
		{"no id anywhere", `<div data-n-a-sg="A" data-n-a-ts="1"></div><div data-n-a-sg="B" data-n-a-ts="2"></div>`, "A", 1, true},
		{"missing ts", `<div data-n-a-sg="A"></div>`, "", 0, false},
		{"bad ts", `<div data-n-a-sg="A" data-n-a-ts="soon"></div>`, "", 0, false},
		{"negative ts", `<div data-n-a-sg="A" data-n-a-ts="-5"></div>`, "", 0, false},
		{"empty sig", `<div data-n-a-sg="" data-n-a-ts="5"></div>`, "", 0, false},
		{"sig with quote", `<div data-n-a-sg="a&quot;b" data-n-a-ts="5"></div>`, "", 0, false},
		{"text only", `data-n-a-sg="A" data-n-a-ts="1"`, "", 0, false},
		{"in a comment", `<!-- <div data-n-a-sg="A" data-n-a-ts="1"> -->`, "", 0, false},
		{"empty", ``, "", 0, false},
	}
	for _, c := range cases {
		p, ok := scrapeParams([]byte(c.page), id)
		if ok != c.ok || p.sig != c.sig || p.ts != c.ts {
			t.Errorf("%s: %+v %v", c.name, p, ok)
		}
	}
}

// FuzzReply: any reply body parses without panic, and an answer only ever
// yields a usable publisher URL.
func FuzzReply(f *testing.F) {
	f.Add(gnewstest.SuccessWithAMPReply)
	f.Add(gnewstest.ErrorReply)
	f.Add(")]}'\n\n[[\"wrb.fr\",\"Fbv4je\",\"" + gnewstest.EscapedEqualsPayload + "\",null,null,null,\"generic\"]]")
	f.Add(")]}'\n\n12\n[[\"wrb.fr\",\"Fbv4je\",null,null,null,[3],\"1\"]]\n25\n[[\"e\",4,null,null,99]]\n")
	f.Add(`<div data-n-a-sg="A" data-n-a-ts="1" data-n-a-id="x">`)
	f.Fuzz(func(t *testing.T, body string) {
		answers, _ := parseReply([]byte(body))
		for _, a := range answers {
			o := answerOutcome("id", a)
			if o.err == nil && !usableURL(o.url) {
				t.Fatalf("unusable URL %q accepted", o.url)
			}
			if o.amp != "" && !usableURL(o.amp) {
				t.Fatalf("unusable AMP URL %q accepted", o.amp)
			}
		}
		if p, ok := scrapeParams([]byte(body), "x"); ok && (!validSig(p.sig) || p.ts <= 0) {
			t.Fatalf("bad params %+v", p)
		}
	})
}

func BenchmarkParseReply(b *testing.B) {
	body := []byte(gnewstest.SuccessWithAMPReply)
	b.ReportAllocs()
	for b.Loop() {
		a, err := parseReply(body)
		if err != nil || len(a) != 1 || answerOutcome("x", a[0]).err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScrapeParams(b *testing.B) {
	// A page the size of a real article page (~300 KB of markup), the
	// attributes near the end.
	page := []byte("<!doctype html><html><head><title>Google News</title></head><body>" +
		strings.Repeat(`<div class="x" jsname="y"><span>filler text</span></div>`, 5000) +
		`<c-wiz><div jscontroller="aLI87" data-n-a-sg="AZ5r3eQgUz4DTz0J9FazWGdfF2xD" data-n-a-ts="1772798585" data-n-a-id="CBMiX"></div></c-wiz></body></html>`)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := scrapeParams(page, "CBMiX"); !ok {
			b.Fatal("not found")
		}
	}
}
