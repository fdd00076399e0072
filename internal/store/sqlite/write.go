package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Group commit. SQLite has one writer, and on a busy pipeline it is the
// bottleneck: every transaction pays BEGIN, COMMIT, the WAL frames of every
// page it touched and a flush of the full-text index, however little it
// wrote. So write transactions are not run by their callers but handed to
// one committer goroutine, which runs all the transactions waiting at that
// moment as savepoints of one transaction: eight workers saving a post each
// pay for one commit, not eight. A transaction whose function fails rolls
// back to its savepoint alone; the others commit. A group whose transaction
// is lost whole (a failed COMMIT, a full disk) is run again one write at a
// time (commitGroup), so a write's function may run more than once: it must
// set its results afresh on every run. Nothing waits for company:
// a lone write commits at once, and batches form only while the writer is
// busy, which is exactly when they help.

// maxGroup bounds one commit's transactions, so that a long queue still
// commits (and answers its callers) regularly.
const maxGroup = 64

type writeReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error
}

// errClosed answers writes to a closed store.
var errClosed = errors.New("sqlite: store is closed")

func (s *Store) startCommitter() {
	s.writes = make(chan *writeReq)
	s.quit = make(chan struct{})
	s.stopped = make(chan struct{})
	go s.commitLoop()
}

func (s *Store) stopCommitter() {
	if s.quit == nil {
		return
	}
	s.stopOnce.Do(func() { close(s.quit) })
	<-s.stopped
}

// tx runs fn in a write transaction, committed with whatever other writes
// are waiting (see above); it returns once the commit is done. fn gets a
// context that is not cancelled with ctx: SQLite answers a cancelled
// statement by interrupting it, which would roll back the whole group.
// ctx still decides whether fn runs at all. fn runs on the committer's
// goroutine and must not call tx itself (it would wait for itself); it may
// run more than once (see above).
func (s *Store) tx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if b, ok := ctx.Value(batchKey{}).(*batchTx); ok && b.s == s {
		return b.savepoint(ctx, fn)
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return errClosed
	}
	return <-r.done
}

func (s *Store) commitLoop() {
	defer close(s.stopped)
	group := make([]*writeReq, 0, maxGroup)
	for {
		select {
		case r := <-s.writes:
			group = append(group[:0], r)
		case <-s.quit:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case r := <-s.writes:
				group = append(group, r)
			default:
				break more
			}
		}
		s.commitGroup(group)
	}
}

// commitGroup runs a group of write transactions as savepoints of one
// transaction and tells each caller how its own fared. When the group's
// transaction is lost whole (a failed COMMIT, or a write whose error made
// SQLite undo the whole transaction, as a full disk or an I/O error may),
// nothing of it was written: every write that had not failed on its own is
// then run again alone, in a transaction of its own, so that one bad write
// does not fail the others and each caller hears the truth about its own.
func (s *Store) commitGroup(group []*writeReq) {
	errs := make([]error, len(group))
	final := make([]bool, len(group))
	if err := s.runGroup(group, errs, final); err != nil {
		for i, r := range group {
			switch {
			case final[i]:
			case len(group) == 1:
				errs[i] = err
			default:
				one := []*writeReq{r}
				if gerr := s.runGroup(one, errs[i:i+1], final[i:i+1]); gerr != nil && !final[i] {
					errs[i] = gerr
				}
			}
		}
	}
	for i, r := range group {
		r.done <- errs[i]
	}
}

// runGroup runs the group in one transaction, each write's own error in
// errs, and final[i] set when errs[i] stands whatever becomes of the group
// (the write failed and was undone alone, or its caller had given up). An
// error returned is the whole group's: the transaction was rolled back and
// nothing of it was written.
func (s *Store) runGroup(group []*writeReq, errs []error, final []bool) (err error) {
	ctx := context.Background()
	defer func() { s.noteWrites(err, errs) }()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	// Committed, the queue is indexed; rolled back, it holds nothing new.
	defer func() { s.unindexed = false }()
	for i, r := range group {
		if err := r.ctx.Err(); err != nil {
			errs[i], final[i] = err, true
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			return err
		}
		unindexed := s.unindexed
		if errs[i] = r.fn(context.WithoutCancel(r.ctx), tx); errs[i] != nil {
			s.unindexed = unindexed
			// Some errors (a full disk, an I/O error) make SQLite roll back
			// the whole transaction: then ROLLBACK TO fails, and nothing of
			// the group was written.
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO w"); err != nil {
				return fmt.Errorf("%w (the write group was rolled back: %v)", errs[i], err)
			}
			final[i] = true
		}
		if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
			return err
		}
	}
	if s.unindexed {
		// Posts of this group wait in the search queue (migration 006):
		// index them in one statement, inside the same transaction.
		if err := indexQueued(ctx, tx); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	// A failed COMMIT leaves nothing behind: the driver rolls the
	// transaction back when SQLite kept it open.
	return tx.Commit()
}

// noteWrites records in the store's write health how a transaction fared:
// a commit clears a past failure, and a failure for a reason of the
// database's own (not a caller's refusal) is the new state.
func (s *Store) noteWrites(groupErr error, errs []error) {
	if groupErr == nil {
		s.health.Succeeded()
	} else if isStorageFault(groupErr) {
		s.health.Failed(groupErr)
	}
	for _, err := range errs {
		if isStorageFault(err) {
			s.health.Failed(err)
		}
	}
}

// isStorageFault tells the errors that say the database cannot take
// writes now (the disk, the file, the lock), whoever wrote, from those
// about one write (a constraint, a caller's own refusal).
func isStorageFault(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CORRUPT,
		sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_BUSY,
		sqlite3.SQLITE_PROTOCOL:
		return true
	}
	return false
}

// exec runs one writing statement through the committer.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	return s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}

// indexQueued adds the posts of the search queue to the full-text index.
func indexQueued(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO posts_fts (rowid, search_title, search_meta, search_body)
		SELECT p.id, p.search_title, p.search_meta, p.search_body FROM posts_fts_pending q JOIN posts p ON p.id = q.post_id`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM posts_fts_pending`)
	return err
}
