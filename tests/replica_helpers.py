"""Helpers shared by the replica tests: file digests and an independent reading of pages."""

from __future__ import annotations

import hashlib
import socket
import unicodedata
from pathlib import Path

from bs4 import BeautifulSoup

from portal_replica.common import count_words


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``root``."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def site_file(out_dir: Path, source_id: str, path: str) -> Path:
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return out_dir / "sites" / source_id / rel


def parse_page(data: bytes, encoding: str = "utf-8") -> BeautifulSoup:
    return BeautifulSoup(data.decode(encoding), "lxml")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def text_of(el) -> str:
    return " ".join(el.get_text().split())


def body_words(doc: BeautifulSoup, source_id: str, sapo_repeated: bool = False) -> int:
    """Words of the article body only: captions, byline, media and a repeated sapo excluded."""
    if source_id == "baodongnai":
        body = doc.select_one("div.article-body")
        for el in body.select("table.image-caption, p.article-byline"):
            el.decompose()
        paragraphs = body.find_all("p", recursive=False)
        if sapo_repeated and paragraphs:
            paragraphs = paragraphs[1:]
    else:
        body = doc.select_one("div#news-bodyhtml")
        for el in body.select("figure, iframe, video"):
            el.decompose()
        paragraphs = [
            p for p in body.find_all("p", recursive=False) if not (p.get("style") and (p.find("em") or p.find("img")))
        ]
    return sum(count_words(nfc(p.get_text())) for p in paragraphs)


def free_port_block(n: int, start: int = 20000, stop: int = 60000, step: int = 97) -> int:
    """A base port with ``n`` consecutive free ports (best effort: they may be taken later)."""
    for base in range(start, stop, step):
        socks = []
        try:
            for i in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no block of free ports")
