# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""Báo Đồng Nai, ``default`` theme: the layout docs/replica-contract.md defines."""

from __future__ import annotations

from portal_replica.themes.base import BdnArticle, esc, media_element

SITE_NAME = "Báo Đồng Nai điện tử"
HOTLINE = "Hotline: 0915.73.44.73 Quảng cáo: 0913.199.088"


class BdnTheme:
    """The default markup; the other themes override every method that writes a class name."""

    name = "default"
    stylesheet = "/assets/css/main.css"

    # -- page frame ------------------------------------------------------------------------
    def chrome_open(self, sections) -> str:
        menu = "".join(f'<a href="/{s.path}">{esc(s.name)}</a>' for s in sections)
        return f"""<header class="site-header"><div class="masthead">{SITE_NAME}</div>
  <div class="hotline">{HOTLINE}</div><a href="/english">En</a></header>
<nav class="main-menu">{menu}</nav>
<main class="site-main">
"""

    def chrome_close(self) -> str:
        return """</main>
<footer class="site-footer"><p>Báo Đồng Nai điện tử. Giấy phép số 27/GP-BTTTT.</p>
<p>Tổng biên tập: Bùi Thanh Phong. Địa chỉ: 81 Đường 30 tháng 4, phường Thanh Bình, Đồng Nai.</p></footer>
</body>
</html>
"""

    # -- article ---------------------------------------------------------------------------
    def article_meta(self, a: BdnArticle, base: str) -> tuple[str, bool]:
        """Extra ``<head>`` lines of an article and whether the OpenGraph block is written."""
        extra = f'<meta property="og:image" content="{base}{a.image}">\n'
        if a.ld is not None:
            extra += f'<script type="application/ld+json">{a.ld}</script>\n'
        return extra, True

    def caption_table(self, src: str, cell: str) -> str:
        """A photo and its caption (``cell`` is HTML) in a one-cell-per-row table."""
        return (
            f'<table class="image-caption"><tr><td><img src="{src}" alt=""></td></tr>\n<tr><td>{cell}</td></tr></table>'
        )

    def byline(self, text: str) -> str:
        return f'<p class="article-byline">{esc(text)}</p>'

    def media(self, a: BdnArticle) -> str:
        if a.media is None:
            return ""
        kind, src = a.media
        cls = "article-audio" if kind == "audio" else "article-video"
        return f'<div class="{cls}">{media_element(kind, src)}</div>\n'

    def crumbs(self, a: BdnArticle) -> str:
        return "".join(
            f'<a href="{href}">{esc(label)}</a>' if href else f"<span>{esc(label)}</span>" for href, label in a.crumbs
        )

    def article(self, site, a: BdnArticle) -> str:
        tags = ""
        if a.tags is not None:
            links = "".join(f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in a.tags)
            tags = f'  <div class="article-tags">{links}</div>\n'
        comments = ""
        if a.comments:
            comments = '<section class="reader-comments"><h3>Thông tin bạn đọc</h3><form class="comment-form"><textarea name="content"></textarea><input name="name"><input name="email"><button type="button">Đóng</button><button type="submit">Lưu thông tin</button></form></section>\n'
        rel = "\n".join(self.teaser(site, it) for it in a.related)
        return f"""<nav class="breadcrumb">{self.crumbs(a)}</nav>
<article class="article-detail">
  <h1 class="article-title">{esc(a.title)}</h1>
  <div class="article-meta"><span class="article-author">{esc(a.author)}</span>
    <span class="article-time">{a.time}</span></div>
  <div class="article-sapo">{esc(a.sapo)}</div>
  {self.media(a)}<div class="article-body">
{a.body}
</div>
{tags}</article>
{comments}<section class="related-news"><h2 class="related-title">{esc(a.related_label)}</h2>
{rel}
</section>
"""

    # -- lists -----------------------------------------------------------------------------
    def teaser(self, site, item) -> str:
        title = esc(item.served_title)
        return (
            f'<article class="story"><a class="story-thumb" href="{item.path}">'
            f'<img src="{site.image(item)}" alt=""></a>\n'
            f'<h3 class="story-title"><a href="{item.path}" title="{title}">'
            f"{title}</a></h3>\n"
            f'<span class="story-time">{site.time_text(item.published)}</span>\n'
            f'<p class="story-sapo">{esc(item.sapo)}</p></article>'
        )

    def section_list(self, site, name: str, items: list, pager: str) -> str:
        return (
            f'<h1 class="section-title">{esc(name)}</h1>\n<div class="list-news">\n'
            + "\n".join(self.teaser(site, it) for it in items)
            + "\n</div>\n"
            + pager
        )

    def pager(self, href, page: int, last: int) -> str:
        """``href(n)`` is the URL of page n; page 0 is the empty page past the last one."""
        if not page or last <= 1:
            return ""
        links = []
        if page > 1:
            links.append(f'<a class="prev" href="{href(page - 1)}">Trang trước</a>')
        links.append(f'<span class="current">{page}</span>')
        if page < last:
            links.append(f'<a class="next" href="{href(page + 1)}">Trang sau</a>')
        return f'<nav class="pager">{"".join(links)}</nav>\n'

    def home(self, site, items: list) -> str:
        return '<div class="list-news home-news">\n' + "\n".join(self.teaser(site, it) for it in items) + "\n</div>\n"
