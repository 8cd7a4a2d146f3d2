"""The benchmarks still work: the quick run finishes cleanly and a broken accuracy floor fails it.

Benchmarks are not timed tests; nothing here asserts seconds (scripts/bench.sh --quick is meant
to stay under two minutes on 2 cores, and the JSON records how long it took).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REQUIRED_SECTIONS = {"extraction", "accuracy", "dag_parse"}


def _declared_sections() -> set[str]:
    """SECTION of every bench/bench_*.py present (read without importing it)."""
    found = set()
    for path in (REPO / "bench").glob("bench_*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SECTION" for t in node.targets):
                found.add(ast.literal_eval(node.value))
    return found


def _bench(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.e2e
def test_quick_run_covers_every_section_and_passes_its_floors(tmp_path: Path) -> None:
    sections = _declared_sections()
    assert REQUIRED_SECTIONS <= sections
    out = tmp_path / "quick.json"
    proc = _bench("--quick", "--json", str(out))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["mode"] == "quick"
    assert set(data["sections"]) == sections
    assert all(status["ok"] and status["results"] > 0 for status in data["sections"].values()), data["sections"]
    assert data["broken_floors"] == []
    assert {r["section"] for r in data["results"]} == sections
    for r in data["results"]:
        assert isinstance(r["value"], int | float) and r["unit"], r
        if r["anchor"] is not None:
            assert r["anchor_name"], r  # an anchor is named (its ratio is optional in bench.common.Result)
    machine = data["machine"]
    assert machine["cores"] >= 1 and machine["cpu_model"] and machine["postgresql"]
    # every page of the sample was really parsed, and the table names each channel
    extraction = [r for r in data["results"] if r["section"] == "extraction"]
    assert {r["name"].split()[0] for r in extraction} >= {"baodongnai", "dongnai_gov", "dongnai_party"}
    assert all(r["detail"]["pages"] > 0 and r["anchor"] > 0 for r in extraction)
    assert "extraction" in proc.stdout and "pages/s" in proc.stdout  # the printed table


@pytest.mark.e2e
def test_a_broken_floor_fails_the_run_and_is_named(tmp_path: Path) -> None:
    floors = json.loads((REPO / "bench" / "floors.json").read_text(encoding="utf-8"))
    key = "accuracy/dongnai_gov title exact"
    assert key in floors["floors"]
    floors["floors"][key] = 1.01  # no share can reach it
    bad = tmp_path / "floors.json"
    bad.write_text(json.dumps(floors), encoding="utf-8")
    out = tmp_path / "quick.json"
    proc = _bench("--quick", "--only", "accuracy", "--json", str(out), env={"BENCH_FLOORS": str(bad)})
    assert proc.returncode != 0
    assert key in proc.stderr
    assert [b for b in json.loads(out.read_text(encoding="utf-8"))["broken_floors"] if key in b]
