package search

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A query's cost grows with its words, and anyone may search: what a
// reader types is cut to MaxRunes and its first MaxWords words before any
// store sees it (the same bounds as store.MaxSearchRunes/MaxSearchTerms).
const (
	MaxRunes = 256
	MaxWords = 16
)

// Atom is one thing a query looks for: a word, a "quoted phrase" (words in
// order) or a prefix ("evacu*"). Words are folded, not stemmed.
type Atom struct {
	Words  []string
	Prefix bool
}

// Clause is satisfied by any of its atoms ("flood OR banjir").
type Clause []Atom

// Query is a parsed search: every clause of Must is required, no post
// matching a clause of Not is found.
type Query struct {
	Must []Clause
	Not  []Clause
	// Filters narrow the posts the words find: publisher:NAME (or
	// source:NAME) and label:NAME match a name whole, case aside;
	// lang:CODE a post's language ("id" matches "id-ID"); after:DATE and
	// before:DATE (YYYY-MM-DD, UTC) publication from that day on, and
	// before that day. Values with spaces are quoted: publisher:"Pikiran
	// Rakyat". A filter given twice keeps its last value.
	Publisher, Label, Lang string
	After, Before          time.Time
}

// Empty tells a query that can find nothing: one without a required
// clause (exclusions alone do not select posts).
func (q Query) Empty() bool { return len(q.Must) == 0 }

// Filtered tells a query that names a filter. A query of filters alone
// (label:Sport, lang:id -banjir) lists the posts they select, newest
// first: the stores' Search does so when Empty.
func (q Query) Filtered() bool {
	return q.Publisher != "" || q.Label != "" || q.Lang != "" || !q.After.IsZero() || !q.Before.IsZero()
}

// Exclusions returns each clause of Not as a query that finds the posts
// it excludes, for a store that filters them out of a list.
func (q Query) Exclusions() []Query {
	out := make([]Query, len(q.Not))
	for i, c := range q.Not {
		out[i] = Query{Must: []Clause{c}, Lang: q.Lang}
	}
	return out
}

// Words lists the query's required words, for highlighting.
func (q Query) Words() []string {
	var out []string
	for _, c := range q.Must {
		for _, a := range c {
			out = append(out, a.Words...)
		}
	}
	return out
}

// Parse reads the query language readers know from web search engines:
// words are all required, "quoted words" are a phrase, -word (or
// -"phrase") excludes, OR (in capitals) between two words makes either
// do, and word* matches the words that start with it. Anything else is
// text: Parse never fails, and nothing a reader types reaches a database
// as syntax. Control characters and invalid UTF-8 become spaces.
func Parse(text string) Query {
	text = clean(text)
	var q Query
	words := 0
	var cur Clause // the clause being built, extended by OR
	curNot := false
	pendingOr := false
	flush := func() {
		if len(cur) > 0 {
			if curNot {
				q.Not = append(q.Not, cur)
			} else {
				q.Must = append(q.Must, cur)
			}
		}
		cur, curNot = nil, false
	}
	add := func(a Atom, neg bool) {
		if len(a.Words) == 0 || words+len(a.Words) > MaxWords {
			return
		}
		words += len(a.Words)
		if pendingOr && len(cur) > 0 && !neg && !curNot {
			cur = append(cur, a)
			pendingOr = false
			return
		}
		pendingOr = false
		flush()
		cur, curNot = Clause{a}, neg
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		neg := false
		// "-word" and "-\"phrase\"" exclude; a dash before anything else
		// ("--alpha", "- ") is punctuation.
		if r, _ := utf8.DecodeRuneInString(text[min(i+1, len(text)):]); c == '-' && i+1 < len(text) && (r == '"' || IsWordRune(r)) {
			neg = true
			i++
			c = text[i]
		}
		if !neg {
			if n := q.filter(text[i:]); n > 0 {
				i += n
				continue
			}
		}
		if c == '"' {
			end := strings.IndexByte(text[i+1:], '"')
			var phrase string
			if end < 0 {
				phrase, i = text[i+1:], len(text)
			} else {
				phrase, i = text[i+1:i+1+end], i+2+end
			}
			var ws []string
			Words(phrase, func(w string) { ws = append(ws, w) })
			add(Atom{Words: ws}, neg)
			continue
		}
		end := strings.IndexAny(text[i:], " \t\"")
		var tok string
		if end < 0 {
			tok, i = text[i:], len(text)
		} else {
			tok, i = text[i:i+end], i+end
		}
		if tok == "OR" && !neg {
			pendingOr = len(cur) > 0
			continue
		}
		prefix := strings.HasSuffix(tok, "*")
		var ws []string
		Words(tok, func(w string) { ws = append(ws, w) })
		// "e-mail" and "3.5" are phrases of their parts, as the
		// tokenizer splits them in the text.
		add(Atom{Words: ws, Prefix: prefix && len(ws) == 1}, neg)
	}
	flush()
	return q
}

// filter reads a filter at the start of s into q and returns its length,
// or 0 when s starts with none (a bad date, an unknown name or an empty
// value is text).
func (q *Query) filter(s string) int {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || strings.ContainsAny(s[:colon], " \"") {
		return 0
	}
	name, rest := s[:colon], s[colon+1:]
	var value string
	n := colon + 1
	if strings.HasPrefix(rest, `"`) {
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return 0
		}
		value, n = rest[1:1+end], n+end+2
	} else {
		end := strings.IndexAny(rest, " \"")
		if end < 0 {
			end = len(rest)
		}
		value, n = rest[:end], n+end
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	switch name {
	case "publisher", "source":
		q.Publisher = value
	case "label":
		q.Label = value
	case "lang":
		q.Lang = strings.ToLower(value)
	case "before", "after":
		d, err := time.Parse(time.DateOnly, value)
		if err != nil {
			return 0
		}
		if name == "before" {
			q.Before = d
		} else {
			q.After = d
		}
	default:
		return 0
	}
	return n
}

// clean replaces invalid UTF-8 and control characters with spaces and
// keeps the first MaxRunes characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > MaxRunes {
		n := 0
		for i := range s {
			if n == MaxRunes {
				return s[:i]
			}
			n++
		}
	}
	return s
}
