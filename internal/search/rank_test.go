package search

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for _, c := range []struct {
		text string
		f    form
		want int
	}{
		{"flood flood floodgat", form{text: "flood"}, 2},
		{"flood flood floodgat", form{text: "flood", prefix: true}, 3},
		{"reflood flood", form{text: "flood"}, 1},
		{"reflood", form{text: "flood", prefix: true}, 0},
		{"river flood river flooded", form{text: "river flood"}, 1},
		{"", form{text: "flood"}, 0},
		{"flood", form{}, 0},
		{"aaa", form{text: "aa"}, 0},
		{"aa aa aa", form{text: "aa aa"}, 2}, // overlapping, as a phrase query counts them
	} {
		if got := countAt(c.text, c.f.text, []form{c.f}); got != c.want {
			t.Errorf("count(%q, %+v) = %d, want %d", c.text, c.f, got, c.want)
		}
	}
}

func rankIDs(q string, df []int, posts int, docs []Doc, now time.Time) []int64 {
	NewRanker(Parse(q), df, posts).Rank(docs, now)
	var ids []int64
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

func TestRankFields(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	docs := []Doc{
		{ID: 1, Title: "weather", Meta: "", Body: "some rain and flood somewher", Published: now},
		{ID: 2, Title: "flood everywher", Body: "quiet dai", Published: now},
		{ID: 3, Title: "weather", Meta: "flood in the lead", Body: "flood in the lead", Published: now},
		{ID: 4, Title: "weather", Body: "quiet", Published: now},
	}
	// Title above lead above body; a post without the word still ranks
	// (the store found it, a stemmed form aside), last.
	if got, want := rankIDs("floods", nil, 0, docs, now), []int64{2, 3, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("rank = %v, want %v", got, want)
	}
}

func TestRankRecency(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	body := "the river flood the town"
	docs := []Doc{
		{ID: 1, Title: "river report", Body: body, Published: now.AddDate(-1, 0, 0)},
		{ID: 2, Title: "river report", Body: body, Published: now.Add(-time.Hour)},
		{ID: 3, Title: "river report", Body: body, Published: now.AddDate(-2, 0, 0)},
		{ID: 4, Title: "flood", Body: "quiet", Published: now.AddDate(-1, 0, 0)},
		{ID: 5, Title: "weather", Body: "rain today and a flood somewher among mani other word of a long text", Published: now.Add(-2 * time.Hour)},
	}
	if got, want := rankIDs("river report", nil, 0, docs[:3], now), []int64{2, 1, 3}; !slices.Equal(got, want) {
		t.Errorf("river report: %v, want %v (newest first)", got, want)
	}
	if got := rankIDs("flood", nil, 0, docs[3:], now); got[0] != 4 {
		t.Errorf("flood: %v, want the year-old title match 4 first", got)
	}
	// Equal scores keep the newer ID first.
	same := []Doc{{ID: 7, Title: "x", Published: now}, {ID: 9, Title: "x", Published: now}}
	if got := rankIDs("x", nil, 0, same, now); !slices.Equal(got, []int64{9, 7}) {
		t.Errorf("ties: %v, want [9 7]", got)
	}
}

// Of two words, the rarer one weighs more: a post with the rare word in
// its title beats one with the common word there.
func TestRankIDF(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	docs := []Doc{
		{ID: 1, Title: "jakarta news", Body: "gempa jakarta", Published: now},
		{ID: 2, Title: "gempa news", Body: "gempa jakarta", Published: now},
	}
	if got := rankIDs("jakarta gempa", []int{9000, 40}, 10000, slices.Clone(docs), now); got[0] != 2 {
		t.Errorf("rare word in title: %v, want 2 first", got)
	}
	if got := rankIDs("jakarta gempa", []int{40, 9000}, 10000, slices.Clone(docs), now); got[0] != 1 {
		t.Errorf("rare word in title: %v, want 1 first", got)
	}
}

// Forms: a query word finds its stems in English and Indonesian, and a
// prefix the words it starts.
func TestRankForms(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	docs := []Doc{
		{ID: 1, Title: "warga " + Index("mengungsi", "id"), Published: now},
		{ID: 2, Title: Index("evacuated", "en"), Published: now},
		{ID: 3, Title: "quiet", Published: now},
	}
	for q, want := range map[string]int64{"pengungsi": 1, "evacuate": 2, "evacu*": 2} {
		d := slices.Clone(docs)
		NewRanker(Parse(q), nil, 0).Rank(d, now)
		if d[0].ID != want || d[0].Score == 0 {
			t.Errorf("%s: first %d (score %v), want %d", q, d[0].ID, d[0].Score, want)
		}
	}
}

func BenchmarkRank(b *testing.B) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	body := ""
	for len(body) < BodyScanBytes {
		body += "the govern said on tuesday that flood water had risen across the provinc "
	}
	docs := make([]Doc, RankWindow)
	for i := range docs {
		docs[i] = Doc{ID: int64(i), Title: "flood in the provinc", Meta: "publish author lead of the flood stori",
			Body: body, BodyBytes: 3 * len(body), Published: now.Add(-time.Duration(i) * time.Hour)}
	}
	r := NewRanker(Parse("flood govern"), []int{500, 3000}, 100000)
	b.ReportAllocs()
	for b.Loop() {
		r.Rank(docs, now)
	}
}

// TestClauseCount: a clause's one pass counts what a pass for each of its
// forms counts, whether its forms share a start or not.
func TestClauseCount(t *testing.T) {
	texts := []string{
		"flood flood floodgat reflood flood",
		"river flood river flooded flood river",
		"aa aa aa a aaa",
		"evacu evacue evacuat evacu",
		"",
		"flood",
	}
	clauses := [][]form{
		{{text: "flood"}, {text: "flood"}},
		{{text: "flood"}, {text: "floodgat"}, {text: "flood", prefix: true}},
		{{text: "river flood"}, {text: "river"}},
		{{text: "aa aa"}, {text: "aa"}, {text: "a", prefix: true}},
		{{text: "evacu", prefix: true}, {text: "evacue"}},
		{{text: "flood"}, {text: "river"}}, // no common start
		{{text: ""}, {text: "flood"}},
		{{text: ""}},
	}
	for _, fs := range clauses {
		c := clause{forms: fs, lead: commonStart(fs)}
		for _, text := range texts {
			want := 0
			for _, f := range fs {
				want += countAt(text, f.text, []form{f})
			}
			if got := c.count(text); got != want {
				t.Errorf("clause %+v (lead %q) in %q: %d, want %d", fs, c.lead, text, got, want)
			}
		}
	}
	if got := commonStart([]form{{text: "noderle"}, {text: "noderl"}, {text: ""}}); got != "noderl" {
		t.Errorf("commonStart = %q, want noderl", got)
	}
}

// Rank scores large windows in parts, in parallel: the order must be the
// one scoring them all at once gives.
func TestRankInPartsAsWhole(t *testing.T) {
	words := []string{"flood", "river", "bank", "rain", "city", "road", "school"}
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	var docs []Doc
	for i := range 5 * minPart {
		var body []string
		for j := range 40 + i%17 {
			body = append(body, words[(i*j+j)%len(words)])
		}
		docs = append(docs, Doc{ID: int64(i + 1), Title: words[i%len(words)] + " " + words[(i/3)%len(words)],
			Body: strings.Join(body, " "), Published: now.Add(-time.Duration(i%50) * 24 * time.Hour)})
	}
	r := NewRanker(Parse("flood rain"), []int{40, 300}, 1000)
	whole := slices.Clone(docs)
	var avg [3]float64
	for _, d := range docs {
		avg[0] += float64(len(d.Title))
		avg[2] += float64(len(d.Body))
	}
	avg = [3]float64{avg[0] / float64(len(docs)), 1, avg[2] / float64(len(docs))}
	r.score(whole, &avg, now)
	sortDocs(whole)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	r.Rank(docs, now)
	for i := range docs {
		if docs[i].ID != whole[i].ID || docs[i].Score != whole[i].Score {
			t.Fatalf("place %d: post %d (%v) in parts, post %d (%v) at once", i, docs[i].ID, docs[i].Score, whole[i].ID, whole[i].Score)
		}
	}
	if docs[0].Score == 0 || docs[0].Score == docs[len(docs)-1].Score {
		t.Fatalf("scores do not tell posts apart: %v … %v", docs[0].Score, docs[len(docs)-1].Score)
	}
}

// InParts hands every index of its range to exactly one call.
func TestInPartsCoversEachOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	for _, n := range []int{0, 1, 63, 64, 128, 129, 1000} {
		seen := make([]int32, n)
		var mu sync.Mutex
		calls := 0
		InParts(n, 64, func(from, to int) {
			mu.Lock()
			calls++
			mu.Unlock()
			for i := from; i < to; i++ {
				seen[i]++
			}
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n %d: index %d handed %d times", n, i, c)
			}
		}
		if want := max(1, min(3, n/64)); calls != want {
			t.Errorf("n %d: %d calls, want %d", n, calls, want)
		}
	}
}
