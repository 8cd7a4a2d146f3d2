-- 021: the details layer of dedup (issue #15).
--
-- Recurring templated items ("Lịch tiếp công dân tháng 4" / "… tháng 5", a weather bulletin per
-- day, one meeting held in each district) share most of their words, so MinHash merged them or
-- sent them to review. dedup_stage's layer 4 (dedup.details) compares what differs between two
-- similar items:
--   'distinct_details'  the texts differ mainly in dates, numbers or place/person names: two
--                       stories; recorded with the similarity, never merges;
--   'contained_copy'    a shortened copy whose shingles lie almost all inside the other item,
--                       with no conflicting details: merges (MinHash alone put it in the grey zone).
-- Pairs the layers disagree on stay 'review_grey_zone'. Existing edges are recomputed when their
-- items are processed again; nothing here rewrites them.

ALTER TABLE process.dup_edge DROP CONSTRAINT dup_edge_reason_check;
ALTER TABLE process.dup_edge ADD CONSTRAINT dup_edge_reason_check CHECK (reason IN (
    'same_url', 'same_native_id', 'same_title_day', 'same_title_cross_channel', 'same_lead_cross_channel',
    'near_duplicate', 'contained_copy', 'review_grey_zone', 'distinct_details', 'editor_merge'));
