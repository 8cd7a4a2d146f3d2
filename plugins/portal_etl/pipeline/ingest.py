"""Ingest one source for one data interval: walk list pages, then fetch and stage articles.

These functions are what the Airflow tasks call; they know nothing of Airflow, so they can be
run and tested without a scheduler. Every write is an upsert and each page is committed on its
own, so a killed or retried task resumes without doubling or losing anything.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import psycopg2

from portal_etl.adapters import get_adapter
from portal_etl.db import connect
from portal_etl.db import staging as st
from portal_etl.faults import failpoint
from portal_etl.fetch import Fetcher, FetchResult, PageState, decode_html, looks_like_html
from portal_etl.fetch.shared_ratelimit import rate_limiter_for
from portal_etl.models import ExtractedItem, ListEntry, ParseError
from portal_etl.months import LOCAL_TZ
from portal_etl.normalize.urls import canonicalize_url
from portal_etl.pipeline.settled import is_settled
from portal_etl.registry import Registry, Source, load_usable_registry

log = logging.getLogger("portal_etl.ingest")


class SourceNotConfigured(RuntimeError):
    """The registry entry cannot be crawled (no base URL, or disabled)."""


@dataclass
class RunContext:
    source: Source
    dag_id: str
    run_id: str
    start: datetime
    end: datetime
    counts: dict[str, int] = field(default_factory=dict)
    missed_hints: Counter = field(default_factory=Counter)  # selector → pages it missed on
    step: str = "fetch"  # "discover" or "fetch": which counters this task writes
    try_number: int = 1  # the Airflow try: each try's counts are kept, the run's are their sum

    def bump(self, name: str, by: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + by

    def metric_counts(self) -> dict[str, int]:
        """This try's counters under their ``staging.run_metrics`` column names."""
        renamed = {"new": "new_items", "updated": "updated_items"}
        counts = {renamed.get(k, k): v for k, v in self.counts.items()}
        return {c: counts.get(c, 0) for c in st.step_columns(self.step)}

    def save(self, cur, *, finished: bool = False) -> None:
        """Record this try's counts so far, in the caller's transaction (see sql/019)."""
        st.record_try_metrics(
            cur,
            dag_id=self.dag_id,
            run_id=self.run_id,
            source_id=self.source.id,
            interval_start=self.start,
            interval_end=self.end,
            step=self.step,
            try_number=self.try_number,
            counts=self.metric_counts(),
            finished=finished,
        )

    def hints_missed(self, keys: list[str], *, list_page: bool = False) -> None:
        """A page whose selectors fell through to generic methods: counted for the run metrics."""
        if keys:
            self.missed_hints.update(keys)
            if list_page:
                self.bump("list_hint_misses", len(keys))
            else:
                self.bump("hint_misses", len(keys))
                self.bump("pages_with_hint_misses")

    def log_hint_misses(self, what: str) -> None:
        if self.missed_hints:
            log.warning(
                "source=%s: selectors missed on %s pages, which were read by generic methods (%s): "
                "the site's theme may have changed; see adapter_options in the registry",
                self.source.id,
                what,
                ", ".join(f"{k} ×{n}" for k, n in self.missed_hints.most_common()),
            )


@dataclass
class Page:
    """A fetched (or cached) page body, ready to parse."""

    result: FetchResult
    content: bytes
    content_type: str | None
    raw_sha256: str
    from_cache: bool  # 304 / unchanged: the body came from raw_capture


def _check_configured(source: Source) -> None:
    if not source.enabled:
        raise SourceNotConfigured(f"source {source.id!r} is disabled in the registry")
    if source.base_url is None:
        raise SourceNotConfigured(
            f"source {source.id!r} ({source.name}) has no base_url: set it in an overrides file "
            "named by PORTAL_ETL_SOURCES_OVERRIDES"
        )


class StagingWriteError(RuntimeError):
    """PostgreSQL refused a page's writes (disk full, a constraint, the server gone): the task
    fails, naming the source and the page; the pages committed before it stay."""


@contextmanager
def _page_transaction(conn, ctx: RunContext, url: str) -> Iterator[Any]:
    """One page's writes in one transaction; a database error fails the task with the page's URL
    (a full disk fails every page, so going on would only repeat it)."""
    try:
        with conn, conn.cursor() as cur:
            yield cur
            ctx.save(cur)  # the page's counts commit with its rows: a killed try keeps both or neither
    except psycopg2.Error as exc:
        detail = (exc.pgerror or str(exc)).strip().splitlines()
        raise StagingWriteError(
            f"source {ctx.source.id}: could not store {url}: {type(exc).__name__}: {detail[0] if detail else ''}"
        ) from exc


def _reusable(state: dict[str, Any] | None, url: str, source: Source, fetched_after: datetime) -> bool:
    """A stored list page that may stand in for a fetch: fetched (not redirected, status 200)
    after ``fetched_after`` — the run's interval end, so it already lists everything the interval
    published — and within ``fetch.list_reuse_minutes``."""
    if not state or not state["content_sha256"] or source.fetch.list_reuse_minutes == 0:
        return False
    fetched = state["last_fetched_at"]
    return (
        state["last_status"] == 200
        and state["final_url"] == url
        and fetched >= fetched_after
        and datetime.now(UTC) - fetched <= timedelta(minutes=source.fetch.list_reuse_minutes)
    )


# A failed article fetch counts against the article share of the health check; a failed list
# page cuts its section's walk short; a broken feed is only logged.
_FETCH_ERROR_COUNTER = {"article": "fetch_errors", "list": "list_fetch_errors", "feed": "feed_fetch_errors"}


def _fetch(
    conn, fetcher: Fetcher, ctx: RunContext, url: str, purpose: str, *, reuse_after: datetime | None = None
) -> Page | None:
    """GET with conditional headers; record the event; keep the raw bytes. None on failure.

    ``reuse_after``: a stored copy fetched after this time (see :func:`_reusable`) is returned
    without a request (no fetch event: nothing was fetched)."""
    with conn.cursor() as cur:
        state = st.load_page_state(cur, url)
        if reuse_after is not None and _reusable(state, url, ctx.source, reuse_after):
            cached = st.load_capture(cur, state["content_sha256"])
            if cached is not None:
                ctx.bump("list_pages_reused")
                result = FetchResult(url=url, final_url=url, status=state["last_status"], outcome="reused")
                return Page(result, cached[0], cached[1], state["content_sha256"], True)
    conditional = {k: state[k] for k in ("etag", "last_modified", "content_sha256")} if state else None
    result = fetcher.get(url, PageState(**conditional) if conditional else None)
    with _page_transaction(conn, ctx, url) as cur:
        if result.outcome in ("not_modified", "unchanged") and state and state["content_sha256"]:
            cached = st.load_capture(cur, state["content_sha256"])
            st.record_fetch_event(cur, ctx.run_id, ctx.source.id, purpose, result)
            if cached is not None:
                if result.outcome == "not_modified":
                    ctx.bump("not_modified")
                else:
                    ctx.bump("unchanged_bodies")
                return Page(result, cached[0], cached[1], state["content_sha256"], True)
            # state without its capture cannot happen through this code; refetch plainly
            result = fetcher.get(url, None)
        if not result.ok:
            st.record_fetch_event(cur, ctx.run_id, ctx.source.id, purpose, result)
            ctx.bump(_FETCH_ERROR_COUNTER[purpose])
            log.warning(
                "fetch failed: source=%s purpose=%s url=%s outcome=%s status=%s error=%s",
                ctx.source.id,
                purpose,
                url,
                result.outcome,
                result.status,
                result.error,
            )
            return None
        if not looks_like_html(result.content, result.content_type) and purpose != "feed":
            result.error = (
                f"not an HTML page: Content-Type {result.content_type!r}, "
                f"{len(result.content)} bytes starting {result.content[:16]!r}"
            )
            st.record_fetch_event(cur, ctx.run_id, ctx.source.id, purpose, result, "not_html")
            ctx.bump(_FETCH_ERROR_COUNTER[purpose])
            log.warning("not an HTML page: source=%s url=%s content-type=%s", ctx.source.id, url, result.content_type)
            return None
        sha = st.save_capture(cur, result.content, result.content_type)
        st.record_fetch_event(cur, ctx.run_id, ctx.source.id, purpose, result)
        st.save_page_state(
            cur,
            url,
            ctx.source.id,
            etag=result.headers.get("etag"),
            last_modified=result.headers.get("last-modified"),
            content_sha256=sha,
            status=result.status,
            fetched_at=datetime.now(UTC),
            final_url=result.final_url,
        )
        ctx.bump("fetched")
    return Page(result, result.content, result.content_type, sha, False)


def _in_interval(entry: ListEntry, start: datetime, end: datetime) -> bool:
    if entry.published_at is None:
        return False
    return start <= entry.published_at < end


def _older_than(entry: ListEntry, start: datetime) -> bool:
    return entry.published_at is not None and entry.published_at < start


@contextmanager
def _open_run(
    step: str,
    source_id: str,
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    registry: Registry | None,
    dsn: str | None,
    try_number: int = 1,
) -> Iterator[tuple[RunContext, Any, Fetcher, Any]]:
    """What every ingest step needs: the checked source, its adapter, a fetcher, a connection."""
    registry = registry or load_usable_registry()
    source = registry.get(source_id)
    _check_configured(source)
    # politeness shared with every other worker fetching from the same domain (PORTAL_ETL_RATE_LIMITER)
    limiter = rate_limiter_for(dsn)
    fetcher = Fetcher.for_source(source, rate_limiter=limiter)
    conn = connect(dsn, f"portal-etl-{step}-{source_id}")
    try:
        with conn, conn.cursor() as cur:
            st.sync_sources(cur, registry)
        ctx = RunContext(source, dag_id, run_id, start, end, step=step, try_number=try_number)
        yield ctx, get_adapter(source), fetcher, conn
    finally:
        conn.close()
        fetcher.close()
        getattr(limiter, "close", lambda: None)()


def discover(
    source_id: str,
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    registry: Registry | None = None,
    dsn: str | None = None,
    try_number: int = 1,
) -> dict[str, int]:
    """Walk every section's list pages from newest back past ``start``; store the entries.

    The walk's evidence is counted too (entries before and after the interval, sections walked to
    the end or cut short): it lets the health check call an empty month quiet, not broken."""
    with _open_run(
        "discover",
        source_id,
        start,
        end,
        dag_id=dag_id,
        run_id=run_id,
        registry=registry,
        dsn=dsn,
        try_number=try_number,
    ) as (ctx, adapter, fetcher, conn):
        source = ctx.source
        listed: set[str] = set()
        for section, first_url in adapter.section_start_urls():
            walked = _walk_section(conn, fetcher, adapter, ctx, section, first_url, listed)
            ctx.bump("sections_walked" if walked else "sections_cut_short")
        _read_feeds(conn, fetcher, adapter, ctx)
        ctx.counts["listed"] = len(listed)
        ctx.log_hint_misses("list")
        with conn, conn.cursor() as cur:
            ctx.save(cur)
        counts = ctx.metric_counts()
    log.info(
        "discovered %d candidate articles on %d list pages (%d of them stored copies) for %s [%s, %s)",
        counts["listed"],
        counts["list_pages"],
        counts["list_pages_reused"],
        source.id,
        start.isoformat(),
        end.isoformat(),
    )
    return counts


def _walk_section(conn, fetcher: Fetcher, adapter, ctx: RunContext, section, first_url: str, listed: set[str]) -> bool:
    """Walk one section's list pages, newest first, adding the interval's entries to ``listed``.

    True when nothing of the interval can have been missed: the walk reached an entry older than
    the interval, or the end of the list. False when it stopped short: a failed fetch, a first
    page without entries (it did not parse), a pager cycle or the page limit."""
    source, start, end = ctx.source, ctx.start, ctx.end
    page_url: str | None = first_url
    seen_pages: set[str] = set()
    pages = 0
    while page_url and pages < source.fetch.max_list_pages:
        if page_url in seen_pages:
            log.warning("pager cycle at %s (source=%s); stopping section %s", page_url, source.id, section.path)
            _record_list_problem(
                conn,
                ctx,
                page_url,
                ParseError(
                    "pager_cycle",
                    f"section {section.path}: the pager leads back to {page_url}, "
                    "already walked in this run; the section's walk stopped there",
                ),
            )
            return False
        seen_pages.add(page_url)
        page = _fetch(conn, fetcher, ctx, page_url, "list", reuse_after=end)
        pages += 1
        ctx.bump("list_pages")
        if page is None:
            return False
        if pages > 1 and _redirected_to_first(page.result, first_url):
            return True  # NukeViet answers a page past the last with a 301 to page 1
        text, _ = decode_html(page.content, page.content_type)
        listing = adapter.parse_list(text, page.result.final_url, section)
        ctx.hints_missed(listing.hint_misses, list_page=True)
        entries = [e for e in listing.entries if not adapter.skip_url(e.url)]
        listed.update(e.url for e in entries if _in_interval(e, start, end))
        ctx.counts["listed"] = len(listed)
        ctx.bump("list_entries", len(entries))
        ctx.bump("list_entries_before_window", sum(_older_than(e, start) for e in entries))
        ctx.bump(
            "list_entries_after_window", sum(e.published_at is not None and e.published_at >= end for e in entries)
        )
        with conn, conn.cursor() as cur:
            st.upsert_list_entries(cur, source.id, section.path, entries)
            _record_undatable(cur, ctx, adapter, page.result.final_url, entries)
            ctx.save(cur)
        if not entries:
            return pages > 1  # a first page without entries did not parse; a later one ends the list
        if _older_than(entries[-1], start):
            return True
        page_url = listing.next_url
    if page_url:
        log.warning("list page limit (%d) reached for %s/%s", source.fetch.max_list_pages, source.id, section.path)
        _record_list_problem(
            conn,
            ctx,
            page_url,
            ParseError(
                "pager_limit",
                f"section {section.path}: still a next page after "
                f"fetch.max_list_pages={source.fetch.max_list_pages} pages; not walked: {page_url}",
            ),
        )
        return False
    return True  # no next page: the whole list was read


def _record_list_problem(conn, ctx: RunContext, url: str, problem: ParseError) -> None:
    with conn, conn.cursor() as cur:
        st.record_parse_failure(cur, ctx.run_id, ctx.source.id, url, problem, None)


def _record_undatable(cur, ctx: RunContext, adapter, list_url: str, entries: list[ListEntry]) -> None:
    """A list entry whose date is missing or impossible is fetched by no interval's run: record
    it against its URL (``staging.parse_failure``) instead of losing it silently."""
    lower, upper = adapter.date_window()
    for entry in entries:
        if entry.published_at is None:
            problem = ParseError(
                "list_no_date",
                f"listed on {list_url} without a date the adapter can read; no interval's run fetches it",
            )
        elif not lower <= entry.published_at <= upper:
            problem = ParseError(
                "list_date_out_of_window",
                f"listed on {list_url} as "
                f"{entry.published_at.isoformat()}, outside [{lower.date()}, "
                f"{upper.date()}]: a wrong date, so no run fetches it when it should",
            )
        else:
            continue
        log.warning("list entry not dated: source=%s url=%s reason=%s", ctx.source.id, entry.url, problem.reason)
        st.record_parse_failure(cur, ctx.run_id, ctx.source.id, entry.url, problem, None)


def _read_feeds(conn, fetcher: Fetcher, adapter, ctx: RunContext) -> None:
    """Keep the RSS entries: the last step of the date chain. A broken feed is logged, not fatal."""
    for path in ctx.source.rss:
        feed_url = f"{ctx.source.base_url}{path}"
        page = _fetch(conn, fetcher, ctx, feed_url, "feed")
        if page is None:
            continue
        entries = adapter.parse_feed(page.content, page.result.final_url)
        with conn, conn.cursor() as cur:
            st.upsert_feed_entries(cur, ctx.source.id, entries)
        log.info("feed %s: %d entries", feed_url, len(entries))


def _redirected_to_first(result: FetchResult, first_url: str) -> bool:
    return bool(result.redirects) and canonicalize_url(result.final_url) == canonicalize_url(first_url)


def fetch_articles(
    source_id: str,
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    registry: Registry | None = None,
    dsn: str | None = None,
    refresh_settled: bool = False,
    try_number: int = 1,
) -> dict[str, int]:
    """Fetch, extract and stage every article the list pages dated inside [start, end).

    Settled articles (``pipeline.settled``) keep their staged item without a request, unless
    ``refresh_settled``."""
    with _open_run(
        "fetch", source_id, start, end, dag_id=dag_id, run_id=run_id, registry=registry, dsn=dsn, try_number=try_number
    ) as (ctx, adapter, fetcher, conn):
        source = ctx.source
        with conn.cursor() as cur:
            candidates = _one_listing_per_article(cur, source.id, st.list_candidates(cur, source.id, start, end))
            if not refresh_settled:
                candidates = _unsettled(cur, ctx, candidates)
        for cand in candidates:
            _stage_one(conn, fetcher, adapter, ctx, cand)
        counts = {
            "fetched": ctx.counts.get("fetched", 0),
            "not_modified": ctx.counts.get("not_modified", 0),
            "unchanged": ctx.counts.get("unchanged", 0),
            "parsed": ctx.counts.get("parsed", 0),
            "parse_errors": ctx.counts.get("parse_errors", 0),
            "fetch_errors": ctx.counts.get("fetch_errors", 0),
            "new_items": ctx.counts.get("new", 0),
            "updated_items": ctx.counts.get("updated", 0),
            "hint_misses": ctx.counts.get("hint_misses", 0),
            "pages_with_hint_misses": ctx.counts.get("pages_with_hint_misses", 0),
            "articles_settled": ctx.counts.get("articles_settled", 0),
        }
        ctx.log_hint_misses("article")
        with conn, conn.cursor() as cur:
            ctx.save(cur, finished=True)  # this try's counts; staging.run_metrics sums the tries
    log.info("staged %s: %s", source.id, counts)
    return counts


def _one_listing_per_article(cur, source_id: str, candidates: list[dict]) -> list[dict]:
    """One candidate per article listed under several sections.

    NukeViet lists an article under each of its categories (``/cat-a/alias-123.html`` and
    ``/cat-b/alias-123.html``): the same native id and the same last path segment. Those are
    fetched once, under the URL fetched before if there is one (so a re-run asks for the same
    URL, conditionally, even when it redirected to the other listing), else the first listed; a
    candidate without a native id is always kept."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for cand in candidates:
        if cand["native_id"]:
            tail = urlsplit(cand["url"]).path.rstrip("/").rsplit("/", 1)[-1]
            groups.setdefault((cand["native_id"], tail), []).append(cand)
    repeated = [group for group in groups.values() if len(group) > 1]
    if not repeated:
        return candidates
    cur.execute(
        "SELECT url FROM staging.page_state WHERE source_id = %s AND url = ANY(%s)",
        (source_id, [c["url"] for group in repeated for c in group]),
    )
    fetched = {row[0] for row in cur.fetchall()}
    skip: set[str] = set()
    for group in repeated:
        keep = next((c for c in group if c["url"] in fetched), group[0])
        skip.update(c["url"] for c in group if c is not keep)
    log.info(
        "source=%s: %d listings repeat an article listed under another section; fetched once", source_id, len(skip)
    )
    return [c for c in candidates if c["url"] not in skip]


def _unsettled(cur, ctx: RunContext, candidates: list[dict]) -> list[dict]:
    """The candidates a re-run must fetch: settled ones are counted and left as staged."""
    stability = st.load_stability(cur, [c["url"] for c in candidates])
    rule = ctx.source.fetch.settled
    keep = [c for c in candidates if not is_settled(stability.get(c["url"]), c["listed_at"], rule)]
    if len(keep) < len(candidates):
        ctx.bump("articles_settled", len(candidates) - len(keep))
        log.info(
            "source=%s: %d of %d articles settled (same content over %d fetch(es), %g days): not fetched "
            "again; --refresh-settled fetches them",
            ctx.source.id,
            len(candidates) - len(keep),
            len(candidates),
            rule.fetches,
            rule.days,
        )
    return keep


def _stage_one(conn, fetcher: Fetcher, adapter, ctx: RunContext, cand: dict) -> None:
    url = cand["url"]
    page = _fetch(conn, fetcher, ctx, url, "article")
    if page is None:
        with conn, conn.cursor() as cur:
            st.record_stability(cur, url, same_content=None, at=datetime.now(UTC))
        return
    page_url = canonicalize_url(page.result.final_url)
    with conn.cursor() as cur:
        if page.from_cache and st.staged_raw_sha(cur, ctx.source.id, page_url) == page.raw_sha256:
            st.record_stability(cur, url, same_content=True, at=datetime.now(UTC))
            conn.commit()
            ctx.bump("unchanged")
            return
        feed_entry = st.feed_entry_for(cur, ctx.source.id, url)
    text, _ = decode_html(page.content, page.content_type)
    entry = ListEntry(
        url=url,
        title=cand["title"],
        published_at=cand["listed_at"],
        native_id=cand["native_id"],
        date_only=cand["listed_date_only"],
    )
    outcome: ExtractedItem | ParseError
    try:
        outcome = adapter.parse_article(text, page.result.final_url, list_entry=entry, feed_entry=feed_entry)
        ctx.bump("parsed")
        ctx.hints_missed(outcome.hint_misses)
    except ParseError as exc:
        outcome = exc
        ctx.bump("parse_errors")
        log.warning(
            "parse error: source=%s url=%s reason=%s detail=%s", ctx.source.id, page_url, exc.reason, exc.detail
        )
    with _page_transaction(conn, ctx, page_url) as cur:
        change = st.upsert_item(cur, ctx.source.id, page_url, outcome, page.raw_sha256)
        if isinstance(outcome, ParseError):
            st.record_parse_failure(cur, ctx.run_id, ctx.source.id, page_url, outcome, page.raw_sha256)
        same = None if isinstance(outcome, ParseError) else change == "unchanged"
        st.record_stability(cur, url, same_content=same, at=datetime.now(UTC))
        ctx.bump(change)  # counted in the page's transaction (saved when it commits)
        failpoint("ingest.stage_write")  # fault tests: killed with the page's write not yet committed


def summarize(dag_id: str, run_id: str, source_id: str, dsn: str | None = None) -> dict:
    """The run's metrics row — sums over all tries of its tasks — also rendered as a short table
    for the end of the task log, with what each try counted when there was more than one."""
    conn = connect(dsn, "portal-etl-summary")
    try:
        with conn.cursor() as cur:
            row = st.read_metrics(cur, dag_id, run_id, source_id)
            tries = st.read_try_metrics(cur, dag_id, run_id, source_id)
    finally:
        conn.close()
    if row is None:
        raise RuntimeError(f"no metrics recorded for {dag_id} / {run_id} / {source_id}")
    first_day = row["interval_start"].astimezone(LOCAL_TZ)
    last_day = (row["interval_end"] - timedelta(seconds=1)).astimezone(LOCAL_TZ)
    over = f", sums over {row['tries']} tries" if row["tries"] > 1 else ""
    lines = [f"run metrics — {source_id} — {first_day:%d-%m-%Y} .. {last_day:%d-%m-%Y} (local){over}"]
    width = max(len(n) for n in st.METRIC_COLUMNS)
    for name in st.METRIC_COLUMNS:
        lines.append(f"  {name:<{width}} {row[name]:>7}")
    if len({t["try_number"] for t in tries}) > 1:
        for t in tries:
            shown = ", ".join(f"{k} {v}" for k, v in t["counts"].items() if v)
            lines.append(f"  try {t['try_number']} {t['step']:<8} {shown or 'nothing counted'}")
    log.info("\n".join(lines))
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
