-- Shared pacing slots (store.PaceStore): the earliest start of the next use
-- of each key, such as "host:example.com" or "gnews:batchexecute". On SQLite
-- one writer serializes the reservations, so a plain row per key suffices.
CREATE TABLE pace (
    key     TEXT    PRIMARY KEY,
    next_at INTEGER NOT NULL -- Unix microseconds
) WITHOUT ROWID;

-- Retention prunes done items by age.
CREATE INDEX items_done_updated ON items (updated_at) WHERE status = 'done' AND description <> '';
