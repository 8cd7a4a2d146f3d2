-- 007: e-mail delivery of the monthly report (issue #4, "Delivery"). Append-only like the others.
--
-- integration.report_delivery  one row per e-mail sent: which month, which report content (the
--                              payload hash of integration.monthly_report) and to whom. A re-run
--                              sends a month's report only to recipients who have not yet received
--                              that same content (portal_etl.reporting.delivery), so retries and
--                              catch-up runs never mail the same report twice; a forced send
--                              (`portal-etl report --force-email`) is recorded with forced = true.

CREATE TABLE integration.report_delivery (
    delivery_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month         text NOT NULL REFERENCES integration.monthly_report (month),
    content_hash  text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),  -- monthly_report.content_hash sent
    recipients    text[] NOT NULL CHECK (cardinality(recipients) > 0),    -- lower-cased, sorted addresses
    message_id    text NOT NULL,                                          -- the Message-ID header, for tracing
    forced        boolean NOT NULL DEFAULT false,
    sent_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_delivery_month_hash ON integration.report_delivery (month, content_hash);

-- Privileges as for the other report tables (sql/005_roles.sql): the loader writes, the pipeline
-- reads (its default privileges already say so; stated here for a migrating user other than the
-- one that ran 005), and the report reader may see what was sent when.
GRANT SELECT, INSERT ON integration.report_delivery TO portal_etl_loader;
GRANT SELECT ON integration.report_delivery TO portal_etl_pipeline;
GRANT SELECT ON integration.report_delivery TO portal_etl_report_reader;
