# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""NukeViet 4.5, ``restyled`` theme: a provincial portal's own theme with Vietnamese class names.
Every class and id differs from ``default``, wrappers are nested deeper, no semantic sectioning
tags (the lead ``figure`` is a ``div``); the schema.org microdata and the date formats stay; the
article body (the editor's HTML) is unchanged. List pages: number-only pager, no ``rel``."""

from __future__ import annotations

from portal_replica.common import BASE_TOKEN_STR
from portal_replica.themes.base import NvArticle, esc, number_pager
from portal_replica.themes.nukeviet_default import MODULE_TITLE, PAGE_END, TOOL_LABELS, NvTheme, crumb_items

B = BASE_TOKEN_STR
TOOL_ICONS = {"sendmail": "bt-thu", "print": "bt-in", "savefile": "bt-luu"}


class NvRestyled(NvTheme):
    name = "restyled"
    stylesheet = "/themes/dongnai/css/giaodien.css?t=1705300000"
    byline_class = "ky-ten"
    other_news_wrap = ('<div class="khoi-phu"><div class="khoi-phu__ruot tin-khac">\n', "</div></div>\n")
    savefile_attrs = {
        "page": 'id="ban-in"',
        "head": 'class="ban-in__dau"',
        "content": 'class="ban-in__than"',
        "info": 'class="ban-in__ngay"',
        "lead": 'class="ban-in__tom-tat"',
        "body": 'class="ban-in__noi-dung"',
        "author": 'class="ban-in__ky-ten"',
        "foot": 'class="ban-in__cuoi"',
        "url": 'class="ban-in__duong-dan"',
    }

    def chrome_open(self, site) -> str:
        info = site.info
        menu = "".join(
            f'<li class="ds-menu__muc"><a href="{site.prefix}/{s.path}/">{esc(s.name)}</a></li>'
            for s in site.source.sections
        )
        return f"""<div class="toan-trang"><div class="toan-trang__vo">
<div class="dau-trang"><div class="khung-rong"><div id="bieu-trang" class="bieu-trang">
<a title="{esc(info["site_name"])}" href="{site.lang_prefix or ""}/"><img src="{info["logo"]}" alt="{esc(info["site_name"])}"></a>
</div></div></div>
<div class="thanh-menu" id="menu-chinh"><div class="khung-rong"><ul class="ds-menu">
<li class="ds-menu__muc"><a href="{site.prefix}/">{esc(MODULE_TITLE)}</a></li>
{menu}
</ul></div></div>
<div class="than-trang"><div class="khung-rong" id="noi-dung-trang">
"""

    def chrome_close(self, site) -> str:
        info = site.info
        return (
            f"""</div></div>
<div class="chan-trang" id="chan-trang"><div class="khung-rong"><div class="chan-trang__hang">
<div class="chan-trang__cot"><p>&copy; Bản quyền thuộc về {esc(info["site_name"])}</p>
<p>Email: {esc(info["copyright"])}</p></div>
<div class="chan-trang__cot"><div class="dem-truy-cap">Đang truy cập: 47</div></div>
</div></div></div>
</div></div>
"""
            + PAGE_END
        )

    def breadcrumb(self, crumbs: list[tuple[str, str]]) -> str:
        parts = crumb_items(crumbs, ' class="duong-dan__muc"', '<meta itemprop="position" content="{}">')
        return (
            '<div class="duong-dan"><div class="khung-rong"><ul class="duong-dan__ds" itemscope '
            'itemtype="https://schema.org/BreadcrumbList">' + parts + "</ul></div></div>\n"
        )

    # -- lists -----------------------------------------------------------------------------
    def list_entry(self, site, item, href: str, featured: bool) -> str:
        title = esc(item.served_title)
        cls = "muc-tin muc-tin--noi-bat" if featured else "muc-tin"
        img = ""
        if featured or item.seq % 3 == 0:
            img = f'<div class="muc-tin__anh"><a href="{href}" title="{title}"><img alt="{title}" src="{site.image(item)}" width="183"></a></div>\n'
        return f"""<div class="{cls}"><div class="muc-tin__vo">
{img}<div class="muc-tin__chu"><h3 class="muc-tin__tieu-de"><a href="{href}" title="{title}">{title}</a></h3>
<div class="muc-tin__phu"><span class="muc-tin__gio"><i class="bt-dong-ho"></i> {site.list_time(item.published)}</span>
<span class="muc-tin__xem">Đã xem: {item.views}</span></div>
<div class="muc-tin__tom-tat">{esc(item.sapo)}</div></div>
</div></div>
"""

    def list_body(self, site, entries: list[tuple], pager: str) -> str:
        rows = "".join(self.list_entry(site, item, href, featured) for item, href, featured in entries)
        return f'<div class="danh-sach-tin"><div class="danh-sach-tin__vo">\n{rows}</div></div>\n{pager}'

    def pager(self, site, href, title: str, page: int, last: int) -> str:
        return number_pager(href, page, last, "phan-trang", "...") if last > 1 else ""

    # -- article ---------------------------------------------------------------------------
    def tools(self, a: NvArticle) -> str:
        lis = "".join(
            f'<li class="cong-cu__muc"><a class="cong-cu__nut" rel="nofollow" title="{label}" href="{a.tools[op]}"><i class="{TOOL_ICONS[op]}"></i></a></li>'
            for op, label, _ in TOOL_LABELS
        )
        return f'<ul class="cong-cu">{lis}</ul>'

    def figure(self, a: NvArticle) -> str:
        if a.figure is None:
            return ""
        src, cap = a.figure
        return (
            f'<div class="anh-dai-dien"><div class="anh-dai-dien__khung" itemprop="image" itemscope '
            f'itemtype="https://schema.org/ImageObject"><img alt="{esc(a.title)}" src="{src}" width="460" class="anh-vien"></div>'
            f'<div class="chu-thich-anh">{esc(cap)}</div></div>\n'
        )

    def news_group(self, label: str, its: list) -> str:
        lis = "".join(
            f'<li class="tin-khac__muc"><a href="{it.path}" title="{esc(it.served_title)}">{esc(it.served_title)}</a> '
            f'<span class="tin-khac__ngay">({it.published:%d/%m/%Y})</span></li>'
            for it in its
        )
        return f'<div class="tin-khac__nhom"><div class="tin-khac__tieu-de">{label}</div><ul class="tin-khac__ds">{lis}</ul></div>\n'

    def article(self, site, a: NvArticle) -> str:
        item = a.item
        tags = ", ".join(
            f'<a class="the-bai__muc" title="{esc(tag)}" href="{esc(href)}">{esc(tag)}</a>' for href, tag in a.tags
        )
        return f"""<div class="khoi-bai" itemscope itemtype="http://schema.org/NewsArticle"><div class="khoi-bai__vo"><div class="khoi-bai__ruot">
<h1 class="tieu-de-bai" itemprop="headline">{esc(a.title)}</h1>
<div class="an-di" itemprop="author" itemscope itemtype="http://schema.org/Person"><span itemprop="name">{esc(a.author)}</span></div>
<span class="an-di" itemprop="datePublished">{a.edited_iso}</span>
<span class="an-di" itemprop="dateModified">{a.edited_iso}</span>
<span class="an-di" itemprop="mainEntityOfPage">{B}{item.path}</span>
<div class="dong-thong-tin"><div class="dong-thong-tin__trai"><div class="ngay-gio-dang"><i class="bt-lich"></i> {a.date_line}</div></div>
<div class="dong-thong-tin__phai">{self.tools(a)}</div></div>
<div class="phan-mo-dau"><div class="phan-mo-dau__vo">
{self.figure(a)}<div class="doan-tom-tat" itemprop="description">{esc(a.sapo)}</div>
</div></div>
<div class="phan-noi-dung"><div id="noi-dung-bai" class="noi-dung-bai">
{a.body}
</div></div>
<div class="phan-ky-ten">
{self.byline(a)}
</div>
</div></div></div>
<div class="khoi-phu"><div class="khoi-phu__ruot"><div class="the-bai"><i class="bt-the"></i><strong>Tags: </strong>{tags}</div></div></div>
<div class="khoi-phu"><div class="khoi-phu__ruot">
<form id="phieu-danh-gia" class="phieu-danh-gia" action="{a.rating_action}" method="post"><div class="phieu-danh-gia__vo">
<p id="tong-diem">Tổng số điểm của bài viết là: {item.views % 50} trong {item.views % 11} đánh giá</p>
<div class="chon-sao"><input type="radio" name="star" value="1"><input type="radio" name="star" value="5"></div>
<span class="goi-y">Click để đánh giá bài viết</span></div></form>
<div class="nut-thich" data-href="{B}{item.path}" data-layout="button_count"></div>
<div class="nut-zalo" data-href="{B}{item.path}" data-oaid="579745863508352884"></div>
</div></div>
{self.other_news(a)}"""
