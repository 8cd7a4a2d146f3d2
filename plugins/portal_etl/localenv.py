"""Defaults for running on one machine: the environment the setup script wrote to var/local.env.

The CLI loads it so that an operator can type ``portal-etl ...`` after the setup command
without exporting anything. Values already in the environment always win (deployments set
their own); nothing secret is written here unless the operator put it in DATABASE_URL.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCAL_ENV = REPO_ROOT / "var" / "local.env"


def airflow_defaults(root: Path = REPO_ROOT) -> dict[str, str]:
    """Airflow settings for a local run of this project (no examples, small parallelism)."""
    return {
        "AIRFLOW_HOME": str(root / "var" / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",  # 2 cores: 32 forked workers would use ~1 GB for nothing
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
    }


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def apply(path: Path = LOCAL_ENV) -> None:
    """Fill unset variables from var/local.env, then from the local Airflow defaults."""
    for key, value in {**airflow_defaults(), **read_env_file(path)}.items():
        os.environ.setdefault(key, value)
