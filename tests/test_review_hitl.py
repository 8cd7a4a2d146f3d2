"""The review queue decided from Airflow: ``integrate_articles`` announces a non-empty queue,
``review_queue`` asks an editor (a human-in-the-loop task), the editor answers through the
api-server's REST API as a named Airflow user, and the decisions land in the audit and the store.

Both DAGs are run by Airflow itself (``dag.test()``), against an api-server started as a
subprocess on the session's metadata database: the api-server records the answer and resumes
the waiting task, exactly as when an editor submits the Required Actions form in the UI.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from review_helpers import audit, decision, grey_zone_pair, in_store, query, stage_october

from portal_etl.orchestration.dags.review import (
    APPLY,
    APPLY_TASK_ID,
    COLLECT_TASK_ID,
    DECIDE_TASK_ID,
    LEAVE,
    candidate_entry,
    chosen_decisions,
    request_body,
)
from portal_etl.vocabulary import REASONS, REVIEW_REASONS

EDITOR = "thu.ha"  # the Airflow account that answers: the reviewer recorded in the audit
ANSWER_TIMEOUT_SECONDS = 240  # the request appears a few seconds after the run starts


# --- the form and the answer's checks (no Airflow needed) ----------------------------------------

QUEUE = [
    {
        "item_id": 7,
        "title": "Tin [có] *dấu*",
        "source_id": "dongnai_gov",
        "channel": "Cổng TTĐT tỉnh",
        "published_local": "12-10-2023 09:30",
        "url": "https://dongnai.gov.vn/vi/news/x-7.html",
        "reason": "unknown_section",
        "why": "section 'an-ninh' is not in the registry",
    },
    {
        "item_id": 9,
        "title": "Bài hai",
        "source_id": "baodongnai",
        "channel": "Báo Đồng Nai",
        "published_local": None,
        "url": None,
        "reason": "no_date",
        "why": None,
    },
    {
        "item_id": 11,
        "title": "Khánh thành cầu Hóa An",
        "source_id": "baodongnai",
        "channel": "Báo Đồng Nai",
        "published_local": "15-04-2024 08:00",
        "url": "https://baodongnai.com.vn/x-11.html",
        "reason": "possible_duplicate",
        "why": "similar to item 4 (0.62)",
        "candidates": [
            candidate_entry(
                {
                    "item_id": 4,
                    "title": "Khánh thành cầu Hóa An mới",
                    "source_id": "dongnai_gov",
                    "url": "https://dongnai.gov.vn/vi/news/y-4.html",
                    "similarity": 0.6213,
                    "outcome": "approved",
                    "evidence": {"details_only_this": ["15/4", "300 tỷ"], "details_only_other": ["12/4"]},
                },
                {"dongnai_gov": "Cổng TTĐT tỉnh"},
            )
        ],
    },
]


def answer(approve=(), reject=(), reason="editor", note="ghi chú", option=APPLY) -> dict[str, Any]:
    return {
        "chosen_options": [option],
        "params_input": {"approve": list(approve), "reject": list(reject), "rejection_reason": reason, "note": note},
    }


def test_the_rejection_reasons_are_the_review_vocabulary() -> None:
    assert set(REVIEW_REASONS) == set(REASONS) and REVIEW_REASONS[0] == "editor"


def test_request_body_lists_every_item_with_what_an_editor_needs() -> None:
    body = request_body(QUEUE, total_waiting=40)
    assert body.startswith("**40 item(s) wait for an editor**")
    first, second, third = (line for line in body.splitlines() if line.startswith("- "))
    assert first == (
        "- **7** · [Tin \\[có\\] \\*dấu\\*](https://dongnai.gov.vn/vi/news/x-7.html) · Cổng TTĐT tỉnh "
        "· 12-10-2023 09:30 · waits for: unknown_section — section 'an-ninh' is not in the registry"
    )
    assert second == "- **9** · Bài hai · Báo Đồng Nai · no date · waits for: no_date"
    assert third.startswith("- **11** ·")
    # under a possible duplicate, the item it resembles and what differs
    (like,) = (line for line in body.splitlines() if line.startswith("  - "))
    assert like == (
        "  - like **4** · [Khánh thành cầu Hóa An mới](https://dongnai.gov.vn/vi/news/y-4.html) · Cổng TTĐT tỉnh "
        "· similarity 0.62 · its decision: approved · only here: 15/4, 300 tỷ; only there: 12/4"
    )
    assert body.index(third) < body.index(like)
    assert "37 more wait for the next request" in body


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (answer(approve=["7", "8"]), "items [8] were not in this request"),
        (answer(approve=["7"], reject=[7]), "items [7] are both approved and rejected"),
        (answer(reject=["9"], reason="because"), "unknown rejection reason 'because'"),
        (answer(approve=["7"], note="  "), "a note is required"),
        (answer(approve=["bảy"]), "item ids must be numbers"),
    ],
)
def test_an_answer_that_cannot_be_applied_is_refused(response, error) -> None:
    with pytest.raises(ValueError, match=error.replace("[", r"\[").replace("]", r"\]")):
        chosen_decisions(response, QUEUE)


def test_an_answer_is_read_as_decisions() -> None:
    assert chosen_decisions(answer(approve=["9", 7], reject=[], note=" cùng tin "), QUEUE) == {
        "approve": [7, 9],
        "reject": [],
        "reason": "editor",
        "note": "cùng tin",
    }
    # the UI sends null for a cleared multi-select
    assert chosen_decisions(
        {
            "chosen_options": [APPLY],
            "params_input": {"approve": None, "reject": ["9"], "rejection_reason": "no_date", "note": "x"},
        },
        QUEUE,
    )["reject"] == [9]
    # leaving decides nothing, whatever was filled in
    assert chosen_decisions(answer(approve=["7"], option=LEAVE), QUEUE)["approve"] == []


# --- end to end through Airflow ------------------------------------------------------------------


class LoggedIn:
    """The REST API as one logged-in Airflow user."""

    def __init__(self, stack, token: str) -> None:
        self.stack, self.headers = stack, {"Authorization": f"Bearer {token}"}

    def api(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.stack.api(method, path, json=json, headers=self.headers, **kwargs)


@pytest.fixture(scope="module")
def stack(airflow_db, tmp_path_factory):
    """An api-server on the session's metadata DB, with login on and one editor account."""
    from portal_etl.orchestration.tools.components import AirflowStack

    home = tmp_path_factory.mktemp("airflow-api")
    env = {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{EDITOR}:admin",
    }
    with AirflowStack(home, env, components=("api-server",)) as running:
        passwords = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())
        token = requests.post(
            f"{running.base_url}/auth/token", timeout=30, json={"username": EDITOR, "password": passwords[EDITOR]}
        ).json()["access_token"]
        yield LoggedIn(running, token)


@pytest.fixture(scope="module")
def october(pipeline_dsn, replica) -> dict[str, int]:
    return stage_october(pipeline_dsn, replica)


def run_dag(dag_id: str, **kwargs):
    from portal_etl.orchestration.tools.runner import load_dags

    return load_dags([dag_id])[dag_id].test(**kwargs)


def task_states(stack, dagrun) -> dict[str, str]:
    tis = stack.api("GET", f"/api/v2/dags/{dagrun.dag_id}/dagRuns/{dagrun.run_id}/taskInstances")["task_instances"]
    return {ti["task_id"]: ti["state"] for ti in tis}


def returned(stack, dagrun, task_id: str) -> Any:
    return stack.api(
        "GET", f"/api/v2/dags/{dagrun.dag_id}/dagRuns/{dagrun.run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    )["value"]


def review_asset_events(stack) -> list[dict]:
    assets = stack.api("GET", "/api/v2/assets", params={"uri_pattern": "process/review_queue"})["assets"]
    if not assets:
        return []
    return stack.api("GET", "/api/v2/assets/events", params={"asset_id": assets[0]["id"], "order_by": "timestamp"})[
        "asset_events"
    ]


class Editor(threading.Thread):
    """Answers the review request through the REST API as soon as it appears, as a person would.

    Whatever goes wrong, it leaves no run waiting: ``dag.test`` returns only when the request is
    answered, so on an error it answers "leave" and records the error for the test to raise.
    """

    def __init__(self, stack, choose) -> None:
        super().__init__(daemon=True)
        self.stack, self.choose = stack, choose
        self.request: dict | None = None
        self.response: dict | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            deadline = time.monotonic() + ANSWER_TIMEOUT_SECONDS
            while self.request is None:
                if time.monotonic() > deadline:
                    raise TimeoutError("no review request appeared")
                found = self.stack.api(
                    "GET", "/api/v2/dags/review_queue/dagRuns/~/hitlDetails", params={"response_received": False}
                )["hitl_details"]
                self.request = found[0] if found else None
                time.sleep(0.5)
            self.response = self.stack.api("PATCH", self._path(), json=self.choose(self.request))
        except BaseException as exc:  # noqa: BLE001 - reported by the test, after unblocking the run
            self.error = exc
            if self.request is not None and self.response is None:
                self.stack.api("PATCH", self._path(), json={"chosen_options": [LEAVE], "params_input": {}})

    def _path(self) -> str:
        ti = self.request["task_instance"]
        return (
            f"/api/v2/dags/review_queue/dagRuns/{ti['dag_run_id']}/taskInstances/{ti['task_id']}/"
            f"{ti['map_index']}/hitlDetails"
        )


@pytest.mark.e2e
def test_editor_decides_the_queue_in_airflow(stack, october, pipeline_dsn) -> None:
    events_before = len(review_asset_events(stack))
    integration = run_dag("integrate_articles", run_conf={"from_month": "2023-10", "to_month": "2023-10"})
    assert str(integration.state).endswith("success")
    assert task_states(stack, integration)["announce_review_queue"] == "success"
    events = review_asset_events(stack)
    assert len(events) == events_before + 1 and events[-1]["extra"] == {"waiting": 3}
    assert events[-1]["source_dag_id"] == "integrate_articles"
    grey, partner = grey_zone_pair(pipeline_dsn)
    new_a, new_b = october["new_a"], october["new_b"]
    titles = dict(
        query(
            pipeline_dsn,
            "SELECT item_id, title_clean FROM process.normalized_item WHERE item_id = ANY(%s)",
            [grey, new_a, new_b],
        )
    )
    assert not in_store(pipeline_dsn, new_a)

    def choose(request: dict) -> dict:
        return {
            "chosen_options": [APPLY],
            "params_input": {
                "approve": [str(new_a)],
                "reject": [str(new_b)],
                "rejection_reason": "section_not_integrated",
                "note": "Chuyên mục mới: bài diễn tập được tích hợp, tin tuần tra thì không",
            },
        }

    editor = Editor(stack, choose)
    editor.start()
    review_run = run_dag("review_queue")
    editor.join(timeout=30)
    if editor.error:
        raise editor.error

    # what the editor was shown
    request = editor.request
    assert request["subject"] == "Review queue: 3 item(s) wait for an editor"
    assert request["options"] == [APPLY, LEAVE] and request["defaults"] == [LEAVE]
    for item_id, title in titles.items():
        line = next(x for x in request["body"].splitlines() if x.startswith(f"- **{item_id}**"))
        assert title[:30] in line.replace("\\", "")
    assert "possible_duplicate — similar to item" in request["body"]
    # the grey item is shown with the item it resembles, the evidence review.show gives
    lines = request["body"].splitlines()
    grey_at = next(i for i, x in enumerate(lines) if x.startswith(f"- **{grey}**"))
    assert lines[grey_at + 1].startswith(f"  - like **{partner}** ·") and "similarity 0." in lines[grey_at + 1]
    assert "unknown_section — section 'an-ninh-quoc-phong' is not in the registry" in request["body"]
    assert sorted(request["params"]["approve"]["schema"]["examples"]) == sorted(str(i) for i in titles)
    assert request["params"]["rejection_reason"]["schema"]["enum"] == list(REVIEW_REASONS)

    # the run, and the decisions in the name of the answering user
    assert str(review_run.state).endswith("success")
    assert task_states(stack, review_run) == {
        COLLECT_TASK_ID: "success",
        DECIDE_TASK_ID: "success",
        APPLY_TASK_ID: "success",
    }
    assert editor.response["responded_by"]["name"] == EDITOR
    applied = returned(stack, review_run, APPLY_TASK_ID)
    assert applied == {"reviewer": EDITOR, "approved": [new_a], "rejected": [new_b], "unchanged": []}
    note = "Chuyên mục mới: bài diễn tập được tích hợp, tin tuần tra thì không"
    rows = audit(pipeline_dsn)
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        (new_a, "approve", EDITOR, note, {}),
        (new_b, "reject", EDITOR, note, {"reason": "section_not_integrated"}),
    ]
    assert decision(pipeline_dsn, new_a) == ("approved", None, EDITOR, note)
    assert decision(pipeline_dsn, new_b) == ("rejected", "section_not_integrated", EDITOR, note)
    assert in_store(pipeline_dsn, new_a) and not in_store(pipeline_dsn, new_b)
    assert decision(pipeline_dsn, grey)[:3] == ("needs_review", "possible_duplicate", "policy")
    assert not in_store(pipeline_dsn, grey) and in_store(pipeline_dsn, partner)

    # the answer is kept by Airflow too
    detail = stack.api("GET", editor._path())
    assert detail["response_received"] is True and detail["responded_by_user"]["name"] == EDITOR
    assert detail["chosen_options"] == [APPLY]


@pytest.mark.e2e
def test_leaving_decides_nothing_and_an_empty_queue_asks_nobody(stack, october, pipeline_dsn) -> None:
    integration = run_dag("integrate_articles", run_conf={"from_month": "2023-10", "to_month": "2023-10"})
    assert str(integration.state).endswith("success")
    waiting = [
        r[0]
        for r in query(
            pipeline_dsn, "SELECT item_id FROM process.decision WHERE outcome = 'needs_review' ORDER BY item_id"
        )
    ]
    assert waiting, "the month leaves items waiting"
    audit_before = audit(pipeline_dsn)

    editor = Editor(
        stack,
        lambda request: {
            "chosen_options": [LEAVE],
            "params_input": {
                "approve": [str(waiting[0])],
                "reject": [],
                "rejection_reason": "editor",
                "note": "để sau",
            },
        },
    )
    editor.start()
    left = run_dag("review_queue")
    editor.join(timeout=30)
    if editor.error:
        raise editor.error
    assert str(left.state).endswith("success")
    assert returned(stack, left, APPLY_TASK_ID)["approved"] == []
    assert audit(pipeline_dsn) == audit_before
    assert [
        r[0]
        for r in query(
            pipeline_dsn, "SELECT item_id FROM process.decision WHERE outcome = 'needs_review' ORDER BY item_id"
        )
    ] == waiting

    # the editors empty the queue from the command line; then nothing is announced or asked
    from portal_etl.pipeline.process import review

    for item_id in waiting:
        review.approve(item_id, "Trần Minh", "đã xem, tích hợp")
    events_before = len(review_asset_events(stack))
    integration = run_dag("integrate_articles", run_conf={"from_month": "2023-10", "to_month": "2023-10"})
    assert str(integration.state).endswith("success")
    assert task_states(stack, integration)["announce_review_queue"] == "skipped"
    assert len(review_asset_events(stack)) == events_before
    requests_before = stack.api("GET", "/api/v2/dags/review_queue/dagRuns/~/hitlDetails")["total_entries"]
    empty = run_dag("review_queue")
    assert str(empty.state).endswith("success")
    assert set(task_states(stack, empty).values()) == {"skipped"}
    assert stack.api("GET", "/api/v2/dags/review_queue/dagRuns/~/hitlDetails")["total_entries"] == requests_before


def test_dag_file_names_airflow_and_dag() -> None:
    """Airflow's safe-mode parser skips DAG files that do not mention both words."""
    text = (Path(__file__).resolve().parents[1] / "dags" / "review.py").read_text().lower()
    assert "airflow" in text and "dag" in text
