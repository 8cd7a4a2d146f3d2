"""Plain data records passed between fetch, adapters, staging and the replica.

They carry no behaviour beyond validation so every layer can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Closed vocabulary of item types (Vietnamese labels live in the report layer).
ITEM_TYPES = ("tin", "bai", "video", "podcast", "infographic", "photo")

# Closed vocabulary of parse-error reasons, documented in docs/vocabulary.md.
PARSE_ERROR_REASONS = (
    "not_html",  # the body is not an HTML document (PDF, image, JSON ...)
    "empty_page",  # a 200 response with no usable markup
    "no_title",  # no headline found by any extractor
    "no_date",  # no publish time found by any extractor
    "date_out_of_window",  # a date before the channel went live or in the future
    "no_body",  # no article body (and no playable video)
    "layout_unknown",  # the page does not look like an article of this source
    # list-page problems found by discovery (staging.parse_failure only, never staging.item):
    "list_no_date",  # a list entry without a date the adapter can read: no interval fetches it
    "list_date_out_of_window",  # a list entry dated before the channel went live or in the future
    "pager_cycle",  # the pager led back to a list page already walked in this run
    "pager_limit",  # the section still had a next page after fetch.max_list_pages pages
)


class ParseError(Exception):
    """An adapter could not extract a usable item; ``reason`` is from PARSE_ERROR_REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in PARSE_ERROR_REASONS:
            raise ValueError(f"unknown parse-error reason {reason!r}")
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class ImageRef:
    src: str  # absolute URL
    caption: str = ""


@dataclass
class ListEntry:
    """One item as seen on a list (category) page, before its article page is fetched."""

    url: str  # absolute article URL as linked
    title: str
    published_at: datetime | None  # timezone-aware; list pages may show date only
    native_id: str | None = None
    date_only: bool = False  # True when the list showed only dd/mm/YYYY


@dataclass
class ListPage:
    entries: list[ListEntry]
    next_url: str | None  # absolute URL of the next (older) page, or None
    # how entries and the next page were found ("hint", "article_links"; "rel_next", "page_number" …)
    methods: dict[str, str] = field(default_factory=dict)
    # selectors (adapter defaults or registry hints) that matched nothing here, so a generic method ran
    hint_misses: list[str] = field(default_factory=list)


@dataclass
class FeedEntry:
    """One RSS item; pubDate is kept only to the hour because of NukeViet's minutes bug."""

    url: str
    title: str
    guid: str | None
    published_hour_utc: datetime | None


@dataclass
class ExtractedItem:
    """Every field an adapter pulls from one article page."""

    source_id: str
    url: str  # the URL that was fetched (after redirects)
    canonical_url: str
    native_id: str | None
    title: str
    sapo: str
    body_text: str
    body_html: str  # raw (unsanitised) article body markup, noise blocks removed
    published_at: datetime  # timezone-aware
    author: str | None
    section: str | None  # category alias / section path
    item_type: str  # one of ITEM_TYPES
    language: str = "vi"
    tags: list[str] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    video_url: str | None = None
    # which extractor supplied each field, e.g. {"published_at": "visible_date"}
    field_sources: dict[str, str] = field(default_factory=dict)
    # how far to trust each field: the prior of its method (adapters/signals.py CONFIDENCE)
    field_confidence: dict[str, float] = field(default_factory=dict)
    # selectors that matched nothing or something implausible on this page (a stale theme hint)
    hint_misses: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.item_type not in ITEM_TYPES:
            raise ValueError(f"unknown item type {self.item_type!r}")
        if self.published_at.tzinfo is None:
            raise ValueError("published_at must be timezone-aware")
