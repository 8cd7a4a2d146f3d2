"""The words the pipeline, the reports and the DAGs share: decision outcomes and reasons, dedup
edge reasons, and the advisory lock keys.

Why a leaf module (it imports nothing from the package): DAG files parse it without the
database driver, and ``pipeline`` and ``reporting`` both read it without importing each other.
Where a SQL CHECK constraint holds the same list, tests/test_vocabulary.py compares the two on a
migrated database.
"""

from __future__ import annotations

# --- decisions (process.decision) ---------------------------------------------------------------

POLICY = "policy"  # decided_by of automatic decisions
OUTCOMES = ("approved", "rejected", "needs_review")
# Why an item is not integrated (rejected or waiting): process.decision.reason and the report's
# rejected_by_reason keys (sql/002, sql/004).
REASONS = (
    "section_not_integrated", "before_window", "too_short", "no_date", "language",
    "unknown_section", "possible_duplicate", "editor",
)  # fmt: skip
# The same, as the review form offers them to an editor: "editor" first, the form's default.
REVIEW_REASONS = ("editor", *(r for r in REASONS if r != "editor"))
# Who can change what keeps an item out (the report's gaps section): the channel (its page lacks
# something, or an editor must confirm a likely duplicate), the policy; every other reason is
# an editor's.
CHANNEL_REASONS = ("too_short", "no_date", "unknown_section", "language", "possible_duplicate")
POLICY_REASONS = ("before_window", "section_not_integrated")

# --- dedup edges (process.dup_edge.reason) ------------------------------------------------------

# Edges that merge two items into one story.
MERGING_REASONS = (
    "same_url", "same_native_id", "same_title_day", "same_title_cross_channel", "same_lead_cross_channel",
    "near_duplicate", "contained_copy", "editor_merge",
)  # fmt: skip
# Edges recorded for evidence that never merge: a pair for an editor, a pair whose details differ.
NON_MERGING_REASONS = ("review_grey_zone", "distinct_details")
EDGE_REASONS = MERGING_REASONS + NON_MERGING_REASONS

# --- advisory locks -----------------------------------------------------------------------------

# Every migration runner takes this one (pg_advisory_xact_lock(bigint)).
MIGRATION_LOCK_KEY = 7_402_115
# Every processing transaction takes this one first: stories span intervals, so two runs merging
# components at the same time would race (pg_advisory_xact_lock(bigint)); the report's summary
# refresh takes it too.
PROCESS_LOCK_KEY = 7_402_116
# Report deliveries take (this, hashtext(month)): the two-key form is a separate lock space from
# the one-key locks above, so sharing the number with PROCESS_LOCK_KEY is harmless.
DELIVERY_LOCK_KEY = 7_402_116
