package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/search"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// postColsP is sqlshared.PostCols for queries that join posts as p.
const postColsP = `p.id, COALESCE(p.feed_id, 0), COALESCE(p.item_id, 0), p.slug, p.title, p.author,
	p.publisher, p.source_url, p.amp_url, p.item_link, p.article_id, p.published, p.language,
	p.image, p.description, p.body, p.content_hash, p.created_at, p.truncated`

// listWhere builds the filter of a listing. A label's page walks the label
// index in date order; a post that carries one name under two kinds (a
// feed titled like its publisher) is listed once, under the first kind.
func listWhere(q store.ListQuery) (from, where string, args []any) {
	switch {
	case q.Label != "":
		return `post_labels l JOIN posts p ON p.id = l.post_id`,
			`l.name = ? AND NOT EXISTS (SELECT 1 FROM post_labels l2
				WHERE l2.post_id = l.post_id AND l2.name = l.name AND l2.kind < l.kind)`,
			[]any{q.Label}
	case len(q.Publishers) > 0:
		in, args := inList(nil, q.Publishers)
		return `posts p`, `p.publisher IN ` + in, args
	case q.Publisher != "":
		return `posts p`, `p.publisher = ?`, []any{q.Publisher}
	case q.Year != 0 && q.Month != 0:
		return `posts p`, `p.year = ? AND p.month = ?`, []any{q.Year, q.Month}
	case q.Year != 0:
		return `posts p`, `p.year = ?`, []any{q.Year}
	}
	return `posts p`, `1`, nil
}

// ListPosts lists the posts q selects, newest first.
func (s *Store) ListPosts(ctx context.Context, q store.ListQuery) ([]model.Post, error) {
	from, where, args := listWhere(q)
	order := `p.published DESC, p.id DESC`
	if q.Label != "" {
		order = `l.published DESC, l.post_id DESC`
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+postColsP+` FROM `+from+` WHERE `+where+
		` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, err
	}
	return collectPosts(rows)
}

func collectPosts(rows *sql.Rows) ([]model.Post, error) {
	return collect(rows, nil, sqlshared.ScanPost)
}

// CountListPosts counts the posts q selects.
func (s *Store) CountListPosts(ctx context.Context, q store.ListQuery) (int, error) {
	var n int
	var err error
	if q.Label != "" {
		err = s.r.QueryRowContext(ctx, `SELECT count(DISTINCT post_id) FROM post_labels WHERE name = ?`, q.Label).Scan(&n)
	} else {
		from, where, args := listWhere(q)
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+from+` WHERE `+where, args...).Scan(&n)
	}
	return n, err
}

// searchWindow, searchStrongWindow and searchCountCap are the store's
// bounds (store.SearchWindow…); a test makes them small.
var (
	searchWindow       = store.SearchWindow
	searchStrongWindow = store.SearchStrongWindow
	searchCountCap     = store.SearchCountCap
)

// Search finds posts with FTS5 and ranks the newest searchWindow matches
// in Go (search.Ranker), as the PostgreSQL store does. FTS5's own bm25()
// and an exact count(*) are not used: each walks every post a word occurs
// in, 150 ms for a word of most posts at 100 000, where the window and a
// count capped at searchCountCap cost the same for any word. Titles and
// snippets are highlighted in Go from a bounded part of the text
// (store.Highlighter).
//
// A reader who leaves ends ctx, and the driver interrupts a statement
// while it makes its first row only. Each statement here does its work
// before its first row (the capped count, the window's sort by rowid) and
// its later rows are lookups by ID; the Go part checks ctx between hits.
func (s *Store) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, int, error) {
	parsed := search.Parse(q.Text)
	match := search.FTS5(parsed)
	filter, fargs := searchFilters(parsed)
	s.rank.Warm(s.warmRank)
	if match == "" {
		if !parsed.Filtered() {
			return nil, 0, nil
		}
		return s.searchFiltered(ctx, q, parsed, filter, fargs)
	}
	// Without filters the matches are counted and windowed in the index
	// alone: joining posts for each match of a common word costs seconds.
	from := `posts_fts f JOIN posts p ON p.id = f.rowid`
	if filter == "" {
		from = `posts_fts f`
	}
	matches := func(match string) (string, []any) {
		return `SELECT f.rowid FROM ` + from + ` WHERE posts_fts MATCH ?` + filter, append([]any{match}, fargs...)
	}
	total, err := s.countUpTo(ctx, searchCountCap, match, matches)
	if err != nil || total == 0 {
		return nil, 0, wrapSearch(q, err)
	}
	r, err := s.ranker(ctx, parsed, matches)
	if err != nil {
		return nil, 0, wrapSearch(q, err)
	}
	// The window: the newest matches, and the newest strong ones (in a
	// title or a lead), which may be older.
	newest, args := matches(match)
	strong, sargs := matches(search.FTS5Strong(parsed))
	args = append(append(args, searchWindow), sargs...)
	// The window's IDs come with the revisions of their ranking fields
	// (post_rev, migration 023), and only the fields this process does
	// not hold under them are read (rankDocs).
	rows, err := s.r.QueryContext(ctx, `SELECT m.rowid, v.rev
		FROM (SELECT * FROM (`+newest+` ORDER BY f.rowid DESC LIMIT ?)
			UNION SELECT * FROM (`+strong+` ORDER BY f.rowid DESC LIMIT ?)) m
		JOIN post_rev v ON v.post_id = m.rowid`, append(args, searchStrongWindow)...)
	want, err := collect(rows, err, func(rows scanner) (*store.PostRev, error) {
		var w store.PostRev
		return &w, rows.Scan(&w.ID, &w.Rev)
	})
	if err != nil {
		return nil, 0, wrapSearch(q, err)
	}
	docs, err := s.rankDocs(ctx, want)
	if err != nil {
		return nil, 0, wrapSearch(q, err)
	}
	r.Rank(docs, time.Now())
	ids := store.PageIDs(docs, q.Offset, q.Limit)
	if len(ids) == 0 {
		return nil, total, nil
	}
	if q.OnPage != nil {
		q.OnPage(ids)
	}
	in, args := inList(nil, ids)
	rows, err = s.r.QueryContext(ctx, `SELECT `+postColsP+` FROM posts p WHERE p.id IN `+in, args...)
	if err != nil {
		return nil, 0, wrapSearch(q, err)
	}
	posts, err := collectPosts(rows)
	if err != nil {
		return nil, 0, wrapSearch(q, err)
	}
	hits, err := store.Highlight(ctx, store.HighlightTerms(parsed), ids, posts)
	return hits, total, err
}

// rankRows reads posts' ranking fields with their revision; a condition
// on r.post_id follows. post_rank is what ranking reads of a post
// (migration 018: read from posts, each row would cost a walk through the
// post's body); head holds search.BodyScanBytes of the body already, read
// as it is: substr() would count its characters again. post_rank and
// post_rev are written by the same triggers, so one statement reads fields
// and revision alike.
const rankRows = `SELECT r.post_id, v.rev, r.title, r.meta, r.head, r.body_bytes, r.published
	FROM post_rank r JOIN post_rev v ON v.post_id = r.post_id `

// scanRank hands each row of a rankRows statement to keep, until keep
// returns false.
func scanRank(rows *sql.Rows, keep func(rev int64, d search.Doc) bool) error {
	defer rows.Close()
	var d search.Doc
	var rev int64
	var published string
	for rows.Next() {
		if err := rows.Scan(&d.ID, &rev, &d.Title, &d.Meta, &d.Body, &d.BodyBytes, &published); err != nil {
			return err
		}
		d.Published = parseTime(published)
		if !keep(rev, d) {
			return nil
		}
	}
	return rows.Err()
}

// warmRank reads a batch of the newest posts' ranking fields for the rank
// cache (store.RankCache.Warm), newest first.
func (s *Store) warmRank(ctx context.Context, before int64, keep func(rev int64, d search.Doc) bool) error {
	rows, err := s.r.QueryContext(ctx, rankRows+`WHERE r.post_id < ? ORDER BY r.post_id DESC LIMIT ?`, before, store.WarmBatch)
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

// rankDocs returns the ranking fields of the posts of want, from the
// process's cache where it holds them under the same revision, the rest
// read from post_rank. A post deleted meanwhile is left out.
func (s *Store) rankDocs(ctx context.Context, want []store.PostRev) ([]search.Doc, error) {
	docs, miss := s.rank.Split(want)
	if len(miss) == 0 {
		return docs, nil
	}
	in, args := inList(nil, miss)
	rows, err := s.r.QueryContext(ctx, rankRows+`WHERE r.post_id IN `+in, args...)
	if err != nil {
		return nil, err
	}
	err = scanRank(rows, func(rev int64, d search.Doc) bool {
		s.rank.Put(rev, d)
		docs = append(docs, d)
		return true
	})
	return docs, err
}

// countUpTo counts the posts match finds, up to limit; more count as
// limit+1.
func (s *Store) countUpTo(ctx context.Context, limit int, match string, matches func(string) (string, []any)) (int, error) {
	sub, args := matches(match)
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (`+sub+` LIMIT ?)`, append(args, limit+1)...).Scan(&n)
	return n, err
}

// ranker weighs a query of several clauses by how many posts each finds
// (counted up to searchCountCap); one clause needs no weight.
func (s *Store) ranker(ctx context.Context, q search.Query, matches func(string) (string, []any)) (*search.Ranker, error) {
	if len(q.Must) < 2 {
		return search.NewRanker(q, nil, 0), nil
	}
	// The highest ID stands for the number of posts (deleted ones aside):
	// count(*) would read every row for a figure idf takes the log of.
	var posts int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM posts`).Scan(&posts); err != nil {
		return nil, err
	}
	df := make([]int, len(q.Must))
	for i, c := range q.Must {
		n, err := s.countUpTo(ctx, searchCountCap, search.FTS5(search.Query{Must: []search.Clause{c}, Lang: q.Lang}), matches)
		if err != nil {
			return nil, err
		}
		df[i] = n
	}
	return search.NewRanker(q, df, posts), nil
}

func wrapSearch(q store.SearchQuery, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("search %q: %w", q.Text, err)
}

// searchFiltered lists the posts a query of filters alone selects (less
// those its exclusions find), newest first.
func (s *Store) searchFiltered(ctx context.Context, q store.SearchQuery, parsed search.Query, filter string, args []any) ([]store.SearchHit, int, error) {
	for _, x := range parsed.Exclusions() {
		filter += ` AND p.id NOT IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)`
		args = append(args, search.FTS5(x))
	}
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM posts p WHERE 1`+filter+` LIMIT ?)`,
		append(args, searchCountCap+1)...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if total == 0 {
		return nil, 0, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+postColsP+` FROM posts p WHERE 1`+filter+`
		ORDER BY p.published DESC, p.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w", q.Text, err)
	}
	posts, err := collectPosts(rows)
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

// searchFilters returns the WHERE conditions (each starting with AND, over
// posts p) of a query's filters and their arguments.
func searchFilters(q search.Query) (string, []any) {
	var b strings.Builder
	var args []any
	if q.Publisher != "" {
		b.WriteString(` AND p.publisher = ? COLLATE NOCASE`)
		args = append(args, q.Publisher)
	}
	if q.Label != "" {
		b.WriteString(` AND EXISTS (SELECT 1 FROM post_labels l WHERE l.post_id = p.id AND l.name = ? COLLATE NOCASE)`)
		args = append(args, q.Label)
	}
	if q.Lang != "" {
		b.WriteString(` AND (lower(p.language) = ? OR lower(p.language) LIKE ? ESCAPE '\')`)
		args = append(args, q.Lang, likeEscape(q.Lang)+"-%")
	}
	if !q.After.IsZero() {
		b.WriteString(` AND p.published >= ?`)
		args = append(args, fmtTime(q.After))
	}
	if !q.Before.IsZero() {
		b.WriteString(` AND p.published < ?`)
		args = append(args, fmtTime(q.Before))
	}
	return b.String(), args
}

// kindOrder sorts a post's labels: feed, topic, publisher, language.
const kindOrder = `CASE kind WHEN 'feed' THEN 0 WHEN 'topic' THEN 1 WHEN 'publisher' THEN 2 ELSE 3 END`

// PostLabels lists one post's labels.
func (s *Store) PostLabels(ctx context.Context, postID int64) ([]model.Label, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, name, 0 FROM post_labels WHERE post_id = ?
		ORDER BY `+kindOrder+`, name`, postID)
	if err != nil {
		return nil, err
	}
	return collectLabels(rows)
}

// PostsLabels lists the labels of each post given.
func (s *Store) PostsLabels(ctx context.Context, postIDs []int64) (map[int64][]model.Label, error) {
	out := make(map[int64][]model.Label, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	in, args := inList(nil, postIDs)
	rows, err := s.r.QueryContext(ctx, `SELECT post_id, kind, name FROM post_labels WHERE post_id IN `+in+`
		ORDER BY post_id, `+kindOrder+`, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l model.Label
		if err := rows.Scan(&id, &l.Kind, &l.Name); err != nil {
			return nil, err
		}
		out[id] = append(out[id], l)
	}
	return out, rows.Err()
}

// Labels lists labels with their post counts, most used first.
func (s *Store) Labels(ctx context.Context, kind string, limit int) ([]model.Label, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, `SELECT kind, name, count(*) FROM post_labels
		WHERE ? = '' OR kind = ? GROUP BY kind, name ORDER BY count(*) DESC, name, `+kindOrder+` LIMIT ?`,
		kind, kind, limit)
	if err != nil {
		return nil, err
	}
	return collectLabels(rows)
}

func collectLabels(rows *sql.Rows) ([]model.Label, error) {
	defer rows.Close()
	var out []model.Label
	for rows.Next() {
		var l model.Label
		if err := rows.Scan(&l.Kind, &l.Name, &l.Count); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ArchiveMonths lists the months that have posts, newest first.
func (s *Store) ArchiveMonths(ctx context.Context) ([]store.MonthCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT year, month, count(*) FROM posts
		GROUP BY year, month ORDER BY year DESC, month DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.MonthCount
	for rows.Next() {
		var m store.MonthCount
		if err := rows.Scan(&m.Year, &m.Month, &m.Count); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetFeedPaused pauses or resumes a feed.
func (s *Store) SetFeedPaused(ctx context.Context, feedID int64, paused bool) error {
	res, err := s.w.ExecContext(ctx, `UPDATE feeds SET paused = ? WHERE id = ?`, paused, feedID)
	return affected(res, err, fmt.Sprintf("feed %d", feedID))
}

// FeedOptions returns a feed's display options.
func (s *Store) FeedOptions(ctx context.Context, feedID int64) (model.FeedOptions, error) {
	o := model.FeedOptions{FeedID: feedID}
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(o.topic, ''), COALESCE(o.excerpt, 0)
		FROM feeds f LEFT JOIN feed_options o ON o.feed_id = f.id WHERE f.id = ?`, feedID).Scan(&o.Topic, &o.Excerpt)
	return o, notFound(err, fmt.Sprintf("feed %d", feedID))
}

// SetFeedOptions stores a feed's display options.
func (s *Store) SetFeedOptions(ctx context.Context, o model.FeedOptions) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO feed_options (feed_id, topic, excerpt) VALUES (?, ?, ?)
		ON CONFLICT (feed_id) DO UPDATE SET topic = excluded.topic, excerpt = excluded.excerpt`,
		o.FeedID, o.Topic, o.Excerpt)
	if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
		return fmt.Errorf("feed %d: %w", o.FeedID, store.ErrNotFound)
	}
	return err
}

// Settings returns every stored setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SetSetting stores one setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// affected turns an UPDATE or DELETE that touched no row into ErrNotFound.
func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return nil
}

// SiteGeneration reads the counter the triggers of migration 016 keep.
func (s *Store) SiteGeneration(ctx context.Context) (int64, time.Time, error) {
	var gen int64
	var at string
	err := s.r.QueryRowContext(ctx, `SELECT gen, changed_at FROM site_generation WHERE id = 1`).Scan(&gen, &at)
	if err != nil {
		return 0, time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlite: site generation's time %q: %w", at, err)
	}
	return gen, t, nil
}
