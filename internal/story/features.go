package story

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/kabarnews/kabar/internal/model"
)

// entityFactor is how much more a name (Entities) weighs than another word
// of the same part.
const entityFactor = 1.5

// features is what the index keeps of a post.
type features struct {
	// title holds the words of the post's title and lead the names
	// (Entities) of its description and first paragraphs, each with its
	// weight before rarity weighting. Titles decide whether two reports are
	// of one event; leads confirm it (docs/stories.md).
	title, lead map[string]float64
	// names are the language-neutral words of title and lead: names
	// (Entities) and figures (Numbers), which an Indonesian and an English
	// report of one event share when little else.
	names map[string]float64
	// publisher is the site's name, lower case; lang the post's language.
	publisher, lang string
	// paras are the body's paragraphs as tokens, with a hash of each.
	paras []paragraph
	// sig is the body's MinHash signature, boilerplate paragraphs left
	// out (index.sign); nil when too short to tell a copy.
	sig *Signature
	// hash is the body's exact-text hash; "" when too short.
	hash string
	// presigned: sig was made of every paragraph ahead of time (Prepare).
	presigned bool
}

// paragraph is one paragraph of a post's text.
type paragraph struct {
	hash   uint64
	tokens []string
}

// leadText is the start of the post's text, for story matching: the
// description (the publisher's own summary) when there is one, and the
// first paragraphs, up to words words.
func leadText(p *model.Post, words int) string {
	var b strings.Builder
	n := 0
	add := func(s string) {
		// strings.Fields, up to the words wanted: a long paragraph is
		// not cut into all its words for the first few.
		for f := range strings.FieldsSeq(s) {
			if n >= words {
				break
			}
			b.WriteString(f)
			b.WriteByte(' ')
			n++
		}
		b.WriteString("\n")
	}
	if p.Description != "" {
		add(p.Description)
	}
	for _, para := range p.Paragraphs {
		if n >= words {
			break
		}
		add(para)
	}
	return b.String()
}

// matchable reports whether a word can tie reports together: not a stop
// word, not a lone letter or digit.
func matchable(t token) bool {
	if stopwords[t.text] {
		return false
	}
	if t.unspaced {
		return true
	}
	return utf8.RuneCountInString(t.text) > 1
}

func (c *Config) featuresOf(p *model.Post) features {
	lead := leadText(p, c.LeadWords)
	// Title and lead are tokenized once for their words and their names.
	tt, lt := tokenize(p.Title), tokenize(lead)
	f := features{title: words(tt, false), lead: words(lt, true),
		names: neutral(p.Title, lead, tt, lt, p.Language), publisher: strings.ToLower(strings.TrimSpace(p.Publisher)),
		lang: strings.ToLower(p.Language)}
	paras := p.Paragraphs
	if len(paras) == 0 && p.Description != "" {
		paras = []string{p.Description}
	}
	var all []string
	for _, para := range paras {
		toks := Tokens(para)
		if len(toks) == 0 {
			continue
		}
		f.paras = append(f.paras, paragraph{hash: fnv64Joined(toks), tokens: toks})
		all = append(all, toks...)
	}
	if len(all) >= c.MinExactTokens {
		f.hash = TextHash(all)
	}
	return f
}

// sign makes the post's signature from its paragraphs but those keep
// reports the index holds as boilerplate (boilerplate reports whether a
// paragraph is); nil when what is left is too short to tell a copy.
func (f *features) sign(minShingles int, boilerplate func(uint64) bool) {
	var toks []string
	for _, p := range f.paras {
		if boilerplate == nil || !boilerplate(p.hash) {
			toks = append(toks, p.tokens...)
		}
	}
	f.sig = nil
	if len(toks) < ShingleSize {
		return
	}
	sig := Sign(toks)
	if sig.Shingles >= minShingles {
		f.sig = &sig
	}
}

// words are the matching words of a text (its tokens), each once, names
// weighing entityFactor and the others 1; namesOnly keeps the names only.
func words(toks []token, namesOnly bool) map[string]float64 {
	tc := titleCase(toks)
	out := map[string]float64{}
	for _, t := range toks {
		if !matchable(t) {
			continue
		}
		w := 1.0
		switch {
		case isEntity(t, tc):
			w = entityFactor
		case namesOnly:
			continue
		}
		if old, ok := out[t.text]; ok {
			out[t.text] = math.Max(old, w)
			continue
		}
		// The index keeps these words: a copy, since a token may be a
		// slice of the whole text.
		out[strings.Clone(t.text)] = w
	}
	return out
}

// neutral are the names and figures of a title and lead (with their
// tokens), each weighing 1. Title and lead are read apart: a Title Case
// headline's capitals are not names, a lead's are.
func neutral(title, lead string, titleToks, leadToks []token, lang string) map[string]float64 {
	out := map[string]float64{}
	for _, e := range entities(titleToks) {
		out[strings.Clone(e)] = 1
	}
	for _, e := range entities(leadToks) {
		out[strings.Clone(e)] = 1
	}
	for _, text := range []string{title, lead} {
		for _, n := range Numbers(text, lang) {
			out[n] = 1
		}
	}
	return out
}
