"""Bytes → text for HTML pages, and a cheap "is this HTML at all?" check.

Encoding precedence: HTTP ``Content-Type`` charset → byte-order mark → ``<meta charset>`` /
``<meta http-equiv="Content-Type">`` in the first 4 KB → charset-normalizer detection → UTF-8.
Declared encodings decode with ``errors="replace"``: a bad byte never raises. The text is
returned in Unicode NFC, because windows-1258 (legacy Vietnamese) encodes tones as combining
marks and some editors paste NFD text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

# HTML's encoding sniffing looks for <meta charset> in the first 1024 bytes; 4 KB leaves room for
# the long <head> preambles (comments, scripts) that real CMS themes put before it.
META_SCAN_BYTES = 4096
# Markers of HTML/JSON/XML are searched in the first 1 KB: enough for a doctype, comments and
# the <html> tag, small enough to be cheap on every page.
SNIFF_BYTES = 1024

_BOMS = (  # UTF-32 first: its LE BOM begins with the UTF-16 LE BOM
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG Encoding: these labels mean windows-1252, a superset that maps 0x80-0x9F to
# typographic characters instead of C1 controls.
_LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "iso_8859-1", "cp819", "ibm819"}
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.I)


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _LATIN1_LABELS:
        label = "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def _bom(content: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name, len(bom)
    return None


def _meta_charset(content: bytes) -> str | None:
    match = _META_CHARSET.search(content[:META_SCAN_BYTES])
    if not match:
        return None
    codec = _codec(match.group(1).decode("ascii", "replace"))
    # WHATWG: a <meta> that claims UTF-16/32 was read as ASCII bytes, so it must be UTF-8.
    if codec and codec.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return codec


def _detected(content: bytes) -> str | None:
    try:
        best = from_bytes(content).best()
    except Exception:  # noqa: BLE001 - detection is a best-effort step, never fatal
        return None
    if best is None or not best.encoding:
        return None
    codec = _codec(best.encoding)
    return "utf-8" if codec == "ascii" else codec


# Codecs of one byte per character: the legacy charsets a misconfigured server or editor names.
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "latin", "mac-", "koi8", "cp437", "cp850", "cp874", "tis")


def _is_strict(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _correct_declared(body: bytes, declared: str, meta: str | None) -> str:
    """Overrule a charset declaration the bytes contradict: a wrong header would store mojibake.

    * A single-byte legacy charset (a server's default ``charset=ISO-8859-1`` in front of a UTF-8
      CMS) is not believed for a body that is valid UTF-8 with multi-byte sequences: Vietnamese
      text in windows-125x practically never forms valid UTF-8, so this cannot misfire on a real
      legacy page, and obeying the header would store mojibake.
    * A header saying UTF-8 is not believed for a body that is not UTF-8 when the page's own
      ``<meta>`` names a charset that decodes it (an old windows-1258 page behind a server
      whose default is UTF-8). Without such a ``<meta>``, stray bad bytes in a UTF-8 page stay
      U+FFFD replacements.
    """
    if declared.startswith(_SINGLE_BYTE_PREFIXES):
        if not body.isascii() and _is_strict(body, "utf-8"):
            return "utf-8"
    elif declared == "utf-8" and meta and meta != "utf-8" and not _is_strict(body, "utf-8"):
        if _is_strict(body, meta):
            return meta
    return declared


def decode_html(content: bytes, content_type_header: str | None) -> tuple[str, str]:
    """Decode an HTML body; return ``(text in NFC, python codec name used)``."""
    encoding: str | None = _codec(charset_from_content_type(content_type_header))
    body = content
    bom = _bom(content)
    if encoding is None and bom is not None:
        encoding, skip = bom
        body = content[skip:]
    elif encoding is not None:
        encoding = _correct_declared(body, encoding, _meta_charset(content))
    if encoding is None:
        meta = _meta_charset(content)
        encoding = _correct_declared(body, meta, None) if meta else (_detected(content) or "utf-8")
    try:
        text = body.decode(encoding, errors="replace")
    except LookupError:  # defensive: a codec that exists but cannot decode (e.g. rot13)
        encoding = "utf-8"
        text = body.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):  # a BOM left when the header named the same encoding
        text = text[1:]
    return unicodedata.normalize("NFC", text), encoding


_NON_HTML_MAGIC = (
    b"%PDF-",  # PDF
    b"\x89PNG\r\n\x1a\n",  # PNG
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",  # JPEG
    b"PK\x03\x04",  # zip, docx, xlsx
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE2: doc, xls
    b"\x1f\x8b",  # gzip (a body the server compressed twice)
    b"RIFF",  # webp, wav, avi
    b"OggS",
    b"ID3",  # mp3
    b"fLaC",
    b"\x1aE\xdf\xa3",  # mkv, webm
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"wOFF",  # web fonts
    b"wOF2",
)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_NON_HTML_TYPES = frozenset(
    {
        "application/pdf",
        "application/json",
        "application/javascript",
        "text/javascript",
        "text/css",
        "text/csv",
        "application/zip",
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/msword",
        "application/vnd.ms-excel",
        "application/x-shockwave-flash",
    }
)
_NON_HTML_PREFIXES = ("image/", "audio/", "video/", "font/", "application/vnd.")
_HTML_MARKERS = re.compile(
    rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta[\s/>]|<title[\s>]|<div[\s>]"
    rb"|<p[\s>]|<table[\s>]|<a\s|<br[\s/>]|<h[1-6][\s>]|<script[\s>]|<link[\s>]",
    re.I,
)
_XML_START = re.compile(rb"<\?xml|<rss[\s>]|<feed[\s>]|<urlset[\s>]|<sitemapindex[\s>]", re.I)
_XHTML_ROOT = re.compile(rb"<!doctype\s+html|<html[\s>]", re.I)


def looks_like_html(content: bytes, content_type: str | None) -> bool:
    """True when the body plausibly is an HTML page.

    Rejects by magic bytes (PDF, images, archives, media, Office files), by a non-HTML
    Content-Type (PDF, JSON, XML feeds, images, …) and JSON-looking bodies; accepts when HTML
    markers appear in the first KB, or when the server says HTML and the body starts with a tag.
    """
    if not content:
        return False
    if content[4:8] == b"ftyp":  # ISO media (mp4, mov, heic): the brand sits at offset 4
        return False
    if content.startswith(_NON_HTML_MAGIC):
        return False
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in _HTML_TYPES:
        pass
    elif mime in _NON_HTML_TYPES or mime.endswith(("+json", "+xml")):
        return False
    elif mime.startswith(_NON_HTML_PREFIXES):
        return False
    head = content[:SNIFF_BYTES]
    bom = _bom(head)
    if bom is not None:
        name, skip = bom
        if name.startswith(("utf-16", "utf-32")):
            head = head[skip:].decode(name, "ignore").encode("ascii", "ignore")
        else:
            head = head[skip:]
    head = head.lstrip()
    if head[:1] in (b"{", b"["):  # JSON
        return False
    if _XML_START.match(head):  # XHTML keeps its <html>; RSS/Atom/sitemaps have <title>/<link>
        return bool(_XHTML_ROOT.search(head))
    if _HTML_MARKERS.search(head):
        return True
    return mime in _HTML_TYPES and head.startswith(b"<")
