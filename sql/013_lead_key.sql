-- 013: the lead key and the same_lead_cross_channel dedup layer.
--
-- A short stub republished on another channel with its headline reworded (a place name added or
-- dropped: "Đồng Nai: …") escaped every layer: a different title key, and too few shared
-- shingles with the full article for MinHash (a 50-word stub inside a 400-word article has a
-- Jaccard similarity of at most ~0.2). It keeps the article's lead word for word. lead_key is the
-- dedup.keys.lead_key of sapo_clean (NULL below dedup.keys.LEAD_MIN_WORDS words), and
-- dedup_stage joins on it within the title window, across channels, for a short item whose
-- headline's words are all in the other's.
--
-- Rows normalised before this migration have no lead key, so the layer does not see them until
-- they are normalised again. To do that for the whole store (one large normalise and dedup run):
--     UPDATE process.normalized_item SET source_content_hash = '' WHERE lead_key IS NULL AND sapo_clean <> '';

ALTER TABLE process.normalized_item
    ADD COLUMN lead_key text CHECK (lead_key ~ '^[0-9a-f]{32}$');
CREATE INDEX normalized_item_lead_key ON process.normalized_item (lead_key, published_at)
    WHERE lead_key IS NOT NULL;

ALTER TABLE process.dup_edge DROP CONSTRAINT dup_edge_reason_check;
ALTER TABLE process.dup_edge ADD CONSTRAINT dup_edge_reason_check CHECK (reason IN (
    'same_url', 'same_native_id', 'same_title_day', 'same_title_cross_channel', 'same_lead_cross_channel',
    'near_duplicate', 'review_grey_zone', 'editor_merge'));
