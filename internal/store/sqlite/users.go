package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kabarnews/kabar/internal/model"
	"github.com/kabarnews/kabar/internal/store"
	"github.com/kabarnews/kabar/internal/store/sqlshared"
)

// CreateUser stores a new user.
func (s *Store) CreateUser(ctx context.Context, u *model.User) error {
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) RETURNING id`,
		u.Name, u.PasswordHash, fmtTime(u.CreatedAt)).Scan(&u.ID)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return fmt.Errorf("user %q: %w", u.Name, store.ErrExists)
	}
	return err
}

// User returns one user.
func (s *Store) User(ctx context.Context, id int64) (*model.User, error) {
	u, err := sqlshared.ScanUser(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.UserCols+` FROM users WHERE id = ?`, id))
	return u, notFound(err, fmt.Sprintf("user %d", id))
}

// UserByName finds a user by name.
func (s *Store) UserByName(ctx context.Context, name string) (*model.User, error) {
	u, err := sqlshared.ScanUser(s.r.QueryRowContext(ctx, `SELECT `+sqlshared.UserCols+` FROM users WHERE name = ?`, name))
	return u, notFound(err, fmt.Sprintf("user %q", name))
}

// SetPassword replaces a user's password hash, ends the user's sessions and
// API tokens and forgets the counted sign-in attempts of the user's name,
// in one transaction.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err := affected(res, err, fmt.Sprintf("user %d", userID)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE name = (SELECT name FROM users WHERE id = ?)`, userID); err != nil {
			return err
		}
		return revokeAccess(ctx, tx, userID)
	})
}

// RevokeAccess ends every session and API token of the user.
func (s *Store) RevokeAccess(ctx context.Context, userID int64) error {
	return s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ?`, userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %d: %w", userID, store.ErrNotFound)
		}
		return revokeAccess(ctx, tx, userID)
	})
}

func revokeAccess(ctx context.Context, tx *sql.Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID)
	return err
}

// LoginAttempt counts an attempt to sign in as name; see store.SiteStore.
// The committer runs one transaction at a time and BEGIN takes the write
// lock, so reading and updating the count cannot interleave with another
// attempt's, in this process or another.
func (s *Store) LoginAttempt(ctx context.Context, name string, now time.Time, p store.LoginThrottle) (time.Time, error) {
	var lockedUntil time.Time
	err := s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		lockedUntil = time.Time{}
		if p.Forget > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE last_at <= ?`, fmtTime(now.Add(-p.Forget))); err != nil {
				return err
			}
		}
		var attempts int
		var locked string
		err := tx.QueryRowContext(ctx, `SELECT attempts, locked_until FROM login_attempts WHERE name = ?`, name).Scan(&attempts, &locked)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if until := parseTime(locked); until.After(now) {
			lockedUntil = until
			return nil
		}
		attempts++
		until := ""
		if d := p.LockFor(attempts); d > 0 {
			until = fmtTime(now.Add(d))
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_attempts (name, attempts, last_at, locked_until) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET attempts = excluded.attempts, last_at = excluded.last_at, locked_until = excluded.locked_until`,
			name, attempts, fmtTime(now), until)
		return err
	})
	return lockedUntil, err
}

// LoginSucceeded forgets the counted attempts of name.
func (s *Store) LoginSucceeded(ctx context.Context, name string) error {
	return s.exec(ctx, `DELETE FROM login_attempts WHERE name = ?`, name)
}

// CountUsers counts the users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// CreateSession stores a session and forgets expired ones.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = time.Now().UTC()
	}
	return s.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, fmtTime(sess.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			sess.TokenHash, sess.UserID, fmtTime(sess.CreatedAt), fmtTime(sess.ExpiresAt))
		if err != nil && strings.Contains(err.Error(), "FOREIGN KEY") {
			return fmt.Errorf("session of user %d: %w", sess.UserID, store.ErrNotFound)
		}
		return err
	})
}

// Session finds a live session.
func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (*model.Session, error) {
	var sess model.Session
	var created, expires string
	err := s.r.QueryRowContext(ctx, `SELECT token_hash, user_id, created_at, expires_at FROM sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, fmtTime(now)).Scan(&sess.TokenHash, &sess.UserID, &created, &expires)
	if err != nil {
		return nil, notFound(err, "session")
	}
	sess.CreatedAt, sess.ExpiresAt = parseTime(created), parseTime(expires)
	return &sess, nil
}

// DeleteSession ends a session; ending one that is gone is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// CreateToken stores an API token.
func (s *Store) CreateToken(ctx context.Context, t *model.APIToken) error {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = time.Now().UTC()
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, t.TokenHash, fmtTime(t.CreatedAt)).Scan(&t.ID)
	switch {
	case err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed"):
		return fmt.Errorf("token: %w", store.ErrExists)
	case err != nil && strings.Contains(err.Error(), "FOREIGN KEY"):
		return fmt.Errorf("token of user %d: %w", t.UserID, store.ErrNotFound)
	}
	return err
}

// TokenByHash finds a token and records its use.
func (s *Store) TokenByHash(ctx context.Context, hash string, now time.Time) (*model.APIToken, error) {
	t, err := sqlshared.ScanToken(s.w.QueryRowContext(ctx, `UPDATE api_tokens SET last_used = ? WHERE token_hash = ? RETURNING `+sqlshared.TokenCols,
		fmtTime(now), hash))
	return t, notFound(err, "token")
}

// Tokens lists every API token, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]model.APIToken, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sqlshared.TokenCols+` FROM api_tokens ORDER BY id`)
	return collect(rows, err, sqlshared.ScanToken)
}

// DeleteToken revokes a token.
func (s *Store) DeleteToken(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ?`, id)
	return affected(res, err, fmt.Sprintf("token %d", id))
}
