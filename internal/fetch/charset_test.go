package fetch

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

const (
	ru = "Москва — столица России"
	fr = "Café, naïve, déjà vu, £5"
	ja = "東京は日本の首都です"
	zh = "北京是中国的首都"
)

func TestToUTF8(t *testing.T) {
	longScript := "<script>" + strings.Repeat("var x = 1;\n", 200) + "</script>"
	cases := []struct {
		name, mt, header string
		body             []byte
		want, charset    string
	}{
		{"1251 meta charset", "text/html", "",
			encode(t, charmap.Windows1251, `<html><head><meta charset="windows-1251"><title>`+ru+`</title></head></html>`),
			ru, "windows-1251"},
		{"1251 header", "text/html", "windows-1251",
			encode(t, charmap.Windows1251, `<html><body>`+ru+`</body></html>`),
			ru, "windows-1251"},
		{"1251 header says utf-8, meta says 1251", "text/html", "utf-8",
			encode(t, charmap.Windows1251, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body>`+ru+`</body></html>`),
			ru, "windows-1251"},
		{"iso-8859-1 header", "text/html", "ISO-8859-1",
			encode(t, charmap.Windows1252, `<p>`+fr+`</p>`),
			fr, "windows-1252"}, // WHATWG: the label iso-8859-1 means windows-1252
		{"latin1 meta", "text/html", "",
			encode(t, charmap.ISO8859_1, `<meta http-equiv="content-type" content="text/html;charset=iso-8859-1"><p>`+fr+`</p>`),
			fr, "windows-1252"},
		{"shift_jis http-equiv", "text/html", "",
			encode(t, japanese.ShiftJIS, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"></head><body>`+ja+`</body></html>`),
			ja, "shift_jis"},
		{"gbk meta", "text/html", "",
			encode(t, simplifiedchinese.GBK, `<html><head><meta charset=gbk></head><body>`+zh+`</body></html>`),
			zh, "gbk"},
		{"gb2312 header", "text/html", "GB2312",
			encode(t, simplifiedchinese.GBK, `<p>`+zh+`</p>`),
			zh, "gbk"},
		{"meta after a long script", "text/html", "",
			encode(t, charmap.Windows1251, `<html><head>`+longScript+`<meta charset="windows-1251"></head><body>`+ru+`</body></html>`),
			ru, "windows-1251"},
		{"utf-8 plain", "text/html", "", []byte(`<p>` + ru + `</p>`), ru, "utf-8"},
		{"utf-8 BOM", "text/html", "windows-1251", append([]byte("\xEF\xBB\xBF"), []byte(`<p>`+ja+`</p>`)...), ja, "utf-8"},
		{"utf-16be BOM over a lying header", "text/html", "iso-8859-1",
			encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), `<p>`+ru+`</p>`),
			ru, "utf-16be"},
		{"shift_jis meta after 4 KiB of comment", "text/html", "",
			encode(t, japanese.ShiftJIS, `<html><head><!--`+strings.Repeat("x", 4096)+`--><meta charset="shift_jis"></head><body>`+ja+`</body></html>`),
			ja, "shift_jis"},
		{"gbk XML declaration after a UTF-8 BOM is overruled by the BOM", "application/xml", "",
			append([]byte("\xEF\xBB\xBF"), []byte(`<?xml version="1.0" encoding="gbk"?><a>`+zh+`</a>`)...),
			zh, "utf-8"},
		{"utf-16le BOM", "text/html", "",
			encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), `<p>`+ja+`</p>`),
			ja, "utf-16le"},
		{"undeclared legacy bytes", "text/html", "", encode(t, charmap.Windows1252, `<p>`+fr+`</p>`), fr, "windows-1252"},
		{"json header", "application/json", "windows-1251", encode(t, charmap.Windows1251, `{"t":"`+ru+`"}`), ru, "windows-1251"},
		{"plain text shift_jis header", "text/plain", "shift_jis", encode(t, japanese.ShiftJIS, ja), ja, "shift_jis"},
		{"bad label in header", "text/html", "x-nonsense", []byte(`<p>` + ru + `</p>`), ru, "utf-8"},
	}
	for _, c := range cases {
		got, cs := toUTF8(c.body, c.mt, c.header)
		if !bytes.Contains(got, []byte(c.want)) {
			t.Errorf("%s: decoded text not found in %q", c.name, truncate(got))
		}
		if cs != c.charset {
			t.Errorf("%s: charset %q, want %q", c.name, cs, c.charset)
		}
		if bytes.HasPrefix(got, []byte("\uFEFF")) {
			t.Errorf("%s: BOM left in body", c.name)
		}
	}
}

func truncate(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "..."
	}
	return string(b)
}

func TestXMLDeclarationRewritten(t *testing.T) {
	for _, tc := range []struct {
		label string
		enc   encoding.Encoding
		text  string
		want  string
	}{
		{"windows-1251", charmap.Windows1251, ru, "windows-1251"},
		{"ISO-8859-1", charmap.ISO8859_1, fr, "windows-1252"},
		{"Shift_JIS", japanese.ShiftJIS, ja, "shift_jis"},
		{"GBK", simplifiedchinese.GBK, zh, "gbk"},
	} {
		src := `<?xml version="1.0" encoding="` + tc.label + `"?>` + "\n<rss><channel><title>" + tc.text + "</title></channel></rss>"
		body := encode(t, tc.enc, src)
		got, cs := toUTF8(body, "application/rss+xml", "")
		if cs != tc.want {
			t.Errorf("%s: charset %q", tc.label, cs)
		}
		if !bytes.HasPrefix(got, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
			t.Errorf("%s: declaration not rewritten: %q", tc.label, truncate(got))
		}
		// encoding/xml refuses non-UTF-8 declarations without a
		// CharsetReader: after the rewrite it must parse as is.
		var doc struct {
			Title string `xml:"channel>title"`
		}
		if err := xml.Unmarshal(got, &doc); err != nil {
			t.Errorf("%s: xml: %v", tc.label, err)
		} else if doc.Title != tc.text {
			t.Errorf("%s: title %q", tc.label, doc.Title)
		}
	}
	// Single quotes, and a header charset that wins over the declaration.
	body := encode(t, charmap.Windows1251, "<?xml version='1.0' encoding='koi8-r'?><a>"+ru+"</a>")
	got, cs := toUTF8(body, "text/xml", "windows-1251")
	if cs != "windows-1251" || !bytes.Contains(got, []byte(ru)) || !bytes.HasPrefix(got, []byte(`<?xml version='1.0' encoding="UTF-8"?>`)) {
		t.Errorf("header over declaration: %s %q", cs, truncate(got))
	}
	// A declaration claiming UTF-16 in an ASCII-compatible body is UTF-8.
	got, cs = toUTF8([]byte(`<?xml version="1.0" encoding="UTF-16"?><a>`+ja+`</a>`), "application/xml", "")
	if cs != "utf-8" || !bytes.Contains(got, []byte(ja)) {
		t.Errorf("false utf-16: %s %q", cs, got)
	}
	// UTF-16 XML without a BOM.
	u16 := encode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), `<?xml version="1.0" encoding="UTF-16"?><a>`+ja+`</a>`)
	got, cs = toUTF8(u16, "application/xml", "")
	if cs != "utf-16le" || !bytes.Contains(got, []byte(ja)) || !bytes.Contains(got, []byte(`encoding="UTF-8"`)) {
		t.Errorf("utf-16 without BOM: %s %q", cs, got)
	}
}

func TestCharsetOverHTTP(t *testing.T) {
	env := newEnv(t)
	pages := map[string]struct {
		ct   string
		body []byte
	}{
		"/ru":   {"text/html", encode(t, charmap.Windows1251, `<meta charset="windows-1251"><h1>`+ru+`</h1>`)},
		"/ja":   {"text/html; charset=Shift_JIS", encode(t, japanese.ShiftJIS, `<h1>`+ja+`</h1>`)},
		"/zh":   {"text/html; charset=gbk", gzipBytes(t, encode(t, simplifiedchinese.GBK, `<h1>`+zh+`</h1>`))},
		"/feed": {"", encode(t, charmap.ISO8859_1, `<?xml version="1.0" encoding="ISO-8859-1"?><rss><t>`+fr+`</t></rss>`)},
		"/img":  {"image/png", []byte("\x89PNG\r\n\x1a\n\xff\xfe\x00")},
	}
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if p.ct != "" {
			w.Header().Set("Content-Type", p.ct)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing by the server
		}
		if r.URL.Path == "/zh" {
			w.Header().Set("Content-Encoding", "gzip")
		}
		w.Write(p.body)
	}))
	c := env.client(Config{}, s)
	for path, want := range map[string][3]string{
		"/ru":   {ru, "windows-1251", "text/html"},
		"/ja":   {ja, "shift_jis", "text/html"},
		"/zh":   {zh, "gbk", "text/html"},
		"/feed": {fr, "windows-1252", "application/xml"},
	} {
		resp, err := c.Get(context.Background(), s.URL+path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if !bytes.Contains(resp.Body, []byte(want[0])) || resp.Charset != want[1] || resp.ContentType != want[2] {
			t.Errorf("%s: charset %q type %q body %q", path, resp.Charset, resp.ContentType, truncate(resp.Body))
		}
	}
	resp, err := c.Get(context.Background(), s.URL+"/img")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, pages["/img"].body) || resp.Charset != "" || resp.ContentType != "image/png" {
		t.Errorf("binary body changed: %q %q", resp.Charset, resp.Body)
	}
}

func TestMetaCharsetScanner(t *testing.T) {
	for in, want := range map[string]string{
		`<meta charset="utf-8">`: "utf-8",
		`<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset='koi8-r'">`: "koi8-r",
		`<meta content="text/html; charset=euc-jp" http-equiv="content-type">`:   "euc-jp",
		`<meta content="text/html; charset=euc-jp">`:                             "",
		`<head></head><meta charset="big5">`:                                     "",
		`<body><meta charset="big5">`:                                            "",
		`<!-- <meta charset="big5"> --><meta charset="windows-1250">`:            "windows-1250",
		`<script>document.write('<meta charset="big5">')</script>`:               "",
	} {
		if got := htmlMetaCharset([]byte(in)); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

func TestExportedToUTF8(t *testing.T) {
	page := encode(t, charmap.Windows1251, `<!doctype html><html><head><meta charset="windows-1251"></head><body>`+ru+`</body></html>`)
	if got := ToUTF8(page, ""); !bytes.Contains(got, []byte(ru)) {
		t.Errorf("saved page: %q", truncate(got))
	}
	frag := encode(t, japanese.ShiftJIS, `<meta charset="shift_jis"><p>`+ja)
	if got := ToUTF8(frag, ""); !bytes.Contains(got, []byte(ja)) {
		t.Errorf("fragment: %q", truncate(got))
	}
	feed := encode(t, simplifiedchinese.GBK, `<?xml version="1.0" encoding="gbk"?><rss><t>`+zh+`</t></rss>`)
	if got := ToUTF8(feed, ""); !bytes.Contains(got, []byte(zh)) || !bytes.Contains(got, []byte(`encoding="UTF-8"`)) {
		t.Errorf("feed: %q", truncate(got))
	}
	if got := ToUTF8(encode(t, charmap.Windows1251, ru), "text/plain; charset=windows-1251"); string(got) != ru {
		t.Errorf("plain: %q", got)
	}
}
