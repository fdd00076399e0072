// Package gnews understands Google News links and article IDs.
//
// A Google News article link carries an ID as its last path segment
// (https://news.google.com/rss/articles/<ID>?oc=5 and its variants). The ID is
// base64url text of a small protobuf message. Until mid 2024 that message held
// the publisher's URL in clear (field 4, plus an AMP URL in field 26): such
// "old form" IDs decode offline, with no network at all. Since July–August
// 2024 field 4 holds an opaque server-side token starting "AU_yqL" (the "new
// form"): only Google can map it to a URL.
//
// Decode classifies an ID by walking the protobuf, never by matching its
// base64 text, because the length varints in front of the URL shift the text.
//
// Resolver (resolver.go) resolves the new form online, through kabar's
// fetcher, paced, with a cache and typed errors that say whether to retry;
// feedurl.go builds feed URLs for any edition; package gnewstest fakes the
// two Google endpoints for tests. docs/gnews.md describes all of it.
package gnews

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Kind is what a Google News ID identifies.
type Kind int

const (
	// KindUnknown is the zero Kind: the input was not recognised.
	KindUnknown Kind = iota
	// KindOld is an article ID with the publisher URL inside (before mid 2024).
	KindOld
	// KindNew is an article ID with an opaque "AU_yqL…" token inside (2024+);
	// only Google can map it to a URL.
	KindNew
	// KindStory is a story/cluster ID ("CAIi…", field 1 = 2): no URL inside.
	KindStory
	// KindVideo is a video item ID ("CCAi…", field 1 = 32) holding an 11-char
	// video ID, probably YouTube's.
	KindVideo
	// KindTopic is a topic, section or full-coverage ID ("CAAq…", field 1 = 0).
	KindTopic
	// KindLegacy is a pre-2018 link, news.google.com/news/url?…&url=<URL>:
	// no ID, the publisher URL is in clear in the query.
	KindLegacy
)

var kindNames = [...]string{"unknown", "old", "new", "story", "video", "topic", "legacy"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Decoded is the result of Decode.
type Decoded struct {
	Kind Kind
	// ID is the article ID as it appeared (query and padding stripped);
	// empty for KindLegacy.
	ID string
	// URL is the publisher's URL: field 4 for KindOld, the url= parameter for
	// KindLegacy, and for KindNew the URL Google gave when a Resolver
	// resolved it online. Decode leaves it empty for every other kind.
	URL string
	// AMPURL is the AMP URL (field 26, or Google's answer for KindNew);
	// empty when there is none.
	AMPURL string
}

// The errors Decode returns wrap one of these; test with errors.Is.
var (
	// ErrNewForm: a 2024+ article ID whose field 4 is an opaque "AU_yqL" token.
	ErrNewForm = errors.New("gnews: article ID is the 2024+ opaque form (AU_yqL…): its publisher URL is not inside and needs online resolution")
	// ErrNotArticle: a well-formed Google News ID of a kind that is not an
	// article (story/cluster, video, topic).
	ErrNotArticle = errors.New("gnews: Google News ID is not an article ID")
	// ErrMalformed: not a Google News article link, not base64url, or not the
	// protobuf an article ID holds.
	ErrMalformed = errors.New("gnews: malformed Google News link or ID")
)

// Error is the concrete error Decode returns. It carries the Kind and ID so
// that a caller which only kept the error still knows what it looked at.
type Error struct {
	Kind   Kind
	ID     string
	Err    error  // one of ErrNewForm, ErrNotArticle, ErrMalformed
	Detail string // extra context, may be empty
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Kind != KindUnknown {
		b.WriteString(" (kind ")
		b.WriteString(e.Kind.String())
		b.WriteString(")")
	}
	if e.ID != "" {
		b.WriteString(" [id ")
		b.WriteString(abbrev(e.ID, 40))
		b.WriteString("]")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func abbrev(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// MaxIDLen bounds the ID text Decode accepts (a 20 000-byte URL makes an ID of
// about 27 000 characters; real ones are under 1 000).
const MaxIDLen = 256 << 10

// Protobuf field numbers.
const (
	fieldType = 1  // varint: 19 article, 2 story, 32 video, 0 topic
	fieldURL  = 4  // bytes: URL, AU_yqL token, story bytes or video id
	fieldSub  = 5  // bytes: nested message (story, topic)
	fieldAMP  = 26 // bytes: AMP URL or AMP token
)

// Values of field 1.
const (
	typeTopic   = 0
	typeStory   = 2
	typeArticle = 19
	typeVideo   = 32
)

const newFormPrefix = "AU_yqL"

const (
	hostNews    = "news.google.com"
	hostConsent = "consent.google.com"
)

// maxUnwrap bounds nested consent wrappers.
const maxUnwrap = 3

// ArticleID returns the article ID carried by a Google News article link:
// the last path segment of /rss/articles/ID, /__i/rss/rd/articles/ID,
// /articles/ID or /read/ID on news.google.com, also inside a
// consent.google.com/m?continue=… (or /ml) wrapper. The query is dropped.
// It checks the shape and the base64url alphabet, it does not decode.
func ArticleID(link string) (id string, ok bool) {
	return articleID(link, 0)
}

func articleID(link string, depth int) (string, bool) {
	u := parseAbs(link)
	if u == nil {
		return "", false
	}
	switch host := strings.ToLower(u.Hostname()); host {
	case hostNews:
		return idFromPath(u.Path)
	case hostConsent:
		if depth >= maxUnwrap {
			return "", false
		}
		inner, ok := consentContinue(u)
		if !ok {
			return "", false
		}
		return articleID(inner, depth+1)
	}
	return "", false
}

// IsLink reports whether link is a Google News article link (or a consent
// wrapper around one).
func IsLink(link string) bool {
	_, ok := ArticleID(link)
	return ok
}

// LegacyURL returns the publisher URL from a pre-2018 Google News link,
// http://news.google.com/news/url?sa=t&fd=R&usg=…&url=<publisher URL>.
func LegacyURL(link string) (string, bool) {
	return legacyURL(link, 0)
}

func legacyURL(link string, depth int) (string, bool) {
	u := parseAbs(link)
	if u == nil {
		return "", false
	}
	switch strings.ToLower(u.Hostname()) {
	case hostNews:
	case hostConsent:
		if depth >= maxUnwrap {
			return "", false
		}
		inner, ok := consentContinue(u)
		if !ok {
			return "", false
		}
		return legacyURL(inner, depth+1)
	default:
		return "", false
	}
	if p := strings.TrimSuffix(u.Path, "/"); p != "/news/url" && p != "/url" {
		return "", false
	}
	target := strings.TrimSpace(u.Query().Get("url"))
	if !isHTTPURL(target) {
		return "", false
	}
	return target, true
}

// parseAbs parses an absolute http(s) URL, or returns nil.
func parseAbs(link string) *url.URL {
	link = strings.TrimSpace(link)
	if link == "" || len(link) > MaxIDLen+1024 {
		return nil
	}
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return nil
	}
	if s := strings.ToLower(u.Scheme); s != "http" && s != "https" {
		return nil
	}
	return u
}

// consentContinue unwraps consent.google.com/m?continue=… and /ml?continue=….
func consentContinue(u *url.URL) (string, bool) {
	switch strings.TrimSuffix(u.Path, "/") {
	case "/m", "/ml":
	default:
		return "", false
	}
	c := u.Query().Get("continue")
	if c == "" {
		return "", false
	}
	return c, true
}

// idFromPath takes the ID from a path whose second-to-last segment is
// "articles" or "read".
func idFromPath(p string) (string, bool) {
	p = strings.TrimSuffix(p, "/")
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", false
	}
	id, parent := p[i+1:], p[:i]
	j := strings.LastIndexByte(parent, '/')
	switch parent[j+1:] {
	case "articles", "read":
	default:
		return "", false
	}
	if !validIDText(id) {
		return "", false
	}
	return id, true
}

// validIDText reports whether s is non-empty base64url text (optionally
// '='-padded) of acceptable length.
func validIDText(s string) bool {
	if s == "" || len(s) > MaxIDLen {
		return false
	}
	s = strings.TrimRight(s, "=")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// Decode decodes a Google News article link or a bare article ID.
//
// For an old-form ID it returns Kind KindOld with URL (and AMPURL when the ID
// carries one) and a nil error; for a legacy news/url?…&url= link, Kind
// KindLegacy with that URL and a nil error. Otherwise the error wraps ErrNewForm,
// ErrNotArticle or ErrMalformed (it is an *Error); for ErrNewForm and
// ErrNotArticle the returned *Decoded is non-nil and says Kind and ID.
func Decode(linkOrID string) (*Decoded, error) {
	s := strings.TrimSpace(linkOrID)
	if l := strings.ToLower(s); strings.HasPrefix(l, hostNews+"/") || strings.HasPrefix(l, hostConsent+"/") {
		s = "https://" + s // pasted without its scheme
	}
	var id string
	if strings.ContainsAny(s, "/:") {
		var ok bool
		if id, ok = ArticleID(s); !ok {
			if target, legacy := LegacyURL(s); legacy {
				return &Decoded{Kind: KindLegacy, URL: target}, nil
			}
			return nil, &Error{Err: ErrMalformed, Detail: "not a Google News article link"}
		}
	} else {
		id = s
		if i := strings.IndexAny(id, "?#"); i >= 0 {
			id = id[:i]
		}
	}
	return DecodeID(id)
}

// DecodeID decodes a bare article ID (no query). See Decode.
func DecodeID(id string) (*Decoded, error) {
	id = strings.TrimRight(id, "=")
	if !validIDText(id) {
		return nil, &Error{ID: abbrev(id, 80), Err: ErrMalformed, Detail: "not base64url text"}
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return nil, &Error{ID: id, Err: ErrMalformed, Detail: "bad base64url: " + err.Error()}
	}
	m, err := walk(raw)
	if err != nil {
		return nil, &Error{ID: id, Err: ErrMalformed, Detail: err.Error()}
	}
	return classify(id, m)
}

// message is the part of the protobuf kabar cares about.
type message struct {
	hasType bool
	typ     uint64
	hasURL  bool
	url     []byte // field 4
	hasSub  bool   // field 5
	hasAMP  bool
	amp     []byte // field 26
}

// walk reads a protobuf message with protowire: varint tags and lengths of any
// size, unknown fields skipped, and every byte accounted for.
func walk(b []byte) (message, error) {
	var m message
	if len(b) == 0 {
		return m, errors.New("empty protobuf")
	}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return m, fmt.Errorf("protobuf tag: %w", protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == fieldType && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return m, fmt.Errorf("protobuf field 1: %w", protowire.ParseError(n))
			}
			m.hasType, m.typ = true, v
			b = b[n:]
		case (num == fieldURL || num == fieldSub || num == fieldAMP) && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return m, fmt.Errorf("protobuf field %d: %w", num, protowire.ParseError(n))
			}
			switch num {
			case fieldURL:
				m.hasURL, m.url = true, v
			case fieldSub:
				m.hasSub = true
			case fieldAMP:
				m.hasAMP, m.amp = true, v
			}
			b = b[n:]
		case num == fieldType || num == fieldURL || num == fieldSub || num == fieldAMP:
			return m, fmt.Errorf("protobuf field %d has wire type %d", num, typ)
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return m, fmt.Errorf("protobuf field %d: %w", num, protowire.ParseError(n))
			}
			b = b[n:]
		}
	}
	return m, nil
}

func classify(id string, m message) (*Decoded, error) {
	d := &Decoded{ID: id}
	notArticle := func(k Kind, detail string) (*Decoded, error) {
		d.Kind = k
		return d, &Error{Kind: k, ID: id, Err: ErrNotArticle, Detail: detail}
	}
	if m.hasType {
		switch m.typ {
		case typeStory:
			return notArticle(KindStory, "a story/cluster ID has no URL inside")
		case typeVideo:
			return notArticle(KindVideo, "a video item ID has no URL inside")
		case typeTopic:
			if !m.hasURL {
				return notArticle(KindTopic, "a topic/section/coverage ID is not an article")
			}
		}
	}
	if !m.hasURL {
		return nil, &Error{ID: id, Err: ErrMalformed, Detail: "no field 4 in the protobuf"}
	}
	if isNewToken(m.url) {
		d.Kind = KindNew
		return d, &Error{Kind: KindNew, ID: id, Err: ErrNewForm}
	}
	u := string(m.url)
	if !isHTTPURL(u) {
		return nil, &Error{ID: id, Err: ErrMalformed, Detail: "field 4 is neither an http(s) URL nor a new-form token"}
	}
	d.Kind = KindOld
	d.URL = u
	if m.hasAMP && len(m.amp) > 0 {
		if a := string(m.amp); isHTTPURL(a) {
			d.AMPURL = a
		}
	}
	return d, nil
}

func isNewToken(b []byte) bool {
	if len(b) <= len(newFormPrefix) || string(b[:len(newFormPrefix)]) != newFormPrefix {
		return false
	}
	return validIDText(string(b))
}

// isHTTPURL reports whether s is valid UTF-8 and an absolute http(s) URL with
// a host and no white space or control characters.
func isHTTPURL(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	sc := strings.ToLower(u.Scheme)
	return sc == "http" || sc == "https"
}
