-- Shared pacing slots (store.PaceStore): the earliest start of the next use
-- of each key, such as "host:example.com" or "gnews:batchexecute". Pace
-- reserves a slot with one INSERT … ON CONFLICT DO UPDATE … RETURNING, which
-- locks the key's row, so concurrent reservations from any number of
-- processes queue up behind each other and never share a slot. Times come
-- from the database's clock, so the machines' clocks need not agree.
CREATE TABLE pace (
    key     TEXT        PRIMARY KEY,
    next_at TIMESTAMPTZ NOT NULL
);

-- Retention prunes done items by age.
CREATE INDEX items_done_updated ON items (updated_at) WHERE status = 'done' AND description <> '';
