package fetch

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds kabar's robots.txt parser and matcher. It follows RFC 9309
// and, where the RFC leaves room, Google's reference implementation
// (github.com/google/robotstxt), the matcher the shared robots cases were
// checked against:
//
//   - a group is one or more user-agent lines followed by rules; a
//     user-agent line after a rule starts a new group; blank lines, sitemap
//     and unknown lines do not end a group; rules before any user-agent line
//     are ignored;
//   - a robots.txt user-agent value is matched by its leading product token
//     ([A-Za-z_-]+, so "Foo Bar" is "Foo"), case-insensitively and exactly
//     against our token; "*" starts the global group; when any group names
//     us, only those groups count, else the global ones;
//   - allow/disallow patterns match from the start of path+params+query;
//     "*" matches any run of characters, "$" at the end anchors; the
//     longest matching pattern (in bytes, after percent-encoding non-ASCII)
//     wins and allow wins a tie; empty patterns never count;
//   - Google extras: a missing colon is accepted when the line has exactly
//     two words, frequent typos of the keys ("useragent", "dissallow", ...)
//     are accepted, "Allow: /dir/index.htm[l]" also allows "/dir/", lines
//     are cut at 16663 bytes, a UTF-8 BOM is skipped.
//
// github.com/temoto/robotstxt was tried first and disagreed with the
// reference on 5 of the 49 shared cases (rules before any User-agent line
// reject the whole file; agent names matched as prefixes; non-ASCII rules not
// percent-encoded) and on several RFC rules (unanchored patterns, ties not
// won by allow), so kabar keeps its own matcher.

// robotsMaxLineLen is Google's kMaxLineLen-1: bytes kept of one line.
const robotsMaxLineLen = 2083*8 - 1

// robotsMaxBytes is how much of a robots.txt file is parsed (RFC 9309: at
// least 500 KiB).
const robotsMaxBytes = 500 << 10

type robotsRule struct {
	allow   bool
	pattern string
}

type robotsGroup struct {
	global bool     // a "*" line belongs to this group
	agents []string // product tokens, lower case
	rules  []robotsRule
	// crawlDelay is the group's Crawl-delay (not in RFC 9309; a common
	// extension), 0 when none or unreadable.
	crawlDelay time.Duration
}

// robotsTxt is a parsed robots.txt file. The zero value allows everything.
type robotsTxt struct {
	groups []*robotsGroup
}

// parseRobots parses a robots.txt body. It never fails: lines it does not
// understand are ignored, as RFC 9309 asks.
func parseRobots(body []byte) *robotsTxt {
	if len(body) > robotsMaxBytes {
		body = body[:robotsMaxBytes]
	}
	// Skip a UTF-8 BOM, or as much of one as is there (as Google does).
	for _, b := range []byte{0xEF, 0xBB, 0xBF} {
		if len(body) > 0 && body[0] == b {
			body = body[1:]
		} else {
			break
		}
	}
	p := &robotsParser{r: &robotsTxt{}}
	for s := string(body); len(s) > 0; {
		var line string
		line, s = nextRobotsLine(s)
		if key, value, ok := robotsKeyValue(line); ok {
			p.line(robotsKeyType(key), value)
		}
	}
	return p.r
}

// nextRobotsLine splits s after its first line (ended by CR, LF or CRLF),
// cut at robotsMaxLineLen.
func nextRobotsLine(s string) (line, rest string) {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		line, rest = s, ""
	} else {
		line = s[:i]
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		rest = s[i+1:]
	}
	if len(line) > robotsMaxLineLen {
		line = line[:robotsMaxLineLen]
	}
	return line, rest
}

// robotsParser builds a robotsTxt one line at a time.
type robotsParser struct {
	r       *robotsTxt
	cur     *robotsGroup
	sawRule bool // a rule line was seen since the last user-agent line
}

func (p *robotsParser) line(key, value string) {
	switch key {
	case "user-agent":
		p.userAgent(value)
	case "crawl-delay":
		// Not a rule: it does not end the group (as Google's parser
		// ignores it), and an unreadable value is ignored.
		if p.cur != nil {
			p.cur.crawlDelay = max(p.cur.crawlDelay, parseCrawlDelay(value))
		}
	case "allow", "disallow":
		if p.cur == nil {
			return // a rule outside any group
		}
		p.sawRule = true
		if value == "" {
			return // an empty pattern has priority 0: never decides
		}
		p.rule(key == "allow", escapeRobotsPattern(value))
	}
}

func (p *robotsParser) userAgent(value string) {
	if p.cur == nil || p.sawRule {
		p.cur = &robotsGroup{}
		p.r.groups = append(p.r.groups, p.cur)
		p.sawRule = false
	}
	if value != "" && value[0] == '*' && (len(value) == 1 || isASCIISpace(value[1])) {
		p.cur.global = true
	} else {
		p.cur.agents = append(p.cur.agents, strings.ToLower(productToken(value)))
	}
}

func (p *robotsParser) rule(allow bool, pattern string) {
	p.cur.rules = append(p.cur.rules, robotsRule{allow: allow, pattern: pattern})
	if allow {
		// Google: "index.htm" and "index.html" stand for the directory.
		if j := strings.LastIndexByte(pattern, '/'); j >= 0 && strings.HasPrefix(pattern[j:], "/index.htm") {
			p.cur.rules = append(p.cur.rules, robotsRule{allow: true, pattern: pattern[:j+1] + "$"})
		}
	}
}

// parseCrawlDelay reads a Crawl-delay in seconds (fractions allowed, at
// most a day); 0 when unreadable, negative or infinite.
func parseCrawlDelay(value string) time.Duration {
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || math.IsNaN(f) || f <= 0 || math.IsInf(f, 0) {
		return 0
	}
	return time.Duration(min(f, 86400) * float64(time.Second))
}

// robotsKeyValue splits one line into key and value, Google's way.
func robotsKeyValue(line string) (key, value string, ok bool) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = trimASCIISpace(line)
	if line == "" {
		return "", "", false
	}
	sep := strings.IndexByte(line, ':')
	if sep < 0 {
		// A missing colon: accepted when the line is exactly two words.
		sep = strings.IndexAny(line, " \t")
		if sep < 0 {
			return "", "", false
		}
		rest := strings.TrimLeft(line[sep:], " \t")
		if strings.ContainsAny(rest, " \t") {
			return "", "", false
		}
	}
	key = trimASCIISpace(line[:sep])
	if key == "" {
		return "", "", false
	}
	return key, trimASCIISpace(line[sep+1:]), true
}

func robotsKeyType(key string) string {
	k := strings.ToLower(key)
	has := func(p ...string) bool {
		for _, x := range p {
			if strings.HasPrefix(k, x) {
				return true
			}
		}
		return false
	}
	switch {
	case has("user-agent", "useragent", "user agent"):
		return "user-agent"
	case has("allow"):
		return "allow"
	case has("disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"):
		return "disallow"
	case has("sitemap", "site-map"):
		return "sitemap"
	case has("crawl-delay", "crawldelay", "crawl delay"):
		return "crawl-delay"
	}
	return ""
}

// productToken is the leading run of [A-Za-z_-] of a user-agent value.
func productToken(v string) string {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-') {
			return v[:i]
		}
	}
	return v
}

// escapeRobotsPattern percent-encodes non-ASCII bytes and upper-cases the
// hex digits of existing escapes, so patterns compare with escaped URLs.
func escapeRobotsPattern(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]):
			b.WriteByte('%')
			b.WriteByte(upperHex(p[i+1]))
			b.WriteByte(upperHex(p[i+2]))
			i += 2
		case c >= 0x80:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimASCIISpace(s string) string {
	for len(s) > 0 && isASCIISpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isASCIISpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// groupsFor returns the groups that apply to agent: those naming it, or
// when none does, the global ones.
func (r *robotsTxt) groupsFor(agent string) []*robotsGroup {
	agent = strings.ToLower(agent)
	var specific, global []*robotsGroup
	for _, g := range r.groups {
		if g.global {
			global = append(global, g)
		}
		for _, a := range g.agents {
			if a == agent {
				specific = append(specific, g)
				break
			}
		}
	}
	if len(specific) > 0 {
		return specific
	}
	return global
}

// CrawlDelay returns the Crawl-delay that applies to agent (the longest of
// its groups), 0 when none.
func (r *robotsTxt) CrawlDelay(agent string) time.Duration {
	if r == nil {
		return 0
	}
	var d time.Duration
	for _, g := range r.groupsFor(agent) {
		d = max(d, g.crawlDelay)
	}
	return d
}

// Allowed reports whether agent (a product token such as "kabar") may fetch
// rawURL. rawURL may be a full URL or just a path.
func (r *robotsTxt) Allowed(agent, rawURL string) bool {
	if r == nil {
		return true
	}
	path := robotsPath(rawURL)
	groups := r.groupsFor(agent)
	allowPrio, disallowPrio := -1, -1
	for _, g := range groups {
		for _, rule := range g.rules {
			if !robotsMatch(path, rule.pattern) {
				continue
			}
			n := len(rule.pattern)
			if rule.allow && n > allowPrio {
				allowPrio = n
			} else if !rule.allow && n > disallowPrio {
				disallowPrio = n
			}
		}
	}
	return disallowPrio <= allowPrio
}

// robotsMatch reports whether pattern matches path from its start: "*" is
// any run of characters, "$" at the very end anchors at the end of path.
func robotsMatch(path, pattern string) bool {
	// pos holds the set of positions in path reachable so far, ascending.
	pos := make([]int, 1, 8)
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '$' && i == len(pattern)-1 {
			return pos[len(pos)-1] == len(path)
		}
		if c == '*' {
			start := pos[0]
			pos = pos[:0]
			for p := start; p <= len(path); p++ {
				pos = append(pos, p)
			}
			continue
		}
		next := pos[:0]
		for _, p := range pos {
			if p < len(path) && path[p] == c {
				next = append(next, p+1)
			}
		}
		pos = next
		if len(pos) == 0 {
			return false
		}
	}
	return true
}

// robotsPath extracts path, params and query of a URL as Google does: the
// text from the first '/', '?' or ';' after the authority, without the
// fragment; "/" when there is none.
func robotsPath(u string) string {
	searchStart := 0
	if strings.HasPrefix(u, "//") {
		searchStart = 2
	}
	earlyPath := indexAnyFrom(u, "/?;", searchStart)
	protoEnd := indexFrom(u, "://", searchStart)
	if earlyPath >= 0 && (protoEnd < 0 || earlyPath < protoEnd) {
		protoEnd = -1
	}
	if protoEnd < 0 {
		protoEnd = searchStart
	} else {
		protoEnd += 3
	}
	pathStart := indexAnyFrom(u, "/?;", protoEnd)
	if pathStart < 0 {
		return "/"
	}
	hash := indexFrom(u, "#", searchStart)
	if hash >= 0 && hash < pathStart {
		return "/"
	}
	end := len(u)
	if hash >= 0 {
		end = hash
	}
	if u[pathStart] != '/' {
		return "/" + u[pathStart:end]
	}
	return u[pathStart:end]
}

func indexFrom(s, sub string, from int) int {
	if from > len(s) {
		return -1
	}
	i := strings.Index(s[from:], sub)
	if i < 0 {
		return -1
	}
	return i + from
}

func indexAnyFrom(s, chars string, from int) int {
	if from > len(s) {
		return -1
	}
	i := strings.IndexAny(s[from:], chars)
	if i < 0 {
		return -1
	}
	return i + from
}
