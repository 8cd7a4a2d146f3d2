"""Article URL canonicalisation and native-id extraction.

:func:`canonicalize_url` turns the many spellings of one *article* URL (tracking parameters,
fragments, case, default ports, percent-encoding style, NukeViet print/save/mail duplicates)
into one string used for identity and for the ``url_key`` dedup layer. It is an identity key,
not a fetch instruction: fetch the URL as linked (or as the site's ``<link rel=canonical>``
says) and store the canonical form beside it.

Deliberately *not* done (each would merge URLs that can name different resources):
``http``↔``https`` and ``www.``↔bare host stay distinct; path case is kept (NukeViet category
aliases are mixed case, sources.md §1.1); ``/vi/`` and ``/en/`` stay distinct (per-language ids).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit, urlunsplit

__all__ = [
    "TRACKING_PARAMS",
    "canonicalize_url",
    "nukeviet_id",
    "legacy_dongnai_gov_id",
]

# Query parameters that never select content. Names are compared case-insensitively; an
# entry ending in "*" is a prefix. Zalo (the dominant Vietnamese messenger) appends
# ``zarsrc``/``gidzl`` and ``utm_*=zalo`` to every shared link; Facebook ``fbclid`` and the
# ``fb_*`` share parameters; Google/Microsoft/Yandex click ids; Mailchimp; GA cross-domain.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "utm_*",
        "zarsrc",
        "gidzl",
        "zalo_*",
        "fbclid",
        "fb_action_ids",
        "fb_action_types",
        "fb_ref",
        "fb_source",
        "action_object_map",
        "action_type_map",
        "action_ref_map",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "__tn__",
    }
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left literal when re-encoding. Path segments: RFC 3986 pchar minus unreserved
# (which quote() never encodes). Query components: the same minus "&", "=", "+", ";" which
# would change how the query splits.
_PATH_SAFE = "!$&'()*+,;=:@"
_QUERY_SAFE = "!$'()*,:@/?"
_SLASHES_RE = re.compile(r"/{2,}")

# NukeViet print-style duplicates (sources.md §1.2): [/index.php][/vi|/en][/<module>]/<op>/
# <cat>/<alias>-<id>.html with op in savefile|print|sendmail → same path without "/<op>".
_NUKEVIET_DUP_RE = re.compile(
    r"^(?P<prefix>(?:/index\.php)?(?:/[a-z]{2})?(?:/[A-Za-z0-9_-]+)?)"
    r"/(?:savefile|print|sendmail)"
    r"(?P<article>/[^/]+/[^/]+-\d+\.html)$"
)
_NUKEVIET_ID_RE = re.compile(r"/[^/]+/[^/]*-(\d+)\.html$")


def _drop_matcher(drop_params: Collection[str]):
    exact = {p.lower() for p in drop_params if not p.endswith("*")}
    prefixes = tuple(p[:-1].lower() for p in drop_params if p.endswith("*"))

    def dropped(name: str) -> bool:
        n = name.lower()
        return n in exact or (bool(prefixes) and n.startswith(prefixes))

    return dropped


def _remove_dot_segments(segments: list[str]) -> list[str]:
    out: list[str] = []
    for seg in segments:
        if seg == ".":
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    return out


def _normalise_path(path: str) -> str:
    path = _SLASHES_RE.sub("/", path or "/")
    if not path.startswith("/"):
        path = "/" + path
    segments = _remove_dot_segments(path.split("/")[1:])
    # Decode then re-encode each segment: unreserved escapes (%41, %7E) are decoded, UTF-8
    # characters written raw or as lower-case escapes all become upper-case %XX, an encoded
    # "/" (%2F) stays encoded because segments are split before decoding.
    encoded = [quote(unquote_to_bytes(seg), safe=_PATH_SAFE) for seg in segments]
    path = "/" + "/".join(encoded)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _normalise_query(query: str, drop_params: Collection[str]) -> str:
    if not query:
        return ""
    dropped = _drop_matcher(drop_params)
    pairs = parse_qsl(query, keep_blank_values=True, errors="surrogateescape")
    kept = sorted((k, v) for k, v in pairs if not dropped(k))

    def enc(s: str) -> str:
        return quote(s, safe=_QUERY_SAFE, errors="surrogateescape")

    return "&".join(f"{enc(k)}={enc(v)}" if v else enc(k) for k, v in kept)


def canonicalize_url(url: str, *, drop_params: Collection[str] = TRACKING_PARAMS) -> str:
    """Canonical form of an *article* URL (idempotent).

    * scheme and host lower-cased, trailing dot of the host and default ports (:80/:443)
      removed, user-info dropped, fragment dropped;
    * query: parameters in ``drop_params`` removed (``"utm_*"`` style prefixes allowed), the
      rest sorted by name then value, percent-encoding made uniform (``+`` becomes ``%20``);
      a parameter without value is written bare (``?amp``);
    * path: duplicate slashes collapsed, ``.``/``..`` resolved, percent-encoding normalised
      (unreserved characters decoded, everything else as upper-case UTF-8 ``%XX``, so a raw
      ``/tag/xây-dựng`` and ``/tag/x%c3%a2y-d%e1%bb%b1ng`` agree), trailing slash removed except
      for the root. The trailing-slash rule suits article URLs; NukeViet *list* URLs end in
      ``/`` (``rewrite_endurl``) — their canonical form is still a fine key but fetch them as
      linked;
    * NukeViet duplicates ``[/vi|/en]/news/savefile|print|sendmail/<cat>/<alias>-<id>.html``
      become ``[/vi|/en]/news/<cat>/<alias>-<id>.html``.

    Raises ``ValueError`` for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.rstrip(".")  # .hostname is already lower-case
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalise_path(parts.path)
    m = _NUKEVIET_DUP_RE.match(path)
    if m:
        path = m.group("prefix") + m.group("article")
    query = _normalise_query(parts.query, drop_params)
    return urlunsplit((scheme, netloc, path, query, ""))


def nukeviet_id(url: str) -> str | None:
    """Article id of a NukeViet article URL (``…/<cat>/<alias>-<id>.html`` → ``"<id>"``).

    Also works on the savefile/print/sendmail duplicates. Purely pattern based: call it only
    for sources registered as NukeViet (dangcongsan.vn article URLs have the same shape). Ids are
    per language (sources.md §1.1), so key them together with the language/source.
    """
    path = urlsplit(url.strip()).path
    m = _NUKEVIET_ID_RE.search(path)
    return m.group(1) if m else None


def legacy_dongnai_gov_id(url: str) -> str | None:
    """``NewsId`` of a pre-2025 SharePoint-style ``/Pages/newsdetail.aspx?NewsId=..&CatId=..``.

    Path and parameter names are matched case-insensitively (``/pages/newsdetail.aspx`` occurs,
    sources.md §0). Returns the id as a string of digits, or ``None``.
    """
    parts = urlsplit(url.strip())
    if not parts.path.lower().endswith("/pages/newsdetail.aspx"):
        return None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() == "newsid":
            value = value.strip()
            return value if value.isdigit() else None
    return None
