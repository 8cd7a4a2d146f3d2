-- 015: integration.article.content_hash computed by PostgreSQL (issue #5, the load's speed).
--
-- The load used to read every member's normalised body back into Python and hash each article
-- there (sha256 of the content columns as sorted-key JSON). It now builds the articles with
-- INSERT … SELECT from process.normalized_item, so the bodies never leave the server, and
-- hashes them with this function. The JSON form is not kept: to_json's escaping was most of the
-- hashing time (about twice the cost of everything else in it). Each column is instead written
-- as the length in bytes of its text, ':', then the text (nothing on either side of ':' for
-- NULL, so NULL and '' differ), in a fixed order: unambiguous without escaping anything.
--
-- The stored hashes were the JSON ones, so they are recomputed here with the function, or the
-- next load would count every existing article as updated and write it again. A translation
-- made from an article's current content (article_content_hash = the old hash) is moved to the
-- new hash, so it stays current; one made from an older version stays stale. Nothing else
-- changes: updated_at and last_loaded_batch keep their values. On a large store this rewrites
-- every article row once (the bodies themselves are not recompressed).

CREATE FUNCTION integration.article_content_hash(
    title text, sapo text, dateline text, body_html text, body_text text, published_at timestamptz,
    story_month text, item_type text, section text, author text, language text,
    primary_source_id text, primary_item_id bigint, primary_url text
) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(concat(
        octet_length(title), ':', title,
        octet_length(sapo), ':', sapo,
        octet_length(dateline), ':', dateline,
        octet_length(body_html), ':', body_html,
        octet_length(body_text), ':', body_text,
        -- the instant in UTC to the microsecond: the same text for any session time zone
        octet_length(to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')), ':',
        to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        octet_length(story_month), ':', story_month,
        octet_length(item_type), ':', item_type,
        octet_length(section), ':', section,
        octet_length(author), ':', author,
        octet_length(language), ':', language,
        octet_length(primary_source_id), ':', primary_source_id,
        octet_length(primary_item_id::text), ':', primary_item_id,
        octet_length(primary_url), ':', primary_url
    ), 'UTF8')), 'hex')
$$;

COMMENT ON FUNCTION integration.article_content_hash IS
    'content_hash of an integration.article row from its content columns (sql/015); the load writes it and '
    'compares it to detect changed articles.';

WITH rehashed AS (
    UPDATE integration.article a
       SET content_hash = integration.article_content_hash(
               a.title, a.sapo, a.dateline, a.body_html, a.body_text, a.published_at, a.story_month,
               a.item_type, a.section, a.author, a.language, a.primary_source_id, a.primary_item_id,
               a.primary_url)
      FROM integration.article before
     WHERE before.story_key = a.story_key
    RETURNING a.story_key, before.content_hash AS old_hash, a.content_hash AS new_hash
)
UPDATE integration.article_translation t
   SET article_content_hash = r.new_hash
  FROM rehashed r
 WHERE t.story_key = r.story_key AND t.article_content_hash = r.old_hash;

GRANT EXECUTE ON FUNCTION integration.article_content_hash TO portal_etl_loader, portal_etl_pipeline;
