package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// Statements prepared once on the writer pool at open. The pool has one
// connection, so every transaction reuses them (tx.StmtContext finds them
// on the transaction's connection, and re-prepares there if that connection
// was ever replaced): SQLite parses the SQL, and compiles the triggers an
// INSERT INTO posts fires (full-text index, labels), once instead of for
// every post. Profiling the pipeline found parsing to be its largest cost
// after extraction. Statements cannot be prepared lazily inside a
// transaction: that would wait for the pool's one connection, which the
// transaction holds.
const (
	qFindBySource = `SELECT ` + sqlshared.PostCols + ` FROM posts WHERE source_url = ? ORDER BY 1 LIMIT 1`
	// Two index lookups, not one OR: "source_url = ? OR content_hash = ?"
	// cannot use the partial index on content_hash (SQLite cannot tell that
	// the parameter is not ''), and scanned every post on every save.
	qFindBySourceOrHash = `SELECT ` + sqlshared.PostCols + ` FROM posts WHERE source_url = ?
		UNION ALL SELECT ` + sqlshared.PostCols + ` FROM posts WHERE content_hash = ? AND content_hash <> ''
		ORDER BY 1 LIMIT 1`
	qSlugTaken = `SELECT count(*) FROM posts WHERE year = ? AND month = ? AND slug = ?`
	// A new post waits for its story (migration 008).
	qInsertPost = `INSERT INTO posts (feed_id, item_id, year, month, slug, title,
		author, publisher, source_url, amp_url, item_link, article_id, published, language,
		image, description, body, content_hash, created_at, truncated, story_pending,
		search_title, search_meta, search_body, search_version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id`
	qItemDone = `UPDATE items SET status = ?, error = '', post_id = ?, updated_at = ?,
		claimed_by = '', claimed_until = '' WHERE id = ?`
	qItemByGUID = `SELECT id FROM items WHERE feed_id = ? AND guid = ?`
	qInsertItem = `INSERT INTO items (feed_id, guid, link, title, publisher,
		publisher_url, published, description, article_id, source_url, amp_url, status,
		created_at, updated_at, related, story_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qUpdateItem = `UPDATE items SET link = ?, title = ?, publisher = ?,
		publisher_url = ?, published = ?, description = ?, article_id = ?, updated_at = ?,
		related = ?, story_url = ? WHERE id = ?`

	qStoryLinkOf = `SELECT ` + sqlshared.StoryLinkCols + ` FROM post_stories WHERE post_id = ?`
	qNewStory    = `INSERT INTO stories (title, lead_post_id, posts, copies,
		first_published, last_published, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?) RETURNING id`
	qGrowStory = `UPDATE stories SET posts = posts + 1, copies = copies + ?,
		first_published = min(first_published, ?), last_published = max(last_published, ?),
		updated_at = ? WHERE id = ?`
	qLinkPost = `INSERT INTO post_stories (post_id, story_id, copy_of, score, evidence, assigned_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	qLiveStory = `SELECT COALESCE(merged_into, id) FROM stories WHERE id = ?`
	qStoryKey  = `INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)`
	qStoryDone = `UPDATE posts SET story_pending = 0 WHERE id = ? AND story_pending = 1`
)

var preparedQueries = []string{qFindBySource, qFindBySourceOrHash, qSlugTaken, qInsertPost, qItemDone,
	qItemByGUID, qInsertItem, qUpdateItem,
	qStoryLinkOf, qNewStory, qGrowStory, qLinkPost, qLiveStory, qStoryKey, qStoryDone}

func (s *Store) prepare(ctx context.Context) error {
	s.stmts = make(map[string]*sql.Stmt, len(preparedQueries))
	for _, q := range preparedQueries {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("sqlite: prepare: %w", err)
		}
		s.stmts[q] = st
	}
	return nil
}

// stmt is one of the prepared statements, for use inside tx.
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, q string) *sql.Stmt {
	return tx.StmtContext(ctx, s.stmts[q])
}

func (s *Store) closeStmts() {
	for _, st := range s.stmts {
		_ = st.Close() // the store is closing: nothing is left to tell
	}
	s.stmts = nil
}
