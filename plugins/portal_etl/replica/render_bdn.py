# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""Pages of the Báo Đồng Nai replica, in the layout docs/replica-contract.md defines
(the real DOM is unknown). The /podcast section is written in windows-1258.
"""

from __future__ import annotations

import html
import json
import math
from datetime import datetime, time
from pathlib import Path

from portal_etl.registry import Source
from portal_etl.replica.common import (
    BASE_TOKEN_STR,
    empty_list_file,
    encode_cp1258,
    file_for_path,
    iso_local,
    list_page_file,
    to_epoch,
)
from portal_etl.replica.generator import Item, ScenarioParams
from portal_etl.replica.textgen import GRAPHIC_ARTISTS

PER_PAGE = 20
B = BASE_TOKEN_STR
SITE_NAME = "Báo Đồng Nai điện tử"
FILE_ROOT = "/file/e7837c02876411cd0187645a2551379f"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def bdn_time(t: datetime) -> str:
    return t.strftime("%H:%M, %d/%m/%Y")


class BaoDongNaiSite:
    def __init__(self, source: Source, items: list[Item], params: ScenarioParams,
                 site_dir: Path) -> None:
        self.source = source
        self.items = items
        self.params = params
        self.dir = site_dir
        self.names = {s.path: s.name for s in source.sections}
        # the audio section keeps the legacy encoding (windows-1258)
        self.legacy_sections = {s.path for s in source.sections if s.item_type == "podcast"}
        self.lastmod: dict[str, float] = {}
        self.list_pages: dict[str, int] = {}
        self._dirs: set[Path] = set()
        self.default_lastmod = to_epoch(datetime.combine(params.end, time(23, 59)))

    def write(self, rel: str, text: str, lastmod: float | None, legacy: bool = False) -> None:
        target = self.dir / rel
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        target.write_bytes(encode_cp1258(text) if legacy else text.encode("utf-8"))
        if lastmod is not None:
            self.lastmod[rel] = lastmod

    # -- fragments ----------------------------------------------------------------------------
    def head(self, title: str, description: str, url_path: str, legacy: bool,
             og_type: str = "website", extra: str = "") -> str:
        charset = "windows-1258" if legacy else "utf-8"
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="{charset}">
<title>{esc(title)} | {SITE_NAME}</title>
<meta name="description" content="{esc(description)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{B}{url_path}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="og:title" content="{esc(title)}">
<meta property="og:type" content="{og_type}">
<meta property="og:url" content="{B}{url_path}">
<meta property="og:description" content="{esc(description)}">
{extra}<link rel="stylesheet" href="/assets/css/main.css">
</head>
<body>
<header class="site-header"><div class="masthead">{SITE_NAME}</div>
  <div class="hotline">Hotline: 0915.73.44.73 Quảng cáo: 0913.199.088</div><a href="/english">En</a></header>
<nav class="main-menu">{''.join(f'<a href="/{s.path}">{esc(s.name)}</a>' for s in self.source.sections)}</nav>
<main class="site-main">
"""

    @staticmethod
    def foot() -> str:
        return """</main>
<footer class="site-footer"><p>Báo Đồng Nai điện tử. Giấy phép số 27/GP-BTTTT.</p>
<p>Tổng biên tập: Bùi Thanh Phong. Địa chỉ: 81 Đường 30 tháng 4, phường Thanh Bình, Đồng Nai.</p></footer>
</body>
</html>
"""

    def image(self, item: Item, n: int = 0) -> str:
        stamp = item.published.strftime("%Y%m%d%H%M%S")
        if item.published.year < 2024:
            return (f"{FILE_ROOT}/dataimages/{item.published:%Y%m}/original/"
                    f"images{item.native_id}_{n}.jpg")
        return f"{FILE_ROOT}/{item.published:%m%Y}/{item.alias[:24].rstrip('-')}-{n}_{stamp}.jpg"

    def caption_table(self, item: Item, n: int, caption: str) -> str:
        return (f'<table class="image-caption"><tr><td><img src="{self.image(item, n)}" '
                f'alt=""></td></tr>\n<tr><td>{esc(caption)}</td></tr></table>')

    def photographer(self, item: Item) -> str:
        return item.author.split(" - ")[0]

    def teaser(self, item: Item) -> str:
        return (f'<article class="story"><a class="story-thumb" href="{item.path}">'
                f'<img src="{self.image(item)}" alt=""></a>\n'
                f'<h3 class="story-title"><a href="{item.path}" title="{esc(item.served_title)}">'
                f"{esc(item.served_title)}</a></h3>\n"
                f'<span class="story-time">{bdn_time(item.published)}</span>\n'
                f'<p class="story-sapo">{esc(item.sapo)}</p></article>')

    # -- article ------------------------------------------------------------------------------
    def body(self, item: Item) -> str:
        parts = []
        if "sapo_repeated" in item.quirks:
            parts.append(f"<p>{esc(item.served_body(item.sapo))}</p>")
        paragraphs = item.paragraphs
        captions = [item.served_body(f"{c} Ảnh: {self.photographer(item)}")
                    for c in item.captions]
        if item.item_type == "infographic":
            for i, cap in enumerate(captions):
                parts.append(self.caption_table(item, i + 1, cap))
            captions = []
        slots: dict[int, list[int]] = {}
        step = max(1, len(paragraphs) // (len(captions) + 1))
        for c in range(len(captions)):
            slots.setdefault(min(len(paragraphs) - 1, step * (c + 1) - 1), []).append(c)
        for i, para in enumerate(paragraphs):
            parts.append(f"<p>{esc(item.served_body(para))}</p>")
            for c in slots.get(i, []):
                parts.append(self.caption_table(item, c + 1, captions[c]))
        parts.append(f'<p class="article-byline">{esc(item.byline or item.author)}</p>')
        if item.item_type == "infographic":
            artist = GRAPHIC_ARTISTS[int(item.native_id, 16) % len(GRAPHIC_ARTISTS)]
            parts.append(f'<p class="article-byline">{item.tone("Đồ họa")}: {artist}</p>')
        return "\n".join(parts)

    def media_block(self, item: Item) -> str:
        if item.video:
            if item.video["kind"] == "youtube":
                return (f'<div class="article-video"><iframe width="640" height="360" '
                        f'src="{item.video["src"]}" frameborder="0" allowfullscreen>'
                        "</iframe></div>\n")
            src = f"{FILE_ROOT}/video/{item.published:%m%Y}/{item.alias[:40].rstrip('-')}.mp4"
            return f'<div class="article-video"><video src="{src}" controls></video></div>\n'
        if item.audio is not None:
            src = f"{FILE_ROOT}/audio/{item.published:%m%Y}/{item.alias[:40].rstrip('-')}.mp3"
            return f'<div class="article-audio"><audio src="{src}" controls></audio></div>\n'
        return ""

    def article(self, item: Item, related: list[Item], legacy: bool) -> str:
        title = item.served_title
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": iso_local(item.published),
            "dateModified": iso_local(item.edited or item.published),
            "author": {"@type": "Person", "name": item.author},
            "publisher": {"@type": "Organization", "name": SITE_NAME},
            "mainEntityOfPage": f"{B}{item.path}",
            "image": [f"{B}{self.image(item)}"],
        }
        ld_text = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        extra = (f'<meta property="og:image" content="{B}{self.image(item)}">\n'
                 f'<script type="application/ld+json">{ld_text}</script>\n')
        head = self.head(title, item.sapo, item.path, legacy, "article", extra)
        tags = "".join(f'<a href="/tag/{esc(t.replace(" ", "-"))}">{esc(t)}</a>'
                       for t in item.tags)
        section_name = esc(self.names.get(item.section, item.section))
        rel = "\n".join(self.teaser(it) for it in related)
        return head + f"""<nav class="breadcrumb"><a href="/">Trang chủ</a><a href="/{item.section}">{section_name}</a></nav>
<article class="article-detail">
  <h1 class="article-title">{esc(title)}</h1>
  <div class="article-meta"><span class="article-author">{esc(item.author)}</span>
    <span class="article-time">{bdn_time(item.published)}</span></div>
  <div class="article-sapo">{esc(item.sapo)}</div>
  {self.media_block(item)}<div class="article-body">
{self.body(item)}
</div>
  <div class="article-tags">{tags}</div>
</article>
<section class="reader-comments"><h3>Thông tin bạn đọc</h3><form class="comment-form"><textarea name="content"></textarea><input name="name"><input name="email"><button type="button">Đóng</button><button type="submit">Lưu thông tin</button></form></section>
<section class="related-news"><h2 class="related-title">Tin xem nhiều</h2>
{rel}
</section>
""" + self.foot()

    # -- lists --------------------------------------------------------------------------------
    def render_list(self, section: str, name: str, its: list[Item]) -> None:
        base = f"/{section}"
        legacy = section in self.legacy_sections
        last = max(1, math.ceil(len(its) / PER_PAGE))
        self.list_pages[base] = last
        for page in range(0, last + 1):  # page 0 = the empty page served past the last one
            chunk = its[(page - 1) * PER_PAGE: page * PER_PAGE] if page else []
            url = base if page <= 1 else f"{base}?page={page}"
            title = name if page <= 1 else f"{name} - Trang {page}"
            pager = ""
            if page:
                links = []
                if page > 1:
                    prev = base if page == 2 else f"{base}?page={page - 1}"
                    links.append(f'<a class="prev" href="{prev}">Trang trước</a>')
                links.append(f'<span class="current">{page}</span>')
                if page < last:
                    links.append(f'<a class="next" href="{base}?page={page + 1}">Trang sau</a>')
                pager = f'<nav class="pager">{"".join(links)}</nav>\n' if last > 1 else ""
            text = (self.head(title, f"{name} - {SITE_NAME}", url, legacy)
                    + f'<h1 class="section-title">{esc(name)}</h1>\n<div class="list-news">\n'
                    + "\n".join(self.teaser(it) for it in chunk) + "\n</div>\n" + pager
                    + self.foot())
            lastmod = max((to_epoch(it.edited or it.published) for it in chunk),
                          default=self.default_lastmod)
            rel = list_page_file(base, page) if page else empty_list_file(base)
            self.write(rel, text, lastmod, legacy)

    def render(self) -> dict:
        newest_first = sorted(self.items, key=lambda it: (it.published, it.path), reverse=True)
        by_section: dict[str, list[Item]] = {s.path: [] for s in self.source.sections}
        for item in newest_first:
            by_section.setdefault(item.section, []).append(item)
        for section, its in by_section.items():
            legacy = section in self.legacy_sections
            for i, item in enumerate(its):
                related = (its[max(0, i - 2):i] + its[i + 1:i + 3])[:4]
                self.write(file_for_path(item.path), self.article(item, related, legacy),
                           to_epoch(item.edited or item.published), legacy)
            self.render_list(section, self.names.get(section, section), its)
        home = (self.head(SITE_NAME, "Tin tức Đồng Nai", "/", False)
                + '<div class="list-news home-news">\n'
                + "\n".join(self.teaser(it) for it in newest_first[:PER_PAGE])
                + "\n</div>\n" + self.foot())
        self.write("index.html", home, to_epoch(newest_first[0].published)
                   if newest_first else None)
        robots = "User-agent: *\nDisallow: /admin/\nDisallow: /savefile/\nDisallow: /print/\n" \
                 "Disallow: /sendmail/\nDisallow: /search\n"
        (self.dir / "robots.txt").write_bytes(robots.encode("ascii"))
        return {
            "lastmod": self.lastmod,
            "redirects": {},
            "articles_by_id": {},
            "legacy": {},
            "list_pages": self.list_pages,
            "pager": "query",
            "default_lastmod": self.default_lastmod,
            "legacy_encoding_prefixes": sorted(f"/{s}" for s in self.legacy_sections),
        }


def render_site(source: Source, items: list[Item], params: ScenarioParams, site_dir: Path) -> dict:
    site_dir.mkdir(parents=True, exist_ok=True)
    return BaoDongNaiSite(source, items, params, site_dir).render()
