package fetch

import (
	"bytes"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// mediaType returns the media type of a response (lower case, without
// parameters) and its charset parameter. A missing or generic type
// (application/octet-stream) is sniffed from the body.
func mediaType(h http.Header, body []byte) (mt, cs string) {
	ct := h.Get("Content-Type")
	if ct != "" {
		if t, params, err := mime.ParseMediaType(ct); err == nil {
			mt, cs = strings.ToLower(t), params["charset"]
		} else {
			// Lenient: "text/html; charset" and friends.
			mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
			if i := strings.Index(strings.ToLower(ct), "charset="); i >= 0 {
				cs = strings.Trim(strings.TrimSpace(strings.SplitN(ct[i+8:], ";", 2)[0]), `"'`)
			}
		}
	}
	if mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		mt = sniffType(body)
	}
	return mt, cs
}

func sniffType(body []byte) string {
	b := bytes.TrimLeft(stripBOM(body), " \t\r\n")
	if bytes.HasPrefix(b, []byte("<?xml")) {
		return "application/xml"
	}
	t, _, _ := mime.ParseMediaType(http.DetectContentType(body))
	return t
}

func stripBOM(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return b[2:]
	}
	return b
}

// isTextType reports whether bodies of media type mt are text that kabar
// converts to UTF-8: text/*, HTML, XML and JSON types.
func isTextType(mt string) bool {
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/xhtml+xml", mt == "application/xml", mt == "application/json",
		mt == "application/javascript", mt == "application/x-javascript", mt == "application/ecmascript",
		strings.HasSuffix(mt, "+xml"), strings.HasSuffix(mt, "+json"):
		return true
	}
	return false
}

func isHTMLType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// toUTF8 converts a text body to UTF-8 and returns it with the canonical
// (WHATWG) name of the encoding it was decoded from. The encoding is taken
// from, in order: a byte order mark; the HTTP charset parameter (unless it
// claims UTF-8 for a body that is not, while the document declares
// another encoding); the document's own declaration (XML declaration, or
// for HTML a <meta charset> / http-equiv); else UTF-8 when the body is valid
// UTF-8, else windows-1252. A header or declaration naming a legacy
// charset is overruled by a body that is valid UTF-8 with non-ASCII text
// (unless the other of the two names a legacy charset too): that is the
// common lie of a server default, and legacy text is next to never valid
// UTF-8. An XML declaration in the result is rewritten
// to say encoding="UTF-8", so an XML parser does not decode a second time.
// The result is always valid UTF-8 (bad sequences become U+FFFD).
func toUTF8(body []byte, mt, headerCharset string) ([]byte, string) {
	enc, name, rest := encodingOf(body, mt, headerCharset)
	var out []byte
	if name == "utf-8" {
		out = rest
		if !utf8.Valid(out) {
			out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
		}
	} else {
		var err error
		out, _, err = transform.Bytes(enc.NewDecoder(), rest)
		if err != nil {
			// x/text decoders replace bad input; an error here is
			// exceptional. Fall back to a lossy UTF-8 view.
			out, name = bytes.ToValidUTF8(rest, []byte("\uFFFD")), "utf-8"
		}
		out = bytes.TrimPrefix(out, []byte("\uFEFF"))
		if !utf8.Valid(out) {
			out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
		}
	}
	if hasXMLDecl(out) {
		out = rewriteXMLDeclEncoding(out)
	}
	return out, name
}

// encodingOf picks the encoding of body; rest is body without its BOM.
func encodingOf(body []byte, mt, headerCharset string) (enc encoding.Encoding, name string, rest []byte) {
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return encoding.Nop, "utf-8", body[3:]
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		e, n := charset.Lookup("utf-16le")
		return e, n, body[2:]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		e, n := charset.Lookup("utf-16be")
		return e, n, body[2:]
	}
	// UTF-16 XML without a BOM (XML 1.0 appendix F).
	if bytes.HasPrefix(body, []byte{'<', 0, '?', 0}) {
		e, n := charset.Lookup("utf-16le")
		return e, n, body
	}
	if bytes.HasPrefix(body, []byte{0, '<', 0, '?'}) {
		e, n := charset.Lookup("utf-16be")
		return e, n, body
	}

	var docLabel string
	if hasXMLDecl(body) {
		docLabel = xmlDeclEncoding(body)
	} else if isHTMLType(mt) {
		docLabel = htmlMetaCharset(body)
	}
	docEnc, docName := lookupCharset(docLabel)
	if docEnc != nil && strings.HasPrefix(docName, "utf-16") {
		// The declaration was readable as ASCII, so it is not UTF-16.
		docEnc, docName = encoding.Nop, "utf-8"
	}

	if e, n := lookupCharset(headerCharset); e != nil {
		if n == "utf-8" && docEnc != nil && docName != "utf-8" && !utf8.Valid(body) {
			return docEnc, docName, body
		}
		if n != "utf-8" && (docEnc == nil || docName == "utf-8") && isMultibyteUTF8(body) {
			// A header naming a legacy charset over a body that is valid
			// UTF-8 with non-ASCII text: a server-wide default charset
			// lying about a UTF-8 page. Text in a legacy charset is next to
			// never valid UTF-8 once it has a non-ASCII character.
			return encoding.Nop, "utf-8", body
		}
		return e, n, body
	}
	if docEnc != nil {
		if docName != "utf-8" && isMultibyteUTF8(body) {
			return encoding.Nop, "utf-8", body // the same lie in a <meta> or XML declaration
		}
		return docEnc, docName, body
	}
	if utf8.Valid(body) {
		return encoding.Nop, "utf-8", body
	}
	e, n := charset.Lookup("windows-1252")
	return e, n, body
}

// isMultibyteUTF8 reports whether b is valid UTF-8 with at least one
// non-ASCII character.
func isMultibyteUTF8(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return utf8.Valid(b)
		}
	}
	return false
}

func lookupCharset(label string) (encoding.Encoding, string) {
	label = strings.Trim(strings.TrimSpace(label), `"'`)
	if label == "" {
		return nil, ""
	}
	e, n := charset.Lookup(label)
	if e == nil {
		return nil, ""
	}
	if n == "utf-8" {
		return encoding.Nop, n
	}
	return e, n
}

var (
	xmlDeclRe     = regexp.MustCompile(`^\s*<\?xml\s[^>]*?\?>`)
	xmlEncodingRe = regexp.MustCompile(`(encoding\s*=\s*)(?:"[^"]*"|'[^']*')`)
)

func hasXMLDecl(b []byte) bool {
	if len(b) > 512 {
		b = b[:512]
	}
	b = bytes.TrimLeft(b, " \t\r\n")
	return bytes.HasPrefix(b, []byte("<?xml")) && len(b) > 5 && isASCIISpace(b[5])
}

func xmlDeclEncoding(b []byte) string {
	if len(b) > 512 {
		b = b[:512]
	}
	decl := xmlDeclRe.Find(b)
	if decl == nil {
		return ""
	}
	m := xmlEncodingRe.FindSubmatch(decl)
	if m == nil {
		return ""
	}
	v := m[0][len(m[1]):]
	return string(v[1 : len(v)-1])
}

func rewriteXMLDeclEncoding(b []byte) []byte {
	head := b
	if len(head) > 512 {
		head = head[:512]
	}
	loc := xmlDeclRe.FindIndex(head)
	if loc == nil {
		return b
	}
	decl := b[loc[0]:loc[1]]
	m := xmlEncodingRe.FindSubmatchIndex(decl)
	if m == nil {
		return b // no encoding attribute: XML's default is UTF-8
	}
	var out bytes.Buffer
	out.Grow(len(b) + 8)
	out.Write(b[:loc[0]+m[3]])
	out.WriteString(`"UTF-8"`)
	out.Write(b[loc[0]+m[1]:])
	return out.Bytes()
}

// htmlMetaCharset finds the charset an HTML document declares in a <meta>
// element (WHATWG prescan rules), looking through the head: it stops at
// <body>, at the first non-head element after </head>, or after 16 KiB.
// (The WHATWG prescan looks at 1024 bytes only; pages with long scripts or
// comments before their <meta> are common, and browsers find those later.)
func htmlMetaCharset(b []byte) string {
	if len(b) > 16<<10 {
		b = b[:16<<10]
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "head" {
				return ""
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "body" {
				return ""
			}
			if string(name) != "meta" {
				continue
			}
			var httpEquiv, content, cs string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch strings.ToLower(string(k)) {
				case "charset":
					cs = string(v)
				case "http-equiv":
					httpEquiv = strings.ToLower(string(v))
				case "content":
					content = string(v)
				}
			}
			if cs != "" {
				return strings.TrimSpace(cs)
			}
			if httpEquiv == "content-type" {
				if l := charsetFromContent(content); l != "" {
					return l
				}
			}
		}
	}
}

// charsetFromContent extracts the charset of a http-equiv content value.
func charsetFromContent(s string) string {
	ls := strings.ToLower(s)
	for {
		i := strings.Index(ls, "charset")
		if i < 0 {
			return ""
		}
		ls, s = ls[i+7:], s[i+7:]
		t := strings.TrimLeft(s, " \t\n\f\r")
		if !strings.HasPrefix(t, "=") {
			continue
		}
		t = strings.TrimLeft(t[1:], " \t\n\f\r")
		if t == "" {
			return ""
		}
		if q := t[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(t[1:], q); j >= 0 {
				return t[1 : 1+j]
			}
			return ""
		}
		if j := strings.IndexAny(t, "; \t\n\f\r"); j >= 0 {
			return t[:j]
		}
		return t
	}
}

// ToUTF8 converts a document to UTF-8 the way a Client converts text
// responses (BOM, charset parameter, XML declaration or HTML <meta>, then
// UTF-8 or windows-1252), rewriting an XML declaration to UTF-8.
// contentType is a Content-Type header value, or "" when unknown (a saved
// file): then an XML declaration or else an HTML <meta> decides.
func ToUTF8(body []byte, contentType string) []byte {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	mt, cs := mediaType(h, body)
	if contentType == "" && mt != "application/xml" {
		mt = "text/html" // unknown: honour a <meta charset> if there is one
	}
	out, _ := toUTF8(body, mt, cs)
	return out
}
