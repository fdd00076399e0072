-- sqlite/migrations/006_item_claims.sql on PostgreSQL: who works on an item
-- now, and until when.
ALTER TABLE items ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN claimed_until TIMESTAMPTZ;
