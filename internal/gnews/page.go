package gnews

import (
	"bytes"
	"strconv"

	xhtml "golang.org/x/net/html"
)

// pageParams are what an article page hands its own JavaScript to resolve
// the link: data-n-a-sg (signature) and data-n-a-ts (Unix seconds), on an
// element that usually also carries data-n-a-id (the article ID).
type pageParams struct {
	sig string
	ts  int64
	id  string // data-n-a-id, may be empty
}

const (
	attrSig = "data-n-a-sg"
	attrTS  = "data-n-a-ts"
	attrID  = "data-n-a-id"
	// maxSigLen bounds the signature (real ones are 28 characters).
	maxSigLen = 512
)

// scrapeParams finds the signature and timestamp in an article page. It
// looks at the attributes of every start tag rather than at a fixed path
// (c-wiz > div[jscontroller] today; attribute order and nesting vary). When
// several elements carry them, the one whose data-n-a-id is id wins.
func scrapeParams(page []byte, id string) (pageParams, bool) {
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	var first pageParams
	found := false
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		// Read attributes only of tags that mention data-n-a- (TagAttr
		// unescapes and allocates; a page has thousands of tags).
		if !containsFold(z.Raw(), "data-n-a-") {
			continue
		}
		_, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		var p pageParams
		var tsText string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case attrSig:
				p.sig = string(v)
			case attrTS:
				tsText = string(v)
			case attrID:
				p.id = string(v)
			}
			if !more {
				break
			}
		}
		if !validSig(p.sig) {
			continue
		}
		ts, err := strconv.ParseInt(tsText, 10, 64)
		if err != nil || ts <= 0 {
			continue
		}
		p.ts = ts
		if id != "" && p.id == id {
			return p, true
		}
		if !found {
			first, found = p, true
		}
	}
	return first, found
}

// validSig accepts the signature alphabet seen (base64url and '+', '/', '=')
// with a sane length.
func validSig(s string) bool {
	if s == "" || len(s) > maxSigLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '+', c == '/', c == '=', c == '.':
		default:
			return false
		}
	}
	return true
}

// containsFold reports whether b contains the lower-case ASCII string s,
// ignoring ASCII case.
func containsFold(b []byte, s string) bool {
	n := len(s)
	for i := 0; i+n <= len(b); i++ {
		j := 0
		for ; j < n; j++ {
			c := b[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != s[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
