-- 022: one declaration of the local zone for SQL, and story_month in that zone.
--
-- Months are the national portal's calendar months (Asia/Ho_Chi_Minh, as portal_etl/months.py's
-- LOCAL_ZONE). SQL used to spell the zone out in each statement; it now asks these functions:
--   integration.local_zone()             the zone's name;
--   integration.local_month(timestamptz) 'YYYY-MM' of an instant in that zone.
-- local_zone is IMMUTABLE (a constant, folded by the planner); local_month is STABLE like
-- to_char, so PostgreSQL inlines it into the statements that call it (an IMMUTABLE wrapper
-- around a STABLE body would not be inlined).

CREATE FUNCTION integration.local_zone() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 'Asia/Ho_Chi_Minh'::text $$;

CREATE FUNCTION integration.local_month(at timestamptz) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT to_char(at AT TIME ZONE integration.local_zone(), 'YYYY-MM') $$;

COMMENT ON FUNCTION integration.local_zone IS
    'The zone of every month of the project (the national portal''s): portal_etl.months.LOCAL_ZONE.';
COMMENT ON FUNCTION integration.local_month IS
    'The local month (''YYYY-MM'') of an instant: the month of staged items, articles and reports.';

-- The summary's item facts (sql/016) take their month from the function.
CREATE OR REPLACE VIEW integration.month_summary_item_derived AS
SELECT n.item_id,
       integration.local_month(n.published_at) AS month,
       n.source_id, coalesce(n.item_type, 'unknown') AS item_type, n.published_at,
       d.outcome, d.reason,
       (a.item_id IS NOT NULL AND NOT a.is_primary AND coalesce(d.outcome IN ('approved', 'rejected'), false))
           AS merged
  FROM process.normalized_item n
  JOIN staging.item i ON i.item_id = n.item_id AND i.status = 'staged'
  LEFT JOIN process.decision d ON d.item_id = n.item_id
  LEFT JOIN integration.article_source a ON a.item_id = n.item_id
 WHERE n.published_at IS NOT NULL;

-- story_month was the primary's month in its channel's zone; it is now the local month, as the
-- report's months. Rows that differ (a channel registered in another zone) are corrected with
-- their content hash, and a translation made from the current content follows the new hash, as
-- in sql/015. The summary's triggers queue the changed stories.
WITH moved AS (
    UPDATE integration.article a
       SET story_month = integration.local_month(a.published_at),
           content_hash = integration.article_content_hash(
               a.title, a.sapo, a.dateline, a.body_html, a.body_text, a.published_at,
               integration.local_month(a.published_at), a.item_type, a.section, a.author, a.language,
               a.primary_source_id, a.primary_item_id, a.primary_url)
      FROM integration.article before
     WHERE before.story_key = a.story_key AND a.story_month <> integration.local_month(a.published_at)
    RETURNING a.story_key, before.content_hash AS old_hash, a.content_hash AS new_hash
)
UPDATE integration.article_translation t
   SET article_content_hash = m.new_hash
  FROM moved m
 WHERE t.story_key = m.story_key AND t.article_content_hash = m.old_hash;
