-- 016: the monthly summary refreshed from narrow per-item and per-story facts (issue #5, report
-- refresh <= 0.1 s for one month).
--
-- integration.month_summary used to be recounted from process.normalized_item, staging.item,
-- process.decision, integration.article_source, integration.article and article_translation:
-- four index look-ups per item of the month, about 13 us each (0.14 s for a month of 9.7k items
-- at 1M articles, 1.1 s for 96.6k at 10M). Now what the recount needs of each item and each story
-- is kept here, one narrow row each, and a refresh aggregates the month from these rows alone.
--
-- integration.month_summary_item   one row per staged, normalised item with a publish time: its
--                                  local month, channel, type, publish time (the integration
--                                  window is the registry's, so "before the window" is decided
--                                  when aggregating, not stored), decision, and whether it is a
--                                  merged duplicate.
-- integration.month_summary_story  one row per integrated article: its month, primary channel,
--                                  type and the origin of its English version (if any).
-- *_derived (views)                the same rows computed from the tables they come from: the one
--                                  definition used by this migration, by the refresh of changed
--                                  keys and by the full rebuild (reporting/summary.py).
--
-- Correct by construction: statement-level triggers (with transition tables; on staging.item,
-- row-level with a WHEN condition, see there) on every table a
-- fact comes from queue the item ids / story keys whose fact inputs changed in
-- month_summary_dirty_item / _story; summary.refresh_month_summary recomputes the queued keys'
-- facts first, then aggregates. No writer has to remember to mark anything. A TRUNCATE of a
-- source table queues NULL, meaning "every key" (the next refresh rebuilds all facts).
-- The trigger functions are SECURITY DEFINER (owned by the migrating user, fixed search_path,
-- they only append keys to the queue): the pipeline role writes process.* and the loader role
-- integration.*, and both must be able to queue without being granted anything else.
-- Updates that leave a fact's inputs as they were queue nothing (the policy and the load rewrite
-- rows with the same values).
--
-- The month and the English language are fixed here as in reporting/summary.py: local month in
-- Asia/Ho_Chi_Minh ('YYYY-MM'), English = 'en'.

CREATE TABLE integration.month_summary_item (
    item_id       bigint PRIMARY KEY,
    month         text NOT NULL,
    source_id     text NOT NULL,
    item_type     text NOT NULL,             -- 'unknown' when the item has none
    published_at  timestamptz NOT NULL,
    outcome       text,                      -- process.decision (NULL: not decided yet)
    reason        text,
    merged        boolean NOT NULL           -- approved or rejected non-primary member of an article
) WITH (fillfactor = 80);
CREATE INDEX month_summary_item_month ON integration.month_summary_item (month);

CREATE TABLE integration.month_summary_story (
    story_key       text PRIMARY KEY,
    month           text NOT NULL,           -- integration.article.story_month
    source_id       text NOT NULL,           -- primary_source_id
    item_type       text NOT NULL,
    english_origin  text                     -- article_translation.origin for 'en' (NULL: none)
) WITH (fillfactor = 80);
CREATE INDEX month_summary_story_month ON integration.month_summary_story (month);

-- fillfactor 80: a changed decision or translation keeps the month, so its new row version fits
-- on the same page without touching the indexes (a HOT update): at 1M articles a batch of 2.7k
-- stories' facts took 137 ms to update on full pages, most of it index pages written at random.

-- Queues: appended to by the triggers, emptied by the refresh. No key on purpose: concurrent
-- writers of the same item never wait on each other, and duplicates cost one look-up more.
CREATE TABLE integration.month_summary_dirty_item (item_id bigint);      -- NULL: every item
CREATE TABLE integration.month_summary_dirty_story (story_key text);     -- NULL: every story

CREATE VIEW integration.month_summary_item_derived AS
SELECT n.item_id,
       to_char(n.published_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') AS month,
       n.source_id, coalesce(n.item_type, 'unknown') AS item_type, n.published_at,
       d.outcome, d.reason,
       (a.item_id IS NOT NULL AND NOT a.is_primary AND coalesce(d.outcome IN ('approved', 'rejected'), false))
           AS merged
  FROM process.normalized_item n
  JOIN staging.item i ON i.item_id = n.item_id AND i.status = 'staged'
  LEFT JOIN process.decision d ON d.item_id = n.item_id
  LEFT JOIN integration.article_source a ON a.item_id = n.item_id
 WHERE n.published_at IS NOT NULL;

CREATE VIEW integration.month_summary_story_derived AS
SELECT a.story_key, a.story_month AS month, a.primary_source_id AS source_id, a.item_type,
       t.origin AS english_origin
  FROM integration.article a
  LEFT JOIN integration.article_translation t ON t.story_key = a.story_key AND t.language = 'en';

-- Trigger functions: one per source table, for its INSERT, UPDATE and DELETE statements. An
-- UPDATE queues the keys of rows whose fact inputs differ before and after (old and new keys
-- both, should a key itself change).

CREATE FUNCTION integration.month_summary_mark_normalized_item() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO integration.month_summary_dirty_item SELECT item_id FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO integration.month_summary_dirty_item SELECT item_id FROM old_rows;
    ELSE
        INSERT INTO integration.month_summary_dirty_item
        SELECT item_id FROM (SELECT item_id, source_id, item_type, published_at FROM new_rows
                             EXCEPT SELECT item_id, source_id, item_type, published_at FROM old_rows) c
        UNION
        SELECT item_id FROM (SELECT item_id, source_id, item_type, published_at FROM old_rows
                             EXCEPT SELECT item_id, source_id, item_type, published_at FROM new_rows) c;
    END IF;
    RETURN NULL;
END $$;

-- staging.item: only its status counts (published_at, type and channel come from the normalised
-- row). A new staged item has no normalised row yet, so INSERT queues nothing; a deleted one
-- takes its normalised row with it (ON DELETE CASCADE, whose DELETE queues it) but is queued here
-- too. Row-level with a WHEN condition, not per statement: every staged page is an INSERT … ON
-- CONFLICT DO UPDATE, which fires the UPDATE statement trigger even when no row changed (0.2 ms
-- a page measured with a statement trigger); a WHEN condition is checked without calling anything.
CREATE FUNCTION integration.month_summary_mark_staged_item() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO integration.month_summary_dirty_item VALUES (OLD.item_id);
    IF TG_OP = 'UPDATE' AND NEW.item_id <> OLD.item_id THEN
        INSERT INTO integration.month_summary_dirty_item VALUES (NEW.item_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION integration.month_summary_mark_decision() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO integration.month_summary_dirty_item SELECT item_id FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO integration.month_summary_dirty_item SELECT item_id FROM old_rows;
    ELSE
        INSERT INTO integration.month_summary_dirty_item
        SELECT item_id FROM (SELECT item_id, outcome, reason FROM new_rows
                             EXCEPT SELECT item_id, outcome, reason FROM old_rows) c
        UNION
        SELECT item_id FROM (SELECT item_id, outcome, reason FROM old_rows
                             EXCEPT SELECT item_id, outcome, reason FROM new_rows) c;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION integration.month_summary_mark_article_source() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO integration.month_summary_dirty_item SELECT item_id FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO integration.month_summary_dirty_item SELECT item_id FROM old_rows;
    ELSE
        INSERT INTO integration.month_summary_dirty_item
        SELECT item_id FROM (SELECT item_id, is_primary FROM new_rows EXCEPT SELECT item_id, is_primary FROM old_rows) c
        UNION
        SELECT item_id FROM (SELECT item_id, is_primary FROM old_rows EXCEPT SELECT item_id, is_primary FROM new_rows) c;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION integration.month_summary_mark_article() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO integration.month_summary_dirty_story SELECT story_key FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO integration.month_summary_dirty_story SELECT story_key FROM old_rows;
    ELSE
        INSERT INTO integration.month_summary_dirty_story
        SELECT story_key FROM (SELECT story_key, story_month, primary_source_id, item_type FROM new_rows
                               EXCEPT SELECT story_key, story_month, primary_source_id, item_type FROM old_rows) c
        UNION
        SELECT story_key FROM (SELECT story_key, story_month, primary_source_id, item_type FROM old_rows
                               EXCEPT SELECT story_key, story_month, primary_source_id, item_type FROM new_rows) c;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION integration.month_summary_mark_article_translation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO integration.month_summary_dirty_story SELECT story_key FROM new_rows WHERE language = 'en';
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO integration.month_summary_dirty_story SELECT story_key FROM old_rows WHERE language = 'en';
    ELSE
        INSERT INTO integration.month_summary_dirty_story
        SELECT story_key FROM (SELECT story_key, language, origin FROM new_rows
                               EXCEPT SELECT story_key, language, origin FROM old_rows) c WHERE language = 'en'
        UNION
        SELECT story_key FROM (SELECT story_key, language, origin FROM old_rows
                               EXCEPT SELECT story_key, language, origin FROM new_rows) c WHERE language = 'en';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION integration.month_summary_mark_all_items() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO integration.month_summary_dirty_item VALUES (NULL);
    RETURN NULL;
END $$;

CREATE FUNCTION integration.month_summary_mark_all_stories() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO integration.month_summary_dirty_story VALUES (NULL);
    RETURN NULL;
END $$;

-- Transition tables allow one event per trigger: three triggers per table.
CREATE TRIGGER month_summary_mark_ins AFTER INSERT ON process.normalized_item REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_normalized_item();
CREATE TRIGGER month_summary_mark_upd AFTER UPDATE ON process.normalized_item
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_normalized_item();
CREATE TRIGGER month_summary_mark_del AFTER DELETE ON process.normalized_item REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_normalized_item();

CREATE TRIGGER month_summary_mark_upd AFTER UPDATE ON staging.item FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.item_id <> NEW.item_id)
    EXECUTE FUNCTION integration.month_summary_mark_staged_item();
CREATE TRIGGER month_summary_mark_del AFTER DELETE ON staging.item FOR EACH ROW
    EXECUTE FUNCTION integration.month_summary_mark_staged_item();

CREATE TRIGGER month_summary_mark_ins AFTER INSERT ON process.decision REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_decision();
CREATE TRIGGER month_summary_mark_upd AFTER UPDATE ON process.decision
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_decision();
CREATE TRIGGER month_summary_mark_del AFTER DELETE ON process.decision REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_decision();

CREATE TRIGGER month_summary_mark_ins AFTER INSERT ON integration.article_source REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article_source();
CREATE TRIGGER month_summary_mark_upd AFTER UPDATE ON integration.article_source
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article_source();
CREATE TRIGGER month_summary_mark_del AFTER DELETE ON integration.article_source REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article_source();

CREATE TRIGGER month_summary_mark_ins AFTER INSERT ON integration.article REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article();
CREATE TRIGGER month_summary_mark_upd AFTER UPDATE ON integration.article
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article();
CREATE TRIGGER month_summary_mark_del AFTER DELETE ON integration.article REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article();

CREATE TRIGGER month_summary_mark_ins AFTER INSERT ON integration.article_translation
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article_translation();
CREATE TRIGGER month_summary_mark_upd AFTER UPDATE ON integration.article_translation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article_translation();
CREATE TRIGGER month_summary_mark_del AFTER DELETE ON integration.article_translation
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_article_translation();

CREATE TRIGGER month_summary_mark_all AFTER TRUNCATE ON staging.item
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_all_items();
CREATE TRIGGER month_summary_mark_all AFTER TRUNCATE ON process.normalized_item
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_all_items();
CREATE TRIGGER month_summary_mark_all AFTER TRUNCATE ON process.decision
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_all_items();
CREATE TRIGGER month_summary_mark_all AFTER TRUNCATE ON integration.article_source
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_all_items();
CREATE TRIGGER month_summary_mark_all AFTER TRUNCATE ON integration.article
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_all_stories();
CREATE TRIGGER month_summary_mark_all AFTER TRUNCATE ON integration.article_translation
    FOR EACH STATEMENT EXECUTE FUNCTION integration.month_summary_mark_all_stories();

-- A database migrated with data in it: its facts, in month order (a month's rows close together).
INSERT INTO integration.month_summary_item SELECT * FROM integration.month_summary_item_derived ORDER BY month;
INSERT INTO integration.month_summary_story SELECT * FROM integration.month_summary_story_derived ORDER BY month;

-- Grants as 005/009: the loader (the load, the translate step and the report DAG refresh the
-- summary acting as it) reads and writes the facts and empties the queues; the pipeline reads
-- them. The trigger functions are executed by whoever writes a source table; they are not to be
-- called directly (a trigger function cannot be), so nothing more is granted.
GRANT SELECT, INSERT, UPDATE, DELETE ON integration.month_summary_item, integration.month_summary_story,
    integration.month_summary_dirty_item, integration.month_summary_dirty_story TO portal_etl_loader;
GRANT SELECT ON integration.month_summary_item_derived, integration.month_summary_story_derived TO portal_etl_loader;
GRANT SELECT ON integration.month_summary_item, integration.month_summary_story, integration.month_summary_dirty_item,
    integration.month_summary_dirty_story, integration.month_summary_item_derived,
    integration.month_summary_story_derived TO portal_etl_pipeline;
