"""Look-alike families for the heavy-edit scenario: recurring templated items that are
different stories although their texts differ only in dates, numbers and names.

Why: merging two of them silently removes a story from the month's count. Each family is one
template filled per month, day or district; some members are republished on another channel
(true pairs of the family), and members of one family published within the dedup window on
different channels are the true non-pairs the manifest records.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from portal_replica import textgen
from portal_replica.textgen import Content

FAMILIES = ("reception_notice", "audio_news", "infographic_today", "weather", "district_meeting")
DAILY = ("audio_news", "infographic_today", "weather")  # one member a day, published 5–8 h

_BODIES = (
    "Chủ tịch UBND tỉnh",
    "Bí thư Tỉnh ủy",
    "Chủ tịch UBND huyện Xuân Lộc",
    "Chủ tịch UBND huyện Trảng Bom",
    "Chủ tịch UBND huyện Long Thành",
)
_HEADLINES = (
    "Đồng Nai đẩy nhanh tiến độ giải ngân vốn đầu tư công",
    "Cảng hàng không quốc tế Long Thành tăng tốc thi công nhà ga hành khách",
    "Nhiều địa phương ra quân dọn dẹp vệ sinh môi trường",
    "Tỉnh tổ chức gặp mặt doanh nghiệp đầu tư nước ngoài",
    "Giá sầu riêng tăng mạnh, nông dân Định Quán phấn khởi",
    "Ngành y tế khuyến cáo phòng chống sốt xuất huyết mùa mưa",
    "Khởi công xây dựng đường kết nối khu công nghiệp Nhơn Trạch",
    "Học sinh Đồng Nai đạt nhiều giải cao tại kỳ thi học sinh giỏi quốc gia",
    "Công an tỉnh triệt phá đường dây đánh bạc qua mạng",
    "Hội nghị xúc tiến thương mại nông sản tại Biên Hòa",
    "Tuổi trẻ Đồng Nai ra quân chiến dịch tình nguyện hè",
    "Đồng Nai kiểm tra công tác phòng cháy chữa cháy tại các khu công nghiệp",
)


def _wrap(paragraphs: list[str]) -> list[str]:
    return [p for p in paragraphs if p]


def reception_notice(rng: random.Random, month: date, body: str) -> Content:
    """ "Lịch tiếp công dân tháng M" of one official: the month, days and names differ."""
    m, y = month.month, month.year
    days = sorted(rng.sample(range(3, 28), 2))
    person = f"{rng.choice(textgen.FAMILY)} {rng.choice(textgen.MIDDLE)} {rng.choice(textgen.GIVEN)}"
    place = "thành phố Biên Hòa" if "tỉnh" in body or "Tỉnh" in body else body.split("huyện ")[-1]
    title = f"Lịch tiếp công dân tháng {m} năm {y} của {body}"
    sapo = (
        f"Văn phòng thông báo lịch tiếp công dân định kỳ tháng {m} năm {y} của {body}, ông {person}, "
        f"để công dân biết và đăng ký."
    )
    paragraphs = [
        f"Thực hiện quy định của Luật Tiếp công dân, {body} tiếp công dân định kỳ vào ngày {days[0]}-{m} "
        f"và ngày {days[1]}-{m}. Trường hợp lịch tiếp trùng ngày nghỉ, lễ, Tết thì chuyển sang ngày làm việc "
        f"liền kề tiếp theo.",
        f"Địa điểm tiếp công dân tại Trụ sở Tiếp công dân, {place}. Thời gian tiếp buổi sáng từ 7 giờ 30 "
        f"đến 11 giờ 30, buổi chiều từ 13 giờ 30 đến 16 giờ 30.",
        "Công dân có nhu cầu phản ánh, kiến nghị, khiếu nại, tố cáo đăng ký trước tại Ban Tiếp công dân, mang "
        "theo giấy tờ tùy thân và các tài liệu có liên quan. Ban Tiếp công dân có trách nhiệm hướng dẫn, "
        "bố trí thứ tự tiếp theo quy định và phối hợp với các cơ quan chuyên môn chuẩn bị nội dung trả lời.",
        f"Trong tháng {m - 1 if m > 1 else 12}, Ban Tiếp công dân đã tiếp {rng.randint(40, 220)} lượt công dân "
        f"với {rng.randint(10, 90)} vụ việc, hướng dẫn và chuyển đơn {rng.randint(5, 60)} trường hợp đến cơ "
        f"quan có thẩm quyền giải quyết theo quy định.",
    ]
    return Content(
        topic="notice", title=title, sapo_core=sapo, paragraphs=_wrap(paragraphs), captions=[], tags=["tiếp công dân"]
    )


def audio_news(rng: random.Random, day: date) -> Content:
    """ "Tin nhanh audio sáng D-M": one intro template and four of the day's headlines."""
    buoi = "sáng"
    picks = rng.sample(_HEADLINES, 4)
    title = f"Tin nhanh audio {buoi} {day.day}-{day.month}"
    sapo = (
        f"Mời quý vị và các bạn nghe bản tin nhanh audio {buoi} ngày {day.day}-{day.month}-{day.year} "
        f"của Báo Đồng Nai với những nội dung đáng chú ý."
    )
    paragraphs = [
        "Bản tin hôm nay có các nội dung chính như sau. " + " ".join(f"{h}." for h in picks),
        "Quý vị và các bạn có thể theo dõi thông tin chi tiết trên Báo Đồng Nai điện tử, nghe bản tin audio "
        "mỗi buổi sáng và buổi chiều hằng ngày, hoặc theo dõi các chuyên trang, chuyên mục của báo trên các nền "
        "tảng mạng xã hội. Xin cảm ơn quý vị và các bạn đã theo dõi bản tin.",
    ]
    return Content(topic="society", title=title, sapo_core=sapo, paragraphs=paragraphs, captions=[], tags=["tin nhanh"])


def infographic_today(rng: random.Random, day: date) -> Content:
    """ "Infographic: Hôm nay có gì?": the same frame around the day's counts."""
    title = "[Infographic] Hôm nay có gì?"
    sapo = f"Những thông tin đáng chú ý trong ngày {day.day}-{day.month}-{day.year} trên địa bàn tỉnh Đồng Nai."
    paragraphs = [
        f"Ngày {day.day}-{day.month}, toàn tỉnh có {rng.randint(3, 15)} hội nghị, sự kiện được tổ chức, trong "
        f"đó có {rng.randint(1, 5)} sự kiện do lãnh đạo tỉnh chủ trì.",
        f"Giá sầu riêng tại vườn dao động từ {rng.randint(45, 90)} nghìn đồng đến {rng.randint(91, 130)} nghìn "
        f"đồng một ký, giá heo hơi {rng.randint(48, 68)} nghìn đồng một ký.",
        f"Nhiệt độ cao nhất trong ngày khoảng {rng.randint(31, 37)} độ C, khả năng có mưa rào và dông rải rác "
        f"vào chiều tối ở mức {rng.randint(20, 90)}%.",
        "Bạn đọc có thể theo dõi chi tiết các sự kiện trên Báo Đồng Nai điện tử và các nền tảng số của báo, "
        "cập nhật thông tin mới nhất mỗi ngày về kinh tế, xã hội, văn hóa và đời sống của người dân trong tỉnh.",
    ]
    return Content(
        topic="society",
        title=title,
        sapo_core=sapo,
        paragraphs=paragraphs,
        captions=["Thông tin đáng chú ý trong ngày"],
        tags=["infographic"],
    )


def weather(rng: random.Random, day: date) -> Content:
    """A daily weather bulletin: the same sentences around the day's figures."""
    lo = rng.randint(22, 26)
    hi = rng.randint(31, 36)
    rain = rng.randint(10, 90)
    title = f"Dự báo thời tiết Đồng Nai ngày {day.day}-{day.month}"
    sapo = (
        f"Đài Khí tượng thủy văn tỉnh dự báo thời tiết ngày {day.day}-{day.month}-{day.year} trên địa bàn "
        f"tỉnh Đồng Nai: nhiệt độ từ {lo} đến {hi} độ C."
    )
    paragraphs = [
        f"Ngày và đêm {day.day}-{day.month}, khu vực tỉnh Đồng Nai có mây thay đổi, ngày nắng, chiều tối có mưa "
        f"rào và dông rải rác, khả năng mưa {rain}%. Gió tây nam cấp 2 đến cấp 3.",
        f"Nhiệt độ thấp nhất từ {lo} đến {lo + 2} độ C, nhiệt độ cao nhất từ {hi - 2} đến {hi} độ C. Độ ẩm "
        f"không khí từ {rng.randint(55, 70)}% đến {rng.randint(85, 98)}%.",
        "Trong cơn dông có khả năng xảy ra lốc, sét và gió giật mạnh, người dân cần chủ động phòng tránh, "
        "hạn chế ra ngoài khi có dông và theo dõi các bản tin dự báo tiếp theo của cơ quan khí tượng.",
    ]
    return Content(topic="society", title=title, sapo_core=sapo, paragraphs=paragraphs, captions=[], tags=["thời tiết"])


def district_meeting(rng: random.Random, day: date, district: str, round_name: str) -> Content:
    """The same Party meeting held in each district: names and figures differ."""
    full = textgen.DISTRICT_FULL.get(district, "huyện " + district)
    body = "Thành ủy" if full.startswith("thành phố") else "Huyện ủy"
    person = f"{rng.choice(textgen.FAMILY)} {rng.choice(textgen.MIDDLE)} {rng.choice(textgen.GIVEN)}"
    new_members = rng.randint(25, 260)
    title = f"{body} {district} tổ chức hội nghị {round_name}"
    sapo = (
        f"Sáng {day.day}-{day.month}, {body} {district} tổ chức hội nghị {round_name} công tác xây dựng "
        f"Đảng và hệ thống chính trị."
    )
    paragraphs = [
        f"Theo báo cáo, trong thời gian qua, Đảng bộ {full} đã lãnh đạo thực hiện đạt và vượt "
        f"{rng.randint(8, 20)} trên {rng.randint(21, 25)} chỉ tiêu nghị quyết đề ra; kết nạp {new_members} đảng "
        f"viên mới, đạt {rng.randint(80, 130)}% kế hoạch.",
        "Công tác xây dựng Đảng về chính trị, tư tưởng, đạo đức được chú trọng; công tác kiểm tra, giám sát "
        "được thực hiện nghiêm túc, đúng quy định; công tác dân vận và hoạt động của Mặt trận Tổ quốc, các "
        "đoàn thể chính trị - xã hội tiếp tục có nhiều đổi mới.",
        f"Phát biểu chỉ đạo, Bí thư {body} {person} đề nghị các cấp ủy, tổ chức đảng trên địa bàn {full} tiếp "
        f"tục đổi mới phương thức lãnh đạo, nâng cao năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở "
        f"đảng, phấn đấu hoàn thành thắng lợi các chỉ tiêu năm {day.year}.",
        f"Dịp này, {body} {district} đã khen thưởng {rng.randint(5, 40)} tập thể và {rng.randint(10, 80)} cá nhân "
        f"có thành tích xuất sắc trong thực hiện nhiệm vụ.",
    ]
    return Content(
        topic="politics", title=title, sapo_core=sapo, paragraphs=paragraphs, captions=[], tags=["xây dựng Đảng"]
    )


def month_starts(first: date, last: date) -> list[date]:
    out, y, m = [], first.year, first.month
    while date(y, m, 1) <= last:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def plan_families(rng: random.Random, first: date, last: date) -> list[tuple[str, str, datetime, Content]]:
    """(family, group, local time, content) of every look-alike story in [first, last].

    ``group`` names the member ("2024-04/Bí thư Tỉnh ủy", "2024-01-20", "Xuân Lộc/sơ kết …").
    Members fall on random days, so several of a family share the ±7-day dedup window.
    """
    out: list[tuple[str, str, datetime, Content]] = []

    def at(day: date, lo: int = 7, hi: int = 17) -> datetime:
        return datetime.combine(day, time(rng.randint(lo, hi), rng.randrange(60)))

    # reception notices: published in the last days of the month before (or, late, its first days)
    for month in month_starts(first + timedelta(days=31), last):
        for body in rng.sample(_BODIES, 3):
            day = (
                month - timedelta(days=rng.randint(1, 6))
                if rng.random() < 0.7
                else month + timedelta(days=rng.randint(0, 4))
            )
            out.append(("reception_notice", f"{month:%Y-%m}/{body}", at(day), reception_notice(rng, month, body)))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    daily: tuple[tuple[str, Callable[[random.Random, date], Content]], ...] = (
        ("audio_news", audio_news),
        ("infographic_today", infographic_today),
        ("weather", weather),
    )
    for family, make in daily:
        start = rng.randrange(max(1, len(days) - 70))
        for day in days[start : start + 60]:  # two months of a daily item
            out.append((family, day.isoformat(), at(day, 5, 8), make(rng, day)))
    rounds = ("sơ kết 6 tháng đầu năm", "tổng kết công tác năm", "quán triệt nghị quyết Trung ương")
    for round_name in rounds:
        start = rng.choice(days[: max(1, len(days) - 10)])
        for district in textgen.DISTRICTS:
            day = start + timedelta(days=rng.randint(0, 6))
            out.append(
                (
                    "district_meeting",
                    f"{district}/{round_name}",
                    at(day),
                    district_meeting(rng, day, district, round_name),
                )
            )
    return out
