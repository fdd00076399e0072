package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/postgres/pgtest"
	"github.com/kabarnews/kabar/internal/store/storetest"
)

// samePostSearch fails unless every post has one post_search row, holding
// the tsvectors its stemmed fields make (the expressions of migration 021,
// for bodies under its cap), and no other row is there.
func samePostSearch(t *testing.T, s *Store, when string) {
	t.Helper()
	ctx := context.Background()
	var n, rows, posts int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM posts p JOIN post_search s ON s.post_id = p.id
		CROSS JOIN LATERAL (SELECT array_to_tsvector(ARRAY['#' || (p.id >> $1)]) AS id_range) r
		WHERE s.search = setweight(to_tsvector('simple', left(p.search_title, 1024)), 'A')
				|| setweight(to_tsvector('simple', left(p.search_meta, 1024)), 'B')
				|| setweight(to_tsvector('simple', p.search_body), 'C') || r.id_range
			AND s.strong = to_tsvector('simple', left(p.search_title, 1024) || ' ' || left(p.search_meta, 1024)) || r.id_range`,
		rangeBits).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM post_search`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM posts`).Scan(&posts); err != nil {
		t.Fatal(err)
	}
	if n != posts || rows != posts {
		t.Fatalf("%s: %d of %d posts searched by their own text, %d search rows", when, n, posts, rows)
	}
}

// stemmed is a post's stemmed search fields (search_title, search_meta,
// search_body) from its title and body, as statement arguments.
func stemmed(title, body string) []any {
	st, sm, sb := search.Fields(title, "", "", body, "")
	return []any{st, sm, sb}
}

// setSearchBounds makes the store's search bounds small for one test
// (the window, the strong window, the count's cap and the newest posts
// looked among first), and restores them after it.
func setSearchBounds(t *testing.T, window, strong, countCap int, span int64) {
	w, sw, c, cs := searchWindow, searchStrongWindow, searchCountCap, countSpan
	t.Cleanup(func() { searchWindow, searchStrongWindow, searchCountCap, countSpan = w, sw, c, cs })
	searchWindow, searchStrongWindow, searchCountCap, countSpan = window, strong, countCap, span
}

func savePosts(t *testing.T, s *Store, n int) []*model.Post {
	t.Helper()
	var out []*model.Post
	for i := range n {
		p := &model.Post{Title: fmt.Sprintf("Floods in the valley %d", i), Language: "en", Publisher: "Harbour Times",
			SourceURL: fmt.Sprintf("https://x.example/%d", i), Published: time.Date(2024, 5, 1+i, 9, 0, 0, 0, time.UTC),
			Paragraphs: []string{strings.Repeat("Residents were evacuated from the river bank overnight. ", 10+20*i)}}
		if _, err := s.SavePost(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// post_search (migration 021) is what search finds posts in: it must follow
// posts through every write.
func TestPostSearchFollowsPosts(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	ps := savePosts(t, s, 3)
	samePostSearch(t, s, "saved")
	// Search reads post_rank's head whole, as the first BodyScanBytes of
	// the body (migration 018).
	var head int
	if err := s.pool.QueryRow(ctx, `SELECT char_length(head) FROM post_rank WHERE post_id = $1`, ps[2].ID).Scan(&head); err != nil {
		t.Fatal(err)
	}
	if head != search.BodyScanBytes {
		t.Fatalf("head of a long body holds %d characters, want search.BodyScanBytes (%d): migration 018 and search disagree", head, search.BodyScanBytes)
	}
	p := ps[1]
	p.Paragraphs = []string{"Dikungsi warga dari tepi sungai."}
	p.Language = "id"
	if err := s.UpdatePostText(ctx, p); err != nil {
		t.Fatal(err)
	}
	samePostSearch(t, s, "text updated")
	if _, total, err := s.Search(ctx, store.SearchQuery{Text: "sungai", Limit: 10}); err != nil || total != 1 {
		t.Fatalf("the updated text: %d found, %v", total, err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE posts SET search_title = 'nothing', search_meta = '' WHERE id = $1`, ps[0].ID); err != nil {
		t.Fatal(err)
	}
	samePostSearch(t, s, "fields written directly")
	if _, err := s.pool.Exec(ctx, `DELETE FROM posts WHERE id = $1`, ps[2].ID); err != nil {
		t.Fatal(err)
	}
	samePostSearch(t, s, "deleted")
}

// A database that already holds posts gets their post_search rows from the
// migration, and search finds them.
func TestMigrationFillsPostSearch(t *testing.T) {
	defer func(v int) { migrateUpTo = v }(migrateUpTo)
	migrateUpTo = 20
	ctx := context.Background()
	url := pgtest.Schema(t)
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	savePosts(t, s, 4)
	s.Close()
	migrateUpTo = 0
	s, err = Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	samePostSearch(t, s, "migrated")
	hits, total, err := s.Search(ctx, store.SearchQuery{Text: "evacuated harbour", Limit: 10})
	if err != nil || total != 4 || len(hits) != 4 {
		t.Fatalf("after the migration: %d hits of %d, %v; want 4", len(hits), total, err)
	}
	var column int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'posts' AND column_name = 'search'`).Scan(&column); err != nil || column != 0 {
		t.Fatalf("posts.search still there (%d), %v", column, err)
	}
}

// Past the cap, counts and windows look among the newest posts first, asked
// of the index by the lexemes of their ranges of IDs (migration 021): they
// must find what a look at every match finds.
func TestSearchRanges(t *testing.T) {
	setSearchBounds(t, 5, 2, searchCountCap, 1<<rangeBits)
	ctx := context.Background()
	s := open(t)
	// Posts 1 to 3000, three ranges of IDs; the word in the bodies of
	// posts 100, 200, … 1500 and 2990, and in the title of post 300.
	if _, err := s.pool.Exec(ctx, `INSERT INTO posts (id, year, month, slug, title, source_url, published, body, created_at,
			search_title, search_meta, search_body, search_version)
		SELECT g, 2024, 1, 'p' || g, 'Post', 'https://x.example/' || g, '2024-01-01'::timestamptz + g * interval '1 minute', '', now(),
			CASE WHEN g = 300 THEN $4 ELSE $1 END, CASE WHEN g = 300 THEN $5 ELSE $2 END,
			CASE WHEN (g % 100 = 0 AND g <= 1500) OR g = 2990 THEN $6 ELSE $3 END, $7
		FROM generate_series(1, 3000) g`,
		append(append(stemmed("Quiet", "Nothing happened."), stemmed("Zorblax", "Zorblax.")...), search.Version)...); err != nil {
		t.Fatal(err)
	}
	want := []int64{2990, 1500, 1400, 1300, 1200, 300}
	for _, c := range []struct {
		cap, total int
	}{{3, 4}, {100, 16}} {
		searchCountCap = c.cap
		hits, total, err := s.Search(ctx, store.SearchQuery{Text: "zorblax", Limit: 50})
		if err != nil || total != c.total {
			t.Fatalf("cap %d: total %d, %v; want %d", c.cap, total, err, c.total)
		}
		var got []int64
		for _, h := range hits {
			got = append(got, h.Post.ID)
		}
		slices.Sort(got)
		w := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, w) {
			t.Errorf("cap %d: window %v, want %v", c.cap, got, w)
		}
	}
}

// A Store keeps the ranking fields of the posts it has ranked (rankDocs,
// migration 022). A write by another process, here another Store on the
// same database, must change the next search's ranking as it changes a
// fresh Store's: a new text, and a new date.
func TestRankCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	url := pgtest.Schema(t)
	a := storetest.RankCacheFollowsWrites(t, func() store.Store {
		s, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}, func(s store.Store, id int64, published time.Time) {
		if _, err := s.(*Store).pool.Exec(ctx, `UPDATE posts SET published = $1 WHERE id = $2`, published, id); err != nil {
			t.Fatal(err)
		}
	}).(*Store)
	if a.rank.Len() == 0 {
		t.Fatal("searches kept no ranking fields")
	}
}

// A search's first statements look among the posts up to the highest ID
// the last search read, and a range past it (Search). Posts saved since,
// beyond that range, must be found as a fresh process finds them.
func TestSearchGuessesHighestID(t *testing.T) {
	setSearchBounds(t, 5, 2, 3, 1<<rangeBits)
	ctx := context.Background()
	url := pgtest.Schema(t)
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	insert := func(from, to int, with ...int) {
		t.Helper()
		quiet, word := stemmed("Quiet", "Nothing happened."), stemmed("Quiet", "Zorblax.")
		if _, err := s.pool.Exec(ctx, `INSERT INTO posts (id, year, month, slug, title, source_url, published, body, created_at,
				search_title, search_meta, search_body, search_version)
			SELECT g, 2024, 1, 'p' || g, 'Post', 'https://x.example/' || g, '2024-01-01'::timestamptz + g * interval '1 minute', '', now(),
				CASE WHEN g = ANY($3) THEN $7 ELSE $4 END, CASE WHEN g = ANY($3) THEN $8 ELSE $5 END,
				CASE WHEN g = ANY($3) THEN $9 ELSE $6 END, $10
			FROM generate_series($1::bigint, $2::bigint) g`,
			append(append(append([]any{from, to, with}, quiet...), word...), search.Version)...); err != nil {
			t.Fatal(err)
		}
	}
	ranked := func(s *Store) []int64 { return slices.Sorted(slices.Values(storetest.HitIDs(t, s, "zorblax"))) }
	insert(1, 3000, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 2990)
	if got := ranked(s); len(got) != 5 || got[4] != 2990 {
		t.Fatalf("first search: %v", got)
	}
	// Three ranges of IDs later, one more match, past the range the
	// guess reaches.
	insert(3001, 6000, 4000, 5990)
	got := ranked(s)
	fresh, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if want := ranked(fresh); !slices.Equal(got, want) || !slices.Contains(got, 5990) {
		t.Fatalf("after posts saved since the last search: %v; a fresh process finds %v (with 5990)", got, want)
	}
}

// The search pool's sessions leave the planner only bitmap scans, and
// write nothing (searchPlan).
func TestSearchPoolSettings(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	var seq, idx, ro string
	if err := s.searchPool.QueryRow(ctx, `SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'),
		current_setting('transaction_read_only')`).Scan(&seq, &idx, &ro); err != nil {
		t.Fatal(err)
	}
	if seq != "off" || idx != "off" || ro != "on" {
		t.Fatalf("search pool: enable_seqscan %s, enable_indexscan %s, read only %s; want off, off, on", seq, idx, ro)
	}
	if _, err := s.searchPool.Exec(ctx, `DELETE FROM posts`); err == nil {
		t.Fatal("the search pool wrote")
	}
	if err := s.pool.QueryRow(ctx, `SELECT current_setting('enable_indexscan')`).Scan(&idx); err != nil || idx != "on" {
		t.Fatalf("the main pool: enable_indexscan %s, %v; want on", idx, err)
	}
}

// After its first search a process reads the newest posts' ranking fields
// in the background (warmRank), newest first (storetest.RankWarm).
func TestRankWarm(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	ps := savePosts(t, s, 6)
	if _, err := s.pool.Exec(ctx, `UPDATE posts SET published = published + interval '1 day' WHERE id = $1`, ps[5].ID); err != nil {
		t.Fatal(err)
	}
	storetest.RankWarm(t, s, ps, func(n int) *store.RankCache { s.rank.Close(); s.rank = store.NewRankCache(n); return s.rank }, func(id int64) int64 {
		var rev int64
		if err := s.pool.QueryRow(ctx, `SELECT rev FROM post_search WHERE post_id = $1`, id).Scan(&rev); err != nil {
			t.Fatal(err)
		}
		return rev
	})
}

// The server's statistics choose how a search asks, never what it finds:
// a query they call rare is asked of all posts at once (a span of 0), one
// round trip less, and a word they call frequent among fewer of the
// newest posts first (newestSpan). Each must find, rank, count and mark
// what the search without statistics finds.
func TestSearchByStatisticsFindsTheSame(t *testing.T) {
	setSearchBounds(t, 5, 2, 8, 3<<rangeBits)
	ctx := context.Background()
	s := open(t)
	// 3000 posts, three ranges of IDs: "quiet" in every title, "zorblax"
	// in the bodies of every hundredth post up to 1500 and of 2990, in the
	// title of 300, and "harbour" in every seventh.
	if _, err := s.pool.Exec(ctx, `INSERT INTO posts (id, year, month, slug, title, source_url, published, body, created_at,
			search_title, search_meta, search_body, search_version)
		SELECT g, 2024, 1, 'p' || g, 'Quiet', 'https://x.example/' || g, '2024-01-01'::timestamptz + g * interval '1 minute', '', now(),
			CASE WHEN g = 300 THEN $4 WHEN g % 7 = 0 THEN $7 ELSE $1 END,
			CASE WHEN g = 300 THEN $5 WHEN g % 7 = 0 THEN $8 ELSE $2 END,
			CASE WHEN (g % 100 = 0 AND g <= 1500) OR g = 2990 THEN $6 WHEN g % 7 = 0 THEN $9 ELSE $3 END, $10
		FROM generate_series(1, 3000) g`,
		append(append(append(stemmed("Quiet", "Nothing happened."), stemmed("Quiet zorblax", "Zorblax.")...),
			stemmed("Quiet", "The harbour was calm.")...), search.Version)...); err != nil {
		t.Fatal(err)
	}
	type result struct {
		ids           []int64
		marks         []string
		total, atOnce int
	}
	find := func(text string, stats *lexemeStats) result {
		t.Helper()
		s.lexStats.Store(stats)
		before := s.searchesAtOnce.Load()
		hits, total, err := s.Search(ctx, store.SearchQuery{Text: text, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		r := result{total: total, atOnce: int(s.searchesAtOnce.Load() - before)}
		for _, h := range hits {
			r.ids = append(r.ids, h.Post.ID)
			r.marks = append(r.marks, h.Title+"|"+h.Snippet)
		}
		return r
	}
	unknown := &lexemeStats{least: 1, read: time.Now()}
	rare := &lexemeStats{least: 0, read: time.Now()}
	frequent := &lexemeStats{least: 1, read: time.Now(), shares: map[string]float64{"quiet": 1, "harbour": 1.0 / 7, "zorblax": 16.0 / 3000},
		strong: map[string]float64{"quiet": 1, "zorblax": 1.0 / 3000}}
	if got := newestSpan(search.Parse("quiet"), frequent); got != 1<<rangeBits {
		t.Fatalf("a word in every post: the newest %d posts first, want one range", got)
	}
	if got := newestSpan(search.Parse("zorblax"), frequent); got != countSpan {
		t.Fatalf("a rare word: the newest %d posts first, want %d", got, countSpan)
	}
	for _, text := range []string{"zorblax", "quiet", "harbour", "zorblax quiet", "harbour quiet -zorblax", "quiet OR zorblax", `"quiet zorblax"`, "quie*"} {
		staged, atOnce, fewer := find(text, unknown), find(text, rare), find(text, frequent)
		want := 1
		if strings.Contains(text, "*") {
			want = 0 // a prefix may be in any post
		}
		if staged.atOnce != 0 || atOnce.atOnce != want {
			t.Fatalf("%q: asked at once %d and %d times, want 0 and %d", text, staged.atOnce, atOnce.atOnce, want)
		}
		for _, c := range []struct {
			name string
			got  result
		}{{"at once", atOnce}, {"frequent", fewer}} {
			if len(staged.ids) == 0 || !slices.Equal(staged.ids, c.got.ids) || !slices.Equal(staged.marks, c.got.marks) || staged.total != c.got.total {
				t.Errorf("%q: without statistics %v (%d found), %s %v (%d found)", text, staged.ids, staged.total, c.name, c.got.ids, c.got.total)
			}
		}
	}

	// The statistics as the server keeps them: after ANALYZE, the word of
	// every post is common and the word of sixteen rare, too rare to fill
	// a window of 50 among the newest 1024 posts.
	searchWindow = 50
	if _, err := s.pool.Exec(ctx, `ANALYZE post_search`); err != nil {
		t.Fatal(err)
	}
	s.lexStats.Store(nil)
	ls := s.lexemes(ctx)
	if q, z := ls.share("quiet"), ls.share("zorblax"); q < 0.9 || z > 0.01 {
		t.Fatalf("statistics: quiet in %.3f of posts, zorblax in %.3f (least listed %.3f)", q, z, ls.least)
	}
	if q, ok := ls.listedStrong("quiet"); !ok || q < 0.9 {
		t.Fatalf("statistics of titles and leads: quiet in %.3f of posts (listed %v)", q, ok)
	}
	for text, want := range map[string]int{"zorblax": 1, "quiet": 0, "quiet zorblax": 1, "quie*": 0} {
		before := s.searchesAtOnce.Load()
		if _, _, err := s.Search(ctx, store.SearchQuery{Text: text, Limit: 50}); err != nil {
			t.Fatal(err)
		}
		if got := int(s.searchesAtOnce.Load() - before); got != want {
			t.Errorf("%q with the server's statistics: asked at once %d times, want %d", text, got, want)
		}
	}
}

// BufferFit reads the server's shared_buffers as PostgreSQL reports it,
// and the tables' size grows with the posts saved.
func TestBufferFit(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	shared, empty, err := s.BufferFit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var setting string
	if err := s.pool.QueryRow(ctx, `SHOW shared_buffers`).Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int64{"kB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}; shared <= 0 ||
		!strings.HasSuffix(setting, "B") || fmt.Sprint(shared/want[setting[len(setting)-2:]])+setting[len(setting)-2:] != setting {
		t.Errorf("shared_buffers %d bytes, the server says %s", shared, setting)
	}
	savePosts(t, s, 40)
	if _, full, err := s.BufferFit(ctx); err != nil || full <= empty {
		t.Errorf("tables %d bytes with 40 posts, %d with none (%v)", full, empty, err)
	}
}
