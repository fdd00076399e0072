package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/kabarnews/kabar/internal/fetch"
	"github.com/kabarnews/kabar/internal/store/postgres"
)

// hintFetcher is the fetcher the pipeline and the commands use: the same
// client, whose refusals of private addresses say how to allow one, so
// that the reason shown in the log, in feeds list and in items --failed
// tells the operator what to do.
type hintFetcher struct{ *fetch.Client }

func (h hintFetcher) Do(ctx context.Context, r fetch.Request) (*fetch.Response, error) {
	resp, err := h.Client.Do(ctx, r)
	return resp, withHint(err)
}

// blockedHintError is a blocked-address error with what to do about it.
type blockedHintError struct {
	err  error
	hint string
}

func (e *blockedHintError) Error() string { return e.err.Error() + " (" + e.hint + ")" }
func (e *blockedHintError) Unwrap() error { return e.err }

// withHint adds to a blocked-address error the option that allows the
// address.
func withHint(err error) error {
	var already *blockedHintError
	if err == nil || !errors.Is(err, fetch.ErrBlockedAddress) || errors.As(err, &already) {
		return err
	}
	return &blockedHintError{err: err, hint: blockedHint(err.Error())}
}

// blockedHint names --allow-addr and its environment variable, with the
// refused address when the error says which.
func blockedHint(msg string) string {
	example := "ADDRESS"
	if _, after, ok := strings.Cut(msg, fetch.ErrBlockedAddress.Error()+": "); ok {
		first, _, _ := strings.Cut(after, " ")
		if ap, err := netip.ParseAddrPort(strings.TrimRight(first, ",;)")); err == nil {
			example = ap.Addr().String()
		} else if a, err := netip.ParseAddr(first); err == nil {
			example = a.String()
		}
	}
	return fmt.Sprintf("kabar does not fetch private or local addresses; to allow it, run with --%s %s or set %s=%s",
		optAllow, example, options[optAllow].env, example)
}

// checkDBFolder says plainly that a SQLite database's folder is missing,
// where SQLite would only say "unable to open database file".
func checkDBFolder(db string) error {
	if postgres.IsURL(db) || db == ":memory:" || strings.HasPrefix(db, "file:") {
		return nil
	}
	dir := filepath.Dir(db)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("--db %s: the folder %s does not exist; create it first (mkdir -p %s) or give another path", db, dir, dir)
	case err != nil:
		return fmt.Errorf("--db %s: %w", db, err)
	case !st.IsDir():
		return fmt.Errorf("--db %s: %s is not a folder", db, dir)
	}
	return nil
}
