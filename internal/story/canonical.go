package story

import (
	_ "embed"
	"maps"
	"net"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"
)

//go:embed tracking.txt
var trackingList string

// tracking is the parsed tracking.txt: exact names and prefixes, lower case.
var tracking = parseTracking(trackingList)

type trackingSet struct {
	exact    map[string]bool
	prefixes []string
}

func parseTracking(list string) trackingSet {
	t := trackingSet{exact: map[string]bool{}}
	for _, line := range strings.Split(list, "\n") {
		line = strings.ToLower(strings.TrimSpace(line))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if p, ok := strings.CutSuffix(line, "*"); ok {
			t.prefixes = append(t.prefixes, p)
			continue
		}
		t.exact[line] = true
	}
	return t
}

// IsTrackingParam reports whether a query parameter's name is on the
// tracking list (tracking.txt).
func IsTrackingParam(name string) bool {
	name = strings.ToLower(name)
	if tracking.exact[name] {
		return true
	}
	for _, p := range tracking.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// indexFiles are the directory index pages that name the directory itself.
var indexFiles = map[string]bool{
	"index.html": true, "index.htm": true, "index.php": true, "index.shtml": true,
	"index.asp": true, "index.aspx": true, "default.asp": true, "default.aspx": true,
	"default.htm": true, "default.html": true,
}

// ampQuery are query parameters that ask for a page's AMP rendering.
var ampQuery = map[string]bool{"amp": true, "_amp": true, "outputtype": true, "amp_js_v": true, "usqp": true}

// Canonical is the one URL kabar keeps for an article reached by rawURL:
//
//   - the scheme and host in lower case, the default port dropped, the
//     fragment dropped, dot segments resolved, a trailing index file
//     (index.html, index.php, default.aspx…) dropped;
//   - tracking parameters (tracking.txt: utm_*, fbclid, gclid, oc…) dropped
//     and the remaining parameters sorted by name, so that their order does
//     not make a second URL;
//   - an AMP URL mapped to its canonical twin by the common patterns: a
//     Google AMP cache or google.com/amp/ address, an amp. host, an /amp/
//     path segment or trailing /amp, a .amp or .amp.html file, an ?amp,
//     ?amp=1 or ?outputType=amp parameter;
//   - the page's own <link rel="canonical"> (pageCanonical, absolute or
//     relative to rawURL; "" when unknown) preferred when it stays on the
//     same registrable site (eTLD+1), is http(s), and does not send an
//     article to the site's home page, a common mistake of publishers.
//
// A URL that is not absolute http(s) comes back trimmed but otherwise
// unchanged, so Canonical never loses what it cannot understand.
func Canonical(rawURL, pageCanonical string) string {
	rawURL = strings.TrimSpace(rawURL)
	u, err := url.Parse(rawURL)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
		return rawURL
	}
	u = unAMPCache(u)
	normalise(u)
	if pc := strings.TrimSpace(pageCanonical); pc != "" {
		if c, err := u.Parse(pc); err == nil && (c.Scheme == "http" || c.Scheme == "https") && c.Host != "" && c.User == nil {
			c = unAMPCache(c)
			normalise(c)
			if sameSite(u.Hostname(), c.Hostname()) && !(isHome(c) && !isHome(u)) {
				u = c
			}
		}
	}
	return u.String()
}

// normalise applies every rule of Canonical but rel=canonical to u.
func normalise(u *url.URL) {
	u.Scheme = strings.ToLower(u.Scheme)
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.Opaque = ""
	u.Host = normalHost(u)
	u.Path, u.RawPath = normalPath(u.Path), ""
	if u.RawQuery != "" {
		u.RawQuery = normalQuery(u)
	}
	u.ForceQuery = false
}

// normalHost is u's host in lower case, without a default port or a
// trailing dot, and off an amp. subdomain.
func normalHost(u *url.URL) string {
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if rest, ok := strings.CutPrefix(host, "amp."); ok && strings.Contains(rest, ".") {
		// amp.example.com serves example.com's articles; when the rest is a
		// registrable domain the site lives on www.
		if reg, err := publicsuffix.EffectiveTLDPlusOne(rest); err == nil && reg == rest {
			rest = "www." + rest
		}
		host = rest
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host = net.JoinHostPort(strings.Trim(host, "[]"), port)
	}
	return host
}

// normalPath is a path cleaned, off its AMP forms (/amp/…, …/amp,
// /story.amp, /story.amp.html) and its index file.
func normalPath(p string) string {
	if p == "" {
		p = "/"
	}
	trailing := strings.HasSuffix(p, "/")
	p = path.Clean(p)
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if len(segs) > 1 && strings.EqualFold(segs[0], "amp") {
		segs = segs[1:]
	}
	if n := len(segs); n > 1 && strings.EqualFold(segs[n-1], "amp") {
		segs = segs[:n-1]
		trailing = true
	}
	if n := len(segs); n > 0 {
		last := segs[n-1]
		lower := strings.ToLower(last)
		switch {
		case strings.HasSuffix(lower, ".amp.html"):
			segs[n-1] = last[:len(last)-len(".amp.html")] + ".html"
		case strings.HasSuffix(lower, ".amp") && len(last) > len(".amp"):
			segs[n-1] = last[:len(last)-len(".amp")]
		case indexFiles[lower]:
			segs = segs[:n-1]
			trailing = true
		}
	}
	p = "/" + strings.Join(segs, "/")
	if trailing && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// normalQuery is u's query without tracking and AMP parameters, in the
// order of its keys.
func normalQuery(u *url.URL) string {
	q := u.Query()
	for k := range q {
		if IsTrackingParam(k) || ampQuery[strings.ToLower(k)] && isAMPValue(q.Get(k)) {
			q.Del(k)
		}
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			if v != "" || !bareParam(u.RawQuery, k) {
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}

// bareParam reports whether k appears without "=" in raw (?print rather
// than ?print=), which is kept as it was written.
func bareParam(raw, k string) bool {
	for _, part := range strings.Split(raw, "&") {
		if name, err := url.QueryUnescape(part); err == nil && name == k {
			return true
		}
	}
	return false
}

func isAMPValue(v string) bool {
	switch strings.ToLower(v) {
	case "", "1", "true", "amp", "yes":
		return true
	}
	return false
}

// unAMPCache maps Google's AMP cache addresses to the publisher's URL:
// https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a and
// https://www.google.com/amp/s/www.example.com/a become
// https://www.example.com/a (/c/ and /amp/ without s/ are http).
func unAMPCache(u *url.URL) *url.URL {
	host := strings.ToLower(u.Hostname())
	var rest string
	switch {
	case strings.HasSuffix(host, ".cdn.ampproject.org") || host == "cdn.ampproject.org":
		p := u.Path
		for _, prefix := range []string{"/c/", "/v/", "/i/", "/wp/"} {
			if r, ok := strings.CutPrefix(p, prefix); ok {
				rest = r
				break
			}
		}
	case (host == "www.google.com" || host == "google.com") && strings.HasPrefix(u.Path, "/amp/"):
		rest = strings.TrimPrefix(u.Path, "/amp/")
	}
	if rest == "" {
		return u
	}
	scheme := "http"
	if r, ok := strings.CutPrefix(rest, "s/"); ok {
		scheme, rest = "https", r
	}
	t, err := url.Parse(scheme + "://" + rest)
	if err != nil || t.Host == "" {
		return u
	}
	t.RawQuery = u.RawQuery
	return t
}

// sameSite reports whether two hosts belong to one registrable domain
// (news.example.co.uk and www.example.co.uk do; example.com and
// example.net do not).
func sameSite(a, b string) bool {
	if a == b {
		return true
	}
	ra, err1 := publicsuffix.EffectiveTLDPlusOne(strings.Trim(a, "[]"))
	rb, err2 := publicsuffix.EffectiveTLDPlusOne(strings.Trim(b, "[]"))
	return err1 == nil && err2 == nil && ra == rb
}

func isHome(u *url.URL) bool {
	return (u.Path == "" || u.Path == "/") && u.RawQuery == ""
}
