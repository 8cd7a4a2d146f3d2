"""Theme variants of the replica's pages (docs/replica-contract.md, "Themes").

A theme changes markup only: the same items, URLs and texts are rendered by every theme, so the
manifest (the truth) does not depend on it. Each channel has one module per theme:

- ``bdn_default`` / ``nukeviet_default``: the contract's layouts (byte-identical to the replica
  before themes existed);
- ``bdn_restyled`` / ``nukeviet_restyled``: every class and id renamed, deeper nesting, ``div``
  instead of semantic tags, a page-number pager;
- ``bdn_bare`` / ``nukeviet_bare``: no structured data (JSON-LD / microdata), OpenGraph for some
  items only, the page noise (ad, related links, share bar, comments, rating) inside the article
  container, a ``rel=next``-only or URL-pattern-only pager.

``redesign`` is not a markup of its own: items published before ``redesign_month`` use
``default``, the others ``redesign_theme``, and list pages use the newest month's theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

THEMES = ("default", "restyled", "bare")
REDESIGN = "redesign"
THEME_CHOICES = (*THEMES, REDESIGN)
DEFAULT_REDESIGN_MONTH = "2024-01"
DEFAULT_REDESIGN_THEME = "restyled"


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month); ValueError otherwise."""
    try:
        year, month = (int(part) for part in str(text).split("-"))
        date(year, month, 1)
    except (TypeError, ValueError):
        raise ValueError(f"month must be YYYY-MM, got {text!r}") from None
    return year, month


def check_theme(theme: str, redesign_month: str, redesign_theme: str) -> None:
    if theme not in THEME_CHOICES:
        raise ValueError(f"theme must be one of {', '.join(THEME_CHOICES)}, got {theme!r}")
    if theme == REDESIGN:
        parse_month(redesign_month)
        if redesign_theme not in THEMES or redesign_theme == "default":
            raise ValueError(f"redesign_theme must be restyled or bare, got {redesign_theme!r}")


@dataclass(frozen=True)
class ThemePlan:
    """Which theme renders a page: by the item's publish month, and one theme for list pages."""

    before: str
    after: str
    switch: tuple[int, int] | None = None  # (year, month) of the first page in ``after``

    def for_time(self, when: datetime) -> str:
        if self.switch is None or (when.year, when.month) < self.switch:
            return self.before
        return self.after

    def for_lists(self, last_day: date) -> str:
        """List and home pages: in the theme of the scenario's newest month (a site after a
        redesign serves every list page in its new theme)."""
        return self.for_time(datetime.combine(last_day, time(0, 0)))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.before, self.after)))


def theme_plan(params) -> ThemePlan:
    """The plan of a ``ScenarioParams`` (its ``theme``, ``redesign_month``, ``redesign_theme``)."""
    theme = getattr(params, "theme", "default")
    if theme != REDESIGN:
        return ThemePlan(theme, theme)
    return ThemePlan("default", params.redesign_theme, parse_month(params.redesign_month))
