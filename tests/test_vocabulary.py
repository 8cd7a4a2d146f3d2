"""The shared vocabulary equals the CHECK constraints that hold the same lists in the database."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pgutil import query

from portal_etl import vocabulary
from portal_etl.vocabulary import CHANNEL_REASONS, EDGE_REASONS, OUTCOMES, POLICY_REASONS, REASONS, REVIEW_REASONS

PACKAGE = Path(vocabulary.__file__).resolve().parent


def constraint(dsn: str, table: str, column: str) -> str:
    """The definitions of ``table``'s CHECK constraints that name ``column``, joined."""
    rows = query(
        dsn,
        """SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
                          WHERE c.conrelid = %s::regclass AND c.contype = 'c'""",
        table,
    )
    return " ".join(d for (d,) in rows if re.search(rf"\b{column}\b", d))


def quoted(definition: str, after: str) -> set[str]:
    """The string literals of the ARRAY / IN list that follows ``after`` in a constraint."""
    start = definition.index(after)
    body = definition[start : definition.index("]", start)]
    return set(re.findall(r"'([^']*)'", body))


def test_decision_reasons_and_outcomes_equal_the_constraints(pipeline_dsn) -> None:
    definition = constraint(pipeline_dsn, "process.decision", "reason")
    assert quoted(definition, "(reason = ANY") == set(REASONS)
    for table in ("process.decision", "integration.article_source"):
        definition = constraint(pipeline_dsn, table, "outcome")
        assert quoted(definition, "(outcome = ANY") == set(OUTCOMES), table


def test_report_reasons_equal_the_constraint(pipeline_dsn) -> None:
    definition = constraint(pipeline_dsn, "integration.month_summary", "rejected_by_reason")
    assert quoted(definition, "rejected_by_reason - ARRAY") == set(REASONS)


def test_edge_reasons_equal_the_constraint(pipeline_dsn) -> None:
    definition = constraint(pipeline_dsn, "process.dup_edge", "reason")
    assert quoted(definition, "(reason = ANY") == set(EDGE_REASONS)
    assert len(EDGE_REASONS) == len(set(EDGE_REASONS))


def test_review_and_gap_groups_partition_the_reasons() -> None:
    assert set(REVIEW_REASONS) == set(REASONS) and len(REVIEW_REASONS) == len(REASONS)
    assert not set(CHANNEL_REASONS) & set(POLICY_REASONS)
    assert set(REASONS) - set(CHANNEL_REASONS) - set(POLICY_REASONS) == {"editor"}


def test_the_vocabulary_is_a_leaf() -> None:
    tree = ast.parse((PACKAGE / "vocabulary.py").read_text(encoding="utf-8"))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and m.startswith("portal_etl")]


def test_pipeline_and_reporting_do_not_import_each_others_vocabulary() -> None:
    """Reasons and lock keys come from portal_etl.vocabulary, not from the other package."""
    words = {
        "REASONS",
        "MERGING_REASONS",
        "OUTCOMES",
        "POLICY",
        "PROCESS_LOCK_KEY",
        "CHANNEL_REASONS",
        "POLICY_REASONS",
        "lock",
    }
    for package, other in (("pipeline", "portal_etl.reporting"), ("reporting", "portal_etl.pipeline")):
        for path in (PACKAGE / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(other):
                    assert not {a.name for a in node.names} & words, f"{path}: {node.module}"
