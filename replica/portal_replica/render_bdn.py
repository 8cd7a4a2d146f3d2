# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""Pages of the Báo Đồng Nai replica (the real DOM is unknown). What a page says is decided
here; how it is marked up is the theme's (themes/bdn_*.py; ``default`` is the layout
docs/replica-contract.md defines). The /podcast section is written in windows-1258.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, time
from pathlib import Path

from portal_etl.registry import Source
from portal_replica.common import (
    BASE_TOKEN_STR,
    empty_list_file,
    encode_cp1258,
    file_for_path,
    iso_local,
    list_page_file,
    to_epoch,
)
from portal_replica.scenario import Item, ScenarioParams
from portal_replica.textgen import GRAPHIC_ARTISTS
from portal_replica.themes import theme_plan
from portal_replica.themes.base import BdnArticle, esc
from portal_replica.themes.bdn_bare import BdnBare
from portal_replica.themes.bdn_default import SITE_NAME, BdnTheme
from portal_replica.themes.bdn_restyled import BdnRestyled

PER_PAGE = 20
B = BASE_TOKEN_STR
THEMES: dict[str, BdnTheme] = {t.name: t for t in (BdnTheme(), BdnRestyled(), BdnBare())}
FILE_ROOT = "/file/e7837c02876411cd0187645a2551379f"


def bdn_time(t: datetime) -> str:
    return t.strftime("%H:%M, %d/%m/%Y")


class BaoDongNaiSite:
    def __init__(self, source: Source, items: list[Item], params: ScenarioParams, site_dir: Path) -> None:
        self.source = source
        self.items = items
        self.params = params
        self.dir = site_dir
        self.lang = "vi"
        self.names = {s.path: s.name for s in source.sections}
        # the audio section keeps the legacy encoding (windows-1258)
        self.legacy_sections = {s.path for s in source.sections if s.item_type == "podcast"}
        self.lastmod: dict[str, float] = {}
        self.list_pages: dict[str, int] = {}
        self._dirs: set[Path] = set()
        self.default_lastmod = to_epoch(datetime.combine(params.end, time(23, 59)))
        self.plan = theme_plan(params)
        self.list_theme = THEMES[self.plan.for_lists(params.end)]

    def theme_for(self, item) -> BdnTheme:
        return THEMES[self.plan.for_time(item.published)]

    def write(self, rel: str, text: str, lastmod: float | None, legacy: bool = False) -> None:
        target = self.dir / rel
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        target.write_bytes(encode_cp1258(text) if legacy else text.encode("utf-8"))
        if lastmod is not None:
            self.lastmod[rel] = lastmod

    # -- fragments ----------------------------------------------------------------------------
    @staticmethod
    def time_text(t: datetime) -> str:
        return bdn_time(t)

    def head(
        self,
        theme: BdnTheme,
        title: str,
        description: str,
        url_path: str,
        legacy: bool,
        og_type: str = "website",
        extra: str = "",
        og: bool = True,
    ) -> str:
        charset = "windows-1258" if legacy else "utf-8"
        lines = [
            "<!DOCTYPE html>",
            f'<html lang="{self.lang}">',
            "<head>",
            f'<meta charset="{charset}">',
            f"<title>{esc(title)} | {SITE_NAME}</title>",
        ]
        if og:
            lines.append(f'<meta name="description" content="{esc(description)}">')
        lines += [
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<link rel="canonical" href="{B}{url_path}">',
        ]
        if og:
            lines += [
                f'<meta property="og:site_name" content="{SITE_NAME}">',
                f'<meta property="og:title" content="{esc(title)}">',
                f'<meta property="og:type" content="{og_type}">',
                f'<meta property="og:url" content="{B}{url_path}">',
                f'<meta property="og:description" content="{esc(description)}">',
            ]
        lines += [f'{extra}<link rel="stylesheet" href="{theme.stylesheet}">', "</head>", "<body>", ""]
        return "\n".join(lines) + theme.chrome_open(self.source.sections)

    def page(self, theme: BdnTheme, head: str, content: str) -> str:
        return head + content + theme.chrome_close()

    def image(self, item: Item, n: int = 0) -> str:
        stamp = item.published.strftime("%Y%m%d%H%M%S")
        if item.published.year < 2024:
            return f"{FILE_ROOT}/dataimages/{item.published:%Y%m}/original/images{item.native_id}_{n}.jpg"
        return f"{FILE_ROOT}/{item.published:%m%Y}/{item.alias[:24].rstrip('-')}-{n}_{stamp}.jpg"

    def photographer(self, item: Item) -> str:
        return item.author.split(" - ")[0]

    # -- article ------------------------------------------------------------------------------
    def body(self, item: Item, theme: BdnTheme) -> str:
        parts = []
        if "sapo_repeated" in item.quirks:
            parts.append(f"<p>{esc(item.served_body(item.sapo))}</p>")
        paragraphs = item.paragraphs
        captions = [item.served_body(f"{c} Ảnh: {self.photographer(item)}") for c in item.captions]
        if item.item_type == "infographic":
            for i, cap in enumerate(captions):
                parts.append(theme.caption_table(self.image(item, i + 1), esc(cap)))
            captions = []
        slots: dict[int, list[int]] = {}
        step = max(1, len(paragraphs) // (len(captions) + 1))
        for c in range(len(captions)):
            slots.setdefault(min(len(paragraphs) - 1, step * (c + 1) - 1), []).append(c)
        for i, para in enumerate(paragraphs):
            parts.append(f"<p>{esc(item.served_body(para))}</p>")
            for c in slots.get(i, []):
                parts.append(theme.caption_table(self.image(item, c + 1), esc(captions[c])))
        parts.append(theme.byline(item.byline or item.author))
        if item.item_type == "infographic":
            artist = GRAPHIC_ARTISTS[int(item.native_id, 16) % len(GRAPHIC_ARTISTS)]
            parts.append(theme.byline(f"{item.tone('Đồ họa')}: {artist}"))
        return "\n".join(parts)

    def media(self, item: Item) -> tuple[str, str] | None:
        if item.video:
            if item.video["kind"] == "youtube":
                return "youtube", item.video["src"]
            return "mp4", f"{FILE_ROOT}/video/{item.published:%m%Y}/{item.alias[:40].rstrip('-')}.mp4"
        if item.audio is not None:
            return "audio", f"{FILE_ROOT}/audio/{item.published:%m%Y}/{item.alias[:40].rstrip('-')}.mp3"
        return None

    def article_page(self, theme: BdnTheme, view: BdnArticle, legacy: bool) -> str:
        extra, og = theme.article_meta(view, B)
        head = self.head(theme, view.title, view.sapo, view.item.path, legacy, "article", extra, og)
        return self.page(theme, head, theme.article(self, view))

    def article(self, item: Item, related: list[Item], legacy: bool) -> str:
        theme = self.theme_for(item)
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
        section_name = self.names.get(item.section, item.section)
        view = BdnArticle(
            item=item,
            title=title,
            author=item.author,
            time=bdn_time(item.published),
            sapo=item.sapo,
            crumbs=[("/", "Trang chủ"), (f"/{item.section}", section_name)],
            body=self.body(item, theme),
            related=related,
            related_label="Tin xem nhiều",
            image=self.image(item),
            section=section_name,
            media=self.media(item),
            tags=[(f"/tag/{t.replace(' ', '-')}", t) for t in item.tags],
            ld=json.dumps(ld, ensure_ascii=False).replace("</", "<\\/"),
        )
        return self.article_page(theme, view, legacy)

    # -- lists --------------------------------------------------------------------------------
    def render_list(self, section: str, name: str, its: list[Item]) -> None:
        base = f"/{section}"
        legacy = section in self.legacy_sections
        theme = self.list_theme
        last = max(1, math.ceil(len(its) / PER_PAGE))
        self.list_pages[base] = last

        def href(n: int) -> str:
            return base if n == 1 else f"{base}?page={n}"

        for page in range(0, last + 1):  # page 0 = the empty page served past the last one
            chunk = its[(page - 1) * PER_PAGE : page * PER_PAGE] if page else []
            url = base if page <= 1 else f"{base}?page={page}"
            title = name if page <= 1 else f"{name} - Trang {page}"
            text = self.page(
                theme,
                self.head(theme, title, f"{name} - {SITE_NAME}", url, legacy),
                theme.section_list(self, name, chunk, theme.pager(href, page, last)),
            )
            lastmod = max((to_epoch(it.edited or it.published) for it in chunk), default=self.default_lastmod)
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
                related = (its[max(0, i - 2) : i] + its[i + 1 : i + 3])[:4]
                self.write(
                    file_for_path(item.path),
                    self.article(item, related, legacy),
                    to_epoch(item.edited or item.published),
                    legacy,
                )
            self.render_list(section, self.names.get(section, section), its)
        theme = self.list_theme
        home = self.page(
            theme,
            self.head(theme, SITE_NAME, "Tin tức Đồng Nai", "/", False),
            theme.home(self, newest_first[:PER_PAGE]),
        )
        self.write("index.html", home, to_epoch(newest_first[0].published) if newest_first else None)
        robots = (
            "User-agent: *\nDisallow: /admin/\nDisallow: /savefile/\nDisallow: /print/\n"
            "Disallow: /sendmail/\nDisallow: /search\n"
        )
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
