"""Validated shape of one registry entry (pydantic models, strict: unknown keys are errors)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from portal_etl.models import ITEM_TYPES
from portal_etl.months import LOCAL_ZONE

SOURCE_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")  # becomes part of a DAG id


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Politeness(_Strict):
    min_interval_seconds: float = Field(2.0, ge=0)
    concurrency: int = Field(1, ge=1, le=16)


class Settled(_Strict):
    """When an article has stopped changing, so a re-run of its month need not fetch it again.

    Settled: the last ``fetches`` fetches (at least) found the same extracted content, and either
    they span ``days`` days or the first of them came ``days`` days after the article's own
    publication date (corrections come in the first days; a backfill reads months-old pages).
    List pages are always read, so new and removed items are still found; ``--refresh-settled``
    fetches everything."""

    fetches: int = Field(1, ge=1, le=100)
    days: float = Field(7.0, ge=0)


class FetchOptions(_Strict):
    timeout_seconds: float = Field(20, gt=0, le=300)
    max_bytes: int = Field(5_000_000, gt=1024)
    max_retries: int = Field(3, ge=0, le=10)
    backoff_seconds: float = Field(2.0, ge=0)
    max_list_pages: int = Field(400, ge=1)
    # a list page fetched after a run's interval ended is reused for this long instead of fetched
    # again (a backfill's monthly runs walk the same newest pages); 0 always fetches
    list_reuse_minutes: int = Field(120, ge=0, le=24 * 60)
    settled: Settled = Settled()


class Approval(_Strict):
    min_words: int = Field(80, ge=0)
    window_start: date = date(2023, 3, 29)


class Health(_Strict):
    """When a run's yield says the site changed under us (see monitoring/health.py)."""

    trailing_intervals: int = Field(6, ge=1, le=60)  # how many earlier intervals make the median
    min_share_of_median: float = Field(0.3, ge=0, le=1)  # fewer items than this share of it fails
    min_history: int = Field(3, ge=1)  # earlier intervals with items needed before comparing
    max_parse_error_share: float = Field(0.2, ge=0, le=1)  # pages missing title/date/body
    # article fetches that failed (timeout, not HTML, redirect loop, 4xx/5xx after retries): a run
    # that could not read a fifth of its articles is not a good run, even with the rest staged
    max_fetch_error_share: float = Field(0.2, ge=0, le=1)


class Section(_Strict):
    path: str  # category alias (NukeViet) or section path (newspaper), no leading slash
    name: str
    integrate: bool = True
    item_type: str | None = None  # forces the type of every item in the section
    # the section's language when it is not the channel's (the newspaper's English section): its
    # items are translations, linked to their originals, never integrated as stories of their own
    language: str | None = None

    @field_validator("path")
    @classmethod
    def _path_shape(cls, value: str) -> str:
        if not value or value.startswith("/") or " " in value:
            raise ValueError("must be a relative path without spaces, e.g. 'chinh-tri'")
        return value

    @field_validator("item_type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in ITEM_TYPES:
            raise ValueError(f"must be one of {', '.join(ITEM_TYPES)}")
        return value


class Source(_Strict):
    id: str
    name: str
    base_url: str | None
    allowed_domains: list[str] = []
    adapter: Literal["nukeviet", "baodongnai", "generic"]
    live_since: date
    timezone: str = LOCAL_ZONE  # the zone the site prints its dates in; runs and months are the portal's
    language: str = "vi"
    schedule: Literal["monthly", "daily"] = "monthly"
    enabled: bool = True
    adapter_options: dict[str, Any] = {}
    rss: list[str] = []
    sections: list[Section]
    politeness: Politeness = Politeness()
    fetch: FetchOptions = FetchOptions()
    approval: Approval = Approval()
    health: Health = Health()
    article_min_words: int = Field(500, ge=1)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not SOURCE_ID_RE.match(value):
            raise ValueError("must be lower-case letters, digits and '_' (it becomes a DAG id)")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("base_url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("sections")
    @classmethod
    def _sections_unique(cls, value: list[Section]) -> list[Section]:
        paths = [s.path for s in value]
        dupes = sorted({p for p in paths if paths.count(p) > 1})
        if dupes:
            raise ValueError(f"duplicate section paths: {', '.join(dupes)}")
        if not value:
            raise ValueError("at least one section is needed")
        return value

    @model_validator(mode="after")
    def _base_url_domain_allowed(self) -> Source:
        if self.base_url is not None:
            netloc = urlsplit(self.base_url).netloc.lower()
            if netloc not in [d.lower() for d in self.allowed_domains]:
                raise ValueError(f"base_url host {netloc!r} is not in allowed_domains")
        return self

    # Derived views -------------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        """A channel whose base URL is unknown (the Party portal) cannot be crawled yet."""
        return self.enabled and self.base_url is not None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def section(self, path: str | None) -> Section | None:
        for section in self.sections:
            if section.path == path:
                return section
        return None


class Registry(_Strict):
    sources: list[Source]

    @field_validator("sources")
    @classmethod
    def _ids_unique(cls, value: list[Source]) -> list[Source]:
        ids = [s.id for s in value]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate source ids: {', '.join(dupes)}")
        return value

    def get(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(f"no source {source_id!r} in the registry (known: {', '.join(self.ids)})")

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.sources]
