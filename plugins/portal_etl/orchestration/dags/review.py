"""``review_queue``: the editors resolve the review queue from the Airflow UI (human in the loop).

``collect_review_queue`` reads the items waiting for an editor (skipping the run when none
wait) → ``ask_editor_to_decide`` (the standard provider's ``HITLOperator``) shows them as a
Markdown list and parks the task until an editor answers in the UI's Required Actions page or
through the REST API → ``apply_editor_decisions`` approves and rejects through the review API,
in the name of the Airflow user who answered, so every decision is a ``process.review_audit`` row
exactly as if it came from ``portal-etl review``.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import DAG, Asset, Param, ParamsDict, task

from portal_etl.months import LOCAL_TZ
from portal_etl.orchestration.dags.common import DEFAULT_ARGS
from portal_etl.vocabulary import REVIEW_REASONS

log = logging.getLogger("portal_etl.review_dag")

DAG_ID = "review_queue"
COLLECT_TASK_ID = "collect_review_queue"
DECIDE_TASK_ID = "ask_editor_to_decide"
APPLY_TASK_ID = "apply_editor_decisions"

APPLY = "Apply these decisions"
LEAVE = "Leave every item waiting"
# A form is read top to bottom by one editor: past this many items it stops being readable. The
# rest stay in the queue, listed by the next run (or by `portal-etl review list`).
MAX_ITEMS_PER_REQUEST = 30
# Editors meet weekly: a request nobody answered within a week ends with LEAVE (nothing decided)
# so that the next run, listing the queue afresh, can start.
RESPONSE_TIMEOUT = timedelta(days=7)
# The candidates an editor weighs beside a possible duplicate: the closest two say enough, more
# would bury the next item in the form.
CANDIDATES_SHOWN = 2


def review_queue_asset() -> Asset:
    """Updated by ``integrate_articles`` only when items wait for an editor; schedules ``review_queue``."""
    return Asset("portal_etl://process/review_queue", group="process")


DOC = f"""\
### Review queue: editors decide the items the policy could not
Items the approval policy cannot decide (a possible duplicate in the 0.50–0.70 similarity grey
zone, a section the registry does not know, no publish date, another language) wait in the review
queue. This DAG asks an editor to decide them from the Airflow UI:

1. `{COLLECT_TASK_ID}` reads the queue (oldest publication first, at most {MAX_ITEMS_PER_REQUEST}
   items); when nothing waits the run is skipped.
2. `{DECIDE_TASK_ID}` waits for an editor (state *awaiting input*; **Required Actions** in the
   UI). The request lists each item with its title, channel, local date, URL and why it waits;
   under a possible duplicate, the {CANDIDATES_SHOWN} items it most resembles, each with its link,
   similarity, decision and the dates, numbers and places only one side has (what tells a
   republication from a look-alike; `portal-etl review show ID` prints all of it).
   The editor picks the items to **approve** and those to **reject** (one rejection reason from
   the closed vocabulary for this answer), writes a **note**, and chooses "{APPLY}". Items in
   neither list keep waiting; "{LEAVE}" decides nothing. An answer naming an item that was not
   offered, or the same item in both lists, or a decision without a note, fails the task, and
   its retry asks again. Nobody answering within {RESPONSE_TIMEOUT.days} days counts as "{LEAVE}".
3. `{APPLY_TASK_ID}` applies each decision through the review API with the answering Airflow
   user as reviewer: one `process.review_audit` row per item (who, when, what, why), and the
   story is re-deduplicated, re-decided and re-loaded in the same transaction, so an approved
   item is in `integration.article` when the task ends and a rejected one is not. An item
   decided from the command line while the request waited gets the editor's answer as a newer
   decision; both are in the audit.

**Schedule**: on the Asset `portal_etl://process/review_queue`, which `integrate_articles`
updates only when its run leaves items waiting (its `announce_review_queue` task is skipped
otherwise, and a skipped task emits no asset event). A request therefore appears right after the
integration that needs it, and never for an empty queue. `max_active_runs=1`: a second
integration while a request waits queues one more run, which lists the queue as it is then.

**Re-run**: trigger the DAG by hand (it needs no parameters) to ask about the current queue.
Applying is idempotent: an item already carrying the same decision by the same reviewer with
the same note is left alone. The same decisions can be made, and a rejected item re-opened,
with `portal-etl review list / show / approve / reject / reopen`.

**Changelog**: 2026-11 first version.
"""


def _escape_md(text: str) -> str:
    """Keep a title from being read as Markdown link or emphasis syntax."""
    for char in "\\[]*_`<>|":
        text = text.replace(char, "\\" + char)
    return text


def candidate_entry(candidate: dict[str, Any], channel_names: dict[str, str]) -> dict[str, Any]:
    """A possible original of a waiting item (from ``review.show``), with the evidence that
    tells a republication from a look-alike: similarity and the details only one side has."""
    evidence = candidate.get("evidence") or {}
    return {
        "item_id": int(candidate["item_id"]),
        "title": candidate.get("title") or "(no title)",
        "channel": channel_names.get(candidate["source_id"], candidate["source_id"]),
        "url": candidate.get("url"),
        "similarity": candidate.get("similarity"),
        "decision": candidate.get("outcome") or "undecided",
        "only_this": list(evidence.get("details_only_this") or [])[:5],
        "only_other": list(evidence.get("details_only_other") or [])[:5],
    }


def queue_entry(
    row: dict[str, Any], channel_names: dict[str, str], tz: ZoneInfo, candidates: list[dict[str, Any]] = ()
) -> dict[str, Any]:
    """One waiting item, as the request shows it (plain JSON: it travels through XCom)."""
    published = row.get("published_at")
    return {
        "item_id": int(row["item_id"]),
        "title": row.get("title") or "(no title)",
        "source_id": row["source_id"],
        "channel": channel_names.get(row["source_id"], row["source_id"]),
        "published_local": published.astimezone(tz).strftime("%d-%m-%Y %H:%M") if published else None,
        "url": row.get("url"),
        "reason": row.get("reason"),
        "why": row.get("note"),
        "candidates": [candidate_entry(c, channel_names) for c in candidates[:CANDIDATES_SHOWN]],
    }


def _candidate_line(c: dict[str, Any]) -> str:
    title = _escape_md(c["title"])
    linked = f"[{title}]({c['url']})" if c.get("url") else title
    parts = [f"  - like **{c['item_id']}** · {linked} · {_escape_md(c['channel'])}"]
    if c.get("similarity") is not None:
        parts.append(f"similarity {c['similarity']:.2f}")
    parts.append(f"its decision: {c.get('decision') or 'undecided'}")
    if c.get("only_this") or c.get("only_other"):
        here = ", ".join(_escape_md(d) for d in c.get("only_this") or []) or "—"
        there = ", ".join(_escape_md(d) for d in c.get("only_other") or []) or "—"
        parts.append(f"only here: {here}; only there: {there}")
    return " · ".join(parts)


def request_body(queue: list[dict[str, Any]], total_waiting: int) -> str:
    """The Markdown list the editor reads: title (linked), channel, local date, why it waits, and
    under a possible duplicate the items it resembles with the details only one side has."""
    lines = [f"**{total_waiting} item(s) wait for an editor**, oldest publication first.", ""]
    for entry in queue:
        title = _escape_md(entry["title"])
        linked = f"[{title}]({entry['url']})" if entry.get("url") else title
        why = entry["reason"] + (f" — {_escape_md(entry['why'])}" if entry.get("why") else "")
        lines.append(
            f"- **{entry['item_id']}** · {linked} · {_escape_md(entry['channel'])} · "
            f"{entry['published_local'] or 'no date'} · waits for: {why}"
        )
        lines += [_candidate_line(c) for c in entry.get("candidates") or []]
    if total_waiting > len(queue):
        lines += [
            "",
            f"{total_waiting - len(queue)} more wait for the next request (`portal-etl review list` shows them all).",
        ]
    lines += [
        "",
        "Pick the items to approve and those to reject; items in neither list keep waiting. "
        "The note is recorded with every decision.",
    ]
    return "\n".join(lines)


def decision_params(queue: list[dict[str, Any]] | None = None) -> ParamsDict:
    """The form: which items to approve / reject, one rejection reason, a note.

    Without a queue (at parse time) the item lists accept any ids; with one (at run time) they
    offer exactly the waiting items, labelled with their titles.
    """
    choices: dict[str, Any] = {}
    if queue is not None:
        ids = [str(e["item_id"]) for e in queue]
        choices = {
            "examples": ids,
            "values_display": {str(e["item_id"]): f"{e['item_id']} · {e['title'][:90]}" for e in queue},
        }
    item_list = {"type": ["array", "null"], "items": {"type": ["string", "integer"]}, **choices}
    return ParamsDict(
        {
            "approve": Param(
                [],
                title="Approve",
                source="task",
                description="Items to approve (integrated with their story).",
                **item_list,
            ),
            "reject": Param(
                [],
                title="Reject",
                source="task",
                description="Items to reject (kept out of the integration store).",
                **item_list,
            ),
            "rejection_reason": Param(
                "editor",
                type="string",
                enum=list(REVIEW_REASONS),
                source="task",
                title="Rejection reason",
                description="Recorded with every rejected item.",
            ),
            "note": Param(
                "",
                type="string",
                title="Note",
                source="task",
                description="Why: recorded in the audit with every decision (required to decide).",
            ),
        }
    )


def chosen_decisions(response: dict[str, Any], queue: list[dict[str, Any]]) -> dict[str, Any]:
    """The editor's answer checked against the items offered: approve/reject id lists, reason, note.

    Raises ValueError with a message for the editor when the answer cannot be applied.
    """
    if LEAVE in (response.get("chosen_options") or []) or not response.get("chosen_options"):
        return {"approve": [], "reject": [], "reason": None, "note": ""}
    answer = response.get("params_input") or {}
    offered = {e["item_id"] for e in queue}

    def ids(key: str) -> list[int]:
        values = answer.get(key) or []
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise ValueError(f"{key}: item ids must be numbers, got {values!r}") from None

    approve, reject = ids("approve"), ids("reject")
    not_offered = sorted((set(approve) | set(reject)) - offered)
    if not_offered:
        raise ValueError(f"items {not_offered} were not in this request (offered: {sorted(offered)})")
    both = sorted(set(approve) & set(reject))
    if both:
        raise ValueError(f"items {both} are both approved and rejected")
    reason = answer.get("rejection_reason") or "editor"
    if reason not in REVIEW_REASONS:
        raise ValueError(f"unknown rejection reason {reason!r} (one of {', '.join(REVIEW_REASONS)})")
    note = (answer.get("note") or "").strip()
    if (approve or reject) and not note:
        raise ValueError("a note is required with every decision")
    return {"approve": approve, "reject": reject, "reason": reason, "note": note}


class ReviewDecisionOperator(HITLOperator):
    """Ask an editor to decide the waiting items; the subject, body and form are built at run time
    from what ``collect_review_queue`` found, and the answer is checked before the task succeeds."""

    def __init__(self, *, queue_task_id: str = COLLECT_TASK_ID, **kwargs: Any) -> None:
        super().__init__(
            subject="Review queue",  # replaced at run time with the number of waiting items
            options=[APPLY, LEAVE],
            defaults=[LEAVE],  # taken when nobody answers within the timeout: nothing is decided
            multiple=False,
            params=decision_params(),
            response_timeout=RESPONSE_TIMEOUT,
            **kwargs,
        )
        self.queue_task_id = queue_task_id

    def _queue(self, context) -> dict[str, Any]:
        return context["ti"].xcom_pull(task_ids=self.queue_task_id) or {"items": [], "total_waiting": 0}

    def execute(self, context):
        queue = self._queue(context)
        self.subject = f"Review queue: {queue['total_waiting']} item(s) wait for an editor"
        self.body = request_body(queue["items"], queue["total_waiting"])
        self.params = decision_params(queue["items"])
        return super().execute(context)

    def execute_complete(self, context, event: dict[str, Any]) -> Any:
        response = super().execute_complete(context, event)
        decisions = chosen_decisions(dict(response), self._queue(context)["items"])
        log.info(
            "editor %s: approve %s, reject %s (%s)",
            (response.get("responded_by_user") or {}).get("name"),
            decisions["approve"],
            decisions["reject"],
            decisions["reason"],
        )
        return response


def build_review_dag() -> DAG:
    with DAG(
        dag_id=DAG_ID,
        description="Editors approve or reject the items waiting for review (human in the loop)",
        schedule=[review_queue_asset()],
        start_date=datetime(2023, 3, 1, tzinfo=LOCAL_TZ),
        catchup=False,
        max_active_runs=1,  # one request at a time: two would offer the same items
        default_args=DEFAULT_ARGS,
        tags=["review", "human-in-the-loop", "owner:data-eng"],
        doc_md=DOC,
    ) as dag:

        @task(task_id=COLLECT_TASK_ID, task_display_name="Collect the review queue")
        def collect_review_queue() -> dict[str, Any]:
            from airflow.sdk.exceptions import AirflowSkipException

            from portal_etl.pipeline.process import review
            from portal_etl.registry import load_usable_registry

            waiting = review.list_queue()
            if not waiting:
                raise AirflowSkipException("no item waits for an editor")
            names = {s.id: s.name for s in load_usable_registry().sources}
            items = [
                # review.show gives the candidates with the evidence `portal-etl review show` prints
                queue_entry(row, names, LOCAL_TZ, review.show(row["item_id"])["candidates"])
                for row in waiting[:MAX_ITEMS_PER_REQUEST]
            ]
            log.info("%d item(s) wait for an editor; %d offered", len(waiting), len(items))
            return {"items": items, "total_waiting": len(waiting)}

        @task(task_id=APPLY_TASK_ID, task_display_name="Apply the editor's decisions")
        def apply_editor_decisions(response: dict[str, Any], queue: dict[str, Any]) -> dict[str, Any]:
            from portal_etl.pipeline.process import review

            decisions = chosen_decisions(response, queue["items"])
            user = response.get("responded_by_user") or {}
            reviewer = unicodedata.normalize("NFC", (user.get("name") or user.get("id") or "").strip())
            if not (decisions["approve"] or decisions["reject"]):
                log.info("no decision to apply (%s)", response.get("chosen_options"))
                return {"reviewer": reviewer, "approved": [], "rejected": [], "unchanged": []}
            if not reviewer:
                raise ValueError("the answer carries no user: decisions need a reviewer")
            done: dict[str, list[int]] = {"approved": [], "rejected": [], "unchanged": []}
            wanted = [(i, "approved", None) for i in decisions["approve"]]
            wanted += [(i, "rejected", decisions["reason"]) for i in decisions["reject"]]
            for item_id, outcome, reason in wanted:
                current = review.show(item_id)["item"]
                if (current["outcome"], current["reason"], current["decided_by"], current["note"] or "") == (
                    outcome,
                    reason,
                    reviewer,
                    decisions["note"],
                ):
                    done["unchanged"].append(item_id)  # applied by an earlier try of this task
                    continue
                if outcome == "approved":
                    review.approve(item_id, reviewer, decisions["note"])
                else:
                    review.reject(item_id, reviewer, decisions["note"], reason=reason)
                done[outcome].append(item_id)
            log.info("reviewer %s: %s", reviewer, done)
            return {"reviewer": reviewer, **done}

        queue = collect_review_queue()
        decide = ReviewDecisionOperator(task_id=DECIDE_TASK_ID, task_display_name="Ask an editor to decide")
        queue >> decide
        apply_editor_decisions(decide.output, queue)
    return dag
