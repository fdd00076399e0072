-- sqlite/migrations/009_login_attempts.sql on PostgreSQL: sign-in attempts
-- counted per account name, shared by every process of the site.
CREATE TABLE login_attempts (
    name         TEXT        PRIMARY KEY,
    attempts     INTEGER     NOT NULL,
    last_at      TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);
CREATE INDEX login_attempts_last ON login_attempts (last_at);
