package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kabarnews/kabar/internal/search"
)

// backfillBatch is how many posts one transaction of backfillSearch stems.
var backfillBatch = 200

// backfillSearch stems the posts stored before the stemmed columns existed
// (or under an older search.Version), in batches; the trigger rebuilds
// each one's search column. It runs under the migration lock, so two
// processes opening one database do it once.
func (s *Store) backfillSearch(ctx context.Context) error {
	for last := int64(0); ; {
		n := 0
		err := s.tx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id, title, publisher, author, body, language FROM posts
				WHERE search_version < $1 AND id > $2 ORDER BY id LIMIT $3`, search.Version, last, backfillBatch)
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
				if _, err := tx.Exec(ctx, `UPDATE posts SET search_title = $1, search_meta = $2,
					search_body = $3, search_version = $4 WHERE id = $5`, st, sm, sb, search.Version, r.id); err != nil {
					return err
				}
				last = r.id
			}
			n = len(batch)
			return nil
		})
		if err != nil {
			return fmt.Errorf("postgres: stem posts for search: %w", err)
		}
		if n < backfillBatch {
			return nil
		}
	}
}
