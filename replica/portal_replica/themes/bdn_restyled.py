# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""Báo Đồng Nai, ``restyled`` theme: a component (BEM) theme of a newer CMS. Every class and id
differs from ``default``, wrappers are nested deeper, no semantic sectioning tags; JSON-LD and
the visible date format stay. List pages: number-only pager (no ``rel``, no "next" link)."""

from __future__ import annotations

from portal_replica.themes.base import BdnArticle, esc, media_element, number_pager
from portal_replica.themes.bdn_default import HOTLINE, SITE_NAME, BdnTheme


class BdnRestyled(BdnTheme):
    name = "restyled"
    stylesheet = "/static/v2/css/app.min.css?v=20240115"

    def chrome_open(self, sections) -> str:
        menu = "".join(f'<li class="mn-i"><a class="mn-a" href="/{s.path}">{esc(s.name)}</a></li>' for s in sections)
        return f"""<div id="pz-app" class="pz-app"><div class="pz-top"><div class="pz-top__in">
<div class="pz-brand"><a class="pz-brand__lnk" href="/">{SITE_NAME}</a></div>
<div class="pz-contact"><span class="pz-contact__txt">{HOTLINE}</span><a class="pz-lang" href="/english">En</a></div>
</div></div>
<div class="pz-menubar"><div class="pz-menubar__in"><ul class="mn-l">{menu}</ul></div></div>
<div id="pz-content" class="pz-content"><div class="pz-content__in">
"""

    def chrome_close(self) -> str:
        return """</div></div>
<div class="pz-bottom"><div class="pz-bottom__in"><div class="pz-bottom__txt">Báo Đồng Nai điện tử. Giấy phép số 27/GP-BTTTT.</div>
<div class="pz-bottom__txt">Tổng biên tập: Bùi Thanh Phong. Địa chỉ: 81 Đường 30 tháng 4, phường Thanh Bình, Đồng Nai.</div></div></div>
</div>
</body>
</html>
"""

    def caption_table(self, src: str, cell: str) -> str:
        return (
            f'<table class="pz-pic" align="center"><tr><td class="pz-pic__img"><img src="{src}" '
            f'alt=""></td></tr>\n<tr><td class="pz-pic__cap">{cell}</td></tr></table>'
        )

    def byline(self, text: str) -> str:
        return f'<p class="pz-sign">{esc(text)}</p>'

    def media(self, a: BdnArticle) -> str:
        if a.media is None:
            return ""
        return f'<div class="pz-player"><div class="pz-player__in">{media_element(*a.media)}</div></div>\n'

    def crumbs(self, a: BdnArticle) -> str:
        return "".join(
            f'<a class="pz-crumb__a" href="{href}">{esc(label)}</a>'
            if href
            else f'<span class="pz-crumb__cur">{esc(label)}</span>'
            for href, label in a.crumbs
        )

    def article(self, site, a: BdnArticle) -> str:
        tags = ""
        if a.tags is not None:
            links = "".join(f'<a class="pz-kw__a" href="{esc(href)}">{esc(label)}</a>' for href, label in a.tags)
            tags = f'<div class="pz-kw"><div class="pz-kw__lbl">Từ khóa:</div><div class="pz-kw__list">{links}</div></div>\n'
        comments = ""
        if a.comments:
            comments = '<div class="pz-fb"><div class="pz-fb__hd">Thông tin bạn đọc</div><form class="pz-fb__form"><textarea name="content"></textarea><input name="name"><input name="email"><button type="button">Đóng</button><button type="submit">Lưu thông tin</button></form></div>\n'
        rel = "\n".join(self.teaser(site, it) for it in a.related)
        return f"""<div class="pz-crumb"><div class="pz-crumb__in">{self.crumbs(a)}</div></div>
<div class="pz-row"><div class="pz-col-main"><div class="pz-col-main__in">
<div class="pz-post" id="pz-post-{a.item.native_id}"><div class="pz-post__wrap">
<div class="pz-post__hd">
<h1 class="pz-post__headline">{esc(a.title)}</h1>
<div class="pz-post__info"><div class="pz-post__info-l"><div class="pz-post__who">{esc(a.author)}</div></div>
<div class="pz-post__info-r"><div class="pz-post__when"><i class="ic ic-clock"></i>{a.time}</div></div></div>
</div>
<div class="pz-post__lead"><div class="pz-post__lead-in">{esc(a.sapo)}</div></div>
{self.media(a)}<div class="pz-post__ctn"><div class="pz-post__ctn-in"><div id="pz-txt" class="pz-txt">
{a.body}
</div></div></div>
{tags}</div></div>
{comments}</div></div>
<div class="pz-col-side"><div class="pz-box"><div class="pz-box__hd">{esc(a.related_label)}</div><div class="pz-box__bd">
{rel}
</div></div></div>
</div>
"""

    def teaser(self, site, item) -> str:
        title = esc(item.served_title)
        return f"""<div class="pz-card"><div class="pz-card__in">
<div class="pz-card__thumb"><a href="{item.path}"><img src="{site.image(item)}" alt="{title}"></a></div>
<div class="pz-card__txt"><h2 class="pz-card__headline"><a href="{item.path}" title="{title}">{title}</a></h2>
<div class="pz-card__when">{site.time_text(item.published)}</div>
<div class="pz-card__lead">{esc(item.sapo)}</div></div>
</div></div>"""

    def section_list(self, site, name: str, items: list, pager: str) -> str:
        cards = "\n".join(self.teaser(site, it) for it in items)
        return f"""<div class="pz-cate"><div class="pz-cate__hd"><h1 class="pz-cate__name">{esc(name)}</h1></div>
<div class="pz-cate__bd"><div class="pz-cate__list">
{cards}
</div></div>
{pager}</div>
"""

    def pager(self, href, page: int, last: int) -> str:
        return number_pager(href, page, last, "pz-paging", "…") if page and last > 1 else ""

    def home(self, site, items: list) -> str:
        cards = "\n".join(self.teaser(site, it) for it in items)
        return f'<div class="pz-home"><div class="pz-home__list">\n{cards}\n</div></div>\n'
