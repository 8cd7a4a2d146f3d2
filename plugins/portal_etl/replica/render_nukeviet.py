# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""Pages of a NukeViet 4.5 news module (dongnai_gov, dongnai_party), after shared/sources.md
§1.3–1.5: category lists with the malformed pager, detail pages with their noise blocks,
savefile/print/sendmail duplicates, RSS with the minutes-are-the-month pubDate bug.
"""

from __future__ import annotations

import html
import math
from datetime import datetime, time, timedelta
from pathlib import Path

from portal_etl.registry import Source
from portal_etl.replica.common import BASE_TOKEN_STR, file_for_path, iso_local, to_epoch
from portal_etl.replica.generator import Item, ScenarioParams

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
MODULE_TITLE = "Tin tức"

# NukeViet's nv_htmlspecialchars on <title> and meta description also encodes ( ) : % /
_META_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                           "'": "&#039;", "(": "&#40;", ")": "&#41;", ":": "&#x3A;",
                           "%": "&#x25;", "/": "&#x002F;"})


def meta_esc(text: str) -> str:
    return text.translate(_META_ESC)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def list_time(t: datetime) -> str:
    return t.strftime("%d/%m/%Y %H:%M:%S")


def detail_time(t: datetime) -> str:
    return f"{WEEKDAYS[t.weekday()]} - {t:%d/%m/%Y %H:%M}"


def rss_date(t: datetime) -> str:
    """gmdate('D, j M Y H:m:s'): UTC, day without zero, *minutes field = month number*."""
    u = t - timedelta(hours=7)
    return (f"{EN_DAYS[u.weekday()]}, {u.day} {EN_MONTHS[u.month - 1]} {u.year} "
            f"{u.hour:02d}:{u.month:02d}:{u.second:02d} GMT")


class NukeVietSite:
    def __init__(self, source: Source, items: list[Item], params: ScenarioParams,
                 site_dir: Path) -> None:
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
    def rss_links(self) -> str:
        links = [f'<link rel="alternate" href="{B}{self.prefix}/rss/" title="{esc(MODULE_TITLE)}" '
                 f'type="application/rss+xml">']
        for sec in self.source.sections:
            links.append(f'<link rel="alternate" href="{B}{self.prefix}/rss/{sec.path}/" '
                         f'title="{esc(MODULE_TITLE)} - {esc(sec.name)}" '
                         f'type="application/rss+xml">')
        return "\n".join(links)

    def head(self, title: str, description: str, url_path: str, og_type: str = "website",
             extra: str = "", og_title: str | None = None) -> str:
        info = self.info
        page_title = f"{title} - {MODULE_TITLE} - {info['site_name']}"
        lang = "vi"
        return f"""    <!DOCTYPE html>
    <html lang="{lang}" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
    <head>
<title>{meta_esc(page_title)}</title>
<meta name="description" content="{meta_esc(description)}">
<meta name="author" content="{esc(info['author'])}">
<meta name="copyright" content="{esc(info['copyright'])}">
<meta name="robots" content="index, archive, follow, noodp">
<meta name="googlebot" content="index,archive,follow,noodp">
<meta name="msnbot" content="all,index,follow">
<meta name="generator" content="NukeViet v4.5">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta property="og:image" content="{B}/uploads/site-default.png?t=1758162367">
<meta property="og:title" content="{esc(og_title or title)}">
<meta property="og:type" content="{og_type}">
<meta property="og:description" content="{esc(description)}">
<meta property="og:site_name" content="{meta_esc(info['author'])}">
<meta property="og:url" content="{B}{url_path}">
{extra}<link rel="shortcut icon" href="/favicon.ico">
<link rel="canonical" href="{B}{url_path}">
{self.rss_links()}
<link rel="stylesheet" href="/themes/default/css/style.css">
    </head>
    <body>
<div class="body-bg"><div class="wraper">
<header><div class="container"><div id="header" class="row"><div class="logo col-xs-24 col-sm-24 col-md-8">
<a title="{esc(info['site_name'])}" href="{self.lang_prefix or ''}/"><img src="{info['logo']}" alt="{esc(info['site_name'])}"></a>
</div></div></div></header>
<nav class="second-nav" id="menusite"><ul class="nav navbar-nav">
<li><a href="{self.prefix}/">{esc(MODULE_TITLE)}</a></li>
{''.join(f'<li><a href="{self.prefix}/{s.path}/">{esc(s.name)}</a></li>' for s in self.source.sections)}
</ul></nav>
<section><div class="container" id="body">
"""

    def foot(self) -> str:
        info = self.info
        return f"""</div></section>
<footer id="footer" class="wraper"><div class="container"><div class="row">
<div class="col-xs-24 col-sm-24 col-md-12"><p>&copy; Bản quyền thuộc về {esc(info['site_name'])}</p>
<p>Email: {esc(info['copyright'])}</p></div>
<div class="col-xs-24 col-sm-24 col-md-12"><div class="counter">Đang truy cập: 47</div></div>
</div></div></footer>
</div></div>
<script src="/assets/js/jquery/jquery.min.js"></script>
    </body>
</html>
"""

    def breadcrumb(self, cat: str | None) -> str:
        parts = ['<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
                 f'<a href="{self.lang_prefix}/" itemprop="item" title="Trang nhất">'
                 '<span itemprop="name">Trang nhất</span></a><i class="hidden" itemprop="position" '
                 'content="1"></i></li>',
                 '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
                 f'<a href="{self.prefix}/" itemprop="item" title="{esc(MODULE_TITLE)}">'
                 f'<span itemprop="name">{esc(MODULE_TITLE)}</span></a><i class="hidden" '
                 'itemprop="position" content="2"></i></li>']
        if cat:
            name = esc(self.cat_names.get(cat, cat))
            parts.append('<li itemprop="itemListElement" itemscope '
                         'itemtype="https://schema.org/ListItem">'
                         f'<a href="{self.prefix}/{cat}/" itemprop="item" title="{name}">'
                         f'<span itemprop="name">{name}</span></a><i class="hidden" '
                         'itemprop="position" content="3"></i></li>')
        return ('<div class="breadcrumbs-wrap"><div class="display"><ul class="breadcrumbs list-none">'
                '</ul></div><ul class="temp-breadcrumbs hidden" itemscope '
                'itemtype="https://schema.org/BreadcrumbList">' + "".join(parts) + "</ul></div>\n")

    def image(self, item: Item, n: int = 0) -> str:
        return (f"{self.info['uploads']}/{item.published:%Y_%m}/"
                f"{item.alias[:40].rstrip('-')}-{n}.jpg")

    def video_src(self, item: Item) -> str:
        return f"{self.info['uploads']}/{item.published:%Y_%m}/{item.alias[:40].rstrip('-')}.mp4"

    # -- lists --------------------------------------------------------------------------------
    def pager(self, base: str, title: str, page: int, last: int) -> str:
        if last <= 1:
            return ""

        def href(n: int) -> str:
            return base if n == 1 else f"{base}page-{n}/"

        def link(n: int, label: str, rel: str = "") -> str:
            rel_attr = f' rel="{rel}"' if rel else ""
            return (f'<li class="page-item"><a class="page-link"{rel_attr} '
                    f'title="{esc(title)} - Trang {n}" href="{href(n)}">{label}</a></li>')

        out = ['<div class="text-center"><ul class="pagination">']
        if page > 1:
            out.append(link(page - 1, "&laquo;", "prev"))
        if last <= 7:
            shown = list(range(1, last + 1))
        else:
            shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
        previous = 0
        for n in shown:
            if n - previous > 1:
                out.append('<li class="page-item disabled"><a class="page-link" '
                           'href="javascript:void(0)">...</a></li>')
            if n == page:
                close = "<li>" if last <= 7 else "</li>"  # NukeViet's nv_alias_page bug
                out.append(f'<li class="page-item active"><a class="page-link" '
                           f'href="javascript:void(0)">{n}</a>{close}')
            else:
                out.append(link(n, str(n)))
            previous = n
        if page < last:
            out.append(link(page + 1, "&raquo;", "next"))
        out.append("</ul></div>")
        return "\n".join(out)

    def list_entry(self, item: Item, href: str, featured: bool) -> str:
        title = esc(item.served_title)
        tag = "h2" if featured else "h3"
        cls = "panel-body featured" if featured else "panel-body"
        img = ""
        if featured or item.seq % 3 == 0:
            img = (f'<a href="{href}" title="{title}"><img alt="{title}" src="{self.image(item)}" '
                   f'width="183" class="img-thumbnail pull-left imghome"></a>\n')
        new = '<span class="icon_new"></span>' if item.seq % 7 == 0 else ""
        return f"""<div class="panel panel-default">
<div class="{cls}">
{img}<{tag}><a href="{href}" title="{title}">{title}</a>{new}</{tag}>
<div class="text-muted">
<ul class="list-unstyled list-inline">
<li><em class="fa fa-clock-o">&nbsp;</em> {list_time(item.published)}</li>
<li><em class="fa fa-eye">&nbsp;</em> Đã xem: {item.views}</li>
</ul>
</div>
{esc(item.sapo)}
</div>
</div>
"""

    def render_list(self, base: str, title: str, entries: list[tuple[Item, str]],
                    cat: str | None) -> None:
        last = max(1, math.ceil(len(entries) / PER_PAGE))
        self.list_pages[base] = last
        for page in range(1, last + 1):
            chunk = entries[(page - 1) * PER_PAGE: page * PER_PAGE]
            path = base if page == 1 else f"{base}page-{page}/"
            page_title = title if page == 1 else f"{title} - Trang {page}"
            body = ['<div class="news_column">']
            for i, (item, href) in enumerate(chunk):
                body.append(self.list_entry(item, href, featured=(i == 0 and page == 1)))
            body.append("</div>")
            body.append(self.pager(base, title, page, last))
            html_text = (self.head(page_title, f"{title} - {self.info['site_name']}", path)
                         + self.breadcrumb(cat) + "\n".join(body) + self.foot())
            lastmod = max((to_epoch(it.edited or it.published) for it, _ in chunk),
                          default=self.default_lastmod)
            self.write(path, html_text, lastmod)

    # -- articles -----------------------------------------------------------------------------
    def body_html(self, item: Item) -> str:
        parts = []
        paragraphs = item.paragraphs
        captions = item.captions
        slots: dict[int, list[int]] = {}
        step = max(1, len(paragraphs) // (len(captions) + 1))
        for c in range(len(captions)):
            slots.setdefault(min(len(paragraphs) - 1, step * (c + 1) - 1), []).append(c)
        if item.video:
            if item.video["kind"] == "youtube":
                parts.append(f'<p style="text-align:center"><iframe allowfullscreen="" '
                             f'frameborder="0" height="360" src="{item.video["src"]}" '
                             f'width="640"></iframe></p>')
            else:
                parts.append(f'<p style="text-align:center"><video controls="controls" '
                             f'src="{self.video_src(item)}" width="640"></video></p>')
        for i, para in enumerate(paragraphs):
            parts.append(f"<p>{esc(item.served_body(para))}</p>")
            for c in slots.get(i, []):
                cap = item.served_body(f"{captions[c]} Ảnh: {item.author}")
                if c % 2 == 0:
                    parts.append(f'<p style="text-align:center"><img alt="" height="400" '
                                 f'src="{self.image(item, c + 1)}" width="600"></p>\n'
                                 f'<p style="text-align:center"><em>{esc(cap)}</em></p>')
                else:
                    parts.append(f'<figure class="image"><img alt="" height="400" '
                                 f'src="{self.image(item, c + 1)}" width="600">'
                                 f"<figcaption>{esc(cap)}</figcaption></figure>")
        return "\n".join(parts)

    def other_news(self, newer: list[Item], older: list[Item]) -> str:
        def block(label: str, its: list[Item]) -> str:
            if not its:
                return ""
            lis = "".join(
                f'<li><em class="fa fa-angle-right">&nbsp;</em><h4><a href="{it.path}" '
                f'title="{esc(it.served_title)}">{esc(it.served_title)}</a></h4> '
                f"<em>({it.published:%d/%m/%Y})</em></li>" for it in its)
            return (f'<p class="h3"><strong>{label}</strong></p>\n<div class="clearfix">'
                    f'<ul class="detail-related related display-table">{lis}</ul></div>\n')
        return ('<div class="news_column panel panel-default"><div class="panel-body other-news">\n'
                + block("Những tin mới hơn", newer) + block("Những tin cũ hơn", older)
                + "</div></div>\n")

    def tools(self, item: Item) -> str:
        tail = item.path[len(self.prefix):]  # /<cat>/<alias>-<id>.html
        return f"""<ul class="list-inline text-right">
<li><a class="dimgray" rel="nofollow" title="Gửi bài viết qua email" href="{self.prefix}/sendmail{tail}"><em class="fa fa-envelope fa-lg">&nbsp;</em></a></li>
<li><a class="dimgray" rel="nofollow" title="In ra" href="{self.prefix}/print{tail}"><em class="fa fa-print fa-lg">&nbsp;</em></a></li>
<li><a class="dimgray" rel="nofollow" title="Lưu bài viết này" href="{self.prefix}/savefile{tail}"><em class="fa fa-save fa-lg">&nbsp;</em></a></li>
</ul>"""

    def article(self, item: Item, newer: list[Item], older: list[Item]) -> str:
        title = item.served_title
        t = esc(title)
        edited_iso = iso_local(item.edited or item.published)
        pub = item.published
        cat_name = self.cat_names.get(item.section, item.section)
        extra = (f'<meta property="article:published_time" content="{pub:%Y-%m-%d}+07'
                 f'{pub:%H:%M:%S}">\n<meta property="article:section" content="{esc(cat_name)}">\n'
                 + "".join(f'<meta property="article:tag" content="{esc(tag)}">\n'
                           for tag in item.tags))
        head = self.head(title, item.sapo, item.path, "article", extra)
        byline = f'<p class="h5 text-right"><strong>Tác giả: </strong>{esc(item.author)}</p>'
        if item.credit:
            byline += f'\n<p class="h5 text-right"><strong>Nguồn tin: </strong>{esc(item.credit)}</p>'
        figure = ""
        if not item.video:
            cap = item.captions[0] if item.captions else title
            figure = (f'<figure class="article left pointer"><div itemprop="image" itemscope '
                      f'itemtype="https://schema.org/ImageObject"><img alt="{t}" '
                      f'src="{self.image(item)}" width="460" class="img-thumbnail"></div>'
                      f"<figcaption>{esc(cap)}</figcaption></figure>\n")
        tags = ", ".join(f'<a title="{esc(tag)}" href="{self.prefix}/tag/{esc(tag.replace(" ", "-"))}">'
                         f"<em>{esc(tag)}</em></a>" for tag in item.tags)
        return head + self.breadcrumb(item.section) + f"""<div class="news_column panel panel-default newsdetail" itemtype="http://schema.org/NewsArticle" itemscope>
<div class="panel-body">
<h1 class="title margin-bottom-lg" itemprop="headline">{t}</h1>
<div class="hidden hide d-none" itemprop="author" itemtype="http://schema.org/Person" itemscope><span itemprop="name">{esc(item.author)}</span></div>
<span class="hidden hide d-none" itemprop="datePublished">{edited_iso}</span>
<span class="hidden hide d-none" itemprop="dateModified">{edited_iso}</span>
<span class="hidden hide d-none" itemprop="mainEntityOfPage">{B}{item.path}</span>
<div class="row margin-bottom-lg">
<div class="col-md-12"><span class="h5">{detail_time(pub)}</span></div>
<div class="col-md-12">{self.tools(item)}</div>
</div>
<div class="clearfix">
{figure}<div class="hometext m-bottom" itemprop="description">{esc(item.sapo)}</div>
</div>
<div id="news-bodyhtml" class="bodytext margin-bottom-lg">
{self.body_html(item)}
</div>
<div class="margin-bottom-lg">
{byline}
</div>
</div>
</div>
<div class="news_column panel panel-default"><div class="panel-body">
<div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>Tags: </strong>{tags}</div>
</div></div>
<div class="news_column panel panel-default"><div class="panel-body">
<form id="form3B" action="{self.prefix}/rating/" method="post"><div class="h5 clearfix">
<p id="stringrating">Tổng số điểm của bài viết là: {item.views % 50} trong {item.views % 11} đánh giá</p>
<div class="star-rating"><input type="radio" name="star" value="1"><input type="radio" name="star" value="5"></div>
<span class="help-block">Click để đánh giá bài viết</span></div></form>
<div class="fb-like" data-href="{B}{item.path}" data-layout="button_count" data-action="like" data-show-faces="false" data-share="true"></div>
<div class="zalo-share-button" data-href="{B}{item.path}" data-oaid="579745863508352884" data-layout="1" data-color="blue" data-customize="false"></div>
</div></div>
{self.other_news(newer, older)}""" + self.foot()

    def savefile(self, item: Item, op: str) -> str:
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
<div id="print"><div id="hd_print"><h2>{esc(self.info['site_name'])}</h2></div>
<div id="content"><h1>{esc(title)}</h1>
<ul class="info"><li>{detail_time(item.published)}</li></ul>
<div class="hometext">{esc(item.sapo)}</div>
<div class="bodytext">{self.body_html(item)}</div>
<div class="copyright">Tác giả: {esc(item.author)}</div>
<div id="footer" class="clearfix"><div id="url"><strong>URL của bản tin này: </strong><a href="{url}" title="{esc(title)}">{url}</a></div></div>
</div></div>
    </body>
</html>
"""

    # -- RSS ----------------------------------------------------------------------------------
    def rss(self, path: str, title: str, items: list[Item]) -> None:
        newest = items[:30]
        built = rss_date(newest[0].published) if newest else rss_date(
            datetime.combine(self.params.end, time(23, 0)))
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
        <description><![CDATA[ {esc(self.info['site_name'])} ]]></description>
        <language>vi</language>
        <pubDate>{built}</pubDate>
        <lastBuildDate>{built}</lastBuildDate>
        <copyright><![CDATA[ {esc(self.info['site_name'])} ]]></copyright>
        <docs>{B}{self.prefix}/rss/</docs>
        <generator><![CDATA[ NukeViet v4.0 ]]></generator>
        <image>
            <url>{B}{self.info['logo']}</url>
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
        newest_first = sorted(self.items, key=lambda it: (it.published, int(it.native_id)),
                              reverse=True)
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
            by_cat[cat].sort(key=lambda pair: (pair[0].published, int(pair[0].native_id)),
                             reverse=True)
        # articles and duplicates
        for its in primary_by_cat.values():
            for i, item in enumerate(its):
                newer = its[max(0, i - 3):i][::-1]
                older = its[i + 1:i + 4]
                lastmod = to_epoch(item.edited or item.published)
                self.write(item.path, self.article(item, newer, older), lastmod)
                tail = item.path[len(self.prefix):]
                # the print and sendmail variants are made by the server from this one
                self.write(f"{self.prefix}/savefile{tail}", self.savefile(item, "savefile"), lastmod)
        # lists
        for sec in self.source.sections:
            self.render_list(f"{self.prefix}/{sec.path}/", sec.name, by_cat[sec.path], sec.path)
        self.render_list(f"{self.prefix}/", MODULE_TITLE,
                         [(it, it.path) for it in newest_first], None)
        # RSS: the main feed and one per category
        self.rss(f"{self.prefix}/rss/", MODULE_TITLE, newest_first)
        for sec in self.source.sections:
            self.rss(f"{self.prefix}/rss/{sec.path}/", f"{MODULE_TITLE} - {sec.name}",
                     primary_by_cat[sec.path])
        # home and robots.txt
        if self.lang_prefix:
            home = (self.head(self.info["site_name"], self.info["site_name"], f"{self.lang_prefix}/")
                    + f'<p><a href="{self.prefix}/">{esc(MODULE_TITLE)}</a></p>' + self.foot())
            self.write(f"{self.lang_prefix}/", home)
        home = (self.head(self.info["site_name"], self.info["site_name"], "/")
                + f'<p><a href="{self.prefix}/">{esc(MODULE_TITLE)}</a></p>' + self.foot())
        self.write("/", home)
        robots = "\n".join([
            "User-agent: *",
            "Disallow: /admin/",
            "Disallow: /install/",
            f"Disallow: {self.prefix}/savefile/",
            f"Disallow: {self.prefix}/print/",
            f"Disallow: {self.prefix}/sendmail/",
            f"Disallow: {self.prefix}/rating/",
            f"Disallow: {self.prefix}/search/",
            "",
        ])
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
