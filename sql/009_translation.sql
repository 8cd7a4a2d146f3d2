-- 009: English versions of integrated articles (issue #8).
--
-- process.translation_link   one row per English item: the Vietnamese item it translates (if any),
--                            the evidence and confidence, and who decided ('auto' or a reviewer).
-- process.mt_segment         the machine-translation cache: one row per translated segment
--                            (paragraph block) and engine/model, keyed by the segment's hash, so a
--                            re-run sends only segments that changed.
-- process.translation_run    the translate step's figures per run ("no translator configured" too).
-- integration.article_translation  per integrated article and language, its version with
--                            provenance: the source's own translation, or a machine translation
--                            (engine, model, time). Written only by the loader role.

CREATE TABLE process.translation_link (
    en_item_id     bigint PRIMARY KEY REFERENCES staging.item ON DELETE CASCADE,
    vi_item_id     bigint REFERENCES staging.item ON DELETE SET NULL,
    status         text NOT NULL CHECK (status IN ('linked', 'review', 'unlinked')),
    confidence     real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    evidence       jsonb NOT NULL DEFAULT '{}',
    decided_by     text NOT NULL CHECK (decided_by <> '' AND decided_by IS NFC NORMALIZED),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (status = 'unlinked' OR vi_item_id IS NOT NULL)
);
CREATE INDEX translation_link_vi ON process.translation_link (vi_item_id);

CREATE TABLE process.mt_segment (
    segment_sha256  text NOT NULL CHECK (segment_sha256 ~ '^[0-9a-f]{64}$'),
    source_lang     text NOT NULL,
    target_lang     text NOT NULL,
    engine          text NOT NULL,
    model           text NOT NULL,
    format          text NOT NULL CHECK (format IN ('html', 'text')),
    translated      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (segment_sha256, source_lang, target_lang, engine, model, format)
);

CREATE TABLE process.translation_run (
    dag_id          text NOT NULL,
    run_id          text NOT NULL,
    interval_start  timestamptz,
    interval_end    timestamptz,
    translator      text NOT NULL,               -- 'libretranslate:<model>', 'argos:<model>' or 'none'
    note            text,                        -- e.g. 'no translator configured'
    counts          jsonb NOT NULL DEFAULT '{}',
    finished_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dag_id, run_id)
);

CREATE TABLE integration.article_translation (
    story_key            text NOT NULL REFERENCES integration.article ON DELETE CASCADE,
    language             text NOT NULL CHECK (language ~ '^[a-z]{2}$'),
    origin               text NOT NULL CHECK (origin IN ('source', 'machine')),
    title                text NOT NULL CHECK (title IS NFC NORMALIZED AND btrim(title) <> ''),
    sapo                 text NOT NULL CHECK (sapo IS NFC NORMALIZED),
    body_html            text NOT NULL,
    -- origin 'source': the channel page that is the newspaper's own translation
    source_id            text,
    source_item_id       bigint,
    source_url           text,
    link_confidence      real CHECK (link_confidence BETWEEN 0 AND 1),
    link_evidence        jsonb,
    -- origin 'machine': what translated it, and from which version of the article
    engine               text,
    model                text,
    translated_at        timestamptz,
    article_content_hash text NOT NULL CHECK (article_content_hash ~ '^[0-9a-f]{64}$'),
    content_hash         text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (story_key, language),
    CHECK (origin <> 'source' OR (source_id IS NOT NULL AND source_item_id IS NOT NULL AND source_url IS NOT NULL)),
    CHECK (origin <> 'machine' OR (engine IS NOT NULL AND model IS NOT NULL AND translated_at IS NOT NULL))
);
CREATE INDEX article_translation_origin ON integration.article_translation (origin);

-- A machine translation never replaces the source's own translation: enforced here as well as
-- in the code, so no writer can get it wrong.
CREATE FUNCTION integration.keep_source_translation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.origin = 'source' AND NEW.origin = 'machine' THEN
        RAISE EXCEPTION 'a machine translation never replaces the source''s own translation (story %)',
            OLD.story_key USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER article_translation_keep_source BEFORE UPDATE ON integration.article_translation
    FOR EACH ROW EXECUTE FUNCTION integration.keep_source_translation();

-- Grants as 005_roles.sql: the pipeline writes process and reads integration; the loader writes
-- integration. Explicit as well as by 005's default privileges, in case another user created these.
GRANT SELECT, INSERT, UPDATE, DELETE ON process.translation_link, process.mt_segment, process.translation_run
    TO portal_etl_pipeline;
GRANT SELECT ON process.translation_link, process.mt_segment, process.translation_run TO portal_etl_loader;
GRANT SELECT ON integration.article_translation TO portal_etl_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE ON integration.article_translation TO portal_etl_loader;
