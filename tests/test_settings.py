"""settings.py owns the environment: no other runtime module reads it, and one set of local defaults."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from portal_etl import settings
from portal_etl.orchestration.tools.components import component_env

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "plugins" / "portal_etl"
# the replica (a test fixture leaving the package) clears PORTAL_ETL_SOURCES_OVERRIDES while it
# generates; every other runtime module asks settings
EXEMPT = {PACKAGE / "settings.py"} | set((PACKAGE / "replica").rglob("*.py"))
VARIABLE_NAME = re.compile(r"PORTAL_ETL_[A-Z0-9_]+")


def shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name


def runtime_modules() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py")) + sorted((REPO / "dags").glob("*.py"))
    return [f for f in files if f not in EXEMPT]


def environment_reads(path: Path) -> list[str]:
    """``os.environ`` / ``os.getenv`` uses in ``path``, except handing the whole environment to a
    child process (``{**os.environ, ...}``), which reads no variable."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    handed_on = {
        id(v)
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for k, v in zip(node.keys, node.values, strict=True)
        if k is None
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and id(node) not in handed_on:
            found.append(f"{shown(path)}:{node.lineno}")
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(a.name in ("environ", "getenv") for a in node.names)
        ):
            found.append(f"{shown(path)}:{node.lineno}")
    return found


def variable_names(path: Path) -> list[str]:
    """String constants that are exactly a ``PORTAL_ETL_*`` variable name (help text may mention one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{shown(path)}:{node.lineno} {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE_NAME.fullmatch(node.value)
    ]


def test_no_runtime_module_outside_settings_reads_the_environment() -> None:
    assert [hit for f in runtime_modules() for hit in environment_reads(f)] == []


def test_no_runtime_module_outside_settings_names_a_portal_etl_variable() -> None:
    assert [hit for f in runtime_modules() for hit in variable_names(f)] == []


def test_the_check_sees_a_direct_read(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('import os\nA = os.environ.get("PORTAL_ETL_X")\nB = {**os.environ}\n')
    assert environment_reads(probe) == ["probe.py:2"]
    assert variable_names(probe) == ["probe.py:2 PORTAL_ETL_X"]


def test_every_variable_settings_reads_is_documented_in_its_table() -> None:
    names = {v for k, v in vars(settings).items() if k.endswith("_ENV") and isinstance(v, str)}
    assert names >= {"PORTAL_ETL_ALERT_RECIPIENTS", "PORTAL_ETL_REPORT_DEADLINE_DAY", "PORTAL_ETL_STACK_DIR"}
    doc = settings.__doc__ or ""
    assert [n for n in sorted(names) if f"``{n}``" not in doc] == []


def test_components_and_the_cli_share_one_set_of_local_airflow_defaults(tmp_path: Path) -> None:
    env = component_env(tmp_path, {}, 8123)
    defaults = settings.airflow_local_defaults()
    defaults.pop("AIRFLOW_HOME")  # a stack always uses its own home
    for key, value in defaults.items():
        assert env[key] == os.environ.get(key, value)  # the environment wins, else the default


@pytest.mark.parametrize(("value", "expected"), [("", None), ("/x/o.yaml", Path("/x/o.yaml"))])
def test_overrides_path(monkeypatch: pytest.MonkeyPatch, value: str, expected: Path | None) -> None:
    monkeypatch.setenv(settings.SOURCES_OVERRIDES_ENV, value)
    assert settings.overrides_path() == expected


def test_local_env_file_fills_only_unset_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / "local.env"
    env_file.write_text("# comment\nexport PORTAL_ETL_REPORTS_DIR='/r'\nPORTAL_ETL_STACK_DIR=/s\n", encoding="utf-8")
    monkeypatch.setattr(os, "environ", dict(os.environ))  # apply_local_env fills in Airflow defaults too
    monkeypatch.delenv(settings.REPORTS_DIR_ENV, raising=False)
    monkeypatch.setenv(settings.STACK_DIR_ENV, "/mine")
    settings.apply_local_env(env_file)
    assert settings.reports_dir() == Path("/r")
    assert settings.stack_dir() == Path("/mine")
