-- sqlite/migrations/002_resolution_and_fetch_state.sql on PostgreSQL.

-- Google News resolutions: an article ID is resolved once, ever. A failed
-- resolution is kept with its error and when it may be tried again.
CREATE TABLE gnews_resolutions (
    article_id  TEXT        PRIMARY KEY,
    url         TEXT        NOT NULL DEFAULT '',
    amp_url     TEXT        NOT NULL DEFAULT '',
    error       TEXT        NOT NULL DEFAULT '',
    permanent   BOOLEAN     NOT NULL DEFAULT false,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    retry_after TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ NOT NULL
);

-- Items that must wait (an unresolved Google News ID, a host that asked us
-- to slow down) keep the time of their next attempt.
ALTER TABLE items ADD COLUMN next_attempt_at TIMESTAMPTZ;
-- Related coverage (JSON array of {title,url,publisher}) and the story page.
ALTER TABLE items ADD COLUMN related TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN story_url TEXT NOT NULL DEFAULT '';

-- Feed fetch policy: a feed answered 410 Gone is disabled with its reason;
-- a per-feed proxy; the moment the feed's content last changed, which the
-- adaptive poll interval is computed from.
ALTER TABLE feeds ADD COLUMN disabled_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN proxy TEXT NOT NULL DEFAULT '';
ALTER TABLE feeds ADD COLUMN last_changed_at TIMESTAMPTZ;
