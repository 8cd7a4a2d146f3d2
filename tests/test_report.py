"""The monthly report on a small hand-made store: figures, formats, storage, browser rendering.

Staged rows are inserted directly (Vietnamese text from the replica's phrase generator), then
processed by the real pipeline; every expected figure is derived from the item list below, so
a change in the summary's semantics fails here.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import io
import json
import random
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from pgutil import query

from portal_etl.db.staging import sync_sources
from portal_etl.pipeline.process import process_interval, review
from portal_etl.registry import load_registry
from portal_etl.reporting import vi_format
from portal_etl.reporting.monthly import produce_report, stored_report
from portal_etl.reporting.summary import refresh_month_summary
from portal_etl.vocabulary import REASONS
from portal_replica.textgen import TextGen

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REG = load_registry()
BASES = {
    "dongnai_party": "https://tinhuy.example.vn",
    "dongnai_gov": "https://dongnai.gov.vn",
    "baodongnai": "https://baodongnai.com.vn",
}
VIDEO_HTML = '<p>Clip thời sự.</p><iframe src="https://www.youtube.com/embed/abc123"></iframe>'


@dataclass(frozen=True)
class Spec:
    """One staged item and what must become of it."""

    key: str
    source_id: str
    section: str
    published: datetime
    words: int  # body words (0: a video clip)
    category: str  # integrated | duplicates_merged | rejected | waiting_review
    reason: str | None = None
    copy_of: str | None = None  # republication of another item (same title and body)

    @property
    def month(self) -> str:
        return self.published.astimezone(TZ).strftime("%Y-%m")

    @property
    def item_type(self) -> str:
        return "video" if self.words == 0 else ("bai" if self.words >= 500 else "tin")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


ITEMS = (
    Spec("before", "baodongnai", "chinh-tri", local(2023, 3, 10, 9), 200, "rejected", "before_window"),
    Spec("first", "baodongnai", "chinh-tri", local(2023, 3, 30, 8), 220, "integrated"),
    Spec("march", "dongnai_gov", "kinh-te", local(2024, 3, 12, 10), 260, "integrated"),
    Spec("news", "baodongnai", "chinh-tri", local(2024, 4, 10, 8), 240, "integrated"),
    Spec("repub", "dongnai_gov", "thoi-su-chinh-tri", local(2024, 4, 10, 15), 240, "duplicates_merged", copy_of="news"),
    Spec("longread", "baodongnai", "kinh-te", local(2024, 4, 30, 23, 30), 620, "integrated"),
    Spec("clip", "baodongnai", "video", local(2024, 4, 15, 19), 0, "integrated"),
    Spec("sport", "baodongnai", "the-thao", local(2024, 4, 11, 7), 230, "rejected", "section_not_integrated"),
    Spec("stub", "dongnai_gov", "kinh-te", local(2024, 4, 12, 9), 40, "rejected", "too_short"),
    Spec(
        "unknown", "dongnai_party", "chuyen-muc-moi", local(2024, 4, 20, 14), 210, "waiting_review", "unknown_section"
    ),
    Spec("boundary", "baodongnai", "xa-hoi", local(2024, 5, 1, 0, 30), 230, "integrated"),  # 1-5 00:30 local: May
)


def stage_items(dsn: str) -> dict[str, int]:
    gen = TextGen(random.Random(4242))
    texts: dict[str, tuple[str, list[str]]] = {}
    ids = {}
    conn = psycopg2.connect(dsn, options="-c timezone=UTC")
    with conn, conn.cursor() as cur:
        sync_sources(cur, REG)
        for spec in ITEMS:
            if spec.copy_of:
                title, paragraphs = texts[spec.copy_of]
            elif spec.words == 0:
                title, paragraphs = f"Video: {gen.content('society', spec.published, 150, 200).title}", ["Clip."]
            else:
                c = gen.content("politics", spec.published, max(spec.words, 150), max(spec.words, 150) + 40)
                words = " ".join(c.paragraphs).split()[: spec.words if spec.words < 150 else None]
                title, paragraphs = c.title, [" ".join(words)]
            texts[spec.key] = (title, paragraphs)
            url = f"{BASES[spec.source_id]}/{spec.section}/{spec.key}.html"
            body_html = VIDEO_HTML if spec.words == 0 else "".join(f"<p>{html_lib.escape(p)}</p>" for p in paragraphs)
            cur.execute(
                """INSERT INTO staging.item (source_id, page_url, status, canonical_url, title, sapo, body_text,
                       body_html, published_at, section, item_type, language, content_hash)
                   VALUES (%s, %s, 'staged', %s, %s, '', %s, %s, %s, %s, %s, 'vi', %s) RETURNING item_id""",
                (
                    spec.source_id,
                    url,
                    url,
                    title,
                    "\n\n".join(paragraphs),
                    body_html,
                    spec.published,
                    spec.section,
                    spec.item_type,
                    hashlib.sha256(url.encode()).hexdigest(),
                ),
            )
            ids[spec.key] = cur.fetchone()[0]
    conn.close()
    return ids


@pytest.fixture(scope="module")
def store(pipeline_dsn: str) -> dict[str, int]:
    from conftest import truncate_all

    truncate_all(pipeline_dsn)
    ids = stage_items(pipeline_dsn)
    process_interval(local(2023, 3, 1), local(2024, 6, 1), dag_id="test_report", run_id="r1", dsn=pipeline_dsn)
    return ids


@pytest.fixture(scope="module")
def april(store, pipeline_dsn: str, tmp_path_factory) -> tuple:
    out = tmp_path_factory.mktemp("reports")
    return produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=out), out


def expected_figures(months: set[str], source_id: str | None = None, item_type: str | None = None) -> dict:
    picked = [
        s for s in ITEMS if s.month in months and source_id in (None, s.source_id) and item_type in (None, s.item_type)
    ]
    counts = Counter(s.category for s in picked)
    return {
        "published": len(picked),
        "integrated": counts["integrated"],
        "duplicates_merged": counts["duplicates_merged"],
        "rejected": counts["rejected"],
        "waiting_review": counts["waiting_review"],
        "rejected_by_reason": {
            r: sum(1 for s in picked if s.category == "rejected" and s.reason == r) for r in REASONS
        },
    }


def picked(figures: dict) -> dict:
    return {
        k: figures[k]
        for k in ("published", "integrated", "duplicates_merged", "rejected", "waiting_review", "rejected_by_reason")
    }


CUMULATIVE_TO_APRIL = {f"2023-{m:02d}" for m in range(3, 13)} | {f"2024-{m:02d}" for m in range(1, 5)}


def test_the_stages_did_what_the_item_list_says(store, pipeline_dsn) -> None:
    outcomes = dict(query(pipeline_dsn, "SELECT item_id, outcome FROM process.decision"))
    for spec in ITEMS:
        want = {
            "integrated": "approved",
            "duplicates_merged": "approved",
            "rejected": "rejected",
            "waiting_review": "needs_review",
        }[spec.category]
        assert outcomes[store[spec.key]] == want, spec.key


def test_month_and_cumulative_figures_per_channel_and_type(april) -> None:
    payload = april[0].payload
    assert picked(payload["month"]["total"]) == expected_figures({"2024-04"})
    assert picked(payload["cumulative"]["total"]) == expected_figures(CUMULATIVE_TO_APRIL)
    for source_id in REG.ids:
        assert picked(payload["month"]["channels"][source_id]) == expected_figures({"2024-04"}, source_id)
        assert picked(payload["cumulative"]["channels"][source_id]) == expected_figures(CUMULATIVE_TO_APRIL, source_id)
    for item_type in ("tin", "bai", "video"):
        assert picked(payload["month"]["types"][item_type]) == expected_figures({"2024-04"}, None, item_type)
    assert picked(payload["previous_month"]["total"]) == expected_figures({"2024-03"})


def test_publish_rate_counts_only_items_since_the_integration_start(april) -> None:
    cumulative = april[0].payload["cumulative"]["channels"]["baodongnai"]
    before = sum(
        1 for s in ITEMS if s.source_id == "baodongnai" and s.category == "rejected" and s.reason == "before_window"
    )
    assert before and cumulative["published_before_window"] == before
    assert cumulative["publish_rate"] == round(cumulative["integrated"] / (cumulative["published"] - before), 4)
    assert april[0].payload["cumulative"]["channels"]["dongnai_party"]["publish_rate"] == 0.0


def test_an_item_at_0030_on_the_first_of_may_counts_in_may(store, pipeline_dsn, tmp_path) -> None:
    may = produce_report(date(2024, 5, 1), dsn=pipeline_dsn, out_dir=tmp_path).payload
    assert may["month"]["total"]["integrated"] == 1
    assert may["month"]["channels"]["baodongnai"]["integrated"] == 1
    assert may["series"]["integrated"]["baodongnai"][-1] == 1
    # and 23:30 on 30-4 local (16:30 UTC) stays in April
    april_bai = produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=tmp_path).payload["month"]["types"]["bai"]
    assert april_bai["integrated"] == 1


def test_summary_categories_partition_what_was_published(store, pipeline_dsn) -> None:
    rows = query(
        pipeline_dsn,
        "SELECT month, published, integrated, duplicates_merged, rejected, waiting_review, "
        "rejected_by_reason FROM integration.month_summary",
    )
    assert rows
    for month, published, integrated, merged, rejected, waiting, by_reason in rows:
        assert published == integrated + merged + rejected + waiting, month
        assert rejected == sum(by_reason.values())


def test_json_is_for_machines(april) -> None:
    report, out = april
    data = json.loads((out / "report-2024-04.json").read_text(encoding="utf-8"))
    assert data == report.payload
    from portal_etl.reporting.render_text import render_table

    assert render_table(data) == report.table(), "the stored JSON (sorted keys) must render the same report"
    assert {"month", "cumulative", "previous_month", "month_over_month", "period", "channels", "series"} <= set(data)
    assert data["period"]["month"] == "2024-04" and data["period"]["label"] == "Tháng 4/2024"

    def check_numbers(figures: dict) -> None:
        for key in ("published", "integrated", "duplicates_merged", "rejected", "waiting_review"):
            assert type(figures[key]) is int, key
        assert figures["publish_rate"] is None or type(figures["publish_rate"]) is float
        assert set(figures["rejected_by_reason"]) == set(REASONS)

    for scope in ("month", "cumulative"):
        check_numbers(data[scope]["total"])
        for figures in data[scope]["channels"].values():
            check_numbers(figures)
    assert [c["name"] for c in data["channels"]] == [s.name for s in REG.sources]
    change = data["month_over_month"]["total"]["integrated"]
    assert change["change"] == change["current"] - change["previous"]


def test_xlsx_holds_the_same_numbers_as_the_json(april) -> None:
    from openpyxl import load_workbook

    from portal_etl.reporting.render_text import column_labels

    report, out = april
    wb = load_workbook(out / "report-2024-04.xlsx")
    assert "Báo cáo" in wb.sheetnames and "Dữ liệu" in wb.sheetnames
    assert len(wb["Báo cáo"]._images) == 1, "the chart is embedded in the report sheet"
    sheet = wb["Dữ liệu"]
    header = [c.value for c in sheet[1]]
    keys = {label: key for key, label in column_labels().items()}
    rows = [dict(zip((keys[h] for h in header), (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]
    seen = 0
    for row in rows:
        block = report.payload[row["scope"]]
        if row["source_id"] == "*" and row["item_type"] == "*":
            figures = block["total"]
        elif row["item_type"] == "*":
            figures = block["channels"][row["source_id"]]
        elif row["source_id"] == "*":
            figures = block["types"][row["item_type"]]
        else:
            figures = block["channel_types"][row["source_id"]][row["item_type"]]
        for key in ("published", "integrated", "duplicates_merged", "rejected", "waiting_review"):
            assert row[key] == figures[key] and isinstance(row[key], int), (row["scope"], key)
        for reason in REASONS:
            assert row[f"rejected_{reason}"] == figures["rejected_by_reason"][reason]
        assert row["publish_rate"] == figures["publish_rate"]
        seen += 1
    assert seen == len(rows) > 2 * (1 + len(REG.ids))
    # the readable sheet shows the cumulative total integrated as a number
    values = [c.value for r in wb["Báo cáo"].iter_rows() for c in r]
    assert report.payload["cumulative"]["total"]["integrated"] in values


def test_vietnamese_formatting() -> None:
    assert vi_format.fmt_int(2555) == "2.555"
    assert vi_format.fmt_int(1234567) == "1.234.567"
    assert vi_format.fmt_pct(0.375) == "37,5%"
    assert vi_format.fmt_signed(-1200) == "-1.200"
    assert vi_format.month_label("2024-04") == "Tháng 4/2024"
    assert set(vi_format.REASON_LABELS) == set(REASONS), "every rejection reason needs a Vietnamese label"


def test_table_csv_and_html_are_in_vietnamese(april) -> None:
    report, out = april
    table = report.table()
    assert "Tháng 4/2024".upper() in table and "Lũy kế từ 29/3/2023" in table
    assert "Đã tích hợp" in table and "quá ngắn" in table and "Báo Đồng Nai" in table
    csv_text = (out / "report-2024-04.csv").read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Mã phạm vi,Phạm vi,Mã kênh,Kênh")
    assert 'lang="vi"' in report.html and "Tỉ lệ tích hợp" in report.html


def test_html_embeds_the_chart(april) -> None:
    from PIL import Image

    report, out = april
    page = (out / "report-2024-04.html").read_text(encoding="utf-8")
    assert page == report.html
    match = re.search(r'<img id="chart" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert match, "chart must be a data URI"
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    assert image.size == (1000, 460)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_html_report_renders_with_the_chart_visible_in_headless_chromium(april, tmp_path) -> None:
    from PIL import Image

    from portal_etl.reporting.chart import COLOURS

    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine (scripts/test.sh installs Debian's chromium when run as root)")
    report, out = april
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--screenshot={shot}",
            "--window-size=1200,900",
            (out / "report-2024-04.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    shutil.copy(shot, out / "screenshot-2024-04.png")  # kept beside the report for a person to look at
    pixels = Image.open(shot).convert("RGB")
    raw = pixels.tobytes()
    counts = Counter(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))

    def near(hex_colour: str) -> int:
        target = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return sum(n for rgb, n in counts.items() if all(abs(a - b) <= 12 for a, b in zip(rgb, target, strict=True)))

    order = [c["source_id"] for c in report.payload["channels"]]
    bdn, gov = COLOURS[order.index("baodongnai")], COLOURS[order.index("dongnai_gov")]
    # bars of channels with integrated items are drawn (well beyond a legend swatch's ~100 px)
    assert near(bdn) > 1000, "Báo Đồng Nai's bars are not visible"
    assert near(gov) > 300, "the government portal's bar is not visible"


def test_regenerating_a_month_is_idempotent(april, pipeline_dsn) -> None:
    _, out = april
    report = produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=out)  # other tests wrote elsewhere
    before = query(
        pipeline_dsn,
        "SELECT month, content_hash, payload, files, generated_at, xmin::text "
        "FROM integration.monthly_report WHERE month = '2024-04'",
    )
    again = produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=out)
    after = query(
        pipeline_dsn,
        "SELECT month, content_hash, payload, files, generated_at, xmin::text "
        "FROM integration.monthly_report WHERE month = '2024-04'",
    )
    assert again.payload == report.payload and again.content_hash == report.content_hash
    assert not again.changed
    assert after == before and len(after) == 1
    assert stored_report("2024-04", pipeline_dsn)["payload"] == report.payload
    for fmt in ("html", "csv", "json"):
        assert again.paths[fmt].read_bytes() == report.rendered[fmt]


def test_refresh_touches_only_the_given_months(store, pipeline_dsn) -> None:
    def state() -> dict:
        return {
            m: x
            for m, x in query(
                pipeline_dsn,
                "SELECT month, string_agg(xmin::text, ',' ORDER BY source_id, "
                "item_type) FROM integration.month_summary GROUP BY month",
            )
        }

    before = state()
    conn = psycopg2.connect(pipeline_dsn)
    with conn, conn.cursor() as cur:
        refresh_month_summary(cur, ["2024-03"], REG)
    conn.close()
    after = state()
    assert after["2024-03"] != before["2024-03"]
    assert {m: x for m, x in after.items() if m != "2024-03"} == {m: x for m, x in before.items() if m != "2024-03"}


def test_many_months_in_one_statement_equal_the_same_months_one_by_one(store, pipeline_dsn, monkeypatch) -> None:
    """The set-based path (many months at once) and the per-month path write the same rows."""
    from portal_etl.reporting import summary

    rows = (
        "SELECT month, source_id, item_type, published, published_before_window, integrated, duplicates_merged, "
        "rejected, rejected_by_reason::text, waiting_review, english_source, english_machine "
        "FROM integration.month_summary ORDER BY 1, 2, 3"
    )
    from portal_etl.reporting.payload import months_between

    held = [m for (m,) in query(pipeline_dsn, "SELECT DISTINCT month FROM integration.month_summary ORDER BY 1")]
    months = months_between(held[0], held[-1])  # with the empty months between
    conn = psycopg2.connect(pipeline_dsn)
    try:
        with conn.cursor() as cur:
            monkeypatch.setattr(summary, "ONE_STATEMENT_FROM", 2)
            summary.refresh_month_summary(cur, months, REG)
            cur.execute(rows)
            together = cur.fetchall()
            monkeypatch.setattr(summary, "ONE_STATEMENT_FROM", len(months) + 1)
            summary.refresh_month_summary(cur, months, REG)
            cur.execute(rows)
            one_by_one = cur.fetchall()
    finally:
        conn.rollback()  # the store stays as the other tests left it
        conn.close()
    assert together == one_by_one
    assert sum(r[5] for r in together) > 0 and sum(r[3] for r in together) > sum(r[5] for r in together)


def test_a_failure_while_publishing_leaves_the_previous_report(store, pipeline_dsn, tmp_path) -> None:
    first = produce_report(date(2024, 3, 1), dsn=pipeline_dsn, out_dir=tmp_path)
    old = {fmt: p.read_bytes() for fmt, p in first.paths.items()}
    stored = stored_report("2024-03", pipeline_dsn)
    # the JSON target becomes a directory: the last rename fails after the others could have happened
    first.paths["json"].unlink()
    first.paths["json"].mkdir()
    (first.paths["json"] / "keep").write_text("x")
    conn = psycopg2.connect(pipeline_dsn)
    with conn, conn.cursor() as cur:  # change the figures so that a new report would differ
        cur.execute("UPDATE integration.month_summary SET published = published + 1 WHERE month = '2024-03'")
    conn.close()
    with pytest.raises(OSError):
        produce_report(date(2024, 3, 1), dsn=pipeline_dsn, out_dir=tmp_path)
    for fmt in ("html", "xlsx", "csv"):
        assert first.paths[fmt].read_bytes() == old[fmt], fmt
    assert stored_report("2024-03", pipeline_dsn)["content_hash"] == stored["content_hash"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in first.paths.values())
    conn = psycopg2.connect(pipeline_dsn)
    with conn, conn.cursor() as cur:
        refresh_month_summary(cur, ["2024-03"], REG)
    conn.close()


def test_an_editor_decision_updates_the_summary_at_once(store, pipeline_dsn, tmp_path) -> None:
    before = produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=tmp_path).payload["month"]["channels"]
    review.approve(store["unknown"], "Nguyễn Văn A", "chuyên mục mới của Tỉnh ủy", dsn=pipeline_dsn)
    after = produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=tmp_path).payload["month"]["channels"]
    party_before, party_after = before["dongnai_party"], after["dongnai_party"]
    assert party_after["waiting_review"] == party_before["waiting_review"] - 1
    assert party_after["integrated"] == party_before["integrated"] + 1
    review.reopen(store["unknown"], "Nguyễn Văn A", "trả lại", dsn=pipeline_dsn)
    again = produce_report(date(2024, 4, 1), dsn=pipeline_dsn, out_dir=tmp_path).payload["month"]["channels"]
    assert again == before


def test_cli_prints_the_report(april, pipeline_dsn, tmp_path, monkeypatch, capsys) -> None:
    from portal_etl.cli import main

    monkeypatch.setenv("PORTAL_ETL_REPORTS_DIR", str(tmp_path))
    assert main(["report", "--month", "2024-04", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == april[0].payload
    assert (tmp_path / "report-2024-04.xlsx").is_file()
    assert main(["report", "--month", "2024-04"]) == 0
    assert "Đã tích hợp" in capsys.readouterr().out
    target = tmp_path / "sub" / "r.csv"
    assert main(["report", "--month", "2024-04", "--format", "csv", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8-sig").startswith("Mã phạm vi")


def test_the_report_dag_covers_one_local_month_from_the_integration_start() -> None:
    from airflow.serialization.encoders import coerce_to_core_timetable

    from portal_etl.orchestration.dags.report import build_report_dag

    dag = build_report_dag()
    assert dag.catchup is True
    assert dag.start_date == local(2023, 3, 1)
    assert [t.task_id for t in dag.tasks] == ["refresh_summary", "build_report", "deliver_report"]
    interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(run_after=local(2024, 5, 1))
    assert (interval.start, interval.end) == (local(2024, 4, 1), local(2024, 5, 1))


# --- what keeps items out (issue #17) ------------------------------------------------------------


def expected_gaps(month: str) -> dict[str, dict]:
    """Per channel, from the item list: the items kept out (key → reason, waiting) and the rates."""
    from portal_etl.reporting.gaps import CHANNEL_REASONS

    out = {}
    for source_id in REG.ids:
        mine = [s for s in ITEMS if s.month == month and s.source_id == source_id]
        gaps = {s.key: (s.reason, s.category == "waiting_review") for s in mine
                if s.category in ("rejected", "waiting_review")}  # fmt: skip
        fixable = sum(1 for reason, waiting in gaps.values() if waiting or reason in CHANNEL_REASONS)
        integrated = sum(1 for s in mine if s.category == "integrated")
        in_window = sum(1 for s in mine if s.reason != "before_window")
        out[source_id] = {
            "gaps": gaps,
            "would_enter_if_fixed": fixable,
            "publish_rate": round(integrated / in_window, 4) if in_window else None,
            "publish_rate_if_fixed": round((integrated + fixable) / in_window, 4) if in_window else None,
        }
    return out


def test_the_gaps_list_every_item_kept_out_with_its_group_and_rates(april, store) -> None:
    gaps = april[0].payload["gaps"]["channels"]
    key_of = {item_id: key for key, item_id in store.items()}
    for source_id, want in expected_gaps("2024-04").items():
        g = gaps[source_id]
        assert {key_of[it["item_id"]]: (it["reason"], it["waiting_review"]) for it in g["items"]} == want["gaps"]
        for field in ("would_enter_if_fixed", "publish_rate", "publish_rate_if_fixed"):
            assert g[field] == want[field], (source_id, field)
    groups = {key_of[it["item_id"]]: it["group"] for g in gaps.values() for it in g["items"]}
    assert groups == {"sport": "policy", "stub": "channel", "unknown": "channel"}


def test_the_rate_series_covers_the_last_twelve_months(april) -> None:
    series = april[0].payload["rate_series"]
    assert series["months"] == [f"2023-{m:02d}" for m in range(5, 13)] + [f"2024-{m:02d}" for m in range(1, 5)]
    for source_id in REG.ids:
        for month, rate in zip(series["months"], series["channels"][source_id], strict=True):
            mine = [s for s in ITEMS if s.month == month and s.source_id == source_id and s.reason != "before_window"]
            integrated = sum(1 for s in mine if s.category == "integrated")
            assert rate == (round(integrated / len(mine), 4) if mine else None), (source_id, month)


def test_a_what_if_names_what_it_cannot_apply() -> None:
    from portal_etl.reporting.whatif import WhatIfError, changed_registry, parse_change

    for text in ("integrate-section=baodongnai", "min-words=many", "drop-everything"):
        with pytest.raises(WhatIfError, match="expected"):
            parse_change(text)
    with pytest.raises(WhatIfError, match="no section 'bong-da'"):
        changed_registry(REG, [parse_change("integrate-section=baodongnai:bong-da")])
    with pytest.raises(WhatIfError, match="no channel 'tuoitre'"):
        changed_registry(REG, [parse_change("min-words=tuoitre:10")])
    changed = changed_registry(
        REG, [parse_change("integrate-section=baodongnai:the-thao"), parse_change("min-words=5")]
    )
    assert (
        changed.get("baodongnai").section("the-thao").integrate
        and not REG.get("baodongnai").section("the-thao").integrate
    )
    assert {s.approval.min_words for s in changed.sources} == {5}


def test_the_rate_chart_and_the_gaps_render_in_headless_chromium(april, store, tmp_path) -> None:
    """The browser's own DOM of the page holds the gaps table and the rate chart; a screenshot of
    the page without the bar chart (so the line chart is on screen) shows the channels' lines."""
    from bs4 import BeautifulSoup
    from PIL import Image

    from portal_etl.reporting.chart import COLOURS

    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine (scripts/test.sh installs Debian's chromium when run as root)")
    report, out = april
    page = out / "report-2024-04.html"
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
                         check=True, capture_output=True, timeout=120).stdout.decode("utf-8")  # fmt: skip
    doc = BeautifulSoup(dom, "lxml")
    rows = {int(tr["data-item"]): tr["data-group"] for tr in doc.select("section#gaps tr[data-item]")}
    assert rows == {store["sport"]: "policy", store["stub"]: "channel", store["unknown"]: "channel"}
    assert "quá ngắn" in doc.select_one("section#gaps").get_text()
    assert doc.select_one("img#rate-chart")["src"].startswith("data:image/png;base64,")

    only_lines = tmp_path / "rate-chart.html"
    only_lines.write_text(re.sub(r'<figure><img id="chart" [^>]*></figure>', "", report.html), encoding="utf-8")
    shot = tmp_path / "rate-shot.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
         f"--screenshot={shot}", "--window-size=1200,700", only_lines.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    shutil.copy(shot, out / "screenshot-rate-2024-04.png")
    raw = Image.open(shot).convert("RGB").tobytes()
    counts = Counter(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))

    def near(hex_colour: str) -> int:
        target = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return sum(n for rgb, n in counts.items() if all(abs(a - b) <= 12 for a, b in zip(rgb, target, strict=True)))

    order = [c["source_id"] for c in report.payload["channels"]]
    gov = report.payload["rate_series"]["channels"]["dongnai_gov"]
    assert [r for r in gov if r is not None] == [1.0, 0.0], "the government portal: 100 % in March, 0 in April"
    # its line falls across the whole height of the axes: far more than its legend entry
    assert near(COLOURS[order.index("dongnai_gov")]) > 400, "the government portal's line is not visible"
