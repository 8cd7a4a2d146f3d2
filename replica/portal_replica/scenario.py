"""What a scenario is made of: its parameters, its items and the planned whole.

Plain data shared by the planner, the renderers and the English desk, kept apart from the code
that builds or renders it so that none of them has to import another to know the shapes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from portal_etl.registry import Registry
from portal_replica import themes
from portal_replica.common import tone_new
from portal_replica.textgen import Content

EDIT_MODES = ("default", "heavy")


def check_edits_mode(mode: str) -> str:
    """``mode`` if it is a known republication-edits mode (edits.py), else ValueError."""
    if mode not in EDIT_MODES:
        raise ValueError(f"unknown edits mode {mode!r} (one of {', '.join(EDIT_MODES)})")
    return mode


@dataclass
class ScenarioParams:
    seed: int = 20240528
    start: date = date(2023, 3, 1)
    end: date = date(2024, 6, 30)
    window_start: date = date(2023, 3, 29)
    target_end: date = date(2024, 4, 30)
    target_integrated: int = 2555
    party_live: date = date(2023, 10, 9)
    scale: float = 1.0
    # the newspaper's English section with known pairs (english.py): of the window's
    # illustrated news articles, the share its desk translates, and the share it shortens and
    # illustrates with a photo of its own (links an editor must confirm: the default scenario's
    # few review-queue items; 0.015 gives an English-heavy scenario, ≈ 30 at scale 1)
    english: bool = True
    english_translated_share: float = 0.08  # ≈ 7 a month at scale 1
    english_ambiguous_share: float = 0.004  # 5 in the default scenario
    # markup only (themes/): default | restyled | bare | redesign (default before
    # redesign_month, redesign_theme from it on); the truth does not depend on it
    theme: str = "default"
    redesign_month: str = themes.DEFAULT_REDESIGN_MONTH
    redesign_theme: str = themes.DEFAULT_REDESIGN_THEME
    # republication edits (edits.py): default | heavy (edit kinds and look-alike families)
    edits: str = "default"

    def __post_init__(self) -> None:  # accept ISO strings and numeric strings (CLI, YAML)
        for name in ("start", "end", "window_start", "target_end", "party_live"):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, date.fromisoformat(value))
        self.seed = int(self.seed)
        self.target_integrated = int(self.target_integrated)
        self.scale = float(self.scale)
        if isinstance(self.english, str):
            self.english = self.english.strip().lower() in ("1", "true", "yes", "on")
        self.english_translated_share = float(self.english_translated_share)
        self.english_ambiguous_share = float(self.english_ambiguous_share)
        if self.scale <= 0:
            raise ValueError("scale must be positive")
        shares = (self.english_translated_share, self.english_ambiguous_share)
        if min(shares) < 0 or sum(shares) > 1:
            raise ValueError("the English shares must be >= 0 and add up to at most 1")
        themes.check_theme(self.theme, self.redesign_month, self.redesign_theme)
        check_edits_mode(self.edits)
        if not self.start <= self.window_start <= self.target_end <= self.end:
            raise ValueError("need start <= window_start <= target_end <= end")

    def as_json(self) -> dict:
        out = {}
        for key, value in asdict(self).items():
            out[key] = value.isoformat() if isinstance(value, date) else value
        if self.theme != themes.REDESIGN:  # the switch is recorded only where it applies
            del out["redesign_month"], out["redesign_theme"]
        if self.edits == "default":  # recorded only when it changes the scenario
            del out["edits"]
        if not self.english:  # so are the English desk's shares
            del out["english_translated_share"], out["english_ambiguous_share"]
        return out


QUIRK_ORDER = (
    "eth_title",
    "tone_old",
    "nfd_body",
    "nfd_title",
    "legacy_encoding",
    "month_boundary",
    "multi_category",
    "short_body",
    "sapo_repeated",
)


@dataclass
class Item:
    source_id: str
    section: str
    story_id: str
    published: datetime  # naive local time (UTC+7)
    content: Content  # old tone convention, NFC
    author: str
    byline: str = ""  # Báo Đồng Nai byline paragraph ("" ⇒ the author)
    credit: str | None = None  # NukeViet "Nguồn tin"
    sapo_prefix: str = ""
    tone_old: bool = False
    eth: bool = False
    nfd_title: bool = False
    nfd_body: bool = False
    also_listed_in: list[str] = field(default_factory=list)
    video: dict | None = None  # {"kind": "mp4"|"youtube", "src": ...}
    audio: str | None = None
    infographic: bool = False
    edited: datetime | None = None
    views: int = 0
    seq: int = 0
    # assigned by _assign_ids
    native_id: str = ""
    path: str = ""
    alias: str = ""
    legacy_path: str | None = None
    legacy_news_id: int | None = None
    # derived
    item_type: str = ""
    word_count: int = 0
    approvable: bool = False
    reject_reason: str | None = None
    primary: bool = False
    quirks: list[str] = field(default_factory=list)

    # Display text (tone convention applied, NFC, U+0110) ----------------------------------
    def tone(self, text: str) -> str:
        """``text`` (old convention) in this item's tone-placement convention."""
        return text if self.tone_old else tone_new(text)

    _tone = tone

    @property
    def tags(self) -> list[str]:
        return [self._tone(t) for t in self.content.tags]

    @property
    def title(self) -> str:
        return self._tone(self.content.title)

    @property
    def sapo(self) -> str:
        return self.sapo_prefix + self._tone(self.content.sapo_core)

    @property
    def paragraphs(self) -> list[str]:
        return [self._tone(p) for p in self.content.paragraphs]

    @property
    def captions(self) -> list[str]:
        return [self._tone(c) for c in self.content.captions]

    # Served forms (quirks applied) --------------------------------------------------------
    @property
    def served_title(self) -> str:
        title = self.title
        if self.eth and title.startswith("Đ"):
            title = "\u00d0" + title[1:]
        if self.nfd_title:
            title = unicodedata.normalize("NFD", title)
        return title

    def served_body(self, text: str) -> str:
        return unicodedata.normalize("NFD", text) if self.nfd_body else text


@dataclass
class Scenario:
    params: ScenarioParams
    registry: Registry
    items: list[Item]
    expected: dict
    sources: dict
