package search

import "strings"

// Fields returns what the stores index for a post, stemmed in its
// language: the title, the "meta" and the body (paragraphs separated by
// newlines). Both stores weigh title > meta > body, so the meta holds what
// ranks between the title and the text: the publisher, the author and the
// lead (the first paragraph), whose words a news post's whole story turns
// on. The lead stays in the body too, so the meta adds weight only and
// never changes which posts a query finds.
func Fields(title, publisher, author, body, lang string) (t, meta, b string) {
	return fields(title, publisher, author, body, func(text string) string { return Index(text, lang) })
}

// fields builds the three fields with index, which stems a text (Index,
// or a FieldCache's remembered stems).
func fields(title, publisher, author, body string, index func(text string) string) (t, meta, b string) {
	lead, _, _ := strings.Cut(body, "\n")
	meta = index(publisher + "\n" + author + "\n" + lead)
	if len(meta) > MetaBytes {
		meta = meta[:max(strings.LastIndexByte(meta[:MetaBytes+1], ' '), 0)]
	}
	return index(title), meta, index(body)
}

// MetaBytes bounds the stemmed meta at a word's end: PostgreSQL indexes its
// first 1024 characters (migration 011), and SQLite must weigh the same
// words. A longer lead weighs as body text past this.
const MetaBytes = 1000

// atomForms lists the texts an atom is looked up under: for a word its
// Forms, for a phrase the phrase stemmed in each language.
func atomForms(a Atom, lang string) []string {
	if a.Prefix || len(a.Words) == 0 {
		return []string{strings.Join(a.Words, " ")}
	}
	if len(a.Words) == 1 {
		return Forms(a.Words[0], lang)
	}
	out := []string{strings.Join(a.Words, " ")}
	for _, lang := range []string{"en", "id"} {
		ws := make([]string, len(a.Words))
		for i, w := range a.Words {
			ws[i] = Stem(w, lang)
		}
		f := strings.Join(ws, " ")
		dup := false
		for _, o := range out {
			dup = dup || o == f
		}
		if !dup {
			out = append(out, f)
		}
	}
	return out
}

// FTS5 returns q as an FTS5 MATCH expression over the stemmed columns:
// every text a quoted string, so no reader's input is ever FTS5 syntax;
// "" when q finds nothing.
func FTS5(q Query) string { return fts5(q, false) }

// FTS5Strong is FTS5 with every required clause found in a title or a
// meta (publisher, author, lead): the strong matches, which ranking
// looks for past the newest ones (RankWindow).
func FTS5Strong(q Query) string { return fts5(q, true) }

func fts5(q Query, strong bool) string {
	if q.Empty() {
		return ""
	}
	clause := func(c Clause) string {
		var alts []string
		for _, a := range c {
			for _, f := range atomForms(a, q.Lang) {
				s := `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
				if a.Prefix {
					s += "*"
				}
				alts = append(alts, s)
			}
		}
		return "(" + strings.Join(alts, " OR ") + ")"
	}
	parts := make([]string, len(q.Must))
	for i, c := range q.Must {
		parts[i] = clause(c)
	}
	s := "(" + strings.Join(parts, " AND ") + ")"
	if strong {
		s = "{search_title search_meta} : " + s
	}
	for _, c := range q.Not {
		s += " NOT " + clause(c)
	}
	return s
}

// TSQuery returns q as the text of a PostgreSQL tsquery (for
// to_tsquery('simple', …)) over the same stemmed text: lexemes quoted, &
// between clauses, | between forms, <-> within phrases, :* for prefixes,
// !( ) for exclusions; "" when q finds nothing.
func TSQuery(q Query) string { return tsQuery(q, false) }

// TSRankQuery is the tsquery a PostgreSQL store ranks the posts TSQuery
// found by: the required clauses, any of them.
func TSRankQuery(q Query) string { return tsQuery(q, true) }

func tsQuery(q Query, rank bool) string {
	if q.Empty() {
		return ""
	}
	lexeme := func(w string) string {
		return "'" + strings.NewReplacer(`'`, `''`, `\`, `\\`).Replace(w) + "'"
	}
	clause := func(c Clause) string {
		var alts []string
		for _, a := range c {
			for _, f := range atomForms(a, q.Lang) {
				ws := strings.Fields(f)
				for i := range ws {
					ws[i] = lexeme(ws[i])
				}
				s := "(" + strings.Join(ws, " <-> ") + ")"
				if a.Prefix {
					s = "(" + ws[0] + ":*)"
				}
				alts = append(alts, s)
			}
		}
		return "(" + strings.Join(alts, " | ") + ")"
	}
	parts := make([]string, 0, len(q.Must)+len(q.Not))
	for _, c := range q.Must {
		parts = append(parts, clause(c))
	}
	if rank {
		// ts_rank scores an AND by the distance of its terms and gives 0
		// when one is missing, as an excluded word always is: ranking
		// weighs the required clauses, each on its own.
		return strings.Join(parts, " | ")
	}
	for _, c := range q.Not {
		parts = append(parts, "!"+clause(c))
	}
	return strings.Join(parts, " & ")
}

// RecencyDays sets how ranking blends relevance with recency. Both stores
// order hits by
//
//	score = relevance × (1 + 1 / (1 + age/RecencyDays))
//
// where relevance is the store's BM25-style score (FTS5's bm25() with
// title > publisher and author > body; PostgreSQL's ts_rank with weights
// A > B > C) and age is the time since the post's publication, in days
// (0 for a date in the future). A post of today scores up to twice its
// relevance, one RecencyDays old 1.5 times, one a year old about 1.08
// times: of two equally relevant posts the newer ranks first, while a much
// more relevant old post still beats a barely relevant new one.
const RecencyDays = 30.0

// Share estimates the share of posts q's required clauses find at most,
// from the share of posts each lexeme is in (share: a store's statistics):
// a clause finds at most the sum of its forms' shares, a phrase at most
// its rarest word's, a prefix any post, and the clauses together at most
// the rarest clause's.
func Share(q Query, share func(lexeme string) float64) float64 {
	out := 1.0
	for _, c := range q.Must {
		sum := 0.0
		for _, a := range c {
			if a.Prefix {
				sum = 1
				break
			}
			for _, f := range atomForms(a, q.Lang) {
				least := 1.0
				for _, w := range strings.Fields(f) {
					least = min(least, share(strings.ToLower(w)))
				}
				sum += least
			}
		}
		out = min(out, sum)
	}
	return out
}

// ShareAtLeast estimates the share of posts q finds at least, from the
// shares of the lexemes a store's statistics list (share reports false
// for others): for a query of one clause, without exclusions or filters,
// the share of its most frequent listed word; 0 for any other query, of
// which the statistics of single words say nothing.
func ShareAtLeast(q Query, share func(lexeme string) (float64, bool)) float64 {
	if len(q.Must) != 1 || len(q.Not) > 0 || q.Filtered() {
		return 0
	}
	out := 0.0
	for _, a := range q.Must[0] {
		if a.Prefix || len(a.Words) != 1 {
			continue
		}
		for _, f := range atomForms(a, q.Lang) {
			if s, ok := share(strings.ToLower(f)); ok {
				out = max(out, s)
			}
		}
	}
	return out
}
