package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/kabarnews/kabar/internal/search"
)

// backfillBatch is how many posts one transaction of backfillSearch stems.
var backfillBatch = 200

// backfillSearch stems the posts stored before the stemmed columns existed
// (or under an older search.Version), in batches, before the store serves
// anything. Migration 011 queued every post for the index, so these
// updates skip the update trigger; the queue is indexed once, after.
func (s *Store) backfillSearch(ctx context.Context) error {
	for last := int64(0); ; {
		n := 0
		err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id, title, publisher, author, body, language FROM posts
				WHERE search_version < ? AND id > ? ORDER BY id LIMIT ?`, search.Version, last, backfillBatch)
			if err != nil {
				return err
			}
			type row struct {
				id                                   int64
				title, publisher, author, body, lang string
			}
			var batch []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.title, &r.publisher, &r.author, &r.body, &r.lang); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range batch {
				st, sm, sb := search.Fields(r.title, r.publisher, r.author, r.body, r.lang)
				if _, err := tx.ExecContext(ctx, `UPDATE posts SET search_title = ?, search_meta = ?,
					search_body = ?, search_version = ? WHERE id = ?`, st, sm, sb, search.Version, r.id); err != nil {
					return err
				}
				last = r.id
			}
			n = len(batch)
			return nil
		})
		if err != nil {
			return fmt.Errorf("sqlite: stem posts for search: %w", err)
		}
		if n < backfillBatch {
			return nil
		}
	}
}
