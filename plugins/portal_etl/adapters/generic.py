"""A site of unknown platform: no selectors at all, only what any news page says about itself.

How an engineer looks at a new site before writing its registry entry (``portal-etl extract
--generic``), and a usable adapter for a sub-site whose theme nobody has read yet: titles from
metadata and the headline, the publish time from metadata or any Vietnamese date line under the
headline, the body from the generic main-content finder, ids and sections from the URL.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from portal_etl import dates
from portal_etl.adapters.base import Adapter

# the trailing id of an article URL: "-123456.html", "-5d52c77", "/123456.html", "?id=123"
_ID_RE = re.compile(r"(?:[-/_](\d{3,}|[0-9a-f]{7})(?:\.s?html?|\.aspx|\.php)?/?$)", re.I)
_ID_QUERY = re.compile(r"(?:^|&)(?:newsid|id|nid|articleid|post)=(\d+)", re.I)
_MONTH_SEGMENT = re.compile(r"^(?:\d{6}|\d{4}|\d{2})$")
_LANG_SEGMENT = re.compile(r"^[a-z]{2}$")


class GenericAdapter(Adapter):
    name = "generic"
    DATE_LINE_PARSER = staticmethod(dates.parse_date_line)

    def native_id(self, url: str) -> str | None:
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        match = _ID_RE.search(parts.path)
        if match:
            return match.group(1).lower()
        match = _ID_QUERY.search(parts.query)
        return match.group(1) if match else None

    def _section_path(self, url: str, canonical: str) -> str | None:
        """The path segments before the article's own, less a language prefix and date parts."""
        for candidate in (canonical, url):
            segments = [s for s in urlsplit(candidate).path.split("/") if s][:-1]
            if segments and _LANG_SEGMENT.match(segments[0]):
                segments = segments[1:]
            segments = [s for s in segments if not _MONTH_SEGMENT.match(s)]
            if segments:
                return "/".join(segments)
        return None

    def _list_time(self, text: str):
        found = dates.parse_date_line(text, self.tz) or dates.parse_nukeviet_list(text, self.tz)
        if found is not None:
            return found, False
        return super()._list_time(text)
