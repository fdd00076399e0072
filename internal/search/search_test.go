package search

import (
	"math"
	"strings"
	"testing"
)

func TestStemIndonesian(t *testing.T) {
	groups := [][]string{
		{"pengungsi", "mengungsi", "pengungsian", "ungsi"},
		{"evakuasi", "mengevakuasi", "dievakuasi"},
		{"tulis", "menulis", "penulis", "ditulis", "tulisan"},
		{"baca", "membaca", "pembaca", "bacaan", "dibaca"},
		{"pakai", "memakai", "pemakai", "dipakai"},
		{"sapu", "menyapu", "penyapu"},
		{"banjir", "kebanjiran"},
	}
	for _, g := range groups {
		want := StemIndonesian(g[0])
		for _, w := range g[1:] {
			if got := StemIndonesian(w); got != want {
				t.Errorf("StemIndonesian(%q) = %q, want %q (as %q)", w, got, want, g[0])
			}
		}
	}
	// Short words and roots that look affixed keep enough letters.
	for _, w := range []string{"di", "ke", "ber", "meja"} {
		if got := StemIndonesian(w); len(got) < min(len(w), minRoot) {
			t.Errorf("StemIndonesian(%q) = %q", w, got)
		}
	}
}

func TestIndexFoldsAndStems(t *testing.T) {
	cases := []struct{ text, lang, want string }{
		{"Floods closed the Schools", "en", "flood close the school"},
		{"Residents were evacuated", "en-US", "resid were evacu"},
		{"Łódź: café, naïve", "", "lodz cafe naiv"},
		{"Warga mengungsi ke posko pengungsian", "id", "warga ungsi ke posko ungsi"},
		{"e-mail 3.5", "en", "e mail 3 5"},
	}
	for _, c := range cases {
		if got := Index(c.text, c.lang); got != c.want {
			t.Errorf("Index(%q, %q) = %q, want %q", c.text, c.lang, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	cases := []struct{ in, fts string }{
		{"flood", `(("flood"))`},
		{"Floods", `(("floods" OR "flood"))`},
		{"evacu*", `(("evacu"*))`},
		{`"state of emergency"`, `(("state of emergency" OR "state of emerg"))`},
		{"Bandung -Citarum", `(("bandung")) NOT ("citarum")`},
		{"a OR b", `(("a" OR "b"))`},
		{"a OR", `(("a"))`},
		{"OR a", `(("a"))`},
		{"-alone", ``},
		{"--alpha", `(("alpha"))`},
		{`NEAR( "`, `(("near"))`},
		{"x\x00y \xff", `(("x") AND ("y"))`},
		{"e-mail", `(("e mail"))`},
		{`a "b`, `(("a") AND ("b"))`},
		{`" * ( ) : ^ + -`, ``},
	}
	for _, c := range cases {
		if got := FTS5(Parse(c.in)); got != c.fts {
			t.Errorf("FTS5(Parse(%q)) = %s, want %s", c.in, got, c.fts)
		}
	}
}

func TestTSQuery(t *testing.T) {
	cases := []struct{ in, want string }{
		{"flood", `(('flood'))`},
		{"evacu* -dam", `(('evacu':*)) & !(('dam'))`},
		{`"state of" OR floods`, `(('state' <-> 'of') | ('floods') | ('flood'))`},
		{`it's`, `(('it' <-> 's'))`},
		{"-x", ``},
	}
	for _, c := range cases {
		if got := TSQuery(Parse(c.in)); got != c.want {
			t.Errorf("TSQuery(Parse(%q)) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestTSRankQueryWeighsRequiredClausesAlone(t *testing.T) {
	if got, want := TSRankQuery(Parse("flood bandung -citarum")), `(('flood')) | (('bandung'))`; got != want {
		t.Errorf("TSRankQuery = %s, want %s", got, want)
	}
}

func TestParseFilters(t *testing.T) {
	q := Parse(`flood publisher:"Pikiran Rakyat" label:Banjir lang:ID after:2024-05-01 before:2024-06-01 source:x:y time:now`)
	if q.Publisher != "x:y" || q.Label != "Banjir" || q.Lang != "id" ||
		q.After.Format("2006-01-02") != "2024-05-01" || q.Before.Format("2006-01-02") != "2024-06-01" {
		t.Errorf("filters = %+v", q)
	}
	if got, want := FTS5(q), `(("flood") AND ("time now"))`; got != want {
		t.Errorf("FTS5 = %s, want %s", got, want)
	}
	// A bad date or an unclosed quote is text (words joined by punctuation
	// are a phrase, as "e-mail" is).
	if q := Parse(`after:2024-13-01 publisher:"x`); !q.After.IsZero() || q.Publisher != "" || len(q.Words()) != 6 {
		t.Errorf("odd filters = %+v, words %v", q, q.Words())
	}
}

func TestParseBounds(t *testing.T) {
	q := Parse(strings.Repeat("word ", 1000))
	if n := len(q.Words()); n != MaxWords {
		t.Errorf("%d words kept, want %d", n, MaxWords)
	}
	q = Parse(strings.Repeat("ab", 10000))
	if n := len(q.Words()[0]); n != MaxRunes {
		t.Errorf("a word of %d bytes kept, want %d", n, MaxRunes)
	}
	// Every form of the longest query is a bounded number of atoms.
	if s := FTS5(Parse(strings.Repeat(`"pengungsian menulis" -x OR `, 100))); len(s) > 4096 {
		t.Errorf("FTS5 query of %d bytes", len(s))
	}
}

// The lead is indexed in the meta, at a word's end within MetaBytes, and
// stays in the body.
func TestFieldsLead(t *testing.T) {
	_, meta, body := Fields("Title", "Kompas", "Ana", "Warga mengungsi.\nPosko dibuka.", "id")
	if meta != "kompas ana warga ungsi" || body != "warga ungsi posko buka" {
		t.Errorf("meta %q, body %q", meta, body)
	}
	long := strings.Repeat("floods ", 400) + "\nend"
	_, meta, _ = Fields("", "Reuters", "", long, "en")
	if len(meta) > MetaBytes || !strings.HasPrefix(meta, "reuter flood flood") || strings.HasSuffix(meta, " ") || strings.Contains(meta, "end") {
		t.Errorf("long lead: meta of %d bytes: %.40q…%q", len(meta), meta, meta[max(len(meta)-20, 0):])
	}
}

func TestShareIsAnUpperBound(t *testing.T) {
	shares := map[string]float64{"flood": 0.2, "floods": 0.1, "state": 0.5, "of": 0.9, "bandung": 0.01}
	share := func(w string) float64 {
		if f, ok := shares[w]; ok {
			return f
		}
		return 0.001 // a word the statistics do not list
	}
	cases := []struct {
		in   string
		want float64
	}{
		{"flood", 0.2},
		{"Floods", 0.1 + 0.2},            // each of the word's forms
		{"flood bandung", 0.01},          // the rarest clause
		{`"state of"`, 0.5},              // a phrase: its rarest word
		{"flood OR bandung", 0.2 + 0.01}, // any of the atoms
		{"evacu* flood", 0.2},            // a prefix finds any post
		{"evacu*", 1},                    // alone, it bounds nothing
		{"flood -bandung", 0.2},          // exclusions narrow nothing here
		{"zorblax", 0.001},               // unlisted
		{"-x", 1},                        // finds nothing, bounds nothing
	}
	for _, c := range cases {
		if got := Share(Parse(c.in), share); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Share(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestShareAtLeast(t *testing.T) {
	shares := map[string]float64{"flood": 0.2, "floods": 0.1, "state": 0.5, "bandung": 0.01}
	share := func(w string) (float64, bool) {
		f, ok := shares[w]
		return f, ok
	}
	cases := []struct {
		in   string
		want float64
	}{
		{"flood", 0.2},
		{"Floods", 0.2},           // the most frequent of its forms
		{"flood OR bandung", 0.2}, // any atom finds at least its own
		{"flood bandung", 0},      // two clauses may share no post
		{"flood -bandung", 0},     // an exclusion may take any
		{"flood lang:id", 0},      // so may a filter
		{`"state flood"`, 0},      // a phrase is rarer than its words
		{"evacu*", 0},             // a prefix is no listed word
		{"zorblax", 0},            // unlisted
		{"zorblax OR state", 0.5}, // listed and unlisted
	}
	for _, c := range cases {
		if got := ShareAtLeast(Parse(c.in), share); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("ShareAtLeast(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
