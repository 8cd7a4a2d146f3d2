-- 012: LSH band keys as bigint (issue #5).
--
-- Forty-two band rows per item make process.lsh_band the biggest table of the pipeline, and its
-- writes and look-ups were most of the near-duplicate stage's server time. The keys were text
-- ("NN:<16 hex>", 19 bytes plus a regex CHECK on every row); they are now the signed 64-bit
-- integer dedup.minhash.band_keys computes: the band number in the top 6 bits and the top 58 bits
-- of the same blake2b digest below, so existing rows convert in place and stay comparable with
-- new ones.
--
-- The primary key (item_id, band_key) is replaced by a plain index on item_id: rows are only ever
-- deleted and rewritten by item (normalise, dedup withdrawals), an item's keys are distinct by
-- construction (the band number is part of the key), and a non-unique index stores each item's
-- 42 rows as one deduplicated posting list instead of 42 entries.

ALTER TABLE process.lsh_band DROP CONSTRAINT lsh_band_pkey;
ALTER TABLE process.lsh_band DROP CONSTRAINT lsh_band_band_key_check;
DROP INDEX process.lsh_band_lookup;

ALTER TABLE process.lsh_band ALTER COLUMN band_key TYPE bigint USING (
    (split_part(band_key, ':', 1)::bigint << 58)
    | ((('x' || split_part(band_key, ':', 2))::bit(64)::bigint >> 6) & ((1::bigint << 58) - 1))
);

CREATE INDEX lsh_band_item ON process.lsh_band (item_id);
CREATE INDEX lsh_band_lookup ON process.lsh_band (band_key, published_at);
ANALYZE process.lsh_band;
