# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""NukeViet 4.5, ``default`` theme: the templates of shared/sources.md §1.3–1.4 literally."""

from __future__ import annotations

from portal_replica.common import BASE_TOKEN_STR
from portal_replica.themes.base import NvArticle, esc

B = BASE_TOKEN_STR
MODULE_TITLE = "Tin tức"
TOOL_LABELS = (
    ("sendmail", "Gửi bài viết qua email", "fa-envelope"),
    ("print", "In ra", "fa-print"),
    ("savefile", "Lưu bài viết này", "fa-save"),
)


PAGE_END = """<script src="/assets/js/jquery/jquery.min.js"></script>
    </body>
</html>
"""


def crumb_items(crumbs: list[tuple[str, str]], li_attrs: str, position: str) -> str:
    """schema.org ListItems of a BreadcrumbList; ``position`` holds ``{}`` for the number."""
    return "".join(
        f'<li{li_attrs} itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<a href="{href}" itemprop="item" title="{esc(label)}"><span itemprop="name">{esc(label)}</span></a>'
        + position.format(i)
        + "</li>"
        for i, (href, label) in enumerate(crumbs, 1)
    )


class NvTheme:
    """The default markup; the other themes override every method that writes a class name."""

    name = "default"
    stylesheet = "/themes/default/css/style.css"
    byline_class = "h5 text-right"  # the "Tác giả: " / "Nguồn tin: " paragraphs
    other_news_wrap = (
        '<div class="news_column panel panel-default"><div class="panel-body other-news">\n',
        "</div></div>\n",
    )
    # the print/savefile page: attributes of its blocks
    savefile_attrs = {
        "page": 'id="print"',
        "head": 'id="hd_print"',
        "content": 'id="content"',
        "info": 'class="info"',
        "lead": 'class="hometext"',
        "body": 'class="bodytext"',
        "author": 'class="copyright"',
        "foot": 'id="footer" class="clearfix"',
        "url": 'id="url"',
    }

    # -- page frame ------------------------------------------------------------------------
    def chrome_open(self, site) -> str:
        info = site.info
        menu = "".join(f'<li><a href="{site.prefix}/{s.path}/">{esc(s.name)}</a></li>' for s in site.source.sections)
        return f"""<div class="body-bg"><div class="wraper">
<header><div class="container"><div id="header" class="row"><div class="logo col-xs-24 col-sm-24 col-md-8">
<a title="{esc(info["site_name"])}" href="{site.lang_prefix or ""}/"><img src="{info["logo"]}" alt="{esc(info["site_name"])}"></a>
</div></div></div></header>
<nav class="second-nav" id="menusite"><ul class="nav navbar-nav">
<li><a href="{site.prefix}/">{esc(MODULE_TITLE)}</a></li>
{menu}
</ul></nav>
<section><div class="container" id="body">
"""

    def chrome_close(self, site) -> str:
        info = site.info
        return (
            f"""</div></section>
<footer id="footer" class="wraper"><div class="container"><div class="row">
<div class="col-xs-24 col-sm-24 col-md-12"><p>&copy; Bản quyền thuộc về {esc(info["site_name"])}</p>
<p>Email: {esc(info["copyright"])}</p></div>
<div class="col-xs-24 col-sm-24 col-md-12"><div class="counter">Đang truy cập: 47</div></div>
</div></div></footer>
</div></div>
"""
            + PAGE_END
        )

    def breadcrumb(self, crumbs: list[tuple[str, str]]) -> str:
        """``crumbs``: (href, label) from the home page down (rendered by JS from the hidden list)."""
        parts = crumb_items(crumbs, "", '<i class="hidden" itemprop="position" content="{}"></i>')
        return (
            '<div class="breadcrumbs-wrap"><div class="display"><ul class="breadcrumbs list-none">'
            '</ul></div><ul class="temp-breadcrumbs hidden" itemscope '
            'itemtype="https://schema.org/BreadcrumbList">' + parts + "</ul></div>\n"
        )

    # -- lists -----------------------------------------------------------------------------
    def list_entry(self, site, item, href: str, featured: bool) -> str:
        title = esc(item.served_title)
        tag = "h2" if featured else "h3"
        cls = "panel-body featured" if featured else "panel-body"
        img = ""
        if featured or item.seq % 3 == 0:
            img = (
                f'<a href="{href}" title="{title}"><img alt="{title}" src="{site.image(item)}" '
                f'width="183" class="img-thumbnail pull-left imghome"></a>\n'
            )
        new = '<span class="icon_new"></span>' if item.seq % 7 == 0 else ""
        return f"""<div class="panel panel-default">
<div class="{cls}">
{img}<{tag}><a href="{href}" title="{title}">{title}</a>{new}</{tag}>
<div class="text-muted">
<ul class="list-unstyled list-inline">
<li><em class="fa fa-clock-o">&nbsp;</em> {site.list_time(item.published)}</li>
<li><em class="fa fa-eye">&nbsp;</em> Đã xem: {item.views}</li>
</ul>
</div>
{esc(item.sapo)}
</div>
</div>
"""

    def list_body(self, site, entries: list[tuple], pager: str) -> str:
        """``entries``: (item, href, featured) of one page."""
        body = ['<div class="news_column">']
        body += [self.list_entry(site, item, href, featured) for item, href, featured in entries]
        body += ["</div>", pager]
        return "\n".join(body)

    def pager(self, site, href, title: str, page: int, last: int) -> str:
        """``href(n)`` is the URL of page n (page 1 is the bare category URL)."""
        if last <= 1:
            return ""

        def link(n: int, label: str, rel: str = "") -> str:
            rel_attr = f' rel="{rel}"' if rel else ""
            return (
                f'<li class="page-item"><a class="page-link"{rel_attr} '
                f'title="{esc(title)} - Trang {n}" href="{href(n)}">{label}</a></li>'
            )

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
                out.append('<li class="page-item disabled"><a class="page-link" href="javascript:void(0)">...</a></li>')
            if n == page:
                close = "<li>" if last <= 7 else "</li>"  # NukeViet's nv_alias_page bug
                out.append(
                    f'<li class="page-item active"><a class="page-link" href="javascript:void(0)">{n}</a>{close}'
                )
            else:
                out.append(link(n, str(n)))
            previous = n
        if page < last:
            out.append(link(page + 1, "&raquo;", "next"))
        out.append("</ul></div>")
        return "\n".join(out)

    # -- article ---------------------------------------------------------------------------
    def article_meta(self, a: NvArticle) -> tuple[str, bool]:
        """Extra ``<head>`` lines and whether the OpenGraph block is written."""
        pub = a.item.published
        return (
            f'<meta property="article:published_time" content="{pub:%Y-%m-%d}+07'
            f'{pub:%H:%M:%S}">\n<meta property="article:section" content="{esc(a.section)}">\n'
            + "".join(f'<meta property="article:tag" content="{esc(tag)}">\n' for _, tag in a.tags)
        ), True

    def tools(self, a: NvArticle) -> str:
        lis = "\n".join(
            f'<li><a class="dimgray" rel="nofollow" title="{label}" href="{a.tools[op]}"><em class="fa {icon} fa-lg">&nbsp;</em></a></li>'
            for op, label, icon in TOOL_LABELS
        )
        return f'<ul class="list-inline text-right">\n{lis}\n</ul>'

    def byline(self, a: NvArticle) -> str:
        out = f'<p class="{self.byline_class}"><strong>Tác giả: </strong>{esc(a.author)}</p>'
        if a.credit:
            out += f'\n<p class="{self.byline_class}"><strong>Nguồn tin: </strong>{esc(a.credit)}</p>'
        return out

    def figure(self, a: NvArticle) -> str:
        if a.figure is None:
            return ""
        src, cap = a.figure
        return (
            f'<figure class="article left pointer"><div itemprop="image" itemscope '
            f'itemtype="https://schema.org/ImageObject"><img alt="{esc(a.title)}" '
            f'src="{src}" width="460" class="img-thumbnail"></div>'
            f"<figcaption>{esc(cap)}</figcaption></figure>\n"
        )

    def other_news(self, a: NvArticle) -> str:
        """The "Những tin mới hơn" / "Những tin cũ hơn" lists (a group is left out when empty)."""
        groups = [
            self.news_group(label, its)
            for label, its in (("Những tin mới hơn", a.newer), ("Những tin cũ hơn", a.older))
            if its
        ]
        return self.other_news_wrap[0] + "".join(groups) + self.other_news_wrap[1]

    def news_group(self, label: str, its: list) -> str:
        lis = "".join(
            f'<li><em class="fa fa-angle-right">&nbsp;</em><h4><a href="{it.path}" '
            f'title="{esc(it.served_title)}">{esc(it.served_title)}</a></h4> '
            f"<em>({it.published:%d/%m/%Y})</em></li>"
            for it in its
        )
        return (
            f'<p class="h3"><strong>{label}</strong></p>\n<div class="clearfix">'
            f'<ul class="detail-related related display-table">{lis}</ul></div>\n'
        )

    def article(self, site, a: NvArticle) -> str:
        item = a.item
        t = esc(a.title)
        tags = ", ".join(f'<a title="{esc(tag)}" href="{esc(href)}"><em>{esc(tag)}</em></a>' for href, tag in a.tags)
        return f"""<div class="news_column panel panel-default newsdetail" itemtype="http://schema.org/NewsArticle" itemscope>
<div class="panel-body">
<h1 class="title margin-bottom-lg" itemprop="headline">{t}</h1>
<div class="hidden hide d-none" itemprop="author" itemtype="http://schema.org/Person" itemscope><span itemprop="name">{esc(a.author)}</span></div>
<span class="hidden hide d-none" itemprop="datePublished">{a.edited_iso}</span>
<span class="hidden hide d-none" itemprop="dateModified">{a.edited_iso}</span>
<span class="hidden hide d-none" itemprop="mainEntityOfPage">{B}{item.path}</span>
<div class="row margin-bottom-lg">
<div class="col-md-12"><span class="h5">{a.date_line}</span></div>
<div class="col-md-12">{self.tools(a)}</div>
</div>
<div class="clearfix">
{self.figure(a)}<div class="hometext m-bottom" itemprop="description">{esc(a.sapo)}</div>
</div>
<div id="news-bodyhtml" class="bodytext margin-bottom-lg">
{a.body}
</div>
<div class="margin-bottom-lg">
{self.byline(a)}
</div>
</div>
</div>
<div class="news_column panel panel-default"><div class="panel-body">
<div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>Tags: </strong>{tags}</div>
</div></div>
<div class="news_column panel panel-default"><div class="panel-body">
<form id="form3B" action="{a.rating_action}" method="post"><div class="h5 clearfix">
<p id="stringrating">Tổng số điểm của bài viết là: {item.views % 50} trong {item.views % 11} đánh giá</p>
<div class="star-rating"><input type="radio" name="star" value="1"><input type="radio" name="star" value="5"></div>
<span class="help-block">Click để đánh giá bài viết</span></div></form>
<div class="fb-like" data-href="{B}{item.path}" data-layout="button_count" data-action="like" data-show-faces="false" data-share="true"></div>
<div class="zalo-share-button" data-href="{B}{item.path}" data-oaid="579745863508352884" data-layout="1" data-color="blue" data-customize="false"></div>
</div></div>
{self.other_news(a)}"""
