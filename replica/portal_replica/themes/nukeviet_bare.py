# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""NukeViet 4.5, ``bare`` theme: a Bootstrap 5 theme of a contractor. No microdata; odd ids carry
OpenGraph metadata (no ``article:published_time``), even ids none; the ad, the share bar, the
rating form and the "Những tin mới hơn"/"Những tin cũ hơn" lists (short titles, dates) sit inside
the article container; the article body (the editor's HTML) is unchanged.

List pages: ``dongnai_party`` links the next page by ``<a rel="next">`` only; ``dongnai_gov``
has no pager at all (infinite scroll): the next page is known only by the URL pattern
``…/page-N/`` (a page past the last redirects to page 1, as on every NukeViet site)."""

from __future__ import annotations

from portal_replica.common import BASE_TOKEN_STR
from portal_replica.themes.base import NvArticle, ad_banner, esc, og_only, short_title
from portal_replica.themes.nukeviet_default import MODULE_TITLE, PAGE_END, NvTheme

B = BASE_TOKEN_STR
PAGER_BY_CHANNEL = {"dongnai_gov": "url_pattern", "dongnai_party": "rel_next"}


class NvBare(NvTheme):
    name = "bare"
    stylesheet = "/themes/bs5news/css/main.min.css"
    byline_class = "text-end"
    other_news_wrap = ('<div class="dn-other">\n', "</div>\n")
    savefile_attrs = {
        "page": 'class="print-page"',
        "head": 'class="print-brand"',
        "content": 'class="print-main"',
        "info": 'class="print-date"',
        "lead": 'class="print-summary"',
        "body": 'class="print-content"',
        "author": 'class="print-sign"',
        "foot": 'class="print-bottom"',
        "url": 'class="print-link"',
    }

    def chrome_open(self, site) -> str:
        info = site.info
        menu = "".join(
            f'<a class="menu-link" href="{site.prefix}/{s.path}/">{esc(s.name)}</a>' for s in site.source.sections
        )
        return f"""<div class="page-wrapper"><div class="topbar"><div class="container-xl">
<a class="brand" title="{esc(info["site_name"])}" href="{site.lang_prefix or ""}/"><img src="{info["logo"]}" alt="{esc(info["site_name"])}"></a>
</div></div>
<div class="menubar"><div class="container-xl"><a class="menu-link" href="{site.prefix}/">{esc(MODULE_TITLE)}</a>{menu}</div></div>
<div class="page-body"><div class="container-xl">
"""

    def chrome_close(self, site) -> str:
        info = site.info
        return (
            f"""</div></div>
<div class="page-footer"><div class="container-xl"><p>&copy; Bản quyền thuộc về {esc(info["site_name"])}</p>
<p>Email: {esc(info["copyright"])}</p><p>Đang truy cập: 47</p></div></div>
</div>
"""
            + PAGE_END
        )

    def breadcrumb(self, crumbs: list[tuple[str, str]]) -> str:
        return (
            '<div class="crumbs">'
            + " / ".join(f'<a href="{href}">{esc(label)}</a>' for href, label in crumbs)
            + "</div>\n"
        )

    # -- lists -----------------------------------------------------------------------------
    def list_entry(self, site, item, href: str, featured: bool) -> str:
        title = esc(item.served_title)
        return f"""<div class="news-row"><div class="news-row-thumb"><a href="{href}"><img src="{site.image(item)}" alt="{title}"></a></div>
<div class="news-row-info"><h3 class="news-row-title"><a href="{href}" title="{title}">{title}</a></h3>
<div class="news-row-date">{site.list_time(item.published)}</div>
<div class="news-row-desc">{esc(item.sapo)}</div></div></div>
"""

    def list_body(self, site, entries: list[tuple], pager: str) -> str:
        rows = "".join(self.list_entry(site, item, href, featured) for item, href, featured in entries)
        return f'<div class="list-news-cat">\n{rows}</div>\n{pager}'

    def pager(self, site, href, title: str, page: int, last: int) -> str:
        if PAGER_BY_CHANNEL.get(site.source.id, "rel_next") == "url_pattern" or page >= last:
            return ""
        return f'<div class="load-more"><a rel="next" href="{href(page + 1)}">Xem tiếp</a></div>\n'

    # -- article ---------------------------------------------------------------------------
    def article_meta(self, a: NvArticle) -> tuple[str, bool]:
        if not og_only(a.item.native_id):
            return "", False
        return (
            f'<meta property="article:section" content="{esc(a.section)}">\n'
            f'<meta property="article:modified_time" content="{a.edited_iso}">\n'
            + "".join(f'<meta property="article:tag" content="{esc(tag)}">\n' for _, tag in a.tags)
        ), True

    def figure(self, a: NvArticle) -> str:
        if a.figure is None:
            return ""
        src, cap = a.figure
        return f'<div class="dn-thumb"><img src="{src}" alt="{esc(a.title)}" width="460"><p class="dn-thumb-note">{esc(cap)}</p></div>\n'

    def news_group(self, label: str, its: list) -> str:
        lis = "".join(
            f'<li><a href="{it.path}" title="{esc(it.served_title)}">{esc(short_title(it.served_title))}</a> '
            f"<em>({it.published:%d/%m/%Y})</em></li>"
            for it in its
        )
        return f'<div class="dn-other-block"><div class="dn-other-title">{label}</div><ul>{lis}</ul></div>\n'

    def article(self, site, a: NvArticle) -> str:
        item = a.item
        url = f"{B}{item.path}"
        tags = ", ".join(f'<a href="{esc(href)}">{esc(tag)}</a>' for href, tag in a.tags)
        tools = "".join(
            f'<a rel="nofollow" href="{a.tools[op]}">{label}</a>'
            for op, label in (("print", "In bài"), ("savefile", "Lưu bài"))
        )
        ad_img, ad_href = ad_banner(item.native_id)
        return f"""<div class="detail-news" id="dn-{item.native_id}"><div class="detail-news-inner">
<h1 class="dn-heading">{esc(a.title)}</h1>
<div class="dn-meta"><span class="dn-date">{a.date_line}</span> <span class="dn-views">Lượt xem: {item.views}</span> <span class="dn-tools">{tools}</span></div>
<div class="dn-summary">{self.figure(a)}<strong>{esc(a.sapo)}</strong></div>
<div class="adv-inarticle"><a href="{ad_href}" target="_blank" rel="nofollow sponsored"><img src="{ad_img}" alt="Quảng cáo"></a></div>
<div class="dn-content" id="dn-content">
{a.body}
</div>
<div class="dn-sign">
{self.byline(a)}
</div>
<div class="dn-tags"><strong>Tags: </strong>{tags}</div>
<div class="dn-share"><a class="share-fb" href="https://www.facebook.com/sharer/sharer.php?u={url}" target="_blank">Facebook</a><a class="share-zalo" href="https://zalo.me/share?url={url}" target="_blank">Zalo</a><a class="share-mail" rel="nofollow" href="{a.tools["sendmail"]}">Email</a></div>
<form class="dn-vote" id="dn-vote" action="{a.rating_action}" method="post">
<div class="dn-vote-score">Tổng số điểm của bài viết là: {item.views % 50} trong {item.views % 11} đánh giá</div>
<div class="dn-vote-stars"><input type="radio" name="star" value="1"><input type="radio" name="star" value="5"></div>
<div class="dn-vote-hint">Click để đánh giá bài viết</div></form>
{self.other_news(a)}</div></div>
"""
