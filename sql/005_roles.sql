-- Separate roles for the separate jobs (issue #3 "its own role", issue #6 "Access").
--
-- Three NOLOGIN group roles; login users are members of the ones their job needs, and the code
-- switches with SET ROLE, so a statement outside the load step that tries to write the
-- integration store is refused by PostgreSQL itself, not by convention:
--   portal_etl_pipeline       writes staging and process; reads the integration store
--   portal_etl_loader         writes the integration store (only the load step acts as it)
--   portal_etl_report_reader  reads the monthly reports and their summary, nothing else
-- Role names are cluster-wide: creating them is skipped when another database made them first.
-- The migration user needs CREATEROLE (or the roles made beforehand, as the compose init does).

DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['portal_etl_pipeline', 'portal_etl_loader', 'portal_etl_report_reader'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database's migration created it at the same moment
            END;
        END IF;
        -- a non-superuser migrating user must be able to SET ROLE to the pipeline's roles
        IF r <> 'portal_etl_report_reader'
           AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
           AND NOT pg_has_role(current_user, r, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO %I', r, current_user);
        END IF;
    END LOOP;
END
$roles$;

-- pipeline: staging and process in full, the integration store read-only
GRANT USAGE ON SCHEMA staging, process, integration TO portal_etl_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA staging, process TO portal_etl_pipeline;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA staging, process TO portal_etl_pipeline;
GRANT SELECT ON ALL TABLES IN SCHEMA integration TO portal_etl_pipeline;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA staging TO portal_etl_pipeline;

-- loader: reads what it loads from, writes the integration store
GRANT USAGE ON SCHEMA staging, process, integration TO portal_etl_loader;
GRANT SELECT ON ALL TABLES IN SCHEMA staging, process TO portal_etl_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA integration TO portal_etl_loader;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA integration TO portal_etl_loader;

-- tables of later migrations get the same grants
ALTER DEFAULT PRIVILEGES IN SCHEMA staging, process
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO portal_etl_pipeline;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging, process GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO portal_etl_pipeline;
ALTER DEFAULT PRIVILEGES IN SCHEMA integration GRANT SELECT ON TABLES TO portal_etl_pipeline;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging, process GRANT SELECT ON TABLES TO portal_etl_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA integration GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portal_etl_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA integration GRANT USAGE, SELECT ON SEQUENCES TO portal_etl_loader;

-- report reader: the reports and their summary only (granted table by table; nothing by default)
GRANT USAGE ON SCHEMA integration TO portal_etl_report_reader;
GRANT SELECT ON integration.month_summary, integration.monthly_report TO portal_etl_report_reader;
