# ruff: noqa: E501 - HTML templates are kept as literal markup, one element a line
"""Báo Đồng Nai, ``bare`` theme: an older in-house CMS. No JSON-LD; odd ids carry OpenGraph
metadata (no ``article:published_time``), even ids none at all; the ad, the share bar, the related
links (short titles, dates) and the reader comments (form and thread) sit inside the article
container. List pages: only ``<a rel="next">`` ("Xem thêm") leads to the next page."""

from __future__ import annotations

from portal_replica.common import BASE_TOKEN_STR, iso_local
from portal_replica.themes.base import (
    BdnArticle,
    ad_banner,
    esc,
    media_element,
    og_only,
    reader_comments,
    short_title,
)
from portal_replica.themes.bdn_default import HOTLINE, SITE_NAME, BdnTheme

B = BASE_TOKEN_STR


class BdnBare(BdnTheme):
    name = "bare"
    stylesheet = "/css/style.css?ver=3.2"

    def chrome_open(self, sections) -> str:
        menu = " | ".join(f'<a href="/{s.path}">{esc(s.name)}</a>' for s in sections)
        return f"""<div id="wrapper"><div id="top"><div class="logo-txt"><a href="/">{SITE_NAME}</a></div>
<div class="top-r">{HOTLINE} <a href="/english">En</a></div></div>
<div id="mnu"><div class="mnu-in">{menu}</div></div>
<div id="ctn"><div class="ctn-in">
"""

    def chrome_close(self) -> str:
        return """</div></div>
<div id="ft"><div class="ft-in">Báo Đồng Nai điện tử. Giấy phép số 27/GP-BTTTT.<br>
Tổng biên tập: Bùi Thanh Phong. Địa chỉ: 81 Đường 30 tháng 4, phường Thanh Bình, Đồng Nai.</div></div>
</div>
</body>
</html>
"""

    def article_meta(self, a: BdnArticle, base: str) -> tuple[str, bool]:
        if not og_only(a.item.native_id):
            return "", False
        edited = getattr(a.item, "edited", None) or a.item.published
        return (
            f'<meta property="og:image" content="{base}{a.image}">\n'
            f'<meta property="article:section" content="{esc(a.section)}">\n'
            f'<meta property="article:author" content="{esc(a.author)}">\n'
            f'<meta property="article:modified_time" content="{iso_local(edited)}">\n'
        ), True

    def caption_table(self, src: str, cell: str) -> str:
        return (
            f'<table class="khung-anh" width="100%" cellpadding="3"><tr><td><img src="{src}" '
            f'alt=""></td></tr>\n<tr><td>{cell}</td></tr></table>'
        )

    def byline(self, text: str) -> str:
        return f'<p style="text-align:right">{esc(text)}</p>'

    def media(self, a: BdnArticle) -> str:
        return "" if a.media is None else f'<div class="ct-bv-mm">{media_element(*a.media)}</div>\n'

    def noise(self, site, a: BdnArticle) -> str:
        """Share bar, related links and reader comments: the end of the article container."""
        url = f"{B}{a.item.path}"
        out = [
            f'<div class="chia-se"><span>Chia sẻ:</span><a class="cs-fb" href="https://www.facebook.com/sharer/sharer.php?u={url}" target="_blank">Facebook</a><a class="cs-zl" href="https://zalo.me/share?url={url}" target="_blank">Zalo</a><a class="cs-in" href="javascript:window.print()">In bài</a><a class="cs-lk" href="javascript:void(0)" data-copy="{url}">Sao chép liên kết</a></div>'
        ]
        if a.related:
            links = "".join(
                f'<li><a href="{it.path}" title="{esc(it.served_title)}">{esc(short_title(it.served_title))}</a> '
                f'<span class="tin-lq-ng">{site.time_text(it.published)}</span></li>'
                for it in a.related
            )
            out.append(f'<div class="tin-lq"><div class="tin-lq-td">{esc(a.related_label)}</div><ul>{links}</ul></div>')
        if a.comments:
            thread = "".join(
                f'<div class="bd-yk"><div class="bd-yk-ten">{esc(name)}</div><div class="bd-yk-tg">{site.time_text(when)}</div><div class="bd-yk-nd">{esc(text)}</div></div>'
                for name, when, text in reader_comments(a.item.native_id, a.item.published)
            )
            out.append(
                f'<div class="bd-ykien"><div class="bd-ykien-td">Thông tin bạn đọc</div><form class="bd-form" action="/comment/post" method="post"><textarea name="content" placeholder="Nội dung"></textarea><input name="name" placeholder="Họ tên"><input name="email" placeholder="Email"><button type="button">Đóng</button><button type="submit">Lưu thông tin</button></form><div class="bd-ds">{thread}</div></div>'
            )
        return "\n".join(out) + "\n"

    def article(self, site, a: BdnArticle) -> str:
        crumbs = " » ".join(f'<a href="{href}">{esc(label)}</a>' if href else esc(label) for href, label in a.crumbs)
        tags = ""
        if a.tags is not None:
            links = ", ".join(f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in a.tags)
            tags = f'<div class="ct-bv-tk"><span>Từ khóa:</span> {links}</div>\n'
        ad_img, ad_href = ad_banner(a.item.native_id)
        return f"""<div class="dd">{crumbs}</div>
<div class="cot-trai"><div class="ct-bv" data-id="{a.item.native_id}">
<h1 class="ct-bv-td">{esc(a.title)}</h1>
<div class="ct-bv-tt"><b>{esc(a.author)}</b> - <span class="ct-bv-ng">{a.time}</span></div>
<div class="ct-bv-mt"><b>{esc(a.sapo)}</b></div>
<div class="qc-bv"><a href="{ad_href}" target="_blank" rel="nofollow sponsored"><img src="{ad_img}" alt="Quảng cáo"></a><div class="qc-lbl">Quảng cáo</div></div>
{self.media(a)}<div class="ct-bv-nd">
{a.body}
</div>
{tags}{self.noise(site, a)}</div></div>
"""

    def teaser(self, site, item) -> str:
        title = esc(item.served_title)
        return (
            f'<li class="tin-dong"><a class="tin-dong-a" href="{item.path}"><img src="{site.image(item)}" alt=""></a>\n'
            f'<h3><a href="{item.path}" title="{title}">{title}</a></h3>\n'
            f'<p class="tin-dong-tg">{site.time_text(item.published)}</p>\n'
            f'<p class="tin-dong-mt">{esc(item.sapo)}</p></li>'
        )

    def section_list(self, site, name: str, items: list, pager: str) -> str:
        return (
            f'<div class="cm-td"><h1>{esc(name)}</h1></div>\n<div class="ds-tin"><ul class="ds-tin-ul">\n'
            + "\n".join(self.teaser(site, it) for it in items)
            + "\n</ul></div>\n"
            + pager
        )

    def pager(self, href, page: int, last: int) -> str:
        if not page or page >= last:
            return ""
        return f'<div class="xem-them"><a rel="next" href="{href(page + 1)}">Xem thêm</a></div>\n'

    def home(self, site, items: list) -> str:
        return (
            '<div class="ds-tin ds-tin-home"><ul class="ds-tin-ul">\n'
            + "\n".join(self.teaser(site, it) for it in items)
            + "\n</ul></div>\n"
        )
