-- 017: the band look-up keyed by publish week first (issue #5, dedup at 1M items).
--
-- The near-duplicate look-up index was (band_key, published_at). Band keys are random, so every
-- batch inserted into and probed pages all over it: at 700k items it was 1.2 GB against 128 MB
-- of shared buffers. From 100k to 1M synthetic items the band writes' time per item rose 1.8x and
-- the look-ups' 2.8x while the work per batch stayed the same (bench/results/full-dedup-before-
-- 017.json). band_week is the publish time's week since 1970-01-01 UTC; with it first in the
-- index a batch of new items inserts into and probes only the last weeks' part of the index, so
-- the pages a batch touches stay few and cached however long the history.
-- Candidates lie within ±7 days (dedup_stage.LSH_WINDOW), so they are in the item's own week or
-- the one either side: the look-up asks for band_week = ANY(week - 1, week, week + 1).

ALTER TABLE process.lsh_band ADD COLUMN band_week integer NOT NULL GENERATED ALWAYS AS (
    floor(extract(epoch FROM published_at - timestamptz '1970-01-01 00:00:00+00') / 604800)::integer
) STORED;
DROP INDEX process.lsh_band_lookup;
CREATE INDEX lsh_band_lookup ON process.lsh_band (band_week, band_key);
ANALYZE process.lsh_band;
