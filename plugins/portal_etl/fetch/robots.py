"""robots.txt per RFC 9309: parsing, matching and a per-origin cache.

``urllib.robotparser`` is not used: it applies the first matching rule instead of the longest
and ignores the ``*`` / ``$`` wildcards that RFC 9309 (and every big crawler) supports.

Availability rules (RFC 9309 §2.3.1): a 2xx body is parsed; 4xx (other than 429) means "no
robots.txt" ⇒ allow all; 5xx, 429 and network failures mean "unreachable" ⇒ disallow all.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from portal_etl.fetch.urls import origin

# RFC 9309 §2.5: a parser MUST read at least 500 KiB; what lies beyond may be ignored.
ROBOTS_MAX_BYTES = 500 * 1024
# RFC 9309 §2.4: a cached robots.txt SHOULD NOT be used for more than 24 hours.
ROBOTS_TTL_SECONDS = 24 * 3600.0
# An "unreachable" verdict (disallow all) is re-checked after 10 minutes so that one transient
# 5xx does not block a whole monthly crawl, yet a down server is asked at most 6 times an hour.
ROBOTS_UNREACHABLE_TTL_SECONDS = 600.0
# Crawl-delay above this is treated as this: a site asking for more would make a monthly crawl of
# thousands of pages impossible; the operator is told via the registry's politeness instead.
MAX_CRAWL_DELAY_SECONDS = 30.0

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def _normalise(path: str) -> str:
    """Percent-encode non-ASCII and spaces as UTF-8, decode escapes of unreserved characters and
    upper-case the rest (RFC 9309 §2.2.2), so ``/tin-t%E1%BB%A9c`` matches ``/tin-tức``."""
    encoded = "".join(c if 32 < ord(c) < 127 else quote(c, safe="") for c in path)

    def _fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT.sub(_fix, encoded)


@dataclass(frozen=True)
class _Rule:
    allow: bool
    pattern: str
    regex: re.Pattern[str]

    @classmethod
    def make(cls, allow: bool, raw: str) -> _Rule:
        pattern = _normalise(raw)
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = "".join(".*" if c == "*" else re.escape(c) for c in body)
        return cls(allow, pattern, re.compile(regex + ("$" if anchored else ""), re.DOTALL))


@dataclass
class RobotsRules:
    """The rules that apply to one user agent on one origin."""

    rules: list[_Rule] = field(default_factory=list)
    crawl_delay: float | None = None
    disallow_all: bool = False
    reason: str = "parsed"  # why: parsed / no robots.txt (HTTP 404) / unreachable (HTTP 503) …

    @classmethod
    def allow_everything(cls, reason: str) -> RobotsRules:
        return cls(reason=reason)

    @classmethod
    def deny_everything(cls, reason: str) -> RobotsRules:
        return cls(disallow_all=True, reason=reason)

    @classmethod
    def parse(cls, text: str, product_token: str) -> RobotsRules:
        """Rules of the groups naming ``product_token`` (case-insensitive), else of ``*``."""
        token = product_token.lower()
        groups: list[tuple[set[str], list[_Rule], list[float]]] = []
        current: tuple[set[str], list[_Rule], list[float]] | None = None
        in_agents = False  # consecutive user-agent lines share one group
        for raw_line in text.splitlines():
            line = raw_line.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            key = key.lower()
            if key in ("user-agent", "useragent"):
                if current is None or not in_agents:
                    current = (set(), [], [])
                    groups.append(current)
                current[0].add(value.split("/")[0].strip().lower())
                in_agents = True
                continue
            if current is None:
                continue  # rules before any user-agent line belong to nobody
            if key in ("allow", "disallow"):
                in_agents = False
                if value:  # an empty Disallow allows everything: no rule
                    current[1].append(_Rule.make(key == "allow", value))
            elif key == "crawl-delay":
                in_agents = False
                try:
                    current[2].append(float(value))
                except ValueError:
                    pass
        chosen = [g for g in groups if token in g[0]] or [g for g in groups if "*" in g[0]]
        rules = [rule for group in chosen for rule in group[1]]
        delays = [d for group in chosen for d in group[2] if d >= 0]
        delay = min(max(delays), MAX_CRAWL_DELAY_SECONDS) if delays else None
        return cls(rules=rules, crawl_delay=delay)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        path = parts.path or "/"
        if path == "/robots.txt":
            return True  # RFC 9309 §2.2.2: /robots.txt itself is always allowed
        if self.disallow_all:
            return False
        target = _normalise(path + ("?" + parts.query if parts.query else ""))
        best: _Rule | None = None
        for rule in self.rules:
            if rule.regex.match(target) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow and not best.allow)
            ):
                best = rule
        return best is None or best.allow


class RobotsCache:
    """robots.txt rules per origin, loaded once by ``load(origin)`` and kept for a TTL.

    Thread-safe: concurrent callers for one origin wait for a single load.
    """

    def __init__(
        self,
        load: Callable[[str], RobotsRules],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._clock = clock
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}
        self._entries: dict[str, tuple[float, RobotsRules]] = {}

    def rules_for(self, url: str) -> RobotsRules:
        key = origin(url)
        with self._lock:
            origin_lock = self._origin_locks.setdefault(key, threading.Lock())
        with origin_lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > self._clock():
                return entry[1]
            rules = self._load(key)
            ttl = ROBOTS_UNREACHABLE_TTL_SECONDS if rules.disallow_all else ROBOTS_TTL_SECONDS
            self._entries[key] = (self._clock() + ttl, rules)
            return rules
