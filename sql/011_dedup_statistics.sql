-- 011: planner statistics for the dedup tables, kept by the pipeline itself (issue #5).
--
-- The near-duplicate lookup joins process.lsh_band on (band_key, published_at). With statistics
-- from when the table was small (or none: a new database, a server running without autovacuum),
-- the planner picks scans of the whole band table and dedup falls from ~550 to ~70 documents/s.
-- The normalise stage calls this after writing band rows; it analyses only when the rows just
-- written are a large share of what the statistics describe (more than 10 %, or never analysed),
-- so in steady state it costs nothing, and after a big backfill batch it runs once.
--
-- ANALYZE needs the table's owner; the pipeline's role is not, so this is SECURITY DEFINER
-- (owned by the migrating user), with a fixed search_path, and does nothing but ANALYZE.

CREATE FUNCTION process.refresh_dedup_statistics(rows_written bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    described real;
BEGIN
    SELECT reltuples INTO described FROM pg_class WHERE oid = 'process.lsh_band'::regclass;
    IF described >= 0 AND rows_written <= 0.1 * described THEN
        RETURN false;
    END IF;
    ANALYZE process.lsh_band, process.normalized_item, staging.item;
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION process.refresh_dedup_statistics(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION process.refresh_dedup_statistics(bigint) TO portal_etl_pipeline;
