-- 011: planner statistics for the dedup tables, kept by the pipeline itself (issue #5).
--
-- The near-duplicate lookup joins process.lsh_band on (band_key, published_at). With statistics
-- from when the table was small (or none: a new database, a server running without autovacuum),
-- the planner picks scans of the whole band table and dedup falls from ~550 to ~70 documents/s.
-- The normalise stage calls this after writing band rows; it analyses when the rows changed since
-- the last ANALYZE are more than a tenth of what the statistics describe (or it never ran): the
-- rule autovacuum applies, here for servers that run without it (this machine's and CI's). In
-- steady state that is rare; a growing table is analysed each time it grows by 10 %.
--
-- ANALYZE needs the table's owner; the pipeline's role is not, so this is SECURITY DEFINER
-- (owned by the migrating user), with a fixed search_path, and does nothing but ANALYZE.

CREATE FUNCTION process.refresh_dedup_statistics(rows_written bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    described real;
    since bigint;
BEGIN
    -- autovacuum's rule, with a 10 % scale factor: rows changed since the last ANALYZE (the
    -- statistics collector's count of committed work, plus the rows just written) against the
    -- rows the statistics describe; so a growing table is analysed each time it grows by a tenth
    PERFORM pg_stat_clear_snapshot();  -- current counts, not the ones cached earlier in this transaction
    SELECT c.reltuples, coalesce(s.n_mod_since_analyze, 0) INTO described, since
      FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
     WHERE c.oid = 'process.lsh_band'::regclass;
    IF described >= 0 AND since + rows_written <= 1000 + 0.1 * described THEN
        RETURN false;
    END IF;
    ANALYZE process.lsh_band, process.normalized_item, staging.item;
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION process.refresh_dedup_statistics(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION process.refresh_dedup_statistics(bigint) TO portal_etl_pipeline;
