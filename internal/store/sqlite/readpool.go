package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// readPool is the reader pool with its statements kept prepared. A query
// given as text is otherwise parsed and planned by SQLite on every call:
// under make bench-web that was 12 % of kabar serve's CPU on the SQLite
// store, more than any one kind of page's own work but search.
//
// Each statement text is prepared once, the first time it is asked for,
// as a *sql.Stmt, which database/sql prepares again on each connection
// that runs it. The texts a store asks are few and fixed but for the
// lists whose length varies (IN (?, ?, …)); after maxPrepared of them
// the rest run as before.
type readPool struct {
	*sql.DB

	mu     sync.RWMutex
	stmts  map[string]*sql.Stmt
	closed bool
}

// maxPrepared bounds the statements a readPool keeps: each holds a
// compiled program on every reader connection that ran it.
const maxPrepared = 256

func newReadPool(db *sql.DB) *readPool {
	return &readPool{DB: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns query prepared, or nil when it is to run unprepared: the
// pool holds maxPrepared already, or SQLite refused it (the query then
// reports the same error itself).
func (p *readPool) stmt(ctx context.Context, query string) *sql.Stmt {
	p.mu.RLock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxPrepared || p.closed
	p.mu.RUnlock()
	if ok || full {
		return st
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.stmts[query]; ok || p.closed || len(p.stmts) >= maxPrepared {
		// Another reader prepared it meanwhile, or the pool filled or
		// closed: this copy is not kept.
		_ = st.Close() // never used; closing it loses nothing
		return old
	}
	p.stmts[query] = st
	return st
}

// QueryContext runs query, prepared when it can be.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query for one row, prepared when it can be.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the statements, then the pool.
func (p *readPool) Close() error {
	p.mu.Lock()
	var errs []error
	for _, st := range p.stmts {
		errs = append(errs, st.Close())
	}
	p.stmts, p.closed = nil, true
	p.mu.Unlock()
	return errors.Join(append(errs, p.DB.Close())...)
}

// prepared is how many statements the pool keeps, for tests.
func (p *readPool) prepared() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.stmts)
}
