package fetch

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// ampScanBytes bounds how much of a page AMPLink reads.
const ampScanBytes = 512 << 10

// AMPLink returns the absolute URL of the AMP version a page names with
// <link rel="amphtml" href="...">, or "" when it names none. page is the
// HTML (UTF-8, as a Response body is); base is the page's own URL, against
// which a relative href (and a <base href>) is resolved. Only http and
// https results are returned, without fragment; the result is a URL for a
// later Do, which still applies every rule of the guard.
func AMPLink(page []byte, base string) string {
	b, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return ""
	}
	if len(page) > ampScanBytes {
		page = page[:ampScanBytes]
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	sawBase := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if tag != "link" && tag != "base" {
				continue
			}
			var rel, href string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch strings.ToLower(string(k)) {
				case "rel":
					rel = string(v)
				case "href":
					href = strings.TrimSpace(string(v))
				}
			}
			if href == "" {
				continue
			}
			if tag == "base" {
				// The first <base href> sets the document's base URL.
				if nb, err := b.Parse(href); err == nil && !sawBase && (nb.Scheme == "http" || nb.Scheme == "https") {
					b = nb
				}
				sawBase = true
				continue
			}
			if !hasRelToken(rel, "amphtml") {
				continue
			}
			u, err := b.Parse(href)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				continue
			}
			u.Fragment, u.RawFragment = "", ""
			return u.String()
		}
	}
}

// hasRelToken reports whether the space-separated rel value holds token
// (ASCII case-insensitive).
func hasRelToken(rel, token string) bool {
	for _, f := range strings.Fields(rel) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}
