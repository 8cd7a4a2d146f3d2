"""Processing stage: normalise staged items, deduplicate them into stories, link translations,
decide by policy (or by a reviewer) and load integrated stories into the integration store.

Callable without Airflow; every entry point takes an optional DSN and registry:

* :func:`process_interval` — the whole chain (``chain.CHAIN``) for one interval in one transaction;
* :func:`run_stage` — one stage of the chain, by name, in its own transaction (the stages hand
  work on through ``process.pending``);
* :func:`check_quality` — messages of failed data-quality checks;
* :mod:`.review` — ``list_queue``, ``show``, ``approve``, ``reject``, ``reopen``.

The names are imported on first use, so a DAG file can import the chain's declaration
(``chain.py``) without the database driver.
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "CHAIN": "chain",
    "STAGE_NAMES": "chain",
    "run_stage": "chain",
    "check_quality": "quality",
    "process_interval": "run",
}

__all__ = [*_WHERE, "review"]


def __getattr__(name: str) -> Any:
    if name == "review":
        return import_module(f"{__name__}.review")
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
