package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// postColsP is sqlshared.PostCols for queries that join posts as p.
const postColsP = `p.id, COALESCE(p.feed_id, 0), COALESCE(p.item_id, 0), p.slug, p.title, p.author,
	p.publisher, p.source_url, p.amp_url, p.item_link, p.article_id, p.published, p.language,
	p.image, p.description, p.body, p.content_hash, p.created_at, p.truncated`

// listWhere builds the filter of a listing; see the SQLite store for the
// label query's reasoning. Parameters start at $1.
func listWhere(q store.ListQuery) (from, where string, args []any) {
	switch {
	case q.Label != "":
		return `post_labels l JOIN posts p ON p.id = l.post_id`,
			`l.name = $1 AND NOT EXISTS (SELECT 1 FROM post_labels l2
				WHERE l2.post_id = l.post_id AND l2.name = l.name AND l2.kind < l.kind)`,
			[]any{q.Label}
	case len(q.Publishers) > 0:
		return `posts p`, `p.publisher = ANY($1)`, []any{q.Publishers}
	case q.Publisher != "":
		return `posts p`, `p.publisher = $1`, []any{q.Publisher}
	case q.Year != 0 && q.Month != 0:
		return `posts p`, `p.year = $1 AND p.month = $2`, []any{q.Year, q.Month}
	case q.Year != 0:
		return `posts p`, `p.year = $1`, []any{q.Year}
	}
	return `posts p`, `true`, nil
}

// limitOffset appends LIMIT and OFFSET parameters after args.
func limitOffset(args []any, limit, offset int) (string, []any) {
	n := len(args)
	var l any
	if limit > 0 {
		l = limit
	}
	return fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), append(args, l, max(offset, 0))
}

// storable reports whether PostgreSQL accepts every one of ss as text: it
// rejects NUL and invalid UTF-8 with an error, and no stored name holds
// either, so a query for such a name (a reader's URL) finds nothing.
func storable(ss ...string) bool {
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

// ListPosts lists the posts q selects, newest first.
func (s *Store) ListPosts(ctx context.Context, q store.ListQuery) ([]model.Post, error) {
	if !storable(q.Label, q.Publisher) {
		return nil, nil
	}
	from, where, args := listWhere(q)
	order := `p.published DESC, p.id DESC`
	if q.Label != "" {
		order = `l.published DESC, l.post_id DESC`
	}
	lim, args := limitOffset(args, q.Limit, q.Offset)
	rows, err := s.pool.Query(ctx, `SELECT `+postColsP+` FROM `+from+` WHERE `+where+` ORDER BY `+order+lim, args...)
	if err != nil {
		return nil, err
	}
	return scanPosts(rows)
}

// CountListPosts counts the posts q selects.
func (s *Store) CountListPosts(ctx context.Context, q store.ListQuery) (int, error) {
	if !storable(q.Label, q.Publisher) {
		return 0, nil
	}
	var n int
	var err error
	if q.Label != "" {
		err = s.pool.QueryRow(ctx, `SELECT count(DISTINCT post_id) FROM post_labels WHERE name = $1`, q.Label).Scan(&n)
	} else {
		from, where, args := listWhere(q)
		err = s.pool.QueryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+where, args...).Scan(&n)
	}
	return n, err
}

// searchFilters returns the WHERE conditions (each starting with AND, over
// posts p) of a query's filters, numbering their parameters after args.
func searchFilters(q search.Query, args []any) (string, []any) {
	var b strings.Builder
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Publisher != "" {
		b.WriteString(` AND lower(p.publisher) = lower(` + arg(q.Publisher) + `)`)
	}
	if q.Label != "" {
		b.WriteString(` AND EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = p.id AND lower(l.name) = lower(` + arg(q.Label) + `))`)
	}
	if q.Lang != "" {
		b.WriteString(` AND (lower(p.language) = ` + arg(q.Lang) + ` OR lower(p.language) LIKE ` + arg(likeEscape(q.Lang)+"-%") + `)`)
	}
	if !q.After.IsZero() {
		b.WriteString(` AND p.published >= ` + arg(q.After))
	}
	if !q.Before.IsZero() {
		b.WriteString(` AND p.published < ` + arg(q.Before))
	}
	return b.String(), args
}

// Search finds posts with the tsvector index and ranks the newest
// store.SearchWindow matches in Go (search.Ranker), as the SQLite store
// does, so both order alike; ts_rank would read every match's tsvector.
// The count stops at store.SearchCountCap. Titles and snippets are
// highlighted in Go from a bounded part of each hit's text
// (store.Highlighter), as in SQLite: ts_headline parses the whole text.
func (s *Store) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, int, error) {
	parsed := search.Parse(q.Text)
	text := search.TSQuery(parsed)
	if text == "" {
		if !parsed.Filtered() {
			return nil, 0, nil
		}
		return s.searchFiltered(ctx, q, parsed)
	}
	// The highest ID stands for the number of posts in idf and bounds the
	// ranges of IDs. It is a step down the primary key's index, which the
	// search pool's sessions may not take (searchPlan), so it is read on
	// the other pool, while the first statements run with the ranges of
	// the highest ID the last search saw: a round trip less.
	type highest struct {
		id  int64
		err error
	}
	got := make(chan highest, 1)
	go func() {
		var h highest
		h.err = s.pool.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM posts`).Scan(&h.id)
		got <- h
	}()
	var h *highest
	hi := func() (int64, error) {
		if h == nil {
			v := <-got
			h = &v
			if v.err == nil {
				s.lastHi.Store(v.id)
			}
		}
		return h.id, h.err
	}
	s.rank.Warm(s.warmRank)
	span := newestSpan(parsed, s.lexemes(ctx))
	if span == 0 {
		s.searchesAtOnce.Add(1)
	}
	hits, total, err := searchIn(ctx, s.searchPool, s.rank, q, parsed, text, span, s.lastHi.Load(), hi)
	if h == nil {
		_, _ = hi() // an error ended the search before it asked; the reader's answer still updates lastHi
	}
	return hits, total, wrapSearch(q, err)
}

// newestSpan is how many of the newest posts a search looks among first
// (searchIn's step 1), as the server's statistics suggest: none, for a
// query they say is too rare to fill the window among countSpan posts,
// which is asked of all posts at once, a round trip less; for a word
// they list as frequent, whole ranges of IDs enough to hold twice the
// matches step 1 wants (the count's cap, and the strong window when its
// share is listed too), as step 1's cost grows with the matches it sorts
// (for a word in every post, countSpan held eight times the cap);
// countSpan otherwise. Whatever the span, what the search finds is the
// same: what step 1 does not find, step 2 or 3 does.
func newestSpan(q search.Query, ls *lexemeStats) int64 {
	if search.Share(q, ls.share)*float64(countSpan) < float64(searchWindow) {
		return 0
	}
	f := search.ShareAtLeast(q, ls.listed)
	if f <= 0 {
		return countSpan
	}
	need := 2 * float64(searchCountCap+1) / f
	if fs := search.ShareAtLeast(q, ls.listedStrong); fs > 0 {
		need = max(need, 2*float64(searchStrongWindow)/fs)
	}
	if need >= float64(countSpan) {
		return countSpan
	}
	ranges := (int64(math.Ceil(need)) + 1<<rangeBits - 1) >> rangeBits
	return max(ranges, 1) << rangeBits
}

// searchPlan, the settings of the search pool's sessions, leaves the
// planner only the indexes' bitmap scans. It prices a tsquery match as one
// cheap operator, so with a LIMIT it prefers to walk posts in order (a
// sequential scan, or the primary key backwards) and test each post's
// tsvector, which is stored out of line and decompressed for every test:
// 2 to 3 seconds for a word in 4 % of 100 000 posts, which the GIN index
// finds in milliseconds. default_transaction_read_only guards the pool
// against any other use.
const searchPlan = `SET enable_seqscan = off; SET enable_indexscan = off; SET default_transaction_read_only = on`

// searchWindow, searchStrongWindow and searchCountCap are the store's
// bounds (store.SearchWindow…); a test makes them small.
var (
	searchWindow       = store.SearchWindow
	searchStrongWindow = store.SearchStrongWindow
	searchCountCap     = store.SearchCountCap
	// countSpan is how many of the newest posts a search looks at first:
	// a word in one post of eight fills the count's cap there, and its
	// window is the newest of those matches.
	countSpan = int64(8 << rangeBits)
)

// A search is asked of the pool in few round trips (each one, on a busy
// machine, is a wait for the server's process and then for ours), with a
// guess of the highest ID and, once the first statements have run, the
// highest ID itself (Search):
//
//  1. at once, among the newest posts (newestSpan): the newest matches up to
//     the cap, the newest strong matches, and each word's count (its idf);
//     skipped for a query the server's statistics say is too rare to
//     fill the window there (a span of 0);
//  2. what the newest posts did not fill, at once, among all: the newest
//     matches up to the cap (or their count alone, when the newest posts
//     held the window already), the strong matches, the words' counts;
//  3. for a frequent word with few strong matches among the newest posts,
//     those in wider ranges (newestMatches);
//  4. the ranking fields of the window's posts that rankDocs lacks;
//  5. the page's posts.
//
// Steps 1 and 2 each send the window's statement and the rest at once, on
// two connections (send).
//
// A word in every post is answered by 1 and 5, and 4 for posts not ranked
// before; a rare one by 1, 2, 4 and 5. Statements are not in one
// transaction: a post saved or deleted meanwhile is at worst counted and
// not ranked, or ranked and not shown.
func searchIn(ctx context.Context, db *pgxpool.Pool, rank *store.RankCache, q store.SearchQuery, parsed search.Query, text string,
	span, guess int64, highest func() (int64, error)) ([]store.SearchHit, int, error) {
	r := newSearchRun(ctx, db, parsed, text)
	r.span = span
	var hi int64
	var err error
	if span > 0 {
		if hi, err = r.newestPosts(guess, highest); err != nil {
			return nil, 0, err
		}
	}
	// Asked of all posts with nothing known yet, allPosts finds what step 1
	// and it would have found together: the newest matches and strong
	// matches are the same wherever they were looked for first.
	if err := r.allPosts(); err != nil || r.total == 0 {
		return nil, 0, err
	}
	if span == 0 {
		if hi, err = highest(); err != nil {
			return nil, 0, err
		}
	}
	r.ids = r.ids[:min(len(r.ids), searchWindow)]
	if !r.strongDone {
		// A frequent word with few strong matches among the newest posts:
		// they are looked for in wider ranges.
		if r.sids, err = newestMatches(ctx, db, r.from, "strong", r.strong, r.sargs, searchStrongWindow, hi, 4*countSpan); err != nil {
			return nil, 0, err
		}
	}
	docs, err := rankDocs(ctx, db, rank, append(r.ids, r.sids...))
	if err != nil {
		return nil, 0, err
	}
	df := r.df
	if len(r.words) == 0 {
		df = nil
	}
	search.NewRanker(parsed, df, int(hi)).Rank(docs, time.Now())
	page := store.PageIDs(docs, q.Offset, q.Limit)
	if len(page) == 0 {
		return nil, r.total, nil
	}
	if q.OnPage != nil {
		q.OnPage(page)
	}
	rows, err := db.Query(ctx, `SELECT `+postColsP+` FROM posts p WHERE p.id = ANY($1)`, page)
	if err != nil {
		return nil, 0, err
	}
	found, err := scanPosts(rows)
	if err != nil {
		return nil, 0, err
	}
	hits, err := store.Highlight(ctx, store.HighlightTerms(parsed), page, found)
	return hits, r.total, err
}

// searchRun is one search's statements and what they found (searchIn).
type searchRun struct {
	ctx context.Context
	db  *pgxpool.Pool
	// from names post_search s, joined to posts p when filters need it;
	// matches and strong are the conditions of a match and of a strong
	// match, with their arguments.
	from, matches, strong string
	args, sargs           []any
	// words are each word's tsquery when the query has several, and df
	// their counts, capped, for idf.
	words []string
	df    []int
	// ids and sids are the newest matches and the newest strong ones;
	// total the count, capped (-1 until known); strongDone whether sids
	// is the strong window.
	ids, sids  []postRev
	total      int
	strongDone bool
	// span is how many of the newest posts step 1 looks among.
	span int64
}

func newSearchRun(ctx context.Context, db *pgxpool.Pool, parsed search.Query, text string) *searchRun {
	r := &searchRun{ctx: ctx, db: db, total: -1}
	filter, args := searchFilters(parsed, []any{text})
	// The matches are found in post_search s (migration 021), whose rows
	// are a few dozen bytes: a filter's conditions are on posts p, joined
	// only then. $1 is the tsquery, the filters' arguments follow it.
	r.from = `post_search s`
	if filter != "" {
		r.from = `post_search s JOIN posts p ON p.id = s.post_id`
	}
	r.matches, r.args = `s.search @@ to_tsquery('simple', $1)`+filter, args
	if len(parsed.Must) > 1 {
		for _, c := range parsed.Must {
			r.words = append(r.words, search.TSQuery(search.Query{Must: []search.Clause{c}, Lang: parsed.Lang}))
		}
	}
	r.df = make([]int, len(r.words))
	// The strong matches (in a title or a lead), which may be older than
	// the window, are found in the index of title and meta. A strong
	// match is a match (migration 021): with nothing to exclude, the
	// strong tsquery alone finds it.
	must := search.TSQuery(search.Query{Must: parsed.Must, Lang: parsed.Lang})
	r.strong, r.sargs = `s.strong @@ to_tsquery('simple', $1)`+filter, append([]any{must}, args[1:]...)
	if len(parsed.Not) > 0 {
		r.sargs = append(slices.Clip(args), must)
		r.strong = r.matches + fmt.Sprintf(` AND s.strong @@ to_tsquery('simple', $%d)`, len(r.sargs))
	}
	return r
}

// limit is both the count's cap and the window: the newest matches give
// either.
func searchLimit() int { return max(searchCountCap+1, searchWindow) }

// inRanges adds to a statement's condition and arguments the ranges of IDs
// (a tsquery of their lexemes, on field) when there are any.
func inRanges(cond string, a []any, field, ranges string) (string, []any) {
	if ranges == "" {
		return cond, a
	}
	a = append(slices.Clip(a), ranges)
	return cond + fmt.Sprintf(` AND s.%s @@ $%d::tsquery`, field, len(a)), a
}

// newest queues the newest matches of cond, up to limit, into ids.
func (r *searchRun) newest(b *pgx.Batch, cond string, a []any, field, ranges string, limit int, ids *[]postRev) {
	cond, a = inRanges(cond, a, field, ranges)
	a = append(a, limit)
	b.Queue(fmt.Sprintf(`SELECT s.post_id, s.rev FROM `+r.from+` WHERE `+cond+` ORDER BY s.post_id DESC LIMIT $%d`, len(a)), a...).
		Query(func(rows pgx.Rows) error {
			var err error
			*ids, err = collectPostRevs(rows)
			return err
		})
}

// collectPostRevs reads rows of post IDs and revisions into two variables:
// pgx.RowToStructByPos reflected on each row, two allocations a row, and
// reading a window of a thousand rows took 0.15–0.2 ms longer
// (BenchmarkCollectPostRevs).
func collectPostRevs(rows pgx.Rows) ([]postRev, error) {
	var out []postRev
	var pr postRev
	_, err := pgx.ForEachRow(rows, []any{&pr.ID, &pr.Rev}, func() error {
		out = append(out, pr)
		return nil
	})
	return out, err
}

// count queues the count of the matches of cond, up to the cap and one
// more, into n.
func (r *searchRun) count(b *pgx.Batch, cond string, a []any, ranges string, n *int) {
	cond, a = inRanges(cond, a, "search", ranges)
	a = append(a, searchCountCap+1)
	b.Queue(fmt.Sprintf(`SELECT count(*) FROM (SELECT FROM `+r.from+` WHERE `+cond+` LIMIT $%d) m`, len(a)), a...).
		QueryRow(func(row pgx.Row) error { return row.Scan(n) })
}

func (r *searchRun) wordArgs(w string) []any { return append([]any{w}, r.args[1:]...) }

// among asks, at once, among the posts of the ranges of IDs lo to top, for
// the newest matches up to the cap, the newest strong ones and each word's
// count. Without ranges (lo not above 0), it asks nothing.
func (r *searchRun) among(lo, top int64) error {
	r.ids, r.sids = nil, nil
	clear(r.df)
	ranges, ok := rangeQuery(lo, top)
	if !ok {
		return nil
	}
	var window, rest pgx.Batch
	r.newest(&window, r.matches, r.args, "search", ranges, searchLimit(), &r.ids)
	r.newest(&rest, r.strong, r.sargs, "strong", ranges, searchStrongWindow, &r.sids)
	for i, w := range r.words {
		r.count(&rest, r.matches, r.wordArgs(w), ranges, &r.df[i])
	}
	return r.send(&window, &rest)
}

// send runs the window's statement and the rest (the strong window, the
// words' counts) at once on two connections, each batch in one round
// trip. The window is most of a search's work in the server; in one batch
// the rest waited behind it, and on a machine whose CPUs the server shares
// with the site, a search's statements took four times as long as alone
// (docs/benchmarks.md).
func (r *searchRun) send(window, rest *pgx.Batch) error {
	run := func(b *pgx.Batch) error {
		if b.Len() == 0 {
			return nil
		}
		return r.db.SendBatch(r.ctx, b).Close()
	}
	done := make(chan error, 1)
	go func() { done <- run(rest) }()
	err := run(window)
	return errors.Join(err, <-done)
}

// newestPosts asks among the newest posts, from r.span below the
// guessed highest ID to a range of IDs past it, which holds the posts
// saved since it was read; should more have been saved, it asks again.
// It returns the highest ID.
func (r *searchRun) newestPosts(guess int64, highest func() (int64, error)) (int64, error) {
	hi, exact := guess, guess == 0
	if exact {
		var err error
		if hi, err = highest(); err != nil {
			return 0, err
		}
	}
	top := hi
	if !exact {
		top += 1 << rangeBits
	}
	if err := r.among(hi-r.span, top); err != nil {
		return 0, err
	}
	if !exact {
		var err error
		if hi, err = highest(); err != nil {
			return 0, err
		}
		if hi > top {
			if err := r.among(hi-r.span, hi); err != nil {
				return 0, err
			}
		}
	}
	if len(r.ids) > searchCountCap {
		r.total = searchCountCap + 1
	}
	r.strongDone = len(r.sids) == searchStrongWindow
	return hi, nil
}

// allPosts asks, at once, among all posts what the newest did not give:
// the window and the count, the words' counts, and, for a word that is not
// frequent (fewer matches than the cap among the newest posts), the strong
// window.
func (r *searchRun) allPosts() error {
	var window, rest pgx.Batch
	switch {
	case len(r.ids) < searchWindow:
		r.ids = nil
		r.newest(&window, r.matches, r.args, "search", "", searchLimit(), &r.ids)
	case r.total < 0:
		r.count(&window, r.matches, r.args, "", &r.total)
	}
	for i, w := range r.words {
		if r.df[i] <= searchCountCap {
			r.count(&rest, r.matches, r.wordArgs(w), "", &r.df[i])
		}
	}
	if r.total < 0 && !r.strongDone {
		r.sids = nil
		r.newest(&rest, r.strong, r.sargs, "strong", "", searchStrongWindow, &r.sids)
		r.strongDone = true
	}
	if err := r.send(&window, &rest); err != nil {
		return err
	}
	if r.total < 0 {
		r.total = min(len(r.ids), searchCountCap+1)
	}
	return nil
}

// postRev is a post's ID and the revision of its ranking fields
// (post_search.rev, migration 022).
type postRev = store.PostRev

// rankRows reads posts' ranking fields with their revision; a condition
// on r.post_id follows. post_rank and post_search are written in the same
// transaction (their triggers), so one statement reads fields and revision
// alike. head holds search.BodyScanBytes of the body already; cutting it
// again with left() counted its characters.
const rankRows = `SELECT r.post_id, s.rev, r.title, r.meta, r.head, r.body_bytes, r.published
	FROM post_rank r JOIN post_search s ON s.post_id = r.post_id `

// scanRank hands each row of a rankRows statement to keep, until keep
// returns false.
func scanRank(rows pgx.Rows, keep func(rev int64, d search.Doc) bool) error {
	defer rows.Close()
	var d search.Doc
	var rev int64
	for rows.Next() {
		if err := rows.Scan(&d.ID, &rev, &d.Title, &d.Meta, &d.Body, &d.BodyBytes, &d.Published); err != nil {
			return err
		}
		if !keep(rev, d) {
			return nil
		}
	}
	return rows.Err()
}

// warmRank reads a batch of the newest posts' ranking fields for the rank
// cache (store.RankCache.Warm), newest first, on the main pool: a range of
// the primary key, walked backwards.
func (s *Store) warmRank(ctx context.Context, before int64, keep func(rev int64, d search.Doc) bool) error {
	rows, err := s.pool.Query(ctx, rankRows+`WHERE r.post_id < $1 ORDER BY r.post_id DESC LIMIT $2`, before, store.WarmBatch)
	if err != nil {
		return err
	}
	return scanRank(rows, keep)
}

// SetRankCacheBytes bounds the ranking fields the Store keeps for
// searches (store.RankCache) at n bytes, 0 for none. Call it before the
// first search.
func (s *Store) SetRankCacheBytes(n int) {
	s.rank.Close()
	s.rank = store.NewRankCache(n)
}

// rankDocs returns the ranking fields of the posts of want (a post may be
// named twice), from rankCache where it holds them under the same
// revision, the rest read from post_rank with their revision. A post
// deleted meanwhile is left out.
func rankDocs(ctx context.Context, db *pgxpool.Pool, cache *store.RankCache, want []postRev) ([]search.Doc, error) {
	docs, miss := cache.Split(want)
	if len(miss) == 0 {
		return docs, nil
	}
	rows, err := db.Query(ctx, rankRows+`WHERE r.post_id = ANY($1)`, miss)
	if err != nil {
		return nil, err
	}
	err = scanRank(rows, func(rev int64, d search.Doc) bool {
		cache.Put(rev, d)
		docs = append(docs, d)
		return true
	})
	return docs, err
}

// newestMatches returns the IDs of the newest want posts where cond (over
// from, which names post_search s, with args; the tsquery on s.search or
// s.strong, named by field, is the last of args) holds. With a span of 0
// it asks for them among all the matches. Otherwise they are looked for
// among the newest span posts first, in ranges of IDs that grow fourfold
// until they hold want: the newest few hundred of thousands of matches lie
// among the newest few thousand posts. The ranges are asked of the index,
// as the lexemes of their IDs (rangeQuery) ANDed to the tsquery: a
// condition on the ID would be tested on each post of the range, and the
// planner would then test the tsquery on the same rows, reading each one's
// tsvector.
func newestMatches(ctx context.Context, db *pgxpool.Pool, from, field, cond string, args []any, want int, hi, span int64) ([]postRev, error) {
	n := len(args)
	in := func(ranges string) ([]postRev, error) {
		q := fmt.Sprintf(`SELECT s.post_id, s.rev FROM `+from+` WHERE `+cond+` ORDER BY s.post_id DESC LIMIT $%d`, n+1)
		a := append(slices.Clip(args), want)
		if ranges != "" {
			q = fmt.Sprintf(`SELECT s.post_id, s.rev FROM `+from+` WHERE `+cond+` AND s.%s @@ $%d::tsquery ORDER BY s.post_id DESC LIMIT $%d`, field, n+1, n+2)
			a = append(slices.Clip(args), ranges, want)
		}
		rows, err := db.Query(ctx, q, a...)
		if err != nil {
			return nil, err
		}
		return collectPostRevs(rows)
	}
	for ; span > 0; span *= 4 {
		ranges, ok := rangeQuery(hi-span, hi)
		if !ok {
			break
		}
		ids, err := in(ranges)
		if err != nil || len(ids) == want {
			return ids, err
		}
	}
	return in("")
}

// rangeBits is the width of a range of IDs, as a power of two: post_search
// holds the lexeme '#N' of each post's range, N = id >> rangeBits
// (migration 021).
const rangeBits = 10

// maxRanges bounds the lexemes of a range query; a range wider than that
// is asked as every match.
const maxRanges = 64

// rangeQuery returns the tsquery of the ranges of IDs lo to hi, and false
// when lo is not above 0 or the ranges are more than maxRanges.
func rangeQuery(lo, hi int64) (string, bool) {
	if lo <= 0 || hi>>rangeBits-lo>>rangeBits >= maxRanges {
		return "", false
	}
	var b strings.Builder
	for r := lo >> rangeBits; r <= hi>>rangeBits; r++ {
		if b.Len() > 0 {
			b.WriteString(" | ")
		}
		fmt.Fprintf(&b, "'#%d'", r)
	}
	return b.String(), true
}

func wrapSearch(q store.SearchQuery, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("search %q: %w", q.Text, err)
}

// searchFiltered lists the posts a query of filters alone selects (less
// those its exclusions find), newest first.
func (s *Store) searchFiltered(ctx context.Context, q store.SearchQuery, parsed search.Query) ([]store.SearchHit, int, error) {
	filter, args := searchFilters(parsed, nil)
	for _, x := range parsed.Exclusions() {
		args = append(args, search.TSQuery(x))
		filter += fmt.Sprintf(` AND NOT EXISTS (SELECT 1 FROM post_search s WHERE s.post_id = p.id AND s.search @@ to_tsquery('simple', $%d))`, len(args))
	}
	var total int
	if err := s.pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM posts p WHERE true`+filter+` LIMIT $%d) m`, len(args)+1),
		append(args, store.SearchCountCap+1)...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if total == 0 {
		return nil, 0, nil
	}
	var limit any
	if q.Limit > 0 {
		limit = q.Limit
	}
	args = append(args, limit, max(q.Offset, 0))
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT `+postColsP+` FROM posts p WHERE true`+filter+`
		ORDER BY p.published DESC, p.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	posts, err := scanPosts(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	ids := make([]int64, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	hits, err := store.Highlight(ctx, nil, ids, posts)
	return hits, total, err
}

const kindOrder = `CASE kind WHEN 'feed' THEN 0 WHEN 'topic' THEN 1 WHEN 'publisher' THEN 2 ELSE 3 END`

func scanLabels(rows pgx.Rows) ([]model.Label, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Label, error) {
		var l model.Label
		err := r.Scan(&l.Kind, &l.Name, &l.Count)
		return l, err
	})
}

// PostLabels lists one post's labels.
func (s *Store) PostLabels(ctx context.Context, postID int64) ([]model.Label, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, name, 0 FROM post_labels WHERE post_id = $1
		ORDER BY `+kindOrder+`, name COLLATE "C"`, postID)
	if err != nil {
		return nil, err
	}
	return scanLabels(rows)
}

// PostsLabels lists the labels of each post given.
func (s *Store) PostsLabels(ctx context.Context, postIDs []int64) (map[int64][]model.Label, error) {
	out := make(map[int64][]model.Label, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT post_id, kind, name FROM post_labels WHERE post_id = ANY($1)
		ORDER BY post_id, `+kindOrder+`, name COLLATE "C"`, postIDs)
	if err != nil {
		return nil, err
	}
	var id int64
	var l model.Label
	_, err = pgx.ForEachRow(rows, []any{&id, &l.Kind, &l.Name}, func() error {
		out[id] = append(out[id], l)
		return nil
	})
	return out, err
}

// Labels lists labels with their post counts, most used first. Names sort
// byte-wise, as in SQLite, whatever the database's collation.
func (s *Store) Labels(ctx context.Context, kind string, limit int) ([]model.Label, error) {
	if !storable(kind) {
		return nil, nil
	}
	var l any
	if limit > 0 {
		l = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT kind, name, count(*)::int FROM post_labels
		WHERE $1 = '' OR kind = $1 GROUP BY kind, name
		ORDER BY count(*) DESC, name COLLATE "C", `+kindOrder+` LIMIT $2`, kind, l)
	if err != nil {
		return nil, err
	}
	return scanLabels(rows)
}

// ArchiveMonths lists the months that have posts, newest first.
func (s *Store) ArchiveMonths(ctx context.Context) ([]store.MonthCount, error) {
	rows, err := s.pool.Query(ctx, `SELECT year, month, count(*)::int FROM posts
		GROUP BY year, month ORDER BY year DESC, month DESC`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.MonthCount, error) {
		var m store.MonthCount
		err := r.Scan(&m.Year, &m.Month, &m.Count)
		return m, err
	})
}

// affected turns an UPDATE or DELETE that touched no row into ErrNotFound.
func affected(n int64, err error, what string) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

func (s *Store) exec(ctx context.Context, what, sql string, args ...any) error {
	tag, err := s.pool.Exec(ctx, sql, args...)
	return affected(tag.RowsAffected(), err, what)
}

// SetFeedPaused pauses or resumes a feed.
func (s *Store) SetFeedPaused(ctx context.Context, feedID int64, paused bool) error {
	return s.exec(ctx, fmt.Sprintf("feed %d", feedID), `UPDATE feeds SET paused = $1 WHERE id = $2`, paused, feedID)
}

// FeedOptions returns a feed's display options.
func (s *Store) FeedOptions(ctx context.Context, feedID int64) (model.FeedOptions, error) {
	o := model.FeedOptions{FeedID: feedID}
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(o.topic, ''), COALESCE(o.excerpt, false)
		FROM feeds f LEFT JOIN feed_options o ON o.feed_id = f.id WHERE f.id = $1`, feedID).Scan(&o.Topic, &o.Excerpt)
	return o, notFound(err, fmt.Sprintf("feed %d", feedID))
}

// SetFeedOptions stores a feed's display options.
func (s *Store) SetFeedOptions(ctx context.Context, o model.FeedOptions) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO feed_options (feed_id, topic, excerpt) VALUES ($1, $2, $3)
		ON CONFLICT (feed_id) DO UPDATE SET topic = excluded.topic, excerpt = excluded.excerpt`,
		o.FeedID, o.Topic, o.Excerpt)
	if pgCode(err) == codeForeignKeyViolation {
		return fmt.Errorf("feed %d: %w", o.FeedID, store.ErrNotFound)
	}
	return err
}

// Settings returns every stored setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var k, v string
	_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error {
		out[k] = v
		return nil
	})
	return out, err
}

// SetSetting stores one setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Comment returns one comment.
func (s *Store) Comment(ctx context.Context, id int64) (*model.Comment, error) {
	c, err := sqlshared.ScanComment(s.pool.QueryRow(ctx, `SELECT `+sqlshared.CommentCols+` FROM comments WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("comment %d", id))
	}
	return c, nil
}

// AddCommentBy stores a comment with its commenter's key.
func (s *Store) AddCommentBy(ctx context.Context, c *model.Comment, commenter string) error {
	if err := s.AddComment(ctx, c); err != nil {
		return err
	}
	if commenter == "" {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE comments SET commenter = $1 WHERE id = $2`, commenter, c.ID)
	return err
}

// KnownCommenter reports whether a comment by this key was ever approved.
func (s *Store) KnownCommenter(ctx context.Context, commenter string) (bool, error) {
	if commenter == "" {
		return false, nil
	}
	var known bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM comments WHERE commenter = $1 AND status = $2)`,
		commenter, model.CommentApproved).Scan(&known)
	return known, err
}

func commentWhere(q store.CommentQuery) (string, []any) {
	if !storable(q.Status) {
		return `false`, nil
	}
	var conds []string
	var args []any
	if q.PostID != 0 {
		args = append(args, q.PostID)
		conds = append(conds, `post_id = $`+strconv.Itoa(len(args)))
	}
	if q.Status != "" {
		args = append(args, q.Status)
		conds = append(conds, `status = $`+strconv.Itoa(len(args)))
	}
	if len(conds) == 0 {
		return `true`, nil
	}
	return strings.Join(conds, ` AND `), args
}

// ListComments lists the comments q selects, newest first.
func (s *Store) ListComments(ctx context.Context, q store.CommentQuery) ([]model.Comment, error) {
	where, args := commentWhere(q)
	lim, args := limitOffset(args, q.Limit, q.Offset)
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.CommentCols+` FROM comments WHERE `+where+
		` ORDER BY created_at DESC, id DESC`+lim, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Comment, error) { return sqlshared.Value(sqlshared.ScanComment(r)) })
}

// CountComments counts the comments q selects.
func (s *Store) CountComments(ctx context.Context, q store.CommentQuery) (int, error) {
	where, args := commentWhere(q)
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM comments WHERE `+where, args...).Scan(&n)
	return n, err
}

// CommentCounts counts the approved comments of each post given.
func (s *Store) CommentCounts(ctx context.Context, postIDs []int64) (map[int64]int, error) {
	out := make(map[int64]int, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT post_id, count(*)::int FROM comments
		WHERE status = $1 AND post_id = ANY($2) GROUP BY post_id`, model.CommentApproved, postIDs)
	if err != nil {
		return nil, err
	}
	var id int64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		out[id] = n
		return nil
	})
	return out, err
}

// SetCommentStatus approves a comment, marks it spam or holds it again.
func (s *Store) SetCommentStatus(ctx context.Context, id int64, status string) error {
	switch status {
	case model.CommentPending, model.CommentApproved, model.CommentSpam:
	default:
		return fmt.Errorf("comment %d: unknown status %q", id, status)
	}
	return s.exec(ctx, fmt.Sprintf("comment %d", id), `UPDATE comments SET status = $1 WHERE id = $2`, status, id)
}

// DeleteComment removes a comment; its replies go with it.
func (s *Store) DeleteComment(ctx context.Context, id int64) error {
	return s.exec(ctx, fmt.Sprintf("comment %d", id), `DELETE FROM comments WHERE id = $1`, id)
}

// CreateUser stores a new user.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id`,
		u.Name, u.PasswordHash, u.CreatedAt.UTC()).Scan(&u.ID)
	if isUnique(err) {
		return fmt.Errorf("user %q: %w", u.Name, store.ErrExists)
	}
	return err
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (*model.User, error) {
	u, err := sqlshared.ScanUser(s.pool.QueryRow(ctx, `SELECT `+sqlshared.UserCols+` FROM users WHERE id = $1`, id))
	return u, notFound(err, fmt.Sprintf("user %d", id))
}

// UserByName finds a user by name.
func (s *Store) UserByName(ctx context.Context, name string) (*model.User, error) {
	if !storable(name) {
		return nil, fmt.Errorf("user %q: %w", name, store.ErrNotFound)
	}
	u, err := sqlshared.ScanUser(s.pool.QueryRow(ctx, `SELECT `+sqlshared.UserCols+` FROM users WHERE name = $1`, name))
	return u, notFound(err, fmt.Sprintf("user %q", name))
}

// SetPassword replaces a user's password hash, ends the user's sessions and
// API tokens and forgets the counted sign-in attempts of the user's name,
// in one transaction.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
		if err := affected(tag.RowsAffected(), err, fmt.Sprintf("user %d", userID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE name = (SELECT name FROM users WHERE id = $1)`, userID); err != nil {
			return err
		}
		return revokeAccess(ctx, tx, userID)
	})
}

// RevokeAccess ends every session and API token of the user.
func (s *Store) RevokeAccess(ctx context.Context, userID int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		// The user's row is locked, so a password change cannot interleave.
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&id)
		if err != nil {
			return notFound(err, fmt.Sprintf("user %d", userID))
		}
		return revokeAccess(ctx, tx, userID)
	})
}

func revokeAccess(ctx context.Context, tx pgx.Tx, userID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, userID)
	return err
}

// LoginAttempt counts an attempt to sign in as name; see store.SiteStore.
// The name's row is made if missing and then locked (FOR UPDATE), so
// attempts sent to several processes at once are counted one after the
// other, each seeing the lock the one before it set.
func (s *Store) LoginAttempt(ctx context.Context, name string, now time.Time, p store.LoginThrottle) (time.Time, error) {
	var lockedUntil time.Time
	err := s.tx(ctx, func(tx pgx.Tx) error {
		lockedUntil = time.Time{}
		if p.Forget > 0 {
			// Rows another attempt holds are skipped, not waited for: two
			// attempts pruning at once can neither block nor deadlock.
			if _, err := tx.Exec(ctx, `DELETE FROM login_attempts WHERE name IN (
				SELECT name FROM login_attempts WHERE last_at <= $1 AND name <> $2 LIMIT 1000 FOR UPDATE SKIP LOCKED)`,
				now.Add(-p.Forget).UTC(), name); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO login_attempts (name, attempts, last_at) VALUES ($1, 0, $2)
			ON CONFLICT (name) DO NOTHING`, name, now.UTC()); err != nil {
			return err
		}
		var attempts int
		var last, locked pgtype.Timestamptz
		if err := tx.QueryRow(ctx, `SELECT attempts, last_at, locked_until FROM login_attempts WHERE name = $1 FOR UPDATE`, name).
			Scan(&attempts, &last, &locked); err != nil {
			return err
		}
		if until := timeOf(locked); until.After(now) {
			lockedUntil = until
			return nil
		}
		if p.Forget > 0 && !timeOf(last).After(now.Add(-p.Forget)) {
			attempts = 0
		}
		attempts++
		var until any
		if d := p.LockFor(attempts); d > 0 {
			until = now.Add(d).UTC()
		}
		_, err := tx.Exec(ctx, `UPDATE login_attempts SET attempts = $2, last_at = $3, locked_until = $4 WHERE name = $1`,
			name, attempts, now.UTC(), until)
		return err
	})
	return lockedUntil, err
}

// LoginSucceeded forgets the counted attempts of name.
func (s *Store) LoginSucceeded(ctx context.Context, name string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM login_attempts WHERE name = $1`, name)
	return err
}

// CountUsers counts the users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// CreateSession stores a session and forgets expired ones.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = time.Now().UTC()
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, sess.CreatedAt.UTC()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			sess.TokenHash, sess.UserID, sess.CreatedAt.UTC(), sess.ExpiresAt.UTC())
		if pgCode(err) == codeForeignKeyViolation {
			return fmt.Errorf("session of user %d: %w", sess.UserID, store.ErrNotFound)
		}
		return err
	})
}

// Session finds a live session.
func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (*model.Session, error) {
	var sess model.Session
	var created, expires pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `SELECT token_hash, user_id, created_at, expires_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, now.UTC()).Scan(&sess.TokenHash, &sess.UserID, &created, &expires)
	if err != nil {
		return nil, notFound(err, "session")
	}
	sess.CreatedAt, sess.ExpiresAt = timeOf(created), timeOf(expires)
	return &sess, nil
}

// DeleteSession ends a session; ending one that is gone is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// CreateToken stores an API token.
func (s *Store) CreateToken(ctx context.Context, t *model.APIToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now().UTC()
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.UserID, t.Name, t.TokenHash, t.CreatedAt.UTC()).Scan(&t.ID)
	switch {
	case isUnique(err):
		return fmt.Errorf("token: %w", store.ErrExists)
	case pgCode(err) == codeForeignKeyViolation:
		return fmt.Errorf("token of user %d: %w", t.UserID, store.ErrNotFound)
	}
	return err
}

// TokenByHash finds a token and records its use.
func (s *Store) TokenByHash(ctx context.Context, hash string, now time.Time) (*model.APIToken, error) {
	t, err := sqlshared.ScanToken(s.pool.QueryRow(ctx, `UPDATE api_tokens SET last_used = $1 WHERE token_hash = $2 RETURNING `+sqlshared.TokenCols,
		now.UTC(), hash))
	if err != nil {
		return nil, notFound(err, "token")
	}
	return t, nil
}

// Tokens lists every API token, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]model.APIToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlshared.TokenCols+` FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.APIToken, error) { return sqlshared.Value(sqlshared.ScanToken(r)) })
}

// DeleteToken revokes a token.
func (s *Store) DeleteToken(ctx context.Context, id int64) error {
	return s.exec(ctx, fmt.Sprintf("token %d", id), `DELETE FROM api_tokens WHERE id = $1`, id)
}

// SiteGeneration reads the counter the triggers of migration 016 keep.
func (s *Store) SiteGeneration(ctx context.Context) (int64, time.Time, error) {
	var gen int64
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT gen, changed_at FROM site_generation WHERE id = 1`).Scan(&gen, &at)
	return gen, at, err
}
