# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""Pages of a NukeViet 4.5 news module (dongnai_gov, dongnai_party), after shared/sources.md
§1.3–1.5: category lists with the malformed pager, detail pages with their noise blocks,
savefile/print/sendmail duplicates, RSS with the minutes-are-the-month pubDate bug. What a page
says is decided here; its markup is the theme's (themes/nukeviet_*.py); RSS and robots.txt
are the same in every theme.
"""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from pathlib import Path

from portal_etl.registry import Source
from portal_replica.common import BASE_TOKEN_STR, file_for_path, iso_local, to_epoch
from portal_replica.scenario import Item, ScenarioParams
from portal_replica.themes import theme_plan
from portal_replica.themes.base import NvArticle, esc
from portal_replica.themes.nukeviet_bare import NvBare
from portal_replica.themes.nukeviet_default import MODULE_TITLE, NvTheme
from portal_replica.themes.nukeviet_restyled import NvRestyled

PER_PAGE = 20
B = BASE_TOKEN_STR
WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

SITES = {
    "dongnai_gov": {
        "site_name": "Cổng Thông tin điện tử tỉnh Đồng Nai",
        "author": "DongNai: Web portal",
        "copyright": "ubnd.dongnai2021@gmail.com",
        "uploads": "/uploads/news",
        "logo": "/uploads/logo-dongnai.png",
    },
    "dongnai_party": {
        "site_name": "Cổng Thông tin điện tử Đảng bộ tỉnh Đồng Nai",
        "author": "Đảng bộ tỉnh Đồng Nai",
        "copyright": "webmaster@vinades.vn",
        "uploads": "/uploads/news",
        "logo": "/uploads/logo-dangbo.png",
    },
}
THEMES: dict[str, NvTheme] = {t.name: t for t in (NvTheme(), NvRestyled(), NvBare())}

# NukeViet's nv_htmlspecialchars on <title> and meta description also encodes ( ) : % /
_META_ESC = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#039;",
        "(": "&#40;",
        ")": "&#41;",
        ":": "&#x3A;",
        "%": "&#x25;",
        "/": "&#x002F;",
    }
)


def meta_esc(text: str) -> str:
    return text.translate(_META_ESC)


def list_time(t: datetime) -> str:
    return t.strftime("%d/%m/%Y %H:%M:%S")


def detail_time(t: datetime) -> str:
    return f"{WEEKDAYS[t.weekday()]} - {t:%d/%m/%Y %H:%M}"


def rss_date(t: datetime) -> str:
    """gmdate('D, j M Y H:m:s'): UTC, day without zero, *minutes field = month number*."""
    u = t - timedelta(hours=7)
    return (
        f"{EN_DAYS[u.weekday()]}, {u.day} {EN_MONTHS[u.month - 1]} {u.year} "
        f"{u.hour:02d}:{u.month:02d}:{u.second:02d} GMT"
    )


class NukeVietSite:
    def __init__(self, source: Source, items: list[Item], params: ScenarioParams, site_dir: Path) -> None:
        self.source = source
        self.items = items
        self.params = params
        self.dir = site_dir
        opts = source.adapter_options
        self.lang_prefix = opts.get("lang_prefix", "")
        self.prefix = f"{self.lang_prefix}/{opts.get('module', 'news')}"
        self.info = SITES.get(source.id, SITES["dongnai_gov"])
        self.cat_names = {s.path: s.name for s in source.sections}
        self.lastmod: dict[str, float] = {}
        self.redirects: dict[str, str] = {}
        self.by_id: dict[str, str] = {}
        self.legacy: dict[str, str] = {}
        self.list_pages: dict[str, int] = {}
        self._dirs: set[Path] = set()
        self.default_lastmod = to_epoch(datetime.combine(params.end, time(23, 59)))
        self.plan = theme_plan(params)
        self.list_theme = THEMES[self.plan.for_lists(params.end)]

    # -- output ------------------------------------------------------------------------------
    def write(self, url_path: str, text: str, lastmod: float | None = None) -> None:
        rel = file_for_path(url_path)
        target = self.dir / rel
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        target.write_bytes(text.encode("utf-8"))
        if lastmod is not None:
            self.lastmod[rel] = lastmod

    # -- shared fragments ----------------------------------------------------------------------
    list_time = staticmethod(list_time)

    def theme_for(self, item: Item) -> NvTheme:
        return THEMES[self.plan.for_time(item.published)]

    def rss_links(self) -> str:
        links = [
            f'<link rel="alternate" href="{B}{self.prefix}/rss/" title="{esc(MODULE_TITLE)}" '
            f'type="application/rss+xml">'
        ]
        for sec in self.source.sections:
            links.append(
                f'<link rel="alternate" href="{B}{self.prefix}/rss/{sec.path}/" '
                f'title="{esc(MODULE_TITLE)} - {esc(sec.name)}" '
                f'type="application/rss+xml">'
            )
        return "\n".join(links)

    def head(
        self,
        theme: NvTheme,
        title: str,
        description: str,
        url_path: str,
        og_type: str = "website",
        extra: str = "",
        og: bool = True,
    ) -> str:
        info = self.info
        page_title = f"{title} - {MODULE_TITLE} - {info['site_name']}"
        og_lines = ""
        if og:
            og_lines = f"""<meta property="og:image" content="{B}/uploads/site-default.png?t=1758162367">
<meta property="og:title" content="{esc(title)}">
<meta property="og:type" content="{og_type}">
<meta property="og:description" content="{esc(description)}">
<meta property="og:site_name" content="{meta_esc(info["author"])}">
<meta property="og:url" content="{B}{url_path}">
"""
        return f"""    <!DOCTYPE html>
    <html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
    <head>
<title>{meta_esc(page_title)}</title>
<meta name="description" content="{meta_esc(description)}">
<meta name="author" content="{esc(info["author"])}">
<meta name="copyright" content="{esc(info["copyright"])}">
<meta name="robots" content="index, archive, follow, noodp">
<meta name="googlebot" content="index,archive,follow,noodp">
<meta name="msnbot" content="all,index,follow">
<meta name="generator" content="NukeViet v4.5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
{og_lines}{extra}<link rel="shortcut icon" href="/favicon.ico">
<link rel="canonical" href="{B}{url_path}">
{self.rss_links()}
<link rel="stylesheet" href="{theme.stylesheet}">
    </head>
    <body>
""" + theme.chrome_open(self)

    def page(self, theme: NvTheme, head: str, content: str) -> str:
        return head + content + theme.chrome_close(self)

    def crumbs(self, cat: str | None) -> list[tuple[str, str]]:
        out = [(f"{self.lang_prefix}/", "Trang nhất"), (f"{self.prefix}/", MODULE_TITLE)]
        if cat:
            out.append((f"{self.prefix}/{cat}/", self.cat_names.get(cat, cat)))
        return out

    def image(self, item: Item, n: int = 0) -> str:
        return f"{self.info['uploads']}/{item.published:%Y_%m}/{item.alias[:40].rstrip('-')}-{n}.jpg"

    def video_src(self, item: Item) -> str:
        return f"{self.info['uploads']}/{item.published:%Y_%m}/{item.alias[:40].rstrip('-')}.mp4"

    # -- lists --------------------------------------------------------------------------------
    def render_list(self, base: str, title: str, entries: list[tuple[Item, str]], cat: str | None) -> None:
        theme = self.list_theme
        last = max(1, math.ceil(len(entries) / PER_PAGE))
        self.list_pages[base] = last

        def href(n: int) -> str:
            return base if n == 1 else f"{base}page-{n}/"

        for page in range(1, last + 1):
            chunk = entries[(page - 1) * PER_PAGE : page * PER_PAGE]
            path = href(page)
            page_title = title if page == 1 else f"{title} - Trang {page}"
            rows = [(item, link, i == 0 and page == 1) for i, (item, link) in enumerate(chunk)]
            content = theme.breadcrumb(self.crumbs(cat)) + theme.list_body(
                self, rows, theme.pager(self, href, title, page, last)
            )
            html_text = self.page(
                theme, self.head(theme, page_title, f"{title} - {self.info['site_name']}", path), content
            )
            lastmod = max((to_epoch(it.edited or it.published) for it, _ in chunk), default=self.default_lastmod)
            self.write(path, html_text, lastmod)

    # -- articles -----------------------------------------------------------------------------
    def body_html(self, item: Item) -> str:
        """The editor's HTML (CKEditor): the same in every theme."""
        parts = []
        paragraphs = item.paragraphs
        captions = item.captions
        slots: dict[int, list[int]] = {}
        step = max(1, len(paragraphs) // (len(captions) + 1))
        for c in range(len(captions)):
            slots.setdefault(min(len(paragraphs) - 1, step * (c + 1) - 1), []).append(c)
        if item.video:
            if item.video["kind"] == "youtube":
                parts.append(
                    f'<p style="text-align:center"><iframe allowfullscreen="" '
                    f'frameborder="0" height="360" src="{item.video["src"]}" '
                    f'width="640"></iframe></p>'
                )
            else:
                parts.append(
                    f'<p style="text-align:center"><video controls="controls" '
                    f'src="{self.video_src(item)}" width="640"></video></p>'
                )
        for i, para in enumerate(paragraphs):
            parts.append(f"<p>{esc(item.served_body(para))}</p>")
            for c in slots.get(i, []):
                cap = item.served_body(f"{captions[c]} Ảnh: {item.author}")
                if c % 2 == 0:
                    parts.append(
                        f'<p style="text-align:center"><img alt="" height="400" '
                        f'src="{self.image(item, c + 1)}" width="600"></p>\n'
                        f'<p style="text-align:center"><em>{esc(cap)}</em></p>'
                    )
                else:
                    parts.append(
                        f'<figure class="image"><img alt="" height="400" '
                        f'src="{self.image(item, c + 1)}" width="600">'
                        f"<figcaption>{esc(cap)}</figcaption></figure>"
                    )
        return "\n".join(parts)

    def view(self, item: Item, newer: list[Item], older: list[Item]) -> NvArticle:
        tail = item.path[len(self.prefix) :]  # /<cat>/<alias>-<id>.html
        figure = None
        if not item.video:
            figure = (self.image(item), item.captions[0] if item.captions else item.served_title)
        return NvArticle(
            item=item,
            title=item.served_title,
            author=item.author,
            credit=item.credit,
            date_line=detail_time(item.published),
            edited_iso=iso_local(item.edited or item.published),
            sapo=item.sapo,
            body=self.body_html(item),
            section=self.cat_names.get(item.section, item.section),
            tags=[(f"{self.prefix}/tag/{tag.replace(' ', '-')}", tag) for tag in item.tags],
            figure=figure,
            tools={op: f"{self.prefix}/{op}{tail}" for op in ("sendmail", "print", "savefile")},
            newer=newer,
            older=older,
            rating_action=f"{self.prefix}/rating/",
        )

    def article(self, item: Item, newer: list[Item], older: list[Item]) -> str:
        theme = self.theme_for(item)
        a = self.view(item, newer, older)
        extra, og = theme.article_meta(a)
        head = self.head(theme, a.title, a.sapo, item.path, "article", extra, og)
        return self.page(theme, head, theme.breadcrumb(self.crumbs(item.section)) + theme.article(self, a))

    def savefile(self, item: Item, op: str) -> str:
        n = self.theme_for(item).savefile_attrs
        title = item.served_title
        url = f"{B}{item.path}"
        label = "Savefile" if op == "savefile" else "Print"
        return f"""    <!DOCTYPE html>
    <html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
    <head>
<title>{meta_esc(title)}</title>
<meta name="description" content="{label} - {MODULE_TITLE} - {url}">
<meta name="generator" content="NukeViet v4.5">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta property="og:type" content="website">
<meta property="og:description" content="{label} - {MODULE_TITLE} - {url}">
<meta name="robots" content="noindex, nofollow">
    </head>
    <body>
<div {n["page"]}><div {n["head"]}><h2>{esc(self.info["site_name"])}</h2></div>
<div {n["content"]}><h1>{esc(title)}</h1>
<ul {n["info"]}><li>{detail_time(item.published)}</li></ul>
<div {n["lead"]}>{esc(item.sapo)}</div>
<div {n["body"]}>{self.body_html(item)}</div>
<div {n["author"]}>Tác giả: {esc(item.author)}</div>
<div {n["foot"]}><div {n["url"]}><strong>URL của bản tin này: </strong><a href="{url}" title="{esc(title)}">{url}</a></div></div>
</div></div>
    </body>
</html>
"""

    # -- RSS ----------------------------------------------------------------------------------
    def rss(self, path: str, title: str, items: list[Item]) -> None:
        newest = items[:30]
        built = rss_date(newest[0].published) if newest else rss_date(datetime.combine(self.params.end, time(23, 0)))
        entries = []
        for it in newest:
            entries.append(f"""        <item>
            <title>{esc(it.served_title)}</title>
            <link>{B}{it.path}</link>
            <guid isPermaLink="false"><![CDATA[ news_{it.native_id} ]]></guid>
            <description><![CDATA[ <img src="{B}{self.image(it)}" width="100" align="left" border="0">{esc(it.sapo)} ]]></description>
            <pubDate>{rss_date(it.published)}</pubDate>
        </item>""")
        text = f"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" media="screen" href="/assets/css/rss.xsl"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
    <channel>
        <title>{esc(title)}</title>
        <link>{B}{self.prefix}/</link>
        <atom:link href="{B}{path}" rel="self" type="application/rss+xml" />
        <description><![CDATA[ {esc(self.info["site_name"])} ]]></description>
        <language>vi</language>
        <pubDate>{built}</pubDate>
        <lastBuildDate>{built}</lastBuildDate>
        <copyright><![CDATA[ {esc(self.info["site_name"])} ]]></copyright>
        <docs>{B}{self.prefix}/rss/</docs>
        <generator><![CDATA[ NukeViet v4.0 ]]></generator>
        <image>
            <url>{B}{self.info["logo"]}</url>
            <title>{esc(title)}</title>
            <link>{B}{self.prefix}/</link>
        </image>
{chr(10).join(entries)}
    </channel>
</rss>
"""
        lastmod = to_epoch(newest[0].published) if newest else self.default_lastmod
        self.write(path, text, lastmod)

    # -- the whole site -----------------------------------------------------------------------
    def render(self) -> dict:
        newest_first = sorted(self.items, key=lambda it: (it.published, int(it.native_id)), reverse=True)
        by_cat: dict[str, list[tuple[Item, str]]] = {s.path: [] for s in self.source.sections}
        primary_by_cat: dict[str, list[Item]] = {s.path: [] for s in self.source.sections}
        for item in newest_first:
            by_cat.setdefault(item.section, []).append((item, item.path))
            primary_by_cat.setdefault(item.section, []).append(item)
            self.by_id[item.native_id] = item.path
            for other in item.also_listed_in:
                alt = f"{self.prefix}/{other}/{item.alias}-{item.native_id}.html"
                by_cat.setdefault(other, []).append((item, alt))
                self.redirects[alt] = item.path
            if item.legacy_news_id is not None:
                self.legacy[str(item.legacy_news_id)] = item.path
        for cat in by_cat:
            by_cat[cat].sort(key=lambda pair: (pair[0].published, int(pair[0].native_id)), reverse=True)
        # articles and duplicates
        for its in primary_by_cat.values():
            for i, item in enumerate(its):
                newer = its[max(0, i - 3) : i][::-1]
                older = its[i + 1 : i + 4]
                lastmod = to_epoch(item.edited or item.published)
                self.write(item.path, self.article(item, newer, older), lastmod)
                tail = item.path[len(self.prefix) :]
                # the print and sendmail variants are made by the server from this one
                self.write(f"{self.prefix}/savefile{tail}", self.savefile(item, "savefile"), lastmod)
        # lists
        for sec in self.source.sections:
            self.render_list(f"{self.prefix}/{sec.path}/", sec.name, by_cat[sec.path], sec.path)
        self.render_list(f"{self.prefix}/", MODULE_TITLE, [(it, it.path) for it in newest_first], None)
        # RSS: the main feed and one per category
        self.rss(f"{self.prefix}/rss/", MODULE_TITLE, newest_first)
        for sec in self.source.sections:
            self.rss(f"{self.prefix}/rss/{sec.path}/", f"{MODULE_TITLE} - {sec.name}", primary_by_cat[sec.path])
        # home and robots.txt
        theme = self.list_theme
        for home in dict.fromkeys((f"{self.lang_prefix}/", "/")):
            self.write(
                home,
                self.page(
                    theme,
                    self.head(theme, self.info["site_name"], self.info["site_name"], home),
                    f'<p><a href="{self.prefix}/">{esc(MODULE_TITLE)}</a></p>',
                ),
            )
        robots = "\n".join(
            [
                "User-agent: *",
                "Disallow: /admin/",
                "Disallow: /install/",
                f"Disallow: {self.prefix}/savefile/",
                f"Disallow: {self.prefix}/print/",
                f"Disallow: {self.prefix}/sendmail/",
                f"Disallow: {self.prefix}/rating/",
                f"Disallow: {self.prefix}/search/",
                "",
            ]
        )
        (self.dir / "robots.txt").write_bytes(robots.encode("ascii"))
        return {
            "lastmod": self.lastmod,
            "redirects": self.redirects,
            "articles_by_id": self.by_id,
            "article_prefix": self.prefix,
            "legacy": self.legacy,
            "list_pages": self.list_pages,
            "pager": "nukeviet",
            "default_lastmod": self.default_lastmod,
            "legacy_encoding_prefixes": [],
        }


def render_site(source: Source, items: list[Item], params: ScenarioParams, site_dir: Path) -> dict:
    site_dir.mkdir(parents=True, exist_ok=True)
    return NukeVietSite(source, items, params, site_dir).render()
