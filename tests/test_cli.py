"""The portal-etl command line: help on every command, extract on a saved page of each channel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from portal_etl.months import LOCAL_TZ, Month

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO / "tests" / "pages"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal_etl.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO / "plugins"), **(env or {})},
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["sources"],
        ["db", "migrate"],
        ["extract"],
        ["ingest"],
        ["process"],
        ["review", "list"],
        ["review", "approve"],
        ["backfill"],
        ["status"],
        ["report"],
        ["stack"],
        ["stack", "up"],
        ["stack", "down"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.returncode == 0 and "usage: portal-etl" in result.stdout


@pytest.mark.parametrize("command", [[], ["generate"], ["serve"]])
def test_every_replica_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "portal_replica.cli", *command, "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join((str(REPO / "replica"), str(REPO / "plugins")))},
    )
    assert result.returncode == 0 and "usage: portal-replica" in result.stdout


@pytest.mark.parametrize(
    "command", [["replica"], ["replica", "generate", "--out", "x"], ["replica", "serve", "--help"]]
)
def test_portal_etl_replica_points_to_its_own_command(command: list[str]) -> None:
    result = cli(*command)
    assert result.returncode == 2 and "portal-replica" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("source", "page", "url", "title_start"),
    [
        (
            "dongnai_gov",
            "nukeviet_gov_article.html",
            "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/x-379.html",
            None,
        ),
        ("dongnai_party", "nukeviet_party_article.html", "https://party.example/news/xay-dung-dang/x-1.html", None),
        ("baodongnai", "baodongnai_article.html", "https://baodongnai.com.vn/chinh-tri/202405/x-3f1391d", None),
    ],
)
def test_extract_prints_fields_of_a_saved_page(source, page, url, title_start) -> None:
    result = cli("extract", "--source", source, str(PAGES / page), "--url", url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["complete"] is True and report["missing"] == {}
    fields = report["fields"]
    for key in ("title", "sapo", "body", "published_at", "item_type", "canonical_url"):
        assert fields[key]["value"], key
        assert fields[key]["method"] and 0 < fields[key]["confidence"] <= 1, key
    assert fields["published_at"]["value"].endswith("+07:00")
    assert fields["published_at"]["method"] == "visible_date"


def test_extract_names_what_a_cut_off_page_lacks(tmp_path: Path) -> None:
    """A saved page cut off before its body: what its head says is shown, the body is named
    missing, and the exit status says a required field is missing."""
    html = (PAGES / "nukeviet_gov_article.html").read_text(encoding="utf-8")
    cut = tmp_path / "cut.html"
    cut.write_text(html[: html.index("<body") + 200], encoding="utf-8")
    url = "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/x-379.html"
    result = cli("extract", "--source", "dongnai_gov", str(cut), "--url", url)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["complete"] is False and "body" in report["missing"]
    fields = report["fields"]
    assert fields["title"]["value"].endswith("1.200 ha") and fields["title"]["method"]
    assert fields["native_id"]["value"] == "379"
    assert fields["canonical_url"]["value"].endswith("-379.html")


def test_extract_generic_one_json_line_per_page(tmp_path: Path) -> None:
    """No registry entry: the layout-independent chain on pages of two platforms at once."""
    pdf = tmp_path / "not-a-page.html"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    pages = [PAGES / "nukeviet_gov_article.html", PAGES / "baodongnai_article.html", pdf]
    result = cli("extract", "--generic", *map(str, pages))
    assert result.returncode == 2  # the PDF
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["page"] for line in lines] == [str(p) for p in pages]
    gov, bdn, not_html = lines
    assert gov["title"].endswith("1.200 ha") and gov["published_at"] == "2024-05-28T20:13:00+07:00"
    assert gov["body_text"].startswith("Theo quyết định")
    assert bdn["title"].startswith("Đoàn công tác") and bdn["published_at"] == "2024-04-30T23:50:00+07:00"
    assert bdn["body_text"].startswith("Tiếp đoàn") and "Hải Yến" not in bdn["body_text"]
    assert gov["methods"]["body"] != "body_xpath" and gov["hint_misses"] == []
    assert not_html["error"] == "not_html" and "not an HTML page" in not_html["detail"]
    assert "Error" not in result.stderr


def test_extract_reports_a_page_it_cannot_parse(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text("<html><body><p>nothing here</p></body></html>", encoding="utf-8")
    result = cli("extract", "--source", "baodongnai", str(page))
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert set(report["missing"]) >= {"title", "body", "published_at"}


def test_extract_a_list_page() -> None:
    result = cli(
        "extract",
        "--source",
        "dongnai_gov",
        "--list",
        "--section",
        "thoi-su-chinh-tri",
        str(PAGES / "nukeviet_gov_list.html"),
        "--url",
        "https://dongnai.gov.vn/vi/news/thoi-su-chinh-tri/",
    )
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert listing["entries"] and listing["next_url"]


def test_sources_reports_the_unconfigured_party_portal() -> None:
    result = cli("sources", env={"PORTAL_ETL_SOURCES_OVERRIDES": ""})
    assert result.returncode == 0
    assert "dongnai_party" in result.stdout and "NOT CONFIGURED" in result.stdout


@pytest.mark.parametrize("command", ["ingest", "backfill"])
def test_past_month_commands_refuse_the_same_bad_ranges_before_touching_airflow(tmp_path: Path, command: str) -> None:
    """``ingest`` and ``backfill`` share one planner: the same range gets the same answer."""
    overrides = tmp_path / "o.yaml"
    overrides.write_text(
        'sources: {dongnai_party: {base_url: "http://127.0.0.1:9", allowed_domains: ["127.0.0.1:9"]}}', encoding="utf-8"
    )
    # an api-server URL where nothing listens: a request reaching Airflow would fail differently
    env = {"PORTAL_ETL_SOURCES_OVERRIDES": str(overrides), "PORTAL_ETL_AIRFLOW_API": "http://127.0.0.1:9"}
    this_month = str(Month.of(datetime.now(LOCAL_TZ)))
    refused = {
        ("2023-09", "2023-10", "dongnai_party"): "before the channel went live (09-10-2023)",
        ("2099-01", "2099-02", "baodongnai"): "in the future",
        ("2024-05", "2024-04", None): "before --from",
        (this_month, this_month, "baodongnai"): "is not over yet",
    }
    for (first, last, source), reason in refused.items():
        result = cli(command, "--from", first, "--to", last, *(["--source", source] if source else []), env=env)
        assert result.returncode == 1 and reason in result.stderr, (first, last, result.stderr)
    result = cli(
        command,
        "--from",
        "2024-04",
        "--to",
        "2024-04",
        "--source",
        "dongnai_party",
        env={**env, "PORTAL_ETL_SOURCES_OVERRIDES": ""},
    )
    assert result.returncode == 1 and "not configured" in result.stderr


def test_process_refuses_a_range_in_the_wrong_order_or_the_future() -> None:
    env = {"PORTAL_ETL_AIRFLOW_API": "http://127.0.0.1:9"}
    assert "before --from" in cli("process", "--from", "2024-05", "--to", "2024-04", env=env).stderr
    assert "in the future" in cli("process", "--from", "2099-01", "--to", "2099-01", env=env).stderr


@pytest.mark.parametrize(
    "args",
    [
        ["extract", "--source", "no-such-source", str(PAGES / "baodongnai_article.html")],
        ["extract", "--source", "baodongnai", "/no/such/page.html"],
    ],
)
def test_errors_are_one_line_in_plain_words(args: list[str]) -> None:
    result = cli(*args)
    assert result.returncode != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("portal-etl: ")
    assert "Error" not in lines[0] and "Traceback" not in result.stderr and '"' not in lines[0]
