-- 002: processing state (schema `process`) and the integration store (schema `integration`).
-- Append-only like 001: change anything here by adding 003_….
--
-- process.*      what the processing stage derives from staging.item: normalised fields, dedup
--                keys and edges, stories, decisions, the review trail and the work queue.
-- integration.*  what the national portal consumes: one article per integrated story, the
--                channel pages it came from, the previous versions of changed articles, and
--                one load_batch row per load.
-- Closed vocabularies are CHECK constraints (docs/vocabulary.md); stored text is NFC.

CREATE SCHEMA IF NOT EXISTS process;
CREATE SCHEMA IF NOT EXISTS integration;

-- One row per staged item that went through normalisation. source_content_hash is the
-- staging.item.content_hash it was computed from: an item is re-normalised only when that changes.
CREATE TABLE process.normalized_item (
    item_id              bigint PRIMARY KEY REFERENCES staging.item ON DELETE CASCADE,
    source_id            text NOT NULL,
    source_content_hash  text NOT NULL,
    page_url             text NOT NULL,
    canonical_url        text NOT NULL,
    member_key           text NOT NULL CHECK (member_key ~ '^[0-9a-f]{16}$'),  -- sha1(source|url)[:16]
    title_clean          text NOT NULL CHECK (title_clean IS NFC NORMALIZED),
    title_key            text NOT NULL CHECK (title_key IS NFC NORMALIZED),
    sapo_clean           text NOT NULL CHECK (sapo_clean IS NFC NORMALIZED),
    dateline             text CHECK (dateline IS NFC NORMALIZED),
    body_text_clean      text NOT NULL CHECK (body_text_clean IS NFC NORMALIZED),
    body_html_sanitized  text NOT NULL,
    author               text CHECK (author IS NFC NORMALIZED),
    section              text,
    item_type            text CHECK (item_type IN ('tin', 'bai', 'video', 'podcast', 'infographic', 'photo')),
    language             text,
    url_key              text NOT NULL CHECK (url_key ~ '^[0-9a-f]{32}$'),
    native_key           text CHECK (native_key ~ '^[0-9a-f]{32}$'),
    title_day_key        text CHECK (title_day_key ~ '^[0-9a-f]{32}$'),
    word_count           integer NOT NULL CHECK (word_count >= 0),
    playable_video       boolean NOT NULL,
    signature            bytea NOT NULL,
    published_at         timestamptz,
    published_day_local  date,
    normalized_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX normalized_item_url_key ON process.normalized_item (url_key);
CREATE INDEX normalized_item_native_key ON process.normalized_item (native_key) WHERE native_key IS NOT NULL;
CREATE INDEX normalized_item_title_day_key ON process.normalized_item (title_day_key)
    WHERE title_day_key IS NOT NULL;
CREATE INDEX normalized_item_published ON process.normalized_item (published_at);
CREATE INDEX normalized_item_title_key ON process.normalized_item (title_key, published_at);

-- LSH band keys of each item's MinHash signature (dedup.minhash.band_keys). Candidate pairs come
-- only from equal band keys of items of other channels published within ±7 days.
-- No foreign key on purpose: 42 rows per item, and per-row FK checks cost as much as the insert;
-- rows are deleted with their item by the processing code (normalise and dedup).
CREATE TABLE process.lsh_band (
    item_id       bigint NOT NULL,
    band_key      text NOT NULL CHECK (band_key ~ '^[0-9]{2}:[0-9a-f]{16}$'),
    source_id     text NOT NULL,
    published_at  timestamptz NOT NULL,
    PRIMARY KEY (item_id, band_key)
);
CREATE INDEX lsh_band_lookup ON process.lsh_band (band_key, published_at);

-- Dedup edges, one per unordered pair (item_a < item_b), with the first layer that matched.
-- 'review_grey_zone' edges do not merge stories; 'editor_merge' edges are a reviewer's and are
-- never removed by recomputation (created_by names the reviewer).
CREATE TABLE process.dup_edge (
    item_a      bigint NOT NULL REFERENCES process.normalized_item ON DELETE CASCADE,
    item_b      bigint NOT NULL REFERENCES process.normalized_item ON DELETE CASCADE,
    reason      text NOT NULL CHECK (reason IN ('same_url', 'same_native_id', 'same_title_day',
                    'same_title_cross_channel', 'near_duplicate', 'review_grey_zone', 'editor_merge')),
    similarity  real CHECK (similarity BETWEEN 0 AND 1),
    created_by  text CHECK (created_by IS NFC NORMALIZED AND created_by <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item_a, item_b),
    CHECK (item_a < item_b),
    CHECK ((reason = 'editor_merge') = (created_by IS NOT NULL))
);
CREATE INDEX dup_edge_item_b ON process.dup_edge (item_b);

-- Story membership: the connected components of the merging edges. story_key is a function of
-- the component only (min member_key), so it does not depend on processing order.
CREATE TABLE process.item_story (
    item_id     bigint PRIMARY KEY REFERENCES process.normalized_item ON DELETE CASCADE,
    story_key   text NOT NULL CHECK (story_key ~ '^[0-9a-f]{16}$'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_story_key ON process.item_story (story_key);

-- One decision per item. decided_by = 'policy' rows are recomputed by every run; any other
-- value is a reviewer's decision and is never overwritten by the policy.
CREATE TABLE process.decision (
    item_id     bigint PRIMARY KEY REFERENCES staging.item ON DELETE CASCADE,
    outcome     text NOT NULL CHECK (outcome IN ('approved', 'rejected', 'needs_review')),
    reason      text CHECK (reason IN ('section_not_integrated', 'before_window', 'too_short',
                    'no_date', 'language', 'unknown_section', 'possible_duplicate', 'editor')),
    decided_by  text NOT NULL CHECK (decided_by <> '' AND decided_by IS NFC NORMALIZED),
    decided_at  timestamptz NOT NULL DEFAULT now(),
    note        text CHECK (note IS NFC NORMALIZED),
    CHECK ((outcome = 'approved') = (reason IS NULL)),
    CHECK (decided_by = 'policy' OR outcome <> 'needs_review'),
    CHECK (decided_by <> 'policy' OR reason IS DISTINCT FROM 'editor')
);
CREATE INDEX decision_review_queue ON process.decision (decided_at) WHERE outcome = 'needs_review';

-- Every reviewer action: who, when, what, why. No foreign key: the trail outlives the item.
CREATE TABLE process.review_audit (
    audit_id   bigserial PRIMARY KEY,
    item_id    bigint NOT NULL,
    action     text NOT NULL CHECK (action IN ('approve', 'reject', 'reopen')),
    reviewer   text NOT NULL CHECK (reviewer <> '' AND reviewer <> 'policy' AND reviewer IS NFC NORMALIZED),
    note       text NOT NULL CHECK (note IS NFC NORMALIZED),
    detail     jsonb NOT NULL DEFAULT '{}',
    previous   jsonb,                     -- the decision row before the action
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_audit_item ON process.review_audit (item_id, at);

-- Work queue between the stages (normalise → dedup → policy → load), so each stage can run in
-- its own task/transaction and pick up exactly what the previous one changed.
CREATE TABLE process.pending (
    stage    text NOT NULL CHECK (stage IN ('dedup', 'policy', 'load')),
    item_id  bigint NOT NULL,
    PRIMARY KEY (stage, item_id)
);

-- Integration store ----------------------------------------------------------------------------

CREATE TABLE integration.load_batch (
    batch_id        bigserial PRIMARY KEY,
    dag_id          text NOT NULL,
    run_id          text NOT NULL,
    interval_start  timestamptz,
    interval_end    timestamptz,
    counts          jsonb NOT NULL DEFAULT '{}',
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz
);
CREATE INDEX load_batch_run ON integration.load_batch (dag_id, run_id);

-- One row per integrated story; content = the primary item's normalised fields.
CREATE TABLE integration.article (
    story_key           text PRIMARY KEY CHECK (story_key ~ '^[0-9a-f]{16}$'),
    title               text NOT NULL CHECK (title IS NFC NORMALIZED AND btrim(title) <> ''),
    sapo                text NOT NULL CHECK (sapo IS NFC NORMALIZED),
    dateline            text CHECK (dateline IS NFC NORMALIZED),
    body_html           text NOT NULL,            -- sanitised (normalize.sanitize_html) only
    body_text           text NOT NULL CHECK (body_text IS NFC NORMALIZED),
    published_at        timestamptz NOT NULL,
    story_month         text NOT NULL CHECK (story_month ~ '^[0-9]{4}-[0-9]{2}$'),  -- primary's local month
    item_type           text NOT NULL CHECK (item_type IN ('tin', 'bai', 'video', 'podcast', 'infographic', 'photo')),
    section             text,
    author              text CHECK (author IS NFC NORMALIZED),
    language            text,
    primary_source_id   text NOT NULL,
    primary_item_id     bigint NOT NULL,
    primary_url         text NOT NULL,
    content_hash        text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    first_loaded_batch  bigint NOT NULL REFERENCES integration.load_batch,
    last_loaded_batch   bigint NOT NULL REFERENCES integration.load_batch,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_published ON integration.article (published_at);
CREATE INDEX article_story_month ON integration.article (story_month);

-- Every member item of an integrated story (approved or not), one row per channel page.
CREATE TABLE integration.article_source (
    source_id      text NOT NULL,
    url            text NOT NULL,                 -- the page URL the item was fetched from
    story_key      text NOT NULL REFERENCES integration.article,
    item_id        bigint NOT NULL UNIQUE,
    canonical_url  text NOT NULL,
    is_primary     boolean NOT NULL,
    outcome        text NOT NULL CHECK (outcome IN ('approved', 'rejected', 'needs_review')),
    published_at   timestamptz,
    PRIMARY KEY (source_id, url),
    CHECK (NOT is_primary OR outcome = 'approved')
);
CREATE INDEX article_source_story ON integration.article_source (story_key);
CREATE UNIQUE INDEX article_source_one_primary ON integration.article_source (story_key) WHERE is_primary;

-- Previous versions of articles that changed or were removed.
CREATE TABLE integration.article_history (
    history_id   bigserial PRIMARY KEY,
    story_key    text NOT NULL,
    batch_id     bigint NOT NULL REFERENCES integration.load_batch,
    change       text NOT NULL CHECK (change IN ('updated', 'removed')),
    previous     jsonb NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_history_story ON integration.article_history (story_key, history_id);
