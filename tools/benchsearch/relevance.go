package main

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
)

//go:embed testdata/*.txt
var testdata embed.FS

// setPost is one post of the relevance set (testdata/posts.txt).
type setPost struct {
	id, lang, publisher, author, feed, title string
	date                                     time.Time
	paras                                    []string
}

// setQuery is one judged query (testdata/queries.txt).
type setQuery struct {
	q, lang, kind string
	want, not     []string
}

// blocks reads a file of "key: value" blocks separated by blank lines;
// "#" lines are comments. Each block is a list of key/value pairs in order.
func blocks(name string) ([][][2]string, error) {
	f, err := testdata.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // embedded, only read
	var out [][][2]string
	var cur [][2]string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
		case line == "":
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("%s:%d: want key: value, got %q", name, n, line)
			}
			cur = append(cur, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, sc.Err()
}

func loadSet() ([]setPost, []setQuery, error) {
	pbs, err := blocks("testdata/posts.txt")
	if err != nil {
		return nil, nil, err
	}
	var posts []setPost
	ids := map[string]bool{}
	for _, b := range pbs {
		p, err := parseSetPost(b)
		if err != nil {
			return nil, nil, err
		}
		if ids[p.id] {
			return nil, nil, fmt.Errorf("posts.txt: post %q repeats", p.id)
		}
		ids[p.id] = true
		posts = append(posts, p)
	}
	qbs, err := blocks("testdata/queries.txt")
	if err != nil {
		return nil, nil, err
	}
	var queries []setQuery
	for _, b := range qbs {
		q, err := parseSetQuery(b)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range append(slices.Clone(q.want), q.not...) {
			if !ids[id] {
				return nil, nil, fmt.Errorf("queries.txt: %q names post %q, which posts.txt lacks", q.q, id)
			}
		}
		queries = append(queries, q)
	}
	return posts, queries, nil
}

// parseSetPost reads one block of posts.txt.
func parseSetPost(b [][2]string) (setPost, error) {
	var p setPost
	for _, kv := range b {
		switch v := kv[1]; kv[0] {
		case "id":
			p.id = v
		case "lang":
			p.lang = v
		case "publisher":
			p.publisher = v
		case "author":
			p.author = v
		case "feed":
			p.feed = v
		case "title":
			p.title = v
		case "p":
			p.paras = append(p.paras, v)
		case "date":
			var err error
			if p.date, err = time.Parse(time.DateOnly, v); err != nil {
				return p, fmt.Errorf("posts.txt: %s: %w", p.id, err)
			}
		default:
			return p, fmt.Errorf("posts.txt: %s: unknown key %q", p.id, kv[0])
		}
	}
	if p.id == "" || p.title == "" || len(p.paras) == 0 || p.date.IsZero() {
		return p, fmt.Errorf("posts.txt: post %q lacks an id, title, paragraph or date", p.id)
	}
	return p, nil
}

// parseSetQuery reads one block of queries.txt.
func parseSetQuery(b [][2]string) (setQuery, error) {
	var q setQuery
	for _, kv := range b {
		switch v := kv[1]; kv[0] {
		case "q":
			q.q = v
		case "lang":
			q.lang = v
		case "kind":
			q.kind = v
		case "want":
			q.want = strings.Fields(v)
		case "not":
			q.not = strings.Fields(v)
		default:
			return q, fmt.Errorf("queries.txt: %q: unknown key %q", q.q, kv[0])
		}
	}
	if q.q == "" || q.lang == "" || len(q.want) == 0 {
		return q, fmt.Errorf("queries.txt: a query lacks q, lang or want: %+v", q)
	}
	return q, nil
}

// loadPosts saves the set's posts in st, each feed titled as its "feed:"
// (which makes the label), and returns the set's IDs by post ID.
func loadPosts(ctx context.Context, st store.Store, posts []setPost) (map[int64]string, error) {
	feeds := map[string]int64{}
	names := map[int64]string{}
	for i, sp := range posts {
		fid, ok := feeds[sp.feed]
		if !ok {
			f := &model.Feed{URL: fmt.Sprintf("https://news.example/feed%d.xml", len(feeds)), Paused: true}
			if err := st.AddFeed(ctx, f); err != nil {
				return nil, err
			}
			if err := st.RecordPoll(ctx, f.ID, store.PollResult{At: time.Now(), Title: sp.feed}); err != nil {
				return nil, err
			}
			fid = f.ID
			feeds[sp.feed] = fid
		}
		p := &model.Post{FeedID: fid, Title: sp.title, Author: sp.author, Publisher: sp.publisher, Language: sp.lang,
			SourceURL: fmt.Sprintf("https://publisher.example/%d/%s", i, sp.id), Published: sp.date.Add(9 * time.Hour),
			Paragraphs: sp.paras}
		if _, err := st.SavePost(ctx, p); err != nil {
			return nil, fmt.Errorf("save %s: %w", sp.id, err)
		}
		names[p.ID] = sp.id
	}
	return names, nil
}

// judged is the score of one query's top 10.
type judged struct {
	recall, precision float64
	forbidden         int // "not" posts found
	got               []string
}

func judge(q setQuery, got []string) judged {
	j := judged{got: got}
	hit := 0
	for _, g := range got {
		if slices.Contains(q.want, g) {
			hit++
		}
		if slices.Contains(q.not, g) {
			j.forbidden++
		}
	}
	j.recall = float64(hit) / float64(min(len(q.want), 10))
	if len(got) > 0 {
		j.precision = float64(hit) / float64(len(got))
	}
	return j
}

// engine answers a query with the set IDs of its top 10.
type engine func(ctx context.Context, q string) ([]string, error)

// relevanceRow is one line of the relevance table.
type relevanceRow struct {
	store, engine, lang       string
	queries                   int
	recall, precision         float64
	forbidden, perfect, empty int
}

// score runs every query through e and sums per language and overall.
func score(ctx context.Context, storeName, engineName string, e engine, queries []setQuery) ([]relevanceRow, map[string]judged, error) {
	rows := map[string]*relevanceRow{}
	per := map[string]judged{}
	for _, q := range queries {
		got, err := e(ctx, q.q)
		if err != nil {
			return nil, nil, fmt.Errorf("%s, %s, %q: %w", storeName, engineName, q.q, err)
		}
		j := judge(q, got)
		per[q.q] = j
		for _, lang := range []string{q.lang, "all"} {
			r := rows[lang]
			if r == nil {
				r = &relevanceRow{store: storeName, engine: engineName, lang: lang}
				rows[lang] = r
			}
			r.queries++
			r.recall += j.recall
			r.precision += j.precision
			r.forbidden += j.forbidden
			if j.recall == 1 && j.precision == 1 {
				r.perfect++
			}
			if len(got) == 0 {
				r.empty++
			}
		}
	}
	var out []relevanceRow
	for _, lang := range []string{"en", "id", "all"} {
		if r := rows[lang]; r != nil {
			r.recall /= float64(r.queries)
			r.precision /= float64(r.queries)
			out = append(out, *r)
		}
	}
	return out, per, nil
}

// storeEngine is the current search of a store.
func storeEngine(st store.Store, names map[int64]string) engine {
	return func(ctx context.Context, q string) ([]string, error) {
		hits, _, err := st.Search(ctx, store.SearchQuery{Text: q, Limit: 10})
		var out []string
		for _, h := range hits {
			out = append(out, names[h.Post.ID])
		}
		return out, err
	}
}
