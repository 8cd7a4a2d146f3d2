"""Data-quality checks of the integration store: SQL queries that must return nothing.

``check_quality`` returns one message per failed check (an empty list means all passed), each
naming the check and up to five offending keys, so a DAG task can fail with a useful message.
"""

from __future__ import annotations

from portal_etl.db import transaction

# (name, query returning offending rows — first column is shown, description)
CHECKS: tuple[tuple[str, str, str], ...] = (
    (
        "article_title_date",
        """SELECT story_key FROM integration.article
            WHERE title IS NULL OR btrim(title) = '' OR published_at IS NULL ORDER BY 1""",
        "articles without a title or a publish date",
    ),
    (
        "story_key_unique",
        """SELECT story_key FROM (
               SELECT story_key, count(*) AS n FROM integration.article GROUP BY story_key
               UNION ALL
               SELECT s.story_key, 2 FROM integration.article_source s
                 JOIN process.item_story i USING (item_id)
                WHERE i.story_key <> s.story_key) x
            WHERE n > 1 ORDER BY 1""",
        "story keys that are not unique (duplicate articles, or an article listing items of another story)",
    ),
    (
        "approved_item_in_one_article",
        """SELECT d.item_id FROM process.decision d
             JOIN staging.item i ON i.item_id = d.item_id AND i.status = 'staged'
             JOIN process.item_story s ON s.item_id = d.item_id
             LEFT JOIN integration.article_source a ON a.item_id = d.item_id
            WHERE d.outcome = 'approved'
            GROUP BY d.item_id HAVING count(a.item_id) <> 1 ORDER BY 1""",
        "approved staged items not listed in exactly one article_source row",
    ),
    (
        "one_primary_per_article",
        """SELECT a.story_key FROM integration.article a
             LEFT JOIN integration.article_source s ON s.story_key = a.story_key AND s.is_primary
            GROUP BY a.story_key, a.primary_item_id
           HAVING count(s.item_id) <> 1 OR bool_or(s.item_id IS DISTINCT FROM a.primary_item_id)
            ORDER BY 1""",
        "articles without exactly one primary article_source row matching primary_item_id",
    ),
    (
        "article_source_current",
        """SELECT s.item_id FROM integration.article_source s
             LEFT JOIN process.decision d USING (item_id)
             LEFT JOIN staging.item i USING (item_id)
            WHERE i.status IS DISTINCT FROM 'staged' OR d.outcome IS DISTINCT FROM s.outcome ORDER BY 1""",
        "article_source rows of withdrawn items or with a stale outcome",
    ),
    (
        "load_batch_reconciles",
        """SELECT format('articles %s vs batches %s, sources %s vs batches %s', a.n, b.articles, s.n, b.sources)
             FROM (SELECT count(*) AS n FROM integration.article) a,
                  (SELECT count(*) AS n FROM integration.article_source) s,
                  (SELECT coalesce(sum((counts->>'new')::bigint - (counts->>'removed')::bigint), 0) AS articles,
                          coalesce(sum((counts->>'sources_added')::bigint
                                       - (counts->>'sources_removed')::bigint), 0) AS sources
                     FROM integration.load_batch WHERE finished_at IS NOT NULL) b
            WHERE a.n <> b.articles OR s.n <> b.sources""",
        "row counts do not reconcile with the load_batch counts",
    ),
    (
        "body_html_sanitised",
        r"""SELECT story_key FROM integration.article
             WHERE body_html ~* '<\s*(script|style|object|embed|form)\b|\son[a-z]+\s*=|javascript:|vbscript:|data:text'
             ORDER BY 1""",
        "article bodies with markup the sanitiser removes",
    ),
)


def run_checks(cur) -> list[str]:
    failures = []
    for name, sql, description in CHECKS:
        cur.execute(sql)
        rows = cur.fetchall()
        if rows:
            shown = ", ".join(str(r[0]) for r in rows[:5])
            more = f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
            failures.append(f"{name}: {len(rows)} {description}: {shown}{more}")
    return failures


def check_quality(dsn: str | None = None) -> list[str]:
    """Messages of the failed quality checks (empty: the integration store is consistent)."""
    with transaction(dsn, "portal-etl-quality") as conn, conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return run_checks(cur)
