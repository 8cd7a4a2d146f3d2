"""URL checks made before any connection: scheme, allowed domains, SSRF guard."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = ("localhost",)


class UrlRefused(ValueError):
    """The URL must not be fetched; the message says why (it becomes FetchResult.error)."""


def _host_text(host: str) -> str:
    return f"[{host}]" if ":" in host else host  # IPv6 literals keep their brackets in a netloc


def netloc_key(url: str | SplitResult) -> str:
    """Lower-case ``host[:port]`` of a URL, the port omitted when it is the scheme's default.

    ``https://DongNai.gov.vn:443/x`` and ``https://dongnai.gov.vn/x`` give the same key,
    ``http://127.0.0.1:8701/`` keeps its port. Used for allowed domains, the rate limiter
    and the robots.txt cache.
    """
    parts = urlsplit(url) if isinstance(url, str) else url
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port
    except ValueError as exc:  # "host:notaport"
        raise UrlRefused(f"invalid port in {parts.netloc!r}") from exc
    if port is None or port == DEFAULT_PORTS.get(parts.scheme.lower()):
        return _host_text(host)
    return f"{_host_text(host)}:{port}"


def normalise_domains(domains: list[str]) -> frozenset[str]:
    """Allowed-domain entries as comparable keys (lower case, no trailing dot)."""
    keys = set()
    for entry in domains:
        value = entry.strip().lower()
        if "://" in value:  # tolerate a full URL in the config
            value = netloc_key(value)
        keys.add(value.rstrip("."))
    keys.discard("")
    return frozenset(keys)


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address if ``host`` is an IP literal, including the legacy forms that the resolver
    accepts (``127.1``, ``0x7f000001``, ``2130706433``), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.ip_address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _is_internal(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    address = _ip_literal(host)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_url(url: str, allowed: frozenset[str]) -> str:
    """Return ``url`` without its fragment, or raise :class:`UrlRefused`.

    Order: scheme http(s) and a host; no user-info; the SSRF guard (a private, loopback,
    link-local, reserved IP literal or ``localhost`` is refused unless that exact netloc is
    allowed); then the netloc must be one of ``allowed``. Subdomains are not implied: list
    ``www.`` and CDN hosts explicitly.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise UrlRefused(f"malformed URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlRefused(f"unsupported scheme {parts.scheme!r} in {url!r}")
    if not parts.hostname:
        raise UrlRefused(f"no host in {url!r}")
    if "@" in parts.netloc:
        raise UrlRefused(f"user-info in URL refused: {url!r}")
    key = netloc_key(parts)
    host = (parts.hostname or "").rstrip(".").lower()
    if key not in allowed and _is_internal(host):
        raise UrlRefused(f"{key} is a private/loopback address not in allowed_domains")
    if key not in allowed:
        raise UrlRefused(f"{key} is not in allowed_domains ({', '.join(sorted(allowed))})")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def origin(url: str) -> str:
    """``scheme://netloc`` of a URL (the robots.txt cache key)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{netloc_key(parts)}"
