"""The layout-independent body finder (portal_etl.adapters.content) on hand-written pages whose
class names nobody would guess: it must return exactly the article's paragraphs."""

from __future__ import annotations

import lxml.html

from portal_etl.adapters.content import ContentMatch, caption_elements, find_main_content, main_text
from portal_etl.adapters.html import block_texts

PARAGRAPHS = [
    "Sáng 12/3, Ủy ban nhân dân tỉnh Đồng Nai tổ chức hội nghị tổng kết công tác cải cách hành chính "
    "năm 2024 và triển khai nhiệm vụ trọng tâm năm 2025.",
    "Theo báo cáo, trong năm qua toàn tỉnh đã giải quyết đúng hạn hơn 98% hồ sơ thủ tục hành chính, "
    "tăng 3% so với cùng kỳ; nhiều địa phương đã số hóa toàn bộ hồ sơ.",
    "Phát biểu chỉ đạo, Phó Chủ tịch UBND tỉnh đề nghị các sở, ngành tiếp tục rà soát, cắt giảm thủ tục "
    "không cần thiết, nâng cao chất lượng phục vụ người dân và doanh nghiệp.",
    "Dịp này, UBND tỉnh đã trao bằng khen cho 15 tập thể và 20 cá nhân có thành tích xuất sắc trong "
    "công tác cải cách hành chính.",
]
CAPTION = "Quang cảnh hội nghị. Ảnh: Minh Anh"


def _nest(inner: str, depth: int) -> str:
    for level in range(depth):
        inner = f'<div class="zq{level}x">{inner}</div>'
    return inner


def _page(body: str) -> str:
    menu = "".join(f'<li><a href="/muc-{i}">Chuyên mục số {i}</a></li>' for i in range(12))
    most_read = "".join(
        f'<li><a href="/tin-{i}.html">Tin nổi bật số {i} về kinh tế xã hội của tỉnh trong tuần qua</a></li>'
        for i in range(8)
    )
    return f"""<!DOCTYPE html><html><head><title>Tổng kết cải cách hành chính năm 2024 - Báo Tỉnh</title>
<meta property="og:title" content="Tổng kết cải cách hành chính năm 2024"></head>
<body><div class="kx-top"><ul class="mm-7">{menu}</ul></div>
<div class="pl-wrap"><div class="pl-a">{_nest(body, 6)}</div>
<div class="pl-b"><h3 class="t9">Tin xem nhiều</h3><ul class="q1">{most_read}</ul></div></div>
<div class="kx-bottom"><p>Cơ quan chủ quản: Tỉnh ủy. Giấy phép số 123/GP-BTTTT. Địa chỉ: 1 đường Lê Lợi, thành phố.</p>
<p>Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></div></body></html>"""


ARTICLE = f"""
<h1 class="hh-1">Tổng kết cải cách hành chính năm 2024</h1>
<div class="dd-line">Thứ tư, 12/03/2025 09:15</div>
<div class="sx-row"><a href="https://facebook.com/share">Facebook</a> <a href="https://zalo.me/share">Zalo</a>
<a href="/in-bai">In bài</a></div>
<div class="bd-77">
  <p><strong>{PARAGRAPHS[0]}</strong></p>
  <table class="w-3" align="center"><tr><td><img src="/anh/hoi-nghi.jpg"></td></tr>
    <tr><td>{CAPTION}</td></tr></table>
  <p>{PARAGRAPHS[1]}</p>
  <div class="g8k"><div class="g8k-in"><span>Quảng cáo</span><a href="https://ads.example/x"><img src="/b.gif"></a>
  </div></div>
  <p>{PARAGRAPHS[2]}</p>
  <div class="ax-5"><h4>Tin liên quan</h4><ul>
    <li><a href="/a.html">Đồng Nai đẩy mạnh chuyển đổi số trong giải quyết thủ tục hành chính</a></li>
    <li><a href="/b.html">Người dân hài lòng với dịch vụ công trực tuyến mức độ 4</a></li>
    <li><a href="/c.html">Cải cách hành chính: nhìn từ bộ phận một cửa cấp xã</a></li></ul></div>
  <p>{PARAGRAPHS[3]}</p>
</div>
<div class="fb-x9"><h3>Ý kiến bạn đọc</h3>
  <form action="/gui-y-kien" method="post"><input name="ten" placeholder="Họ tên">
  <textarea name="noi_dung">Nội dung ý kiến</textarea><button>Gửi ý kiến</button></form>
  <div class="cm-1"><p>Bài viết rất hay, mong tỉnh tiếp tục cải cách mạnh mẽ hơn nữa trong năm tới.</p></div>
</div>
"""


def test_finds_exactly_the_body_paragraphs() -> None:
    doc = lxml.html.document_fromstring(_page(ARTICLE))
    assert main_text(doc) == "\n\n".join(PARAGRAPHS)


def test_match_is_pruned_in_place_and_keeps_the_caption_for_images() -> None:
    doc = lxml.html.document_fromstring(_page(ARTICLE))
    match = find_main_content(doc)
    assert isinstance(match, ContentMatch)
    assert match.method == "density" and 0.0 < match.confidence <= 1.0
    texts = block_texts(match.element)
    assert [t for t in texts if t != CAPTION] == PARAGRAPHS  # furniture gone, only the caption is extra
    assert block_texts(match.element, caption_elements(match.element)) == PARAGRAPHS
    assert match.element.xpath(".//img[@src='/anh/hoi-nghi.jpg']")  # the photo stays for the adapter
    assert not match.element.xpath(".//form | .//h1 | .//*[@href='/a.html']")


def test_body_as_divs_and_br_text() -> None:
    body = (
        f'<h1>Tổng kết cải cách hành chính năm 2024</h1><div class="n0">'
        f"<div>{PARAGRAPHS[0]}</div><div>{PARAGRAPHS[1]}</div>"
        f'<div class="r-z">{PARAGRAPHS[2]}<br><br>{PARAGRAPHS[3]}</div>'
        f'<div><a href="/x.html">Xem thêm</a></div></div>'
    )
    doc = lxml.html.document_fromstring(_page(body))
    assert main_text(doc) == "\n\n".join(PARAGRAPHS)


def test_figure_caption_and_trailing_byline() -> None:
    body = (
        f'<article class="u"><p>{PARAGRAPHS[0]}</p><figure><img src="/1.jpg"><figcaption>{CAPTION}'
        f"</figcaption></figure><p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p>"
        f'<p style="text-align:right"><strong>Minh Anh</strong></p></article>'
    )
    doc = lxml.html.document_fromstring(_page(body))
    assert main_text(doc) == "\n\n".join([*PARAGRAPHS[:3], "Minh Anh"])  # a byline may stay


def test_no_prose_no_match() -> None:
    links = "".join(f'<li><a href="/{i}">Tin số {i}</a></li>' for i in range(30))
    doc = lxml.html.document_fromstring(f"<html><body><ul>{links}</ul></body></html>")
    assert find_main_content(doc) is None
    assert main_text(doc) == ""
