"""What every theme shares: escaping, the article views the renderers fill in, the media
elements, and the page noise of the ``bare`` theme (ads, reader comments, short titles)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def media_element(kind: str, src: str) -> str:
    """The player of a video (``youtube`` iframe or ``mp4``) or podcast (``audio``)."""
    if kind == "youtube":
        return f'<iframe width="640" height="360" src="{src}" frameborder="0" allowfullscreen></iframe>'
    if kind == "mp4":
        return f'<video src="{src}" controls></video>'
    return f'<audio src="{src}" controls></audio>'


@dataclass
class BdnArticle:
    """A Báo Đồng Nai article page, its texts ready to escape and its body already rendered."""

    item: object  # generator.Item or english.EnglishItem (native_id, path, published)
    title: str
    author: str
    time: str  # "HH:MM, dd/mm/YYYY"
    sapo: str
    crumbs: list[tuple[str | None, str]]  # (href or None for a plain label, label)
    body: str
    related: list
    related_label: str
    image: str  # lead image path (og:image)
    section: str  # section name
    media: tuple[str, str] | None = None  # (kind, src) for media_element
    tags: list[tuple[str, str]] | None = None  # (href, label); None: no tags block
    comments: bool = True  # the reader-comment form
    ld: str | None = None  # JSON-LD text


@dataclass
class NvArticle:
    """A NukeViet detail page; ``body`` is the editor's HTML (identical in every theme)."""

    item: object
    title: str
    author: str
    credit: str | None
    date_line: str  # "Thứ ba - 28/05/2024 20:13"
    edited_iso: str
    sapo: str
    body: str
    section: str  # category title
    tags: list[tuple[str, str]]  # (href, label)
    figure: tuple[str, str] | None  # (image src, caption) of the lead picture
    tools: dict[str, str]  # sendmail/print/savefile → href
    newer: list = field(default_factory=list)
    older: list = field(default_factory=list)
    rating_action: str = ""


# ---------------------------------------------------------------------------------------------
# page noise of the bare theme, deterministic per item

READERS = (
    "Nguyễn Văn Hùng",
    "Trần Thị Mai",
    "Lê Hoàng Phúc",
    "Phạm Minh Tuấn",
    "Võ Thị Thu Hà",
    "Đặng Quốc Bảo",
    "Hồ Ngọc Lan",
    "Bùi Đức Thắng",
)
COMMENTS = (
    "Bài viết rất hay và bổ ích, cảm ơn phóng viên đã thông tin kịp thời đến bạn đọc.",
    "Mong các cơ quan chức năng sớm có giải pháp cụ thể để người dân được hưởng lợi.",
    "Tôi ở phường Tân Phong, thấy thông tin này rất thiết thực với bà con trong khu phố.",
    "Đề nghị báo tiếp tục theo dõi và phản ánh thêm về vấn đề này trong thời gian tới.",
    "Rất đồng tình, hy vọng tỉnh nhà ngày càng phát triển hơn nữa.",
    "Cho tôi hỏi thủ tục đăng ký thực hiện ở đâu và cần những giấy tờ gì?",
)
ADS = (
    ("/ads/2024/banner-vietcombank-dong-nai.jpg", "https://www.vietcombank.com.vn/"),
    ("/ads/2024/banner-sonadezi-khu-cong-nghiep.jpg", "https://sonadezi.com.vn/"),
    ("/ads/2024/banner-amata-city-bien-hoa.jpg", "https://www.amata.com/"),
)


def item_number(native_id: str) -> int:
    """A number of a native id (7 decimal or hex digits on the newspaper, decimal on NukeViet)."""
    try:
        return int(native_id, 16)
    except ValueError:
        return sum(map(ord, native_id))


def og_only(native_id: str) -> bool:
    """bare theme: odd ids carry their metadata in OpenGraph, even ids only in the visible page."""
    return item_number(native_id) % 2 == 1


def short_title(title: str, words: int = 7) -> str:
    parts = title.split()
    return title if len(parts) <= words else " ".join(parts[:words]) + "..."


def reader_comments(native_id: str, published: datetime) -> list[tuple[str, datetime, str]]:
    """0–3 (name, time, text) comments, all posted after the article."""
    n = item_number(native_id)
    out = []
    for k in range(n % 4):
        when = published + timedelta(hours=2 + 5 * k, minutes=(n >> k) % 60)
        out.append((READERS[(n + 3 * k) % len(READERS)], when, COMMENTS[(n // 7 + k) % len(COMMENTS)]))
    return out


def ad_banner(native_id: str) -> tuple[str, str]:
    return ADS[item_number(native_id) % len(ADS)]


def page_numbers(page: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers a number-only pager shows: 1, last and ``around`` either side of ``page``;
    ``None`` stands for a gap."""
    shown = sorted({1, last, *range(max(1, page - around), min(last, page + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def number_pager(href, page: int, last: int, cls: str, gap: str) -> str:
    """A number-only pager: ``<a class="{cls}__num">`` links, the current page a
    ``<span class="{cls}__num {cls}__num--on">``, gaps ``<span class="{cls}__gap">``; nothing
    says which link is the next page."""
    out = []
    for n in page_numbers(page, last):
        if n is None:
            out.append(f'<span class="{cls}__gap">{gap}</span>')
        elif n == page:
            out.append(f'<span class="{cls}__num {cls}__num--on">{n}</span>')
        else:
            out.append(f'<a class="{cls}__num" href="{href(n)}">{n}</a>')
    return f'<div class="{cls}"><div class="{cls}__in">{"".join(out)}</div></div>\n'
