"""The runtime dependencies are exactly what plugins/ and dags/ import; tests and benchmarks use extras."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# apache-airflow installs these two at its own version; code imports them as airflow.*
PROVIDED_BY = {"apache-airflow-core": "apache-airflow", "apache-airflow-task-sdk": "apache-airflow"}
# needed at run time without an import: CeleryExecutor deployments (docker-compose.yml, the stack's
# celery_workers) start `airflow celery worker`, and its broker is Redis
# and Airflow's metadata database on PostgreSQL loads the drivers the postgres provider brings
# (psycopg 3, asyncpg): without them `airflow db migrate` fails on a PostgreSQL metadata database
USED_BY_NAME = {"apache-airflow-providers-celery", "celery", "apache-airflow-providers-postgres"}
FIRST_PARTY = {"portal_etl", "portal_replica"}  # both packages of this distribution


def name_of(requirement: str) -> str:
    """``celery[redis]==5.6.3`` → ``celery`` (PEP 503 normalised)."""
    return canonical(re.match(r"[A-Za-z0-9._-]+", requirement.strip()).group(0))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime() -> set[str]:
    return {name_of(r) for r in PYPROJECT["dependencies"]}


def third_party_imports(*roots: str) -> dict[str, set[str]]:
    """Dotted module → files importing it, for absolute imports outside the stdlib and the package."""
    found: dict[str, set[str]] = {}
    for root in roots:
        for path in sorted((REPO / root).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                        found.setdefault(module, set()).add(str(path.relative_to(REPO)))
    return found


@cache
def top_level_distributions() -> dict[str, list[str]]:
    return md.packages_distributions()


@cache
def files_of(dist: str) -> frozenset[str]:
    return frozenset(str(f) for f in md.distribution(dist).files or ())


def distribution_of(module: str) -> str | None:
    """The installed distribution holding ``module`` (for a namespace such as ``airflow``, the one
    whose files hold that very submodule); None when none is installed."""
    candidates = top_level_distributions().get(module.split(".")[0], [])
    if len(set(candidates)) == 1:
        return canonical(candidates[0])
    stem = module.replace(".", "/")
    for dist in dict.fromkeys(candidates):
        if {f"{stem}.py", f"{stem}/__init__.py"} & files_of(dist):
            return canonical(dist)
    return None


def optional_extras() -> dict[str, set[str]]:
    return {extra: {name_of(r) for r in reqs} for extra, reqs in PYPROJECT["optional-dependencies"].items()}


def test_every_runtime_import_is_a_declared_runtime_dependency() -> None:
    missing = {}
    for module, where in third_party_imports("plugins", "dags").items():
        dist = distribution_of(module)
        if dist is None:  # not installed: must be an optional extra of its own (argostranslate)
            top = canonical(module.split(".")[0])
            if not any(top in names for extra, names in optional_extras().items() if extra not in ("test", "bench")):
                missing[module] = sorted(where)
            continue
        if PROVIDED_BY.get(dist, dist) not in runtime():
            missing[module] = [dist, *sorted(where)]
    assert missing == {}


def test_every_runtime_dependency_is_imported_by_runtime_code() -> None:
    imported = {PROVIDED_BY.get(d, d) for d in map(distribution_of, third_party_imports("plugins", "dags")) if d}
    assert runtime() - imported - USED_BY_NAME == set()
    assert "pandas" not in runtime()


def test_tests_and_benchmarks_import_only_runtime_or_their_extra() -> None:
    extras = optional_extras()
    for root, extra in (("tests", "test"), ("bench", "bench"), ("replica", "test")):
        allowed = runtime() | extras[extra]
        local = {p.stem for p in (REPO / root).glob("*.py")} | {"bench", "conftest"}
        undeclared = {}
        for module, where in third_party_imports(root).items():
            if module.split(".")[0] in local:
                continue
            dist = distribution_of(module)
            if dist is None or PROVIDED_BY.get(dist, dist) not in allowed:
                undeclared[module] = [dist, *sorted(where)]
        assert undeclared == {}, root


def test_requirements_in_lists_the_runtime_dependencies() -> None:
    lines = (REPO / "requirements.in").read_text(encoding="utf-8").splitlines()
    assert {name_of(line) for line in lines if line.strip() and not line.startswith("#")} == runtime()


def pins(lock: str) -> dict[str, str]:
    """``name → version`` of every ``name==version`` line of a lock file."""
    text = (REPO / lock).read_text(encoding="utf-8")
    return {canonical(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)$", text, re.M)}


def test_the_lock_pins_every_runtime_test_and_bench_package_and_nothing_dropped() -> None:
    pinned = pins("requirements.txt")
    extras = optional_extras()
    assert runtime() | extras["test"] | extras["bench"] <= set(pinned)
    assert "pandas" not in pinned and "argostranslate" not in pinned
    assert pinned["uv"] == "0.13.8"  # scripts/bootstrap.sh installs the uv the lock names


# packages of the test and bench extras that a runtime package needs too, so the runtime lock
# holds them: matplotlib draws with pillow, celery[redis] brings redis, Airflow brings sqlalchemy
EXTRAS_ALSO_NEEDED_AT_RUNTIME = {"pillow", "redis", "sqlalchemy"}


def test_the_runtime_lock_is_the_full_lock_without_test_and_bench_tools() -> None:
    """The Docker image installs requirements-runtime.txt: it must run the same versions that CI
    tested (same pins as requirements.txt), everything the runtime declares, and none of the
    tools only tests and benchmarks use."""
    full, runtime_lock = pins("requirements.txt"), pins("requirements-runtime.txt")
    differing = {name: (version, full.get(name)) for name, version in runtime_lock.items() if full.get(name) != version}
    assert differing == {}  # a package missing from the full lock shows as (version, None)
    assert runtime() <= set(runtime_lock)  # trafilatura among them: the body finder's fallback
    extras = optional_extras()
    tools_only = (extras["test"] | extras["bench"]) - runtime() - EXTRAS_ALSO_NEEDED_AT_RUNTIME
    assert {"pytest", "pytest-timeout", "ruff", "uv", "aiosmtpd", "datasketch"} <= tools_only
    assert tools_only & set(runtime_lock) == set()
    assert "iniconfig" not in runtime_lock  # pytest's own dependency goes with it
    assert EXTRAS_ALSO_NEEDED_AT_RUNTIME <= set(runtime_lock)  # else the list above is stale


def test_the_docker_image_installs_the_runtime_lock() -> None:
    steps = [line.split(None, 1) for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    steps = [s for s in steps if s and not s[0].startswith("#")]
    assert steps[0] == ["FROM", "apache/airflow:3.3.2-python3.11"]
    assert ["COPY", "requirements-runtime.txt /tmp/requirements-runtime.txt"] in steps
    assert ["RUN", "pip install --no-cache-dir -r /tmp/requirements-runtime.txt"] in steps
    assert not any("requirements.txt" in s[-1] for s in steps)


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg2"])
def test_airflow_can_open_a_postgresql_metadata_database(scheme: str, tmp_path: Path) -> None:
    """Airflow's engines on a PostgreSQL metadata database load drivers no module here imports
    (psycopg 3 for a bare postgresql:// URL, asyncpg for the async engine); a lock without them
    passes every import check and fails `airflow db migrate`."""
    import os
    import subprocess

    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"{scheme}://postgres@127.0.0.1:5432/postgres",
    }
    code = "import airflow.settings as s; s.configure_orm(); print(s.engine.dialect.driver)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
