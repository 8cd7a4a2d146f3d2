-- 023: tell the planner that every item has exactly BANDS (42) band rows.
--
-- The dedup look-up starts from the batch's band rows (process.lsh_band p WHERE p.item_id =
-- ANY(batch)) and probes the (band_week, band_key) index for each. ANALYZE estimates the number
-- of distinct item_ids from a 30,000-row sample; every id in the sample appears about once, so
-- the estimate stays far under the truth as the table grows: at 857k items (36M rows) it was
-- 96,872, i.e. 372 rows per item instead of 42. From then on the planner expected 372k probe
-- rows per batch of 1,000 items, found a hash join over a sequential scan of the whole band
-- table cheaper, and each batch's look-up took 10 s instead of 0.3 s (the 1M dedup bench,
-- 2026-12-03). The count per item is a constant of the code (dedup.minhash.BANDS; tests/
-- test_dedup_minhash.py keeps the two equal), so it is declared: n_distinct = -1/42 (a share of the rows).
ALTER TABLE process.lsh_band ALTER COLUMN item_id SET (n_distinct = -0.0238);
ANALYZE process.lsh_band;
