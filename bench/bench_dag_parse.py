"""DAG parse time as the registry grows: 3, 100 and 300 configured sources.

Each figure is the median of several parses. Like Airflow's dag-processor, one fresh
subprocess imports Airflow once, then parses each file of ``dags/`` in a forked child
(``DagBag(dag_folder=<file>)``) with ``PORTAL_ETL_SOURCES`` pointing at a generated registry: the
three real channels plus NukeViet-style provincial sites on 127.0.0.1 ports. Airflow applies
``core.dagbag_import_timeout`` to each file (wall clock), so the slowest file is compared with it,
by wall time and by CPU time (what the file costs on an idle core; other jobs on a shared machine
stretch the wall time, not the CPU time).
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import yaml

from bench.common import BenchContext, Result

SECTION = "dag_parse"
SIZES = {"quick": (3, 100), "full": (3, 100, 300)}
REPEATS = {"quick": 1, "full": 5}
MARGIN = 10.0  # "a wide margin": the slowest file parses in a tenth of the timeout or less
BASE_PORT = 9100

_CHILD = r"""
import json, os, sys, time
from airflow.configuration import conf
from airflow.dag_processing.dagbag import DagBag
folder, repeats, registries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]


def parse_file(name, registry):
    # a forked child parses one file, as the dag-processor does: this process stays pristine
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.environ["PORTAL_ETL_SOURCES"] = registry
        t, c = time.perf_counter(), time.process_time()
        bag = DagBag(dag_folder=os.path.join(folder, name))
        res = {"wall": time.perf_counter() - t, "cpu": time.process_time() - c, "dags": len(bag.dags),
               "tasks": sum(len(d.tasks) for d in bag.dags.values()),
               "errors": {k: str(v)[-300:] for k, v in bag.import_errors.items()}}
        os.write(w, json.dumps(res).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data)


out = {}
for registry in registries:
    out[registry] = []
    for _ in range(repeats):
        files, cpu, dags, tasks, errors = {}, {}, 0, 0, {}
        for name in sorted(f for f in os.listdir(folder) if f.endswith(".py")):
            res = parse_file(name, registry)
            files[name], cpu[name] = res["wall"], res["cpu"]
            dags, tasks = dags + res["dags"], tasks + res["tasks"]
            errors.update(res["errors"])
        out[registry].append({"total_s": sum(files.values()), "cpu_s": sum(cpu.values()), "files": files,
                              "files_cpu": cpu, "dags": dags, "tasks": tasks, "import_errors": errors,
                              "timeout_s": conf.getfloat("core", "dagbag_import_timeout")})
print(json.dumps(out))
"""


def write_registry(repo: Path, n_sources: int, out: Path) -> Path:
    """The real registry plus ``n_sources - 3`` provincial NukeViet sites on 127.0.0.1 ports."""
    data = yaml.safe_load((repo / "config" / "sources.yaml").read_text(encoding="utf-8"))
    real = data["sources"]
    template = next(s for s in real if s["id"] == "dongnai_gov")
    extra = []
    for i in range(n_sources - len(real)):
        host = f"127.0.0.1:{BASE_PORT + i}"
        entry = copy.deepcopy(template)
        entry.update(
            {
                "id": f"dongnai_site_{i + 1:03d}",
                "name": f"Cổng thông tin điện tử đơn vị {i + 1}",
                "base_url": f"http://{host}",
                "allowed_domains": [host],
                "rss": ["/vi/news/rss/"],
            }
        )
        entry["adapter_options"] = {"lang_prefix": "/vi", "module": "news"}
        extra.append(entry)
    data["sources"] = real + extra
    out.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def parse_runs(ctx: BenchContext, registries: list[Path], repeats: int) -> dict[Path, list[dict]]:
    """``repeats`` parses of every file of dags/ per registry, from one fresh subprocess (one Airflow import)."""
    env = dict(os.environ)
    env.pop("PORTAL_ETL_SOURCES_OVERRIDES", None)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ctx.repo / "dags"), str(repeats), *map(str, registries)],
        env=env,
        cwd=ctx.repo,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"DagBag subprocess failed ({proc.returncode}): {proc.stderr[-2000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    for registry, runs in out.items():
        if runs[0]["import_errors"]:
            raise RuntimeError(f"import errors with {Path(registry).name}: {runs[0]['import_errors']}")
    return {Path(k): v for k, v in out.items()}


def _parse_once(ctx: BenchContext, registry: Path) -> dict:
    """One parse of dags/ with ``registry`` (keys: total_s, cpu_s, files, files_cpu, dags, tasks, timeout_s)."""
    return parse_runs(ctx, [registry], 1)[registry][0]


def run(ctx: BenchContext) -> list[Result]:
    results = []
    registries = {n: write_registry(ctx.repo, n, ctx.work_dir / f"sources-{n}.yaml") for n in SIZES[ctx.mode]}
    all_runs = parse_runs(ctx, list(registries.values()), REPEATS[ctx.mode])
    for n, registry in registries.items():
        runs = all_runs[registry]
        timeout = runs[0]["timeout_s"]
        slowest_file = max(runs[0]["files"], key=runs[0]["files"].get)
        wall = statistics.median(max(r["files"].values()) for r in runs)
        cpu = statistics.median(max(r["files_cpu"].values()) for r in runs)
        expected_dags = n + 3  # one ingest DAG per source, plus integrate, report and review
        if runs[0]["dags"] < expected_dags:
            raise RuntimeError(f"{n} sources gave {runs[0]['dags']} DAGs, expected at least {expected_dags}")
        detail = {
            "median_of": len(runs),
            "slowest_file": slowest_file,
            "dags": runs[0]["dags"],
            "tasks": runs[0]["tasks"],
            "per_file_wall_s": {f: round(statistics.median(r["files"][f] for r in runs), 3) for f in runs[0]["files"]},
            "per_file_cpu_s": {
                f: round(statistics.median(r["files_cpu"][f] for r in runs), 3) for f in runs[0]["files_cpu"]
            },
            "runs_slowest_wall_s": [round(max(r["files"].values()), 3) for r in runs],
        }
        for kind, value in (("wall", wall), ("CPU", cpu)):
            results.append(
                Result(
                    section=SECTION,
                    name=f"{n} sources: slowest DAG file parse, {kind}",
                    value=value,
                    unit="s",
                    anchor=timeout,
                    anchor_name="core.dagbag_import_timeout",
                    ratio=timeout / value,
                    target=f"timeout / parse >= {MARGIN:g}",
                    met=timeout / value >= MARGIN,
                    detail=detail,
                )
            )
    return results
