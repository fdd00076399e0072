-- Sign-in attempts counted per account name (a name no user has counts too),
-- for the per-account back-off of the admin sign-in: attempts in a row since
-- the last success, when the last one came, and until when the name is
-- locked.
CREATE TABLE login_attempts (
    name         TEXT    PRIMARY KEY,
    attempts     INTEGER NOT NULL,
    last_at      TEXT    NOT NULL,
    locked_until TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX login_attempts_last ON login_attempts (last_at);
