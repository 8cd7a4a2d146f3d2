"""The editors' review queue through the real ``portal-etl`` command: list, show, approve, reject,
reopen, and the errors an editor sees. The queue comes from a real month of the replica
(tests/review_helpers.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from review_helpers import (
    NEW_SECTION,
    OCTOBER,
    TZ,
    audit,
    decision,
    grey_zone_pair,
    in_store,
    query,
    stage_october,
    truncate_processing,
)

from portal_etl.cli import main
from portal_etl.pipeline.process import process_interval

PORTAL_ETL = Path(sys.executable).with_name("portal-etl")  # the console script the setup installs


@pytest.fixture(scope="module")
def october(pipeline_dsn: str, replica) -> dict[str, int]:
    return stage_october(pipeline_dsn, replica)


@pytest.fixture
def queue_db(pipeline_dsn: str, october: dict[str, int]) -> dict[str, int]:
    """The month processed from scratch: every test starts from the same review queue."""
    truncate_processing(pipeline_dsn)
    counts = process_interval(*OCTOBER, dag_id="test_cli_review", run_id="process", dsn=pipeline_dsn)
    assert counts["needs_review"] == 3, counts
    grey, partner = grey_zone_pair(pipeline_dsn)
    return {**october, "grey": grey, "partner": partner}


def cli_in_process(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def cli_subprocess(*args: str) -> subprocess.CompletedProcess:
    command = [str(PORTAL_ETL)] if PORTAL_ETL.exists() else [sys.executable, "-m", "portal_etl.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=dict(os.environ), timeout=120)


def test_list_prints_the_waiting_items_as_a_table_and_as_json(queue_db, pipeline_dsn, capsys) -> None:
    waiting = query(
        pipeline_dsn,
        "SELECT d.item_id, n.title_clean, n.source_id, n.canonical_url, d.reason "
        "FROM process.decision d JOIN process.normalized_item n USING (item_id) "
        "WHERE d.outcome = 'needs_review' ORDER BY n.published_at",
    )
    assert {w[0] for w in waiting} == {queue_db["grey"], queue_db["new_a"], queue_db["new_b"]}

    code, out, _ = cli_in_process(capsys, "review", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [(r["item_id"], r["title"], r["source_id"], r["url"], r["reason"]) for r in listed] == waiting
    assert {r["reason"] for r in listed} == {"possible_duplicate", "unknown_section"}
    for row in listed:
        assert datetime.fromisoformat(row["published_at"]).tzinfo is not None
        assert unicodedata.is_normalized("NFC", row["title"])

    code, out, _ = cli_in_process(capsys, "review", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[-1] == "3 item(s) waiting for review"
    for line, row in zip(lines[:-1], listed, strict=True):
        day = datetime.fromisoformat(row["published_at"]).astimezone(TZ).strftime("%Y-%m-%d")
        assert line.split()[:4] == [str(row["item_id"]), day, row["source_id"], row["reason"]]
        assert row["title"][:40] in line


def test_show_gives_the_item_its_candidate_duplicate_and_its_story(queue_db, pipeline_dsn) -> None:
    result = cli_subprocess("review", "show", str(queue_db["grey"]))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["item"]["item_id"] == queue_db["grey"]
    assert (shown["item"]["outcome"], shown["item"]["reason"]) == ("needs_review", "possible_duplicate")
    candidate = shown["candidates"][0]
    assert (candidate["item_id"], candidate["reason"]) == (queue_db["partner"], "review_grey_zone")
    assert 0.5 <= candidate["similarity"] < 0.75  # the grey zone, estimated again from the signatures
    assert shown["story"]["integrated"] is False and shown["audit"] == []


def test_approve_reject_and_reopen_are_audited_and_reach_the_store(queue_db, pipeline_dsn, capsys) -> None:
    editor_nfd = unicodedata.normalize("NFD", "Nguyễn Thu Hà")  # how some terminals send it
    started = datetime.now(UTC) - timedelta(seconds=1)

    # 1. approve an item of the new section: it becomes an article of the integration store
    assert not in_store(pipeline_dsn, queue_db["new_a"])
    result = cli_subprocess(
        "review",
        "approve",
        str(queue_db["new_a"]),
        "--reviewer",
        editor_nfd,
        "--note",
        "Chuyên mục mới của cổng tỉnh, nội dung phù hợp",
    )
    assert result.returncode == 0, result.stderr
    approved = json.loads(result.stdout)
    assert (approved["outcome"], approved["decided_by"], approved["integrated"]) == ("approved", "Nguyễn Thu Hà", True)
    assert in_store(pipeline_dsn, queue_db["new_a"])
    assert query(
        pipeline_dsn,
        "SELECT primary_item_id, primary_source_id, story_month FROM integration.article WHERE story_key = %s",
        approved["story_key"],
    ) == [(queue_db["new_a"], "dongnai_gov", "2023-10")]

    # 2. reject the other one with a reason from the closed vocabulary: it stays out of the store
    code, out, err = cli_in_process(
        capsys,
        "review",
        "reject",
        str(queue_db["new_b"]),
        "--reviewer",
        "Trần Minh",
        "--note",
        "Tin nội bộ, không tích hợp",
        "--reason",
        "section_not_integrated",
    )
    assert code == 0, err
    assert json.loads(out)["integrated"] is False
    assert decision(pipeline_dsn, queue_db["new_b"]) == (
        "rejected",
        "section_not_integrated",
        "Trần Minh",
        "Tin nội bộ, không tích hợp",
    )
    assert not in_store(pipeline_dsn, queue_db["new_b"])

    # 3. approve the grey-zone republication as a duplicate of its original: one article, two sources
    code, out, err = cli_in_process(
        capsys,
        "review",
        "approve",
        str(queue_db["grey"]),
        "--reviewer",
        "Trần Minh",
        "--note",
        "Cùng một tin, đăng lại",
        "--duplicate-of",
        str(queue_db["partner"]),
    )
    assert code == 0, err
    merged = json.loads(out)
    assert merged["integrated"] is True
    assert sorted(
        query(pipeline_dsn, "SELECT item_id FROM integration.article_source WHERE story_key = %s", merged["story_key"])
    ) == sorted([(queue_db["grey"],), (queue_db["partner"],)])

    code, out, _ = cli_in_process(capsys, "review", "list", "--json")
    assert json.loads(out) == []

    # 4. re-open the rejected item: the reviewer's decision goes, the policy's comes back
    result = cli_subprocess(
        "review", "reopen", str(queue_db["new_b"]), "--reviewer", "Trần Minh", "--note", "Ban biên tập muốn xem lại"
    )
    assert result.returncode == 0, result.stderr
    assert decision(pipeline_dsn, queue_db["new_b"]) == (
        "needs_review",
        "unknown_section",
        "policy",
        f"section '{NEW_SECTION}' is not in the registry",
    )
    code, out, _ = cli_in_process(capsys, "review", "list", "--json")
    assert [r["item_id"] for r in json.loads(out)] == [queue_db["new_b"]]

    finished = datetime.now(UTC) + timedelta(seconds=1)
    rows = audit(pipeline_dsn)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (queue_db["new_a"], "approve", "Nguyễn Thu Hà", "Chuyên mục mới của cổng tỉnh, nội dung phù hợp"),
        (queue_db["new_b"], "reject", "Trần Minh", "Tin nội bộ, không tích hợp"),
        (queue_db["grey"], "approve", "Trần Minh", "Cùng một tin, đăng lại"),
        (queue_db["new_b"], "reopen", "Trần Minh", "Ban biên tập muốn xem lại"),
    ]
    details = [r[4] for r in rows]
    assert details[1] == {"reason": "section_not_integrated"}
    assert details[2] == {"as_duplicate_of": queue_db["partner"]}
    # what was there before each decision: the policy's verdict, then the editor's rejection
    assert (rows[0][5]["outcome"], rows[0][5]["decided_by"]) == ("needs_review", "policy")
    assert (rows[3][5]["outcome"], rows[3][5]["reason"], rows[3][5]["decided_by"]) == (
        "rejected",
        "section_not_integrated",
        "Trần Minh",
    )
    stamps = [r[6] for r in rows]
    assert stamps == sorted(stamps) and started <= stamps[0] and stamps[-1] <= finished

    result = cli_subprocess("review", "show", str(queue_db["new_b"]))
    assert [a["action"] for a in json.loads(result.stdout)["audit"]] == ["reject", "reopen"]


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["show", "987654"], 1, "portal-etl: item 987654 has not been processed"),
        (
            ["approve", "987654", "--reviewer", "Trần Minh", "--note", "x"],
            1,
            "portal-etl: item 987654 is not a processed staged item",
        ),
        (["approve", "{grey}", "--note", "không ghi tên"], 2, "the following arguments are required: --reviewer"),
        (["reject", "{grey}", "--reviewer", "  ", "--note", "x"], 1, "a reviewer name is required"),
        (["approve", "{grey}", "--reviewer", "policy", "--note", "x"], 1, "'policy' is reserved"),
        (
            ["reject", "{grey}", "--reviewer", "Trần Minh", "--note", "x", "--reason", "because"],
            1,
            "unknown reason 'because' (one of section_not_integrated, before_window",
        ),
        (
            ["reopen", "{grey}", "--reviewer", "Trần Minh", "--note", "x"],
            1,
            "item {grey} has no reviewer decision to reopen",
        ),
        (["approve", "not-a-number", "--reviewer", "Trần Minh", "--note", "x"], 2, "invalid int value"),
    ],
)
def test_errors_are_one_clear_line_and_change_nothing(queue_db, pipeline_dsn, args, exit_code, message) -> None:
    before = query(pipeline_dsn, "SELECT item_id, outcome, reason, decided_by FROM process.decision ORDER BY 1")
    result = cli_subprocess("review", *(a.format(**queue_db) for a in args))
    assert result.returncode == exit_code
    assert message.format(**queue_db) in result.stderr
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr and result.stdout == ""
    assert audit(pipeline_dsn) == []
    assert query(pipeline_dsn, "SELECT item_id, outcome, reason, decided_by FROM process.decision ORDER BY 1") == before
