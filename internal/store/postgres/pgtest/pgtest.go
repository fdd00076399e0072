// Package pgtest hands tests a fresh PostgreSQL schema of their own on the
// test database, so that tests of several packages can share one server.
//
// The server is KABAR_TEST_POSTGRES, or postgres://postgres@127.0.0.1:5432/test
// (the one this project's machines start). When it cannot be reached a test
// is skipped on a developer's machine and FAILS when CI is set: CI must run
// the PostgreSQL half of the suite, never silently skip it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the test database when KABAR_TEST_POSTGRES is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL is the test database's URL.
func URL() string {
	if u := os.Getenv("KABAR_TEST_POSTGRES"); u != "" {
		return u
	}
	return DefaultURL
}

// Schema creates an empty schema and returns a URL of the test database
// whose connections use it (search_path), for the store, the job queue and
// any kabar process the test starts. The schema is dropped when the test
// ends.
func Schema(t testing.TB) string {
	t.Helper()
	if testing.Short() && os.Getenv("CI") == "" {
		// The quick loop (make test-short) runs the SQLite half alone;
		// make test and CI run both.
		t.Skip("PostgreSQL: left out by -short")
	}
	base := URL()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		unreachable(t, err)
	}
	// Closing a connection that did its work: an error would say only
	// that the server went away after it.
	defer func() { _ = conn.Close(ctx) }()
	var b [6]byte
	rand.Read(b[:])
	name := "kabar_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("pgtest: drop schema %s: %v", name, err)
			return
		}
		defer func() { _ = conn.Close(ctx) }()
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
			t.Logf("pgtest: drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	q := u.Query()
	// public stays on the path: extensions (unaccent) live there.
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// Available reports whether the test database answers (for benchmarks and
// tools that would rather leave PostgreSQL out than fail).
func Available() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, URL())
	if err != nil {
		return false
	}
	_ = conn.Close(ctx)
	return true
}

func unreachable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("pgtest: PostgreSQL at %s is unreachable and CI is set, so this test may not be skipped: %v", redacted(), err)
	}
	t.Skipf("pgtest: PostgreSQL unreachable (set KABAR_TEST_POSTGRES, or start it): %v", err)
}

func redacted() string {
	u, err := url.Parse(URL())
	if err != nil {
		return "(unparsable KABAR_TEST_POSTGRES)"
	}
	return u.Redacted()
}
