"""``portal-etl``: the operators' and engineers' command line.

Every command has ``--help``. Commands that touch the database read DATABASE_URL (or the
Airflow connection ``portal_etl_db``); the setup script writes both into var/local.env.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from portal_etl import settings


def _cmd_sources(args: argparse.Namespace) -> int:
    from portal_etl.registry.loader import load_registry_result

    result = load_registry_result()
    for source in result.registry.sources:
        state = "ready" if source.configured else "NOT CONFIGURED (no base_url)"
        print(f"{source.id:<16} {source.adapter:<10} {source.base_url or '-':<40} {state}")
    for error in result.errors:
        print(f"ERROR {error}", file=sys.stderr)
    return 1 if result.errors else 0


def _cmd_db_migrate(args: argparse.Namespace) -> int:
    from portal_etl.db import migrate
    from portal_etl.settings import database_url, redact

    applied = migrate()
    print(f"{redact(database_url())}: " + (", ".join(applied) if applied else "up to date"))
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from portal_etl.adapters import get_adapter
    from portal_etl.fetch import decode_html
    from portal_etl.models import ParseError
    from portal_etl.registry import load_registry

    if args.generic:
        adapter = get_adapter(_generic_source(args.url))
    elif not args.source:
        print("portal-etl extract: name a registry source with --source ID, or use --generic", file=sys.stderr)
        return 2
    else:
        adapter = get_adapter(load_registry().get(args.source))
    if args.list and len(args.pages) != 1:
        print("portal-etl extract --list: one list page at a time", file=sys.stderr)
        return 2
    worst = 0
    for page_path in args.pages:
        raw = Path(page_path).read_bytes()
        text, encoding = decode_html(raw, args.content_type)
        base = adapter.source.base_url or "http://localhost"
        url = args.url if args.url and len(args.pages) == 1 else f"{base}/{Path(page_path).name}"
        try:
            if args.list:
                section = adapter.source.section(args.section) or adapter.source.sections[0]
                payload, status = _list_payload(adapter.parse_list(text, url, section)), 0
            else:
                report = adapter.inspect(text, url)
                payload = _article_payload(report, full=args.full, flat=args.generic)
                status = 0 if report.complete else 2
        except ParseError as exc:
            why = {"not_html": "not an HTML page", "empty_page": "an empty page"}.get(exc.reason, exc.reason)
            payload, status = {"error": exc.reason, "detail": f"{why}: {exc.detail}" if exc.detail else why}, 2
        payload = {"page": str(page_path), "encoding": encoding, **payload}
        print(json.dumps(payload, ensure_ascii=False, indent=None if args.generic else 2))
        worst = max(worst, status)
    return worst


def _generic_source(url: str | None):
    """A registry entry for a site nobody has described: the generic adapter and the page's host."""
    from urllib.parse import urlsplit

    from portal_etl.registry.schema import Source

    base = None
    if url:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
    return Source(
        id="generic",
        name="(generic)",
        base_url=base,
        adapter="generic",
        live_since=date(1990, 1, 1),
        sections=[{"path": "tin-tuc", "name": "(any)"}],
        article_min_words=500,
    )


def _list_payload(listing) -> dict:
    return {
        "next_url": listing.next_url,
        "methods": listing.methods,
        "hint_misses": listing.hint_misses,
        "entries": [
            {
                "url": e.url,
                "title": e.title,
                "native_id": e.native_id,
                "published_at": e.published_at.isoformat() if e.published_at else None,
                "date_only": e.date_only,
            }
            for e in listing.entries
        ],
    }


def _article_payload(report, *, full: bool, flat: bool) -> dict:
    """Every field with its value, method and confidence; the required fields no method found."""
    values = dict(report.fields)
    values["published_at"] = values["published_at"].isoformat() if values["published_at"] else None
    values["images"] = [{"src": i.src, "caption": i.caption} for i in values["images"]]
    if not full:
        values["body_html"] = f"<{len(values['body_html'])} characters>"
    values["body"] = values.pop("body_text")
    described = {
        name: {"value": value, "method": report.sources.get(name), "confidence": report.confidence.get(name)}
        for name, value in values.items()
    }
    out: dict = {
        "url": report.url,
        "complete": report.complete,
        "missing": report.missing,
        "hint_misses": report.hint_misses,
    }
    if flat:  # one line per page: the values first, then how each was found
        out.update({"title": values["title"], "published_at": values["published_at"], "body_text": values["body"]})
        out["methods"] = {k: v for k, v in report.sources.items()}
        out["confidence"] = report.confidence
        out["fields"] = {k: v for k, v in values.items() if k not in ("title", "published_at", "body")}
    else:
        out["fields"] = described
    return out


def _cmd_replica_moved(args: argparse.Namespace) -> int:
    print(
        "portal-etl: the replica has a command of its own: portal-replica generate|serve (portal-replica --help)",
        file=sys.stderr,
    )
    return 2


def _cmd_ingest(args: argparse.Namespace) -> int:
    """``ingest``: ``backfill`` without the processing run."""
    return _run_past_months(args, process=False)


def _cmd_backfill(args: argparse.Namespace) -> int:
    return _run_past_months(args, process=not args.no_process)


def _run_past_months(args: argparse.Namespace, *, process: bool) -> int:
    from portal_etl.orchestration.tools import month_plan, past_months

    plan = month_plan.plan_months(
        args.from_month,
        args.to_month,
        args.source,
        reprocess=args.reprocess,
        process=process,
        refresh_settled=args.refresh_settled,
    )
    then = ", then integrate_articles over the range" if process else ""
    print(
        f"{args.command}: {len(plan.months)} month(s) × {len(plan.source_ids)} source(s) ({plan.span}) "
        f"as Airflow backfills{then}",
        file=sys.stderr,
        flush=True,
    )
    result = past_months.run_plan(plan, api_url=args.airflow_api, timeout=args.timeout, announce=_announce)
    print(result.summary())
    return 0 if result.ok else 1


def _cmd_process(args: argparse.Namespace) -> int:
    from portal_etl.orchestration.tools import month_plan, past_months

    months = month_plan.month_span(args.from_month, args.to_month)
    span = f"{months[0]}..{months[-1]}"
    state = past_months.run_process(
        months[0],
        months[-1],
        note=f"portal-etl process {span}",
        api_url=args.airflow_api,
        timeout=args.timeout,
        announce=_announce,
    )
    print(f"integrate_articles {span}: {state}")
    return 0 if state == "success" else 1


def _announce(line: str) -> None:
    print(f"  ({line})", file=sys.stderr, flush=True)


def _cmd_report(args: argparse.Namespace) -> int:
    from portal_etl.orchestration.tools.month_plan import parse_month
    from portal_etl.reporting.monthly import produce_report, refresh_summary, write_atomic

    month = parse_month(args.month).first_day
    if args.what_if or args.gaps:  # read-only answers: no report file, no stored row
        return _report_gaps_or_what_if(args)
    if args.refresh:
        refresh_summary(month)
    report = produce_report(month)
    if args.format == "table":
        data = report.table().encode("utf-8")
    else:
        data = report.rendered[args.format]
    if args.output:
        print(f"{args.format}: {write_atomic(Path(args.output), data)}", file=sys.stderr)
    elif args.format == "xlsx":
        print(report.paths["xlsx"])  # a workbook is not for a terminal: say where it is
    else:
        sys.stdout.write(data.decode("utf-8").removeprefix("\ufeff"))
        sys.stdout.flush()
    if args.email or args.force_email:
        return _email_report(report, force=args.force_email)
    return 0


def _report_gaps_or_what_if(args: argparse.Namespace) -> int:
    """``report --gaps`` / ``--what-if``: what keeps items out, or what a policy change would do."""
    from portal_etl.reporting.render_text import gap_lines, what_if_lines

    sources = [args.source] if args.source else None
    if args.what_if:
        from portal_etl.registry import load_usable_registry
        from portal_etl.reporting.whatif import what_if

        registry = load_usable_registry()
        result = what_if(args.month, args.what_if, registry=registry)
        names = {s.id: s.name for s in registry.sources}
        text = (
            json.dumps(result, ensure_ascii=False, indent=1)
            if args.format == "json"
            else "\n".join(what_if_lines(result, names))
        )
    else:
        from portal_etl.reporting.gaps import month_gaps

        payload = month_gaps(args.month, sources)
        text = (
            json.dumps(payload["gaps"], ensure_ascii=False, indent=1)
            if args.format == "json"
            else "\n".join(gap_lines(payload, sources))
        )
    print(text)
    return 0


def _email_report(report, *, force: bool) -> int:
    from portal_etl.reporting import delivery
    from portal_etl.settings import ConfigurationError

    try:
        reason = delivery.not_configured_reason()
        if reason:
            print(f"e-mail: not sent, {reason}", file=sys.stderr)
            return 2
        result = delivery.deliver(delivery.ReportContent.from_report(report), force=force)
    except (ConfigurationError, delivery.DeliveryError) as exc:
        print(f"e-mail: {exc}", file=sys.stderr)
        return 1
    print(f"e-mail: {result.describe()}", file=sys.stderr)
    return 0


def _cmd_stack(args: argparse.Namespace) -> int:
    from portal_etl.orchestration.tools import stack

    if args.stack_cmd == "up":
        print("Airflow stack: starting what is not running ...", file=sys.stderr, flush=True)
        state = stack.up(port=args.port)
        print(f"started: {', '.join(state.started)}" if state.started else "already running: nothing started")
    elif args.stack_cmd == "down":
        stopped = stack.down()
        print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
        return 0
    else:
        state = stack.status()
    print(state.render())
    return 0 if state.healthy else 1


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _cmd_status(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from portal_etl.monitoring.status import render_status, source_status

    until = date.fromisoformat(args.until) if args.until else None
    statuses = source_status(weeks=args.weeks, until=until)
    if args.json:
        print(json.dumps([asdict(s) for s in statuses], ensure_ascii=False, indent=2, default=str))
    else:
        print(render_status(statuses))
    return 0


def _cmd_review(args: argparse.Namespace) -> int:
    from portal_etl.months import LOCAL_TZ
    from portal_etl.pipeline.process import review

    if args.review_cmd == "list":
        queue = review.list_queue()
        if args.json:
            _print_json(queue)
            return 0
        for row in queue:
            published = row.get("published_at")
            day = published.astimezone(LOCAL_TZ).strftime("%Y-%m-%d") if published else "no date"
            print(
                f"{row['item_id']:>7}  {day:<10} {row.get('source_id', ''):<14} {row.get('reason', ''):<20} "
                f"{str(row.get('title', ''))[:70]}"
            )
        print(f"{len(queue)} item(s) waiting for review")
    elif args.review_cmd == "show":
        _print_json(review.show(args.item_id))
    elif args.review_cmd == "approve":
        _print_json(review.approve(args.item_id, args.reviewer, args.note, as_duplicate_of=args.duplicate_of))
    elif args.review_cmd == "reject":
        _print_json(review.reject(args.item_id, args.reviewer, args.note, reason=args.reason))
    elif args.review_cmd == "reopen":
        _print_json(review.reopen(args.item_id, args.reviewer, args.note))
    return 0


def _month_range_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM")
    p.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM")


def _airflow_arguments(p: argparse.ArgumentParser, timeout_help: str) -> None:
    p.add_argument(
        "--airflow-api",
        metavar="URL",
        help="a running api-server to use (default: $PORTAL_ETL_AIRFLOW_API, else the stack "
        "`portal-etl stack up` left running, else a private api-server + scheduler + dag-processor "
        "for the command)",
    )
    p.add_argument("--timeout", type=float, metavar="SECONDS", help=timeout_help)


def _past_month_arguments(p: argparse.ArgumentParser) -> None:
    """``ingest`` and ``backfill`` take the same request: they are one way of running past months."""
    _month_range_arguments(p)
    p.add_argument("--source", action="append", metavar="ID", help="limit to these sources (repeatable)")
    p.add_argument(
        "--refresh-settled",
        action="store_true",
        help="fetch settled articles again too (by default a re-run reads the list pages and fetches "
        "only articles whose content may still change: registry fetch.settled)",
    )
    from portal_etl.orchestration.tools.month_plan import REPROCESS_CHOICES

    p.add_argument(
        "--reprocess",
        choices=REPROCESS_CHOICES,
        default=REPROCESS_CHOICES[0],
        help="months that already have a run: redo all (default), only failed ones, or none",
    )
    _airflow_arguments(p, "give up waiting for the ingest runs, and then for processing, after this long")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal-etl", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("sources", help="list the registry's sources and validate it")
    p.set_defaults(func=_cmd_sources)

    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_cmd", required=True)
    p = db.add_parser("migrate", help="apply pending SQL migrations from sql/")
    p.set_defaults(func=_cmd_db_migrate)

    p = sub.add_parser(
        "extract",
        help="print what extraction finds on saved pages: every field with its method and confidence",
        description="Exit status 0 when every required field (title, body, publish time) was found, 2 when "
        "one was not (it is named under 'missing') or the file is not an HTML page.",
    )
    p.add_argument("--source", help="registry source id, e.g. baodongnai (or --generic)")
    p.add_argument(
        "--generic",
        action="store_true",
        help="no registry entry: layout-independent methods only; one JSON object per page per line",
    )
    p.add_argument("pages", nargs="+", metavar="PAGE", help="path of a saved HTML page")
    p.add_argument("--url", help="the page's original URL (for canonical and relative links; one page only)")
    p.add_argument("--content-type", help="HTTP Content-Type header the page was served with")
    p.add_argument("--list", action="store_true", help="parse as a list (category) page")
    p.add_argument("--section", help="with --list: the section path the page belongs to")
    p.add_argument("--full", action="store_true", help="include the body HTML in the output")
    p.set_defaults(func=_cmd_extract)

    # the replica is a separate package (portal_replica) the product never imports: only a pointer here
    p = sub.add_parser("replica", add_help=False, help="moved: the offline replica is the portal-replica command")
    p.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_replica_moved)

    p = sub.add_parser(
        "ingest", help="past months of the ingest DAGs as Airflow backfills: backfill without the processing run"
    )
    _past_month_arguments(p)
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser(
        "process", help="one integrate_articles run on Airflow over a month range: the run backfill ends with"
    )
    _month_range_arguments(p)
    _airflow_arguments(p, "give up waiting for the run after this long")
    p.set_defaults(func=_cmd_process)

    p = sub.add_parser("backfill", help="run historical months through Airflow backfills, then integrate them")
    _past_month_arguments(p)
    p.add_argument("--no-process", action="store_true", help="ingest only; do not run integrate_articles")
    p.set_defaults(func=_cmd_backfill)

    stk = sub.add_parser(
        "stack",
        help="the local Airflow (UI, scheduler, dag-processor) in the background",
        description="Logs and pid files in var/stack. While it runs, backfill, ingest and "
        "process run on it. It starts no scheduled runs by itself (see docs/runbook.md).",
    )
    ssub = stk.add_subparsers(dest="stack_cmd", required=True)
    p = ssub.add_parser("up", help="start what is not running and wait until healthy")
    p.add_argument("--port", type=int, help="the UI's port (default 8080, or the port of the last start)")
    p.set_defaults(func=_cmd_stack)
    for name, text in (("status", "the UI's URL and each component's state"), ("down", "stop every component")):
        ssub.add_parser(name, help=text).set_defaults(func=_cmd_stack)

    p = sub.add_parser("status", help="per source: last successful run, last error, items per day lately")
    p.add_argument("--weeks", type=int, default=4, help="how many recent weeks of daily yield (default 4)")
    p.add_argument("--until", help="last day of that window, YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_status)
    p = sub.add_parser("report", help="the monthly integration report (also written to the reports folder)")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the report month (local time)")
    p.add_argument(
        "--format",
        choices=("table", "json", "csv", "xlsx", "html"),
        default="table",
        help="what to print (default: a table); every format is written to PORTAL_ETL_REPORTS_DIR",
    )
    p.add_argument("--output", metavar="PATH", help="write that format to PATH instead of printing it")
    p.add_argument(
        "--refresh",
        action="store_true",
        help="recompute the month summary of the months the report reads first (what the report DAG does)",
    )
    p.add_argument(
        "--email",
        action="store_true",
        help="then e-mail it (connection portal_etl_smtp, recipients PORTAL_ETL_REPORT_RECIPIENTS); "
        "recipients who already received this same report get nothing",
    )
    p.add_argument("--force-email", action="store_true", help="e-mail it even to those who already received it")
    p.add_argument(
        "--gaps",
        action="store_true",
        help="only what kept the month's items out, per channel: every item not integrated with its reason, "
        "and the rate had the channel fixed what it can (read-only)",
    )
    p.add_argument("--source", metavar="ID", help="with --gaps: one channel only")
    p.add_argument(
        "--what-if",
        action="append",
        metavar="CHANGE",
        help="the month's and the cumulative rates, and the items that would enter, were the policy changed: "
        "integrate-section=SOURCE:SECTION, min-words=N or min-words=SOURCE:N (repeatable; read-only)",
    )
    p.set_defaults(func=_cmd_report)
    review = sub.add_parser("review", help="the editors' review queue (needs-review items)")
    rv = review.add_subparsers(dest="review_cmd", required=True)
    p = rv.add_parser("list", help="items waiting for an editor")
    p.add_argument("--json", action="store_true", help="print the queue as JSON (title, channel, date, URL, why)")
    p.set_defaults(func=_cmd_review)
    p = rv.add_parser("show", help="one item with its candidate duplicates")
    p.add_argument("item_id", type=int)
    p.set_defaults(func=_cmd_review)
    for name, text in (
        ("approve", "approve an item (optionally as a duplicate of another)"),
        ("reject", "reject an item"),
        ("reopen", "re-open a decided item"),
    ):
        p = rv.add_parser(name, help=text)
        p.add_argument("item_id", type=int)
        p.add_argument("--reviewer", required=True, help="who decides (recorded in the audit)")
        p.add_argument("--note", required=True, help="why (recorded in the audit)")
        if name == "approve":
            p.add_argument("--duplicate-of", type=int, help="merge into this item's story")
        if name == "reject":
            p.add_argument(
                "--reason",
                default="editor",
                help="why, from the closed vocabulary of decision reasons (default: editor)",
            )
        p.set_defaults(func=_cmd_review)
    return parser


def main(argv: list[str] | None = None) -> int:
    settings.apply_local_env()
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - one readable line for operators, not a traceback
        if args.verbose:
            raise
        print(f"portal-etl: {in_plain_words(exc)} (-v shows the details)", file=sys.stderr)
        return 1


def in_plain_words(exc: Exception) -> str:
    """One line for an operator: the message, never the Python class name or its quoting."""
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or 'cannot use'}: {exc.filename}".lower()
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    text = " ".join(str(exc).split())
    return text or "an unexpected error"


if __name__ == "__main__":
    sys.exit(main())
