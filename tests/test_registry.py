"""The registry validates entries one by one and names the entry and field that is wrong."""

from pathlib import Path

import pytest
import yaml

from portal_etl.registry import RegistryError, load_registry
from portal_etl.registry.loader import load_registry_result

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other tests point the registry at the replica; these read the files they name only."""
    monkeypatch.delenv("PORTAL_ETL_SOURCES_OVERRIDES", raising=False)


def write(tmp_path: Path, data: dict, name: str = "sources.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def base_entry(**extra) -> dict:
    entry = {
        "id": "tinh_x",
        "name": "Cổng TTĐT tỉnh X",
        "base_url": "https://x.gov.vn",
        "allowed_domains": ["x.gov.vn"],
        "adapter": "nukeviet",
        "live_since": "2015-01-01",
        "sections": [{"path": "tin-tuc", "name": "Tin tức"}],
    }
    entry.update(extra)
    return entry


def test_shipped_registry_has_the_three_channels() -> None:
    registry = load_registry(REPO / "config" / "sources.yaml")
    assert registry.ids == ["dongnai_party", "dongnai_gov", "baodongnai"]
    party = registry.get("dongnai_party")
    assert party.base_url is None and not party.configured  # domain unknown: configuration only
    assert str(party.live_since) == "2023-10-09"
    gov = registry.get("dongnai_gov")
    assert gov.configured and gov.adapter == "nukeviet" and gov.timezone == "Asia/Ho_Chi_Minh"
    assert gov.section("video-clip").item_type == "video"
    assert gov.section("thong-bao").integrate is False


def test_defaults_apply_and_entries_override_them(tmp_path: Path) -> None:
    data = {
        "defaults": {"politeness": {"min_interval_seconds": 3.0}},
        "sources": [base_entry(), base_entry(id="tinh_y", politeness={"min_interval_seconds": 0.5})],
    }
    registry = load_registry(write(tmp_path, data))
    assert registry.get("tinh_x").politeness.min_interval_seconds == 3.0
    assert registry.get("tinh_y").politeness.min_interval_seconds == 0.5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"adapter": "wordpress"}, "adapter"),
        ({"base_url": "ftp://x.gov.vn"}, "base_url"),
        ({"live_since": "31/02/2020"}, "live_since"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"id": "Bad Id"}, "id"),
        ({"sections": [{"path": "/abs", "name": "x"}]}, "sections.0.path"),
        ({"sections": [{"path": "a", "name": "x", "item_type": "meme"}]}, "sections.0.item_type"),
        ({"colour": "red"}, "colour"),
        ({"allowed_domains": ["other.vn"]}, "base_url host"),
    ],
)
def test_invalid_entry_is_named_with_its_field(tmp_path: Path, change: dict, field: str) -> None:
    path = write(tmp_path, {"sources": [base_entry(**change)]})
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    message = str(err.value)
    assert "tinh_x" in message or "Bad Id" in message
    assert field in message


def test_lenient_load_keeps_the_good_entries(tmp_path: Path) -> None:
    path = write(tmp_path, {"sources": [base_entry(), base_entry(id="tinh_y", adapter="nope")]})
    result = load_registry_result(path)
    assert result.registry.ids == ["tinh_x"]
    assert len(result.errors) == 1 and "tinh_y" in result.errors[0]


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, {"sources": [base_entry(), base_entry()]})
    with pytest.raises(RegistryError, match="duplicate"):
        load_registry(path)


def test_overrides_file_replaces_base_url_by_configuration(tmp_path: Path) -> None:
    path = write(tmp_path, {"sources": [base_entry()]})
    overrides = write(
        tmp_path,
        {"sources": {"tinh_x": {"base_url": "http://127.0.0.1:9999", "allowed_domains": ["127.0.0.1:9999"]}}},
        "overrides.yaml",
    )
    source = load_registry(path, overrides).get("tinh_x")
    assert source.base_url == "http://127.0.0.1:9999"
    unknown = write(tmp_path, {"sources": {"nobody": {"base_url": "http://a"}}}, "o2.yaml")
    with pytest.raises(RegistryError, match="nobody"):
        load_registry(path, unknown)


def test_hundreds_of_sources_are_configuration_only(tmp_path: Path) -> None:
    entries = [
        base_entry(id=f"tinh_{n:03d}", base_url=f"https://t{n}.gov.vn", allowed_domains=[f"t{n}.gov.vn"])
        for n in range(300)
    ]
    registry = load_registry(write(tmp_path, {"sources": entries}))
    assert len(registry.sources) == 300
