"""Run the benchmark sections, print one table and write the results as JSON.

    python -m bench.run [--quick|--full] [--only SECTION ...] [--json PATH]

Every ``bench/bench_<section>.py`` with ``SECTION`` and ``run(ctx)`` is discovered. A section that
raises is reported and makes the run exit non-zero, as does a broken accuracy floor
(``bench/floors.json``), so CI's quick run proves the benchmarks still work.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sys
import time
import traceback
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
ORDER = ["extraction", "accuracy", "body_real", "dedup", "load", "report", "e2e", "dag_parse", "scale_out"]


def _prepare_env(work_dir: Path) -> Path:
    """Put ``plugins`` and ``replica`` on sys.path and give Airflow a home private to this run (removed at
    the end), before anything imports airflow: two bench runs at once must not share a metadata DB."""
    paths = [str(REPO / "plugins"), str(REPO / "replica")]
    for path in reversed(paths):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (*paths, os.environ.get("PYTHONPATH")) if p)
    home = work_dir / f"airflow-run-{os.getpid()}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO / "dags")
    os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(REPO / "plugins")
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{home / 'airflow.db'}"
    os.environ.pop("PORTAL_ETL_SOURCES_OVERRIDES", None)
    return home


def discover() -> dict[str, object]:
    """Import every ``bench_*.py`` module; returns {SECTION: module} in the documented order.

    A module that fails to import is kept as its exception under its file name, so the run
    reports that section as failed instead of dying before the others ran.
    """
    found: dict[str, object] = {}
    for path in sorted(BENCH.glob("bench_*.py")):
        try:
            module = importlib.import_module(f"bench.{path.stem}")
            found[module.SECTION] = module
        except Exception as exc:  # noqa: BLE001
            found[path.stem.removeprefix("bench_")] = exc
    rank = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (rank.get(kv[0], len(ORDER)), kv[0])))


def machine_info(pg_base: str) -> dict:
    """CPU model, cores, RAM, Python and PostgreSQL versions and the date, for the JSON header."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    pg_version = None
    try:
        import psycopg2

        conn = psycopg2.connect(f"{pg_base}/postgres", connect_timeout=5)
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            pg_version = cur.fetchone()[0]
        conn.close()
    except Exception as exc:  # noqa: BLE001 - the header is informative, never fatal
        pg_version = f"unavailable ({exc.__class__.__name__})"
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "postgresql": pg_version,
        "platform": platform.platform(),
        "loadavg_at_start": load,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def check_floors(results: list, sections_run: list[str]) -> list[str]:
    """Names of broken floors: ``{"floors": {"section/name": minimum}}`` for every section that ran."""
    from bench.common import load_floors

    floors = load_floors()
    values = {f"{r.section}/{r.name}": r.value for r in results}
    broken = []
    for key, minimum in floors.items():
        if key.split("/", 1)[0] not in sections_run:
            continue
        value = values.get(key)
        if value is None:
            broken.append(f"{key}: floor {minimum} but the figure was not produced")
        elif value < minimum:
            broken.append(f"{key}: {value:.4f} < floor {minimum}")
    return broken


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if value == 0 or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)


def print_table(results: list) -> None:
    """One plain-text table: section, name, value, unit, anchor, ratio, target, met."""
    head = ["section", "name", "value", "unit", "anchor", "ratio", "target", "met"]
    rows = [
        [
            r.section,
            r.name,
            _fmt(r.value),
            r.unit,
            "-" if r.anchor is None else f"{_fmt(r.anchor)} ({r.anchor_name})",
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target or "-",
            _fmt(r.met),
        ]
        for r in results
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    for line in [head, ["-" * w for w in widths], *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick", help="samples; < 2 min (default)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full", help="every figure at full size")
    parser.add_argument("--only", nargs="+", metavar="SECTION", help="run only these sections")
    parser.add_argument("--json", type=Path, help="where to write results (default bench/results/<mode>.json)")
    args = parser.parse_args(argv)
    args.mode = args.mode or "quick"

    work_dir = BENCH / ".work"
    work_dir.mkdir(parents=True, exist_ok=True)
    airflow_home = _prepare_env(work_dir)
    from bench.common import BenchContext, default_pg_base

    sections = discover()
    wanted = args.only or list(sections)
    unknown = [s for s in wanted if s not in sections]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; known: {list(sections)}")
    ctx = BenchContext(mode=args.mode, repo=REPO, work_dir=work_dir, pg_base=default_pg_base())
    header = machine_info(ctx.pg_base)
    print(
        f"bench: {args.mode} mode, sections {wanted}; {header['cpu_model']}, {header['cores']} cores, "
        f"{header['ram_gb']} GB RAM, load {header['loadavg_at_start']}",
        flush=True,
    )

    results, status = [], {}
    run_started = time.perf_counter()
    try:
        for name in wanted:
            started = time.perf_counter()
            try:
                module = sections[name]
                if isinstance(module, Exception):
                    raise RuntimeError(f"bench_{name}.py does not import") from module
                got = list(module.run(ctx))
                status[name] = {"ok": True, "seconds": round(time.perf_counter() - started, 2), "results": len(got)}
                results.extend(got)
            except Exception as exc:  # noqa: BLE001 - one broken section must not hide the others
                traceback.print_exc()
                status[name] = {
                    "ok": False,
                    "seconds": round(time.perf_counter() - started, 2),
                    "error": f"{exc.__class__.__name__}: {exc}",
                }
            print(
                f"bench: {name} {'done' if status[name]['ok'] else 'FAILED'} in {status[name]['seconds']} s", flush=True
            )
    finally:
        ctx.drop_scratch()
        shutil.rmtree(airflow_home, ignore_errors=True)

    broken = check_floors(results, [s for s in wanted if status[s]["ok"]]) if args.mode == "quick" else []
    print()
    print_table(results)
    out = args.json or BENCH / "results" / f"{args.mode}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "mode": args.mode,
        "machine": header,
        "total_seconds": round(time.perf_counter() - run_started, 1),
        "sections": status,
        "broken_floors": broken,
        "results": [asdict(r) for r in results],
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"\nbench: results written to {out}")
    failed = [s for s, st in status.items() if not st["ok"]]
    for name in failed:
        print(f"bench: section {name} FAILED: {status[name]['error']}", file=sys.stderr)
    for line in broken:
        print(f"bench: accuracy floor broken: {line}", file=sys.stderr)
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main())
