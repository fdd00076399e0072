package store

import (
	"bytes"
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
)

// A search's cost grows with the terms it holds, and anyone may search:
// internal/search cuts what a reader types to MaxSearchRunes and its first
// MaxSearchTerms words (a phrase's words each count) before any backend
// sees it. Nobody types more; the excess is dropped, never an error.
const (
	MaxSearchRunes = 256
	MaxSearchTerms = 16
)

// SearchTerm is one required part of a search: a word, or the words of a
// "quoted phrase" that must follow each other. Text holds words separated
// by single spaces; a word may hold punctuation ("e-mail", "3.5"), which
// each backend's tokenizer handles as it does in the indexed text.
type SearchTerm struct {
	Text   string
	Phrase bool
}

// isWordRune tells the characters that make words: letters, digits and the
// marks that accent them, as both backends' tokenizers see them.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// Snippets are made in Go from a bounded part of each hit's text, by both
// backends alike. SQLite's snippet() scored every match against the whole
// text (a post of 1 MB took seconds, of 10 MB minutes, in one statement
// that could not be interrupted) and PostgreSQL's ts_headline parses the
// whole text; this costs one pass over at most SnippetScanBytes.
const (
	// SnippetTokens is the length of a snippet, in words.
	SnippetTokens = 32
	// SnippetScanBytes bounds the text searched for the snippet's matches:
	// a post stored before MaxArticleBytes existed may be longer.
	SnippetScanBytes = model.MaxArticleBytes
	// snippetLead is how many words before its first match a snippet
	// starts, unless the match is in the first half of a snippet's length
	// from its paragraph's start: then the snippet starts with the
	// paragraph.
	snippetLead = 4
	// snippetMaxMatches bounds the matches weighed for the best window.
	snippetMaxMatches = 256
	// snippetMaxBytes bounds a snippet however long its words.
	snippetMaxBytes = 1024
	// maxWordBytes: a longer word cannot be one of a search's words, which
	// MaxSearchRunes bounds, and is not folded.
	maxWordBytes = 4 * MaxSearchRunes
)

// Highlighter marks a search's words in its hits' titles and snippets with
// MarkStart and MarkEnd. Words are compared as the backends compare them:
// case and accents folded.
type Highlighter struct {
	ids map[string]int // folded word → its number
	// stems maps the searched words' stems (search.Forms) to their
	// numbers, so that "flood" marks "floods" as the index found it.
	stems map[string]int
	// cores holds each stem without its first letter: a word is stemmed
	// only when it contains one (Indonesian prefixes change that letter:
	// "menulis" → "tulis").
	cores []string
	// first holds the first bytes of the folded searched words that start
	// with an ASCII character: most words of a text are told apart by it
	// without folding them.
	first [utf8.RuneSelf]bool
	// lens has bit n set when a folded searched word is n bytes long (bit
	// 63: 63 or more): an ASCII word folds to as many bytes, so most words
	// of a text are told apart by their length without folding them.
	lens uint64
	// minCore is the length of the shortest of cores.
	minCore int
	buf     []byte
	tmp     []byte
}

// NewHighlighter makes the highlighter of a search's terms.
func NewHighlighter(terms []SearchTerm) *Highlighter {
	h := &Highlighter{ids: map[string]int{}, stems: map[string]int{}}
	for _, t := range terms {
		for i := 0; ; {
			start, end := nextWord(t.Text, i)
			if start < 0 {
				break
			}
			i = end
			w := string(h.fold(t.Text[start:end]))
			if w == "" {
				continue // accents alone
			}
			if _, ok := h.ids[w]; !ok {
				id := len(h.ids)
				h.ids[w] = id
				for _, f := range search.Forms(w, "") {
					if _, ok := h.stems[f]; !ok && len(f) > 2 {
						h.stems[f] = id
						h.cores = append(h.cores, f[1:])
						if len(h.cores) == 1 || len(f)-1 < h.minCore {
							h.minCore = len(f) - 1
						}
					}
				}
			}
			if w[0] < utf8.RuneSelf {
				h.first[w[0]] = true
			}
			if len(w) < 64 {
				h.lens |= 1 << len(w)
			} else {
				h.lens |= 1 << 63
			}
		}
	}
	return h
}

// Title marks every searched word of a title.
func (h *Highlighter) Title(s string) string {
	var b strings.Builder
	h.mark(&b, s, 0, len(s))
	return b.String()
}

// match is a searched word found in a text: its place (in words) and its
// number among the searched words, and where a snippet showing it would
// start (in words and bytes).
type match struct {
	word, id, winWord, winStart int
}

// Snippet returns about SnippetTokens words of text around the place where
// the most searched words are close together (the first such place), with
// the searched words marked, newlines turned into spaces, and "…" where
// text was left out. A text without a match gives its first words.
func (h *Highlighter) Snippet(text string) string {
	scan := text
	if len(scan) > SnippetScanBytes {
		scan = scan[:SnippetScanBytes]
	}
	var matches []match
	var starts [snippetLead + 1]int // byte offsets of the last words
	paraWord, paraStart, prevEnd := 0, 0, 0
	var found [MaxSearchRunes/2 + 1]bool
	nFound := 0
	for i, word := 0, 0; len(matches) < snippetMaxMatches; word++ {
		start, end := nextWord(scan, i)
		if start < 0 {
			break
		}
		if word > 0 && strings.IndexByte(scan[prevEnd:start], '\n') >= 0 {
			paraWord, paraStart = word, start
		}
		starts[word%len(starts)] = start
		if id, ok := h.lookup(scan[start:end]); ok {
			m := match{word: word, id: id, winWord: paraWord, winStart: paraStart}
			if word-paraWord >= SnippetTokens/2 {
				m.winWord = word - snippetLead
				m.winStart = starts[m.winWord%len(starts)]
			}
			matches = append(matches, m)
			if id < len(found) && !found[id] {
				found[id] = true
				nFound++
			}
			if nFound == len(h.ids) && bestWindow(matches) == len(h.ids) {
				break // no later window can show more
			}
		}
		i, prevEnd = end, end
	}
	winWord, winStart := 0, 0
	if best := bestAnchor(matches); best >= 0 {
		winWord, winStart = matches[best].winWord, matches[best].winStart
	}
	if winWord == 0 {
		winStart = 0
	}
	// The window's end: after its last word, never past snippetMaxBytes
	// however long its words.
	limit := min(len(text), winStart+snippetMaxBytes)
	for limit < len(text) && !utf8.RuneStart(text[limit]) {
		limit--
	}
	win := text[:limit]
	end := winStart
	for n := 0; n < SnippetTokens; n++ {
		_, e := nextWord(win, end)
		if e < 0 {
			break
		}
		end = e
	}
	// The punctuation after the last word shows at the text's end only
	// ("… argued."), as in FTS5's snippets.
	if rest := text[end:]; len(rest) <= 64 && strings.IndexFunc(rest, isWordRune) < 0 {
		end = len(text)
	}
	var b strings.Builder
	if winStart > 0 {
		b.WriteString("…")
	}
	h.mark(&b, text, winStart, end)
	if strings.IndexFunc(text[end:], func(r rune) bool { return !unicode.IsSpace(r) }) >= 0 {
		b.WriteString("…")
	}
	return strings.TrimSpace(strings.ReplaceAll(b.String(), "\n", " "))
}

// bestAnchor returns the match whose window shows the most distinct
// searched words, the first one on a tie; -1 when there is none.
func bestAnchor(ms []match) int {
	best, bestN := -1, 0
	for i := range ms {
		if n := windowWords(ms, i); n > bestN {
			best, bestN = i, n
		}
	}
	return best
}

// bestWindow is the number of distinct words the best window shows.
func bestWindow(ms []match) int {
	if i := bestAnchor(ms); i >= 0 {
		return windowWords(ms, i)
	}
	return 0
}

// windowWords counts the distinct searched words of the window that starts
// at ms[i]'s window start.
func windowWords(ms []match, i int) int {
	var seen [MaxSearchRunes/2 + 1]bool // a search has at most this many words
	n := 0
	for _, m := range ms[i:] {
		if m.word >= ms[i].winWord+SnippetTokens {
			break
		}
		if m.id < len(seen) && !seen[m.id] {
			seen[m.id] = true
			n++
		}
	}
	return n
}

// mark writes text[from:to] with the searched words marked.
func (h *Highlighter) mark(b *strings.Builder, text string, from, to int) {
	i := from
	for i < to {
		start, end := nextWord(text[:to], i)
		if start < 0 {
			break
		}
		b.WriteString(text[i:start])
		if _, ok := h.lookup(text[start:end]); ok {
			b.WriteString(MarkStart)
			b.WriteString(text[start:end])
			b.WriteString(MarkEnd)
		} else {
			b.WriteString(text[start:end])
		}
		i = end
	}
	b.WriteString(text[i:to])
}

// lookup finds a word of the text among the searched words.
func (h *Highlighter) lookup(w string) (int, bool) {
	if len(w) > maxWordBytes {
		return 0, false
	}
	var folded []byte // folded once, by whichever test needs it first
	if c := lowerASCII(w[0]); c >= utf8.RuneSelf || h.first[c] && (h.lens&(1<<min(len(w), 63)) != 0 || !isASCII(w)) {
		folded = h.fold(w)
		if id, ok := h.ids[string(folded)]; ok {
			return id, true
		}
	}
	if len(h.cores) == 0 || len(w) < h.minCore && isASCII(w) {
		// An ASCII word folds to as many bytes: one shorter than every
		// core contains none.
		return 0, false
	}
	if folded == nil {
		folded = h.fold(w)
	}
	for _, core := range h.cores {
		if bytes.Contains(folded, []byte(core)) {
			f := string(folded)
			for _, lang := range [...]string{"en", "id"} {
				if id, ok := h.stems[search.Stem(f, lang)]; ok {
					return id, true
				}
			}
			return 0, false
		}
	}
	return 0, false
}

func isASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// asciiWord tells the ASCII characters of words.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// nextWord finds the first word of s at or after byte i: its start and end,
// or -1, -1.
func nextWord(s string, i int) (int, int) {
	start := -1
	for j := i; j < len(s); {
		c := s[j]
		var word bool
		size := 1
		if c < utf8.RuneSelf {
			word = asciiWord[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[j:])
			word = isWordRune(r)
		}
		switch {
		case word && start < 0:
			start = j
		case !word && start >= 0:
			return start, j
		}
		j += size
	}
	if start < 0 {
		return -1, -1
	}
	return start, len(s)
}

// fold lower-cases a word and strips its accents, into a buffer reused by
// the next call.
func (h *Highlighter) fold(w string) []byte {
	h.buf = h.buf[:0]
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		for i := 0; i < len(w); i++ {
			h.buf = append(h.buf, lowerASCII(w[i]))
		}
		return h.buf
	}
	h.tmp = norm.NFD.AppendString(h.tmp[:0], w)
	for _, r := range string(h.tmp) {
		if !unicode.Is(unicode.Mn, r) {
			h.buf = utf8.AppendRune(h.buf, unicode.ToLower(r))
		}
	}
	return h.buf
}

// Highlight makes the hits of a search from its posts, in the order of ids
// (the backend's ranking); a post missing from posts (deleted meanwhile) is
// left out. It stops when ctx ends.
func Highlight(ctx context.Context, terms []SearchTerm, ids []int64, posts []model.Post) ([]SearchHit, error) {
	byID := make(map[int64]*model.Post, len(posts))
	for i := range posts {
		byID[posts[i].ID] = &posts[i]
	}
	var page []*model.Post
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			page = append(page, p)
		}
	}
	hits := make([]SearchHit, len(page))
	// Each snippet is a walk through a post's text; each part has a
	// Highlighter of its own (one keeps buffers).
	search.InParts(len(page), minHighlightPart, func(from, to int) {
		h := NewHighlighter(terms)
		for i := from; i < to && ctx.Err() == nil; i++ {
			p := page[i]
			hits[i] = SearchHit{Post: *p, Title: h.Title(p.Title), Snippet: h.Snippet(strings.Join(p.Paragraphs, "\n"))}
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return hits, nil
}

// minHighlightPart is the fewest posts marked apart from the rest
// (Highlight).
const minHighlightPart = 5

// HighlightTerms returns the words a parsed query marks in its hits.
func HighlightTerms(q search.Query) []SearchTerm {
	var out []SearchTerm
	for _, w := range q.Words() {
		out = append(out, SearchTerm{Text: w})
	}
	return out
}
