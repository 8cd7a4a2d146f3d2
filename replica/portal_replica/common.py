"""Pieces shared by the replica generator and server: channel order, URL→file mapping,
Vietnamese text helpers (romanisation, tone placement, windows-1258 encoding).

Kept free of any I/O so both sides agree on names by construction.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from datetime import datetime, timedelta, timezone

CHANNEL_ORDER = ("dongnai_party", "dongnai_gov", "baodongnai")
LOCAL_TZ = timezone(timedelta(hours=7), "+07")  # Asia/Ho_Chi_Minh has had no DST since 1975

# Generated pages hold this token where an absolute URL is needed (canonical, og:url, RSS);
# the server replaces it with the channel's real base URL when serving.
BASE_TOKEN = b"__REPLICA_BASE__"
BASE_TOKEN_STR = BASE_TOKEN.decode("ascii")


def as_served(body: bytes, base_url: str) -> bytes:
    """A stored page as the server sends it: its origin where the files hold the placeholder."""
    return body.replace(BASE_TOKEN, base_url.encode("ascii"))


ROUTES_SUFFIX = ".routes.json"  # <sites>/<source_id>.routes.json: server-side routing data


# ---------------------------------------------------------------------------------------------
# URL path → file path (relative to <sites>/<source_id>/)


def file_for_path(path: str) -> str:
    """Relative file name holding the page at ``path`` (no query string)."""
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        return rel + "index.html"
    return rel


def list_page_file(base_path: str, page: int) -> str:
    """File of page ``page`` of a Báo Đồng Nai section list (``/<section>?page=n``)."""
    rel = base_path.strip("/")
    if page <= 1:
        return f"{rel}/index.html"
    return f"{rel}/index.page-{page}.html"


def empty_list_file(base_path: str) -> str:
    return f"{base_path.strip('/')}/index.empty.html"


# ---------------------------------------------------------------------------------------------
# Time helpers


def to_epoch(local: datetime) -> float:
    """Epoch seconds of a naive local (UTC+7) time."""
    return local.replace(tzinfo=LOCAL_TZ).timestamp()


def iso_local(local: datetime) -> str:
    return local.strftime("%Y-%m-%dT%H:%M:%S") + "+07:00"


# ---------------------------------------------------------------------------------------------
# Romanisation as NukeViet's change_alias does it (tones stripped, đ→d, Ð→Dh)

_SPECIAL = {"đ": "d", "Đ": "D", "Ð": "Dh", "ð": "dh"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def romanise(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif unicodedata.combining(ch):
            continue
        else:
            out.append(ch)
    return "".join(out)


def alias_of(title: str) -> str:
    """NukeViet article alias: romanised, lower-case, non-alphanumerics → '-'."""
    return _NON_ALNUM.sub("-", romanise(title).lower()).strip("-")


def bdn_slug(title: str, limit: int = 80) -> str:
    """Báo Đồng Nai slug; long ones are cut and end with '-' (so '…-bi--<id>')."""
    slug = alias_of(title)
    if len(slug) > limit:
        slug = slug[:limit].rstrip("-") + "-"
    return slug


# ---------------------------------------------------------------------------------------------
# Tone placement: the pools are written in the old convention (hòa, thủy, khỏe); items in the
# new convention (hoà, thuỷ, khoẻ) are converted. Only open syllables differ.

_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _build_tone_map() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"), ("O", "a"), ("O", "e"), ("U", "y")):
        for tone in _TONES:
            old = unicodedata.normalize("NFC", first + tone) + second
            new = first + unicodedata.normalize("NFC", second + tone)
            table[old] = new
    return table


_OLD_TO_NEW = _build_tone_map()
_OLD_TONE_RE = re.compile("(" + "|".join(sorted(_OLD_TO_NEW, key=len, reverse=True)) + r")(?![^\W\d_])")


def tone_new(text: str) -> str:
    """Old tone placement (hòa, thủy) → new (hoà, thuỷ); other text unchanged."""
    return _OLD_TONE_RE.sub(lambda m: _OLD_TO_NEW[m.group(1)], text)


def has_old_tone(text: str) -> bool:
    return _OLD_TONE_RE.search(text) is not None


# ---------------------------------------------------------------------------------------------
# windows-1258: precomposed letters that cp1258 lacks are written base + combining tone mark.

_CP1258_TONES = frozenset(_TONES)


def _cp1258_char(ch: str) -> bytes:
    decomposed = unicodedata.normalize("NFD", ch)
    tones = "".join(c for c in decomposed if c in _CP1258_TONES)
    rest = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _CP1258_TONES))
    try:
        return (rest + tones).encode("cp1258")
    except UnicodeEncodeError:
        return f"&#{ord(ch)};".encode("ascii")


def _cp1258_errors(exc: UnicodeError) -> tuple[bytes, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chunk = exc.object[exc.start : exc.end]
    return b"".join(_cp1258_char(ch) for ch in chunk), exc.end


codecs.register_error("replica-cp1258", _cp1258_errors)


def encode_cp1258(text: str) -> bytes:
    """windows-1258 bytes: letters it lacks precomposed are written base + tone mark."""
    return unicodedata.normalize("NFC", text).encode("cp1258", errors="replica-cp1258")


# ---------------------------------------------------------------------------------------------
# Words: the count is whitespace tokens holding a letter or digit (NFC text).

_NO_ALNUM_TOKEN = re.compile(r"(?<!\S)(?:[^\s\w]|_)+(?!\S)")


def count_words(text: str) -> int:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return len(text.split()) - len(_NO_ALNUM_TOKEN.findall(text))
