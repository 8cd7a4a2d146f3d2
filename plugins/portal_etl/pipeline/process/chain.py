"""The processing chain, declared once: normalise → dedup → link translations → policy → load →
own English versions.

Every caller runs this tuple, or the part of it from one stage on: ``process_interval`` (all of
it, one transaction), the ``integrate_articles`` DAG (one task and transaction per stage), an
editor's decision (from dedup on, for the affected items) and the translation step (from the
linking on). Linking comes before the policy because the policy reads the link, and the own
versions after the load because they attach to loaded articles: a corrected link reaches the
store in the run that corrects it.

Each stage is one function ``(cur, ctx) -> counts``. ``ctx`` says what to work on: the items
published in ``[start, end)``, the ``items`` named by the caller, and whatever earlier stages
queued in ``process.pending``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portal_etl.registry import Registry

# The stages import their modules when they run: DAG files import this declaration, and parse
# without the database driver or the pipeline's dependencies.

StageResult = dict[str, Any]  # the stage's counts (JSON-able: DAG tasks hand them on as XCom)


@dataclass(frozen=True)
class StageContext:
    """What one pass of the chain works on and how its load batch is recorded."""

    registry: Registry
    dag_id: str
    run_id: str
    start: datetime | None = None
    end: datetime | None = None
    items: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Stage:
    name: str
    task_id: str  # the integrate_articles task that runs it
    run: Callable[[Any, StageContext], StageResult]


def _scope(cur, queue: str, ctx: StageContext) -> set[int]:
    """A stage's work: its queue, the interval's items and the caller's items."""
    from portal_etl.pipeline.process.common import interval_items, take_pending

    return take_pending(cur, queue) | interval_items(cur, ctx.start, ctx.end) | set(ctx.items)


def normalize(cur, ctx: StageContext) -> StageResult:
    from portal_etl.pipeline.process.normalize_stage import normalize_in

    return normalize_in(cur, ctx.start, ctx.end, ctx.registry)


def dedup(cur, ctx: StageContext) -> StageResult:
    from portal_etl.pipeline.process.common import mark_pending
    from portal_etl.pipeline.process.dedup_stage import deduplicate_in

    mark_pending(cur, "dedup", ctx.items)  # the stage takes its queue: the caller's items join it
    return deduplicate_in(cur, ctx.start, ctx.end)


def link_translations(cur, ctx: StageContext) -> StageResult:
    from portal_etl.translation.links import link_in

    return link_in(cur, ctx.start, ctx.end, ctx.registry, ctx.items)


def policy(cur, ctx: StageContext) -> StageResult:
    from portal_etl.pipeline.process.policy import decide_items

    return decide_items(cur, _scope(cur, "policy", ctx), ctx.registry)


def load(cur, ctx: StageContext) -> StageResult:
    from portal_etl.pipeline.process.load import load_items

    return load_items(
        cur, _scope(cur, "load", ctx), ctx.registry, dag_id=ctx.dag_id, run_id=ctx.run_id, start=ctx.start, end=ctx.end
    )


def own_translations(cur, ctx: StageContext) -> StageResult:
    from portal_etl.translation.own_versions import sync_own_translations

    return sync_own_translations(cur, ctx.registry)


CHAIN: tuple[Stage, ...] = (
    Stage("normalize", "normalize_items", normalize),
    Stage("dedup", "deduplicate_stories", dedup),
    Stage("link", "link_translations", link_translations),
    Stage("policy", "apply_approval_policy", policy),
    Stage("load", "load_integration_store", load),
    Stage("own_translations", "store_own_translations", own_translations),
)
STAGE_NAMES = tuple(s.name for s in CHAIN)
_BY_NAME = {s.name: s for s in CHAIN}


def stages_from(first: str) -> tuple[Stage, ...]:
    """The chain from the stage named ``first`` on."""
    return CHAIN[STAGE_NAMES.index(stage_named(first).name) :]


def stage_named(name: str) -> Stage:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown stage {name!r} (one of {', '.join(STAGE_NAMES)})") from None


def run_chain(cur, ctx: StageContext, stages: tuple[Stage, ...] = CHAIN) -> StageResult:
    """Run ``stages`` in order in the caller's transaction (which holds the processing lock)."""
    counts: StageResult = {}
    for stage in stages:
        counts.update(stage.run(cur, ctx))
    return counts


def interval_context(
    start: datetime, end: datetime, dag_id: str, run_id: str, registry: Registry | None
) -> StageContext:
    """The context of a pass over the interval [start, end)."""
    from portal_etl.pipeline.process.common import _check_interval, get_registry

    _check_interval(start, end)
    return StageContext(get_registry(registry), dag_id, run_id, start, end)


def run_stage(
    name: str,
    start: datetime,
    end: datetime,
    *,
    dag_id: str,
    run_id: str,
    dsn: str | None = None,
    registry: Registry | None = None,
) -> StageResult:
    """One stage for the interval in its own transaction (a DAG task); the stages hand work on
    through ``process.pending``."""
    from portal_etl.pipeline.process.common import run_in_transaction

    stage = stage_named(name)
    ctx = interval_context(start, end, dag_id, run_id, registry)
    return run_in_transaction(dsn, run_chain, ctx, (stage,))
