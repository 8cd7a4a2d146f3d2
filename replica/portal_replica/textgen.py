# ruff: noqa: E501 - phrase pools: one sentence per line reads better than split strings
"""Vietnamese news text from phrase pools, in the style of Báo Đồng Nai.

Pools are written in the old tone placement (Hòa, Ủy, thủy); the generator converts to the new
one for most items. Body sentences avoid tokens made only of punctuation and numbers with
internal separators, so a whitespace count and a ``\\w+`` count of NFC text agree. People are
fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from portal_replica.common import count_words

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trương",
    "Đinh",
    "Mai",
    "Lâm",
)
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Hữu", "Ngọc", "Quốc", "Thành", "Xuân", "Hoàng", "Đức", "Kim", "Thu", "Công")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Lâm",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trung",
    "Tuấn",
    "Vinh",
    "Hà",
    "Hương",
    "Lan",
    "Mai",
    "Nhung",
    "Thảo",
    "Trang",
    "Yến",
    "Phúc",
    "Tài",
    "Hiếu",
    "Nghĩa",
)

BDN_REPORTERS = (
    "Phương Hằng",
    "Hải Yến",
    "Khánh Lộc",
    "Đắc Nhân",
    "Ngọc Thành",
    "Kim Liễu",
    "Văn Gia",
    "Hoàng Lộc",
    "Bích Nhàn",
    "Ly Na",
    "Minh Thành",
    "Nguyễn Chung",
    "Hương Giang",
    "Đăng Tùng",
    "Lê Quyên",
    "Thanh Hải",
    "Huy Anh",
    "Vương Thế",
    "Nga Sơn",
    "Hạnh Dung",
    "Công Nghĩa",
    "Bảo Ngọc",
    "Thu Hằng",
    "Trần Danh",
)
GOV_AUTHORS = (
    "Thanh Tâm",
    "Hồng Nhung",
    "Minh Châu",
    "Hữu Tài",
    "Ngọc Diệp",
    "Quang Vinh",
    "Trung tâm Truyền thông tỉnh",
    "Bảo Trâm",
    "Hoài Thương",
)
PARTY_AUTHORS = (
    "Ban Tuyên giáo Tỉnh ủy",
    "Văn phòng Tỉnh ủy",
    "Phạm Tùng",
    "Thu Hằng",
    "Minh Quân",
    "Lệ Hằng",
    "Khánh Vân",
)
GRAPHIC_ARTISTS = ("Hải Quân", "Ngọc Hà", "Minh Trí")

DISTRICTS = (
    "Biên Hòa",
    "Long Khánh",
    "Long Thành",
    "Nhơn Trạch",
    "Trảng Bom",
    "Thống Nhất",
    "Cẩm Mỹ",
    "Xuân Lộc",
    "Định Quán",
    "Tân Phú",
    "Vĩnh Cửu",
)
DISTRICT_FULL = {
    "Biên Hòa": "thành phố Biên Hòa",
    "Long Khánh": "thành phố Long Khánh",
}
COMMUNES = (
    "xã Phước Thiền",
    "xã Bình Sơn",
    "phường Tam Hiệp",
    "xã Xuân Bắc",
    "xã Thanh Sơn",
    "phường Long Bình",
    "xã Phú Hữu",
    "xã Bàu Hàm",
    "xã Sông Ray",
    "xã Gia Kiệm",
    "xã Thiện Tân",
    "phường Trảng Dài",
    "xã Phú Lý",
    "xã Suối Nho",
    "xã La Ngà",
    "xã Long An",
    "xã Tam An",
    "phường Xuân Trung",
    "xã Hiệp Phước",
    "xã Đại Phước",
    "xã Xuân Hòa",
    "xã Phú Thạnh",
    "xã Lang Minh",
    "xã Tân Hiệp",
    "phường Hố Nai",
)
KCN = (
    "Amata",
    "Nhơn Trạch 3",
    "Long Đức",
    "Giang Điền",
    "Hố Nai",
    "Biên Hòa 2",
    "Lộc An Bình Sơn",
    "Bàu Xéo",
    "Dầu Giây",
    "Long Khánh",
    "Tam Phước",
    "Long Thành",
    "Ông Kèo",
    "Sông Mây",
    "Thạnh Phú",
    "Xuân Lộc",
)
PROJECTS = (
    "Cảng hàng không quốc tế Long Thành",
    "đường cao tốc Biên Hòa Vũng Tàu",
    "đường Vành đai 3",
    "đường Vành đai 4",
    "cầu Cát Lái",
    "đường cao tốc Dầu Giây Phan Thiết",
    "đường ven sông Cái",
    "cầu Vàm Cái Sứt",
    "đường tỉnh 768",
    "hồ chứa nước Sông Ray",
    "đường Hương lộ 2",
    "khu tái định cư Lộc An Bình Sơn",
    "đường kết nối sân bay Long Thành",
)
ORGS = (
    "Sở Kế hoạch và Đầu tư",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Ban Tuyên giáo Tỉnh ủy",
    "Ủy ban MTTQ Việt Nam tỉnh",
    "Hội Nông dân tỉnh",
    "Tỉnh đoàn",
    "Hội Liên hiệp phụ nữ tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Công an tỉnh",
    "Bộ Chỉ huy quân sự tỉnh",
    "Ủy ban Kiểm tra Tỉnh ủy",
    "Ban Dân vận Tỉnh ủy",
    "Ban Tổ chức Tỉnh ủy",
    "Sở Công thương",
    "Sở Tài nguyên và Môi trường",
    "Sở Lao động Thương binh và Xã hội",
    "Ban Quản lý các khu công nghiệp Đồng Nai",
    "Sở Văn hóa Thể thao và Du lịch",
    "Sở Thông tin và Truyền thông",
    "Sở Giao thông vận tải",
)
ROLES = (
    "Bí thư Tỉnh ủy",
    "Phó bí thư Thường trực Tỉnh ủy",
    "Chủ tịch UBND tỉnh",
    "Phó chủ tịch UBND tỉnh",
    "Trưởng ban Tuyên giáo Tỉnh ủy",
    "Trưởng ban Tổ chức Tỉnh ủy",
    "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
    "Giám đốc Sở Kế hoạch và Đầu tư",
    "Giám đốc Sở Y tế",
    "Ủy viên Ban Thường vụ Tỉnh ủy",
    "Chủ tịch HĐND tỉnh",
    "Trưởng ban Dân vận Tỉnh ủy",
    "Giám đốc Sở Công thương",
)
CROPS = (
    "sầu riêng",
    "bưởi",
    "chôm chôm",
    "cà phê",
    "tiêu",
    "điều",
    "bắp",
    "mít",
    "xoài",
    "chuối",
    "nấm bào ngư",
    "rau an toàn",
)
FESTIVALS = (
    "Lễ hội Văn hóa dân gian",
    "Lễ hội Nghinh Ông",
    "Lễ hội Kỳ Yên",
    "Hội hoa xuân",
    "Lễ hội trái cây Long Khánh",
    "Lễ hội Tết Nguyên tiêu",
    "Ngày hội văn hóa dân tộc",
)
SPORTS = (
    "bóng đá",
    "bóng chuyền",
    "cầu lông",
    "quần vợt",
    "bơi lội",
    "việt dã",
    "cờ vua",
    "võ cổ truyền",
    "xe đạp",
    "điền kinh",
    "karate",
    "bóng bàn",
)
SUBJECTS = (
    "công tác phòng chống tham nhũng",
    "công tác cải cách hành chính",
    "phát triển kinh tế số",
    "bảo đảm trật tự an toàn giao thông",
    "phòng chống dịch bệnh",
    "công tác giải phóng mặt bằng",
    "chuyển đổi số",
    "công tác dân vận",
    "bảo vệ nền tảng tư tưởng của Đảng",
    "phát triển đảng viên",
    "thực hành tiết kiệm",
    "phòng chống cháy nổ",
    "bảo vệ môi trường",
    "xây dựng nông thôn mới",
    "phát triển du lịch",
    "thu hút đầu tư",
)
RELICS = (
    "Văn miếu Trấn Biên",
    "Thành cổ Biên Hòa",
    "Nhà xanh Biên Hòa",
    "Đình Tân Lân",
    "Chùa Ông",
    "Mộ cự thạch Hàng Gòn",
    "Địa đạo Nhơn Trạch",
    "Căn cứ Khu ủy miền Đông",
)

BUOI = ("Sáng", "Chiều", "Tối", "Trưa")
BUOI_LOWER = ("sáng", "chiều", "tối")

# --- title templates -------------------------------------------------------------------------
# {D} district, {C} commune, {N} number, {K} industrial park, {P} project, {O} org,
# {Y} year, {M} month, {S} subject, {CR} crop, {F} festival, {SP} sport, {R} relic, {PCT} percent

TITLES = {
    "politics": (
        "Đồng Nai: Tổng kết {N2} năm thực hiện Chỉ thị 05-CT/TW tại {D}",
        "Hội nghị Ban Chấp hành Đảng bộ {Dfull} lần thứ {n}",
        "Trao Huy hiệu Đảng cho {N} đảng viên tại {D}",
        "Kiểm tra công tác xây dựng Đảng tại Đảng bộ {C}",
        "{O} sơ kết công tác tháng {M}/{Y}",
        "Đồng Nai kết nạp {N} đảng viên mới trong tháng {M}",
        "Đoàn công tác Tỉnh ủy làm việc với {D} về {S}",
        "Quán triệt Nghị quyết Hội nghị Trung ương {N2} khóa XIII tại {D}",
        "Đồng Nai: Giám sát {S} tại {D}",
        "{D} đối thoại với {N} đảng viên, nhân dân về {S}",
        "Lấy phiếu tín nhiệm {N} chức danh do HĐND {D} bầu",
        "Đảng bộ {C} ra mắt mô hình dân vận khéo thứ {n}",
        "Tiếp xúc cử tri {C} trước kỳ họp thứ {n}",
        "Đồng Nai: {O} triển khai nhiệm vụ trọng tâm năm {Y}",
    ),
    "economy": (
        "Khu công nghiệp {K} thu hút thêm {N} dự án FDI",
        "Đồng Nai: Kim ngạch xuất khẩu tháng {M} tăng {PCT}%",
        "Đẩy nhanh tiến độ {P} đoạn qua {D}",
        "{D} giải ngân {PCT}% vốn đầu tư công sau {N2} tháng",
        "Nông dân {C} thu lãi cao nhờ trồng {CR}",
        "Tháo gỡ khó khăn cho {N} doanh nghiệp tại khu công nghiệp {K}",
        "Sân bay Long Thành: Hoàn thành {n} hạng mục trong tháng {M}/{Y}",
        "Đồng Nai cấp mới {N} mã số vùng trồng {CR}",
        "{D}: Bàn giao {N} ha mặt bằng cho {P}",
        "Thu ngân sách {D} đạt {PCT}% dự toán",
        "Khởi công dự án {N} tỷ đồng tại khu công nghiệp {K}",
        "Đồng Nai: Giá {CR} tăng, nông dân {D} phấn khởi",
        "Hội nghị xúc tiến đầu tư vào {D} thu hút {N} doanh nghiệp",
    ),
    "society": (
        "{D}: Khám bệnh, cấp thuốc miễn phí cho {N} người dân",
        "Trao {N} căn nhà đại đoàn kết cho hộ nghèo {D}",
        "Tuyển sinh lớp 10 năm {Y}: {D} có {N} chỉ tiêu",
        "Phòng chống sốt xuất huyết tại {C}",
        "Tặng {N} suất quà cho công nhân khu công nghiệp {K}",
        "Đồng Nai: {N} học sinh {D} được nhận học bổng",
        "Ra quân tháng Thanh niên tại {C} với {N} đoàn viên",
        "Tập huấn {S} cho {N} cán bộ {D}",
        "Đồng Nai: Hỗ trợ {N} lao động mất việc tại {D}",
        "Bệnh viện {D} triển khai kỹ thuật mới, cứu sống {N} bệnh nhân",
        "Đồng Nai có thêm {N} trường học đạt chuẩn quốc gia tại {D}",
    ),
    "culture": (
        "{F} năm {Y} tại {D}",
        "Khai mạc Hội thi tuyên truyền về {S} lần thứ {n}",
        "Bảo tồn di tích {R} ở {D}",
        "Đồng Nai: Liên hoan văn nghệ quần chúng {D} lần thứ {n}",
        "Trưng bày {N} hiện vật về {R}",
        "Ngày hội đọc sách tại {C} thu hút {N} học sinh",
        "Đồng Nai đón {N} nghìn lượt khách du lịch dịp lễ tại {D}",
    ),
    "sports": (
        "Giải {SP} {D} mở rộng năm {Y} thu hút {N} vận động viên",
        "Đội tuyển {SP} Đồng Nai giành {n} huy chương tại giải quốc gia năm {Y}",
        "Hội khỏe Phù Đổng {D} lần thứ {n} môn {SP}",
        "Đồng Nai: Giải {SP} công nhân khu công nghiệp {K} với {N} đội",
    ),
    "notice": (
        "Thông báo số {N}/TB-UBND về {S}",
        "Thông báo tuyển dụng viên chức {O} năm {Y} đợt {N2}",
        "Thông báo lịch tiếp công dân tháng {M}/{Y} tại {D}",
        "Thông báo kết luận số {N}/TB-VPUB về {S}",
        "Thông báo lấy ý kiến về dự thảo quy hoạch {D} lần {N2}",
    ),
    "directive": (
        "Chỉ thị số {N}-CT/TU về {S}",
        "Kế hoạch số {N}-KH/TU thực hiện {S}",
        "Quy định số {N}-QĐ/TU về {S}",
        "Hướng dẫn số {N}-HD/BTGTU về {S}",
    ),
}

# --- body sentences (no standalone punctuation tokens, no dotted numbers) -----------------------

GENERIC_SENTENCES = (
    "Theo {O}, thời gian qua các địa phương đã tập trung triển khai nhiều giải pháp đồng bộ nhằm {goal}.",
    "{role} {person} nhấn mạnh, {Dfull} cần tiếp tục {action} để {goal}.",
    "Đến nay, {Dfull} đã hoàn thành {PCT}% kế hoạch đề ra, vượt {N} chỉ tiêu so với cùng kỳ năm trước.",
    "Tại buổi làm việc, lãnh đạo {O} đã báo cáo kết quả thực hiện nhiệm vụ và kiến nghị một số nội dung liên quan đến {S}.",
    "Phát biểu chỉ đạo, {role} {person} đề nghị các sở, ngành phối hợp chặt chẽ với {Dfull} trong quá trình {action}.",
    "Cùng dự có đại diện {O} và lãnh đạo {Dfull}.",
    "Bên cạnh những kết quả đạt được, việc thực hiện {S} vẫn còn một số hạn chế cần sớm khắc phục.",
    "Nhiều ý kiến tại hội nghị cho rằng, việc {action} cần được thực hiện thường xuyên, liên tục và có trọng tâm, trọng điểm.",
    "Thời gian tới, {O} sẽ tiếp tục tham mưu cho Tỉnh ủy, UBND tỉnh ban hành các giải pháp phù hợp với tình hình thực tế.",
    "Theo báo cáo, trong {period}, toàn tỉnh có {N} mô hình mới được triển khai và nhân rộng tại các địa phương.",
    "Người dân {C} phấn khởi khi được tham gia trực tiếp vào quá trình {action}.",
    "Ông {person}, một người dân ở {C}, cho biết gia đình ông rất đồng tình với chủ trương này.",
    "Dịp này, {O} đã trao giấy khen cho {N} tập thể và cá nhân có thành tích xuất sắc.",
    "Các đại biểu cũng thảo luận về những khó khăn, vướng mắc và đề xuất nhiều giải pháp thiết thực.",
    "Theo kế hoạch, nội dung này sẽ được triển khai đồng loạt tại {N} xã, phường trên địa bàn tỉnh.",
    "Lãnh đạo {Dfull} cho biết, địa phương sẽ tiếp tục rà soát, đánh giá và báo cáo kết quả trước ngày {day} tháng {M}.",
    "Đây là hoạt động thiết thực nhằm {goal}.",
    "Qua đó góp phần nâng cao nhận thức, trách nhiệm của cán bộ, đảng viên và nhân dân đối với {S}.",
    "Năm {Y}, {Dfull} đặt mục tiêu hoàn thành {N2} nhiệm vụ trọng tâm, trong đó ưu tiên {action}.",
    "Theo ông {person}, để đạt được kết quả này, địa phương đã huy động sự vào cuộc của cả hệ thống chính trị.",
    "Bà {person}, đại diện {O}, cho rằng cần có cơ chế phối hợp rõ ràng hơn giữa các đơn vị liên quan.",
    "Những kết quả trên là tiền đề quan trọng để {Dfull} hoàn thành mục tiêu năm {Y}.",
    "Qua kiểm tra, đoàn công tác ghi nhận {Dfull} đã triển khai nghiêm túc các nội dung theo kế hoạch.",
    "Lãnh đạo {O} kiến nghị tỉnh sớm bố trí nguồn vốn để thực hiện các dự án còn dang dở.",
    "Trong thời gian tới, địa phương sẽ tập trung {action}, đồng thời {action2}.",
    "Ghi nhận tại {C}, nhiều tuyến đường đã được bê tông hóa, hệ thống chiếu sáng được lắp đặt đồng bộ.",
    "Theo thống kê của {O}, số hồ sơ được giải quyết đúng hạn đạt tỷ lệ {PCT}%.",
    "Hội nghị đã thống nhất {N2} nhóm giải pháp trọng tâm cho thời gian tới.",
    "Chương trình nhận được sự hưởng ứng tích cực của đông đảo cán bộ, hội viên và người dân {Dfull}.",
    "Để công tác này đạt hiệu quả, {O} đã chủ động xây dựng kế hoạch chi tiết và phân công nhiệm vụ cụ thể.",
    "{role} {person} cũng lưu ý các địa phương cần chủ động nắm bắt tình hình, kịp thời xử lý những vấn đề phát sinh.",
    "Nhân dịp này, lãnh đạo tỉnh đã trao tặng {N} phần quà cho các gia đình có hoàn cảnh khó khăn tại {C}.",
    "Theo đánh giá, phong trào thi đua yêu nước tại {Dfull} tiếp tục được duy trì và lan tỏa sâu rộng.",
    "Cũng tại buổi làm việc, {O} đã giải đáp nhiều kiến nghị của cử tri liên quan đến đất đai và môi trường.",
    "Dự kiến đến cuối năm {Y}, {Dfull} sẽ có thêm {N2} xã đạt chuẩn nông thôn mới nâng cao.",
    "Kinh phí thực hiện chương trình khoảng {N} triệu đồng, được huy động từ nguồn xã hội hóa.",
    "Ông {person}, Chủ tịch UBND {C}, chia sẻ địa phương luôn xác định đây là nhiệm vụ thường xuyên.",
    "Sau hội nghị, các đơn vị sẽ cụ thể hóa nội dung thành chương trình hành động sát với thực tiễn.",
    "Số liệu cho thấy {Dfull} là một trong những địa phương dẫn đầu tỉnh về {S}.",
    "Nhiều mô hình hay, cách làm sáng tạo ở cơ sở đã được biểu dương và nhân rộng.",
)

TOPIC_SENTENCES = {
    "politics": (
        "Trong nhiệm kỳ, Đảng bộ {Dfull} đã kết nạp {N} đảng viên mới, vượt chỉ tiêu Nghị quyết đề ra.",
        "Công tác kiểm tra, giám sát được thực hiện nghiêm túc, đúng quy định, góp phần xây dựng Đảng bộ trong sạch, vững mạnh.",
        "Các cấp ủy đảng đã quán triệt sâu sắc các nghị quyết, chỉ thị của Trung ương và của Tỉnh ủy đến cán bộ, đảng viên.",
        "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh được các chi bộ triển khai bằng nhiều hình thức phong phú.",
        "{role} {person} đề nghị Đảng bộ {C} tiếp tục nâng cao chất lượng sinh hoạt chi bộ và phát huy vai trò nêu gương của người đứng đầu.",
        "Đảng bộ {C} hiện có {N} đảng viên sinh hoạt tại {N2} chi bộ trực thuộc.",
        "Các chi bộ đã tổ chức sinh hoạt chuyên đề với nhiều nội dung thiết thực, gắn với nhiệm vụ chính trị của địa phương.",
        "Công tác quy hoạch, đào tạo và bồi dưỡng cán bộ được thực hiện bài bản, đúng quy trình.",
        "Việc thực hiện Chỉ thị số 05 của Bộ Chính trị đã tạo chuyển biến rõ nét trong nhận thức và hành động của cán bộ, đảng viên.",
        "Ủy ban Kiểm tra các cấp đã kiểm tra {N} tổ chức đảng và đảng viên khi có dấu hiệu vi phạm.",
        "Hội nghị cũng đã thảo luận, cho ý kiến vào dự thảo báo cáo chính trị trình Đại hội Đảng bộ nhiệm kỳ tới.",
        "Công tác dân vận được các cấp ủy quan tâm, tạo sự đồng thuận cao trong nhân dân đối với chủ trương của Đảng.",
    ),
    "economy": (
        "Hiện khu công nghiệp {K} đã thu hút {N} dự án đầu tư, tỷ lệ lấp đầy đạt {PCT}%.",
        "Tổng vốn đầu tư nước ngoài thu hút trong {period} ước đạt {N} triệu USD, tăng {PCT}% so với cùng kỳ.",
        "Chủ đầu tư cam kết huy động thêm nhân lực, máy móc và thi công ba ca để bảo đảm tiến độ {P}.",
        "Theo Ban Quản lý các khu công nghiệp Đồng Nai, các doanh nghiệp đang có nhu cầu tuyển dụng khoảng {N} lao động.",
        "Năm nay, diện tích {CR} của {Dfull} đạt khoảng {N} ha, năng suất bình quân tăng so với vụ trước.",
        "Công tác giải phóng mặt bằng phục vụ {P} cơ bản hoàn thành, tạo điều kiện cho nhà thầu triển khai thi công.",
        "Nhiều doanh nghiệp cho biết đơn hàng xuất khẩu đã phục hồi trở lại, đặc biệt ở các ngành dệt may, da giày và gỗ.",
        "Tỉnh đang đề xuất Trung ương bổ sung vốn để hoàn thành các tuyến giao thông kết nối với Cảng hàng không quốc tế Long Thành.",
        "Kim ngạch xuất khẩu của tỉnh trong {period} ước đạt {N} triệu USD, tăng {PCT}% so với cùng kỳ.",
        "Hiện Cảng hàng không quốc tế Long Thành đã hoàn thành phần lớn khối lượng san lấp mặt bằng và móng nhà ga.",
        "Nhiều hợp tác xã tại {Dfull} đã liên kết với doanh nghiệp để bao tiêu sản phẩm {CR} cho nông dân.",
        "Ngành Công thương đang hỗ trợ doanh nghiệp tìm kiếm thị trường mới, đa dạng hóa chuỗi cung ứng.",
    ),
    "society": (
        "Chương trình đã khám, tư vấn sức khỏe và cấp thuốc miễn phí cho {N} người dân có hoàn cảnh khó khăn.",
        "Mỗi căn nhà đại đoàn kết có trị giá khoảng {N} triệu đồng, được hỗ trợ từ Quỹ Vì người nghèo của tỉnh.",
        "Ngành Y tế khuyến cáo người dân chủ động diệt lăng quăng, vệ sinh môi trường và đến cơ sở y tế khi có triệu chứng sốt.",
        "Năm học này, toàn tỉnh có khoảng {N} nghìn học sinh tham gia kỳ thi tuyển sinh vào lớp 10.",
        "Nhiều công nhân khu công nghiệp {K} xúc động khi nhận được sự quan tâm của tổ chức công đoàn.",
        "Lực lượng đoàn viên thanh niên đã ra quân vệ sinh môi trường, sửa chữa nhà ở cho các gia đình chính sách.",
        "Trung tâm Dịch vụ việc làm tỉnh đã tư vấn, giới thiệu việc làm cho {N} lao động trong {period}.",
        "Bệnh viện đã làm chủ nhiều kỹ thuật chuyên sâu, giúp người dân không phải chuyển lên tuyến trên.",
        "Tỷ lệ người dân tham gia bảo hiểm y tế trên địa bàn tỉnh đạt {PCT}% dân số.",
        "Ngành Giáo dục đã đầu tư xây mới {N2} trường học, bổ sung hàng trăm phòng học cho các địa phương có đông công nhân.",
        "Công an tỉnh đã tăng cường tuần tra, kiểm soát, xử lý nghiêm các trường hợp vi phạm trật tự an toàn giao thông.",
        "Các đoàn viên công đoàn được tư vấn pháp luật lao động và chính sách bảo hiểm xã hội miễn phí.",
    ),
    "culture": (
        "Lễ hội thu hút đông đảo người dân và du khách đến tham quan, trải nghiệm các hoạt động văn hóa truyền thống.",
        "Hội thi có {N} đội đến từ các huyện, thành phố tham gia với nhiều tiết mục đặc sắc.",
        "Di tích {R} là điểm đến quen thuộc của học sinh, sinh viên trong các chuyến tham quan học tập.",
        "Ngành Văn hóa đang phối hợp với các địa phương lập hồ sơ đề nghị xếp hạng {N} di tích cấp tỉnh.",
        "Các hoạt động văn hóa văn nghệ góp phần làm phong phú đời sống tinh thần của nhân dân.",
        "Bảo tàng Đồng Nai đã số hóa {N} hiện vật để giới thiệu rộng rãi tới công chúng.",
        "Chương trình nghệ thuật với các làn điệu dân ca Nam Bộ đã để lại nhiều ấn tượng cho khán giả.",
        "Tỉnh đang xây dựng các tour du lịch kết nối di tích lịch sử với khu du lịch sinh thái dọc sông Đồng Nai.",
        "Đồng bào dân tộc Chơro, Mạ, Stiêng đã tái hiện nhiều nghi lễ truyền thống độc đáo.",
    ),
    "sports": (
        "Giải đấu có {N} vận động viên đến từ các huyện, thành phố và các đơn vị lực lượng vũ trang tham gia.",
        "Ban tổ chức đã trao {N} bộ huy chương cho các vận động viên đạt thành tích cao.",
        "Đây là dịp để các vận động viên giao lưu, học hỏi kinh nghiệm và tuyển chọn lực lượng cho đội tuyển tỉnh.",
    ),
    "notice": (
        "Các cơ quan, đơn vị và cá nhân có liên quan nghiên cứu, thực hiện theo đúng nội dung thông báo.",
        "Hồ sơ được tiếp nhận tại Trung tâm Hành chính công tỉnh trong giờ hành chính.",
        "Mọi thắc mắc xin liên hệ Văn phòng UBND tỉnh để được hướng dẫn.",
    ),
    "directive": (
        "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy, tổ chức đảng quán triệt và triển khai thực hiện nghiêm túc.",
        "Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với các cơ quan liên quan theo dõi, đôn đốc việc thực hiện.",
        "Văn bản có hiệu lực kể từ ngày ký và được phổ biến đến chi bộ.",
    ),
}

GOALS = (
    "nâng cao đời sống vật chất và tinh thần của nhân dân",
    "thúc đẩy phát triển kinh tế xã hội",
    "xây dựng hệ thống chính trị trong sạch vững mạnh",
    "tạo môi trường đầu tư thuận lợi",
    "bảo đảm an sinh xã hội",
    "hoàn thành các chỉ tiêu Nghị quyết đề ra",
    "củng cố niềm tin của nhân dân đối với Đảng",
    "phát huy hiệu quả nguồn lực đầu tư",
)
ACTIONS = (
    "đẩy mạnh cải cách hành chính",
    "nâng cao chất lượng công tác tuyên truyền",
    "tăng cường kiểm tra giám sát",
    "tháo gỡ khó khăn cho doanh nghiệp",
    "đẩy nhanh tiến độ các dự án trọng điểm",
    "huy động nguồn lực xã hội",
    "rà soát và hoàn thiện các quy định",
    "ứng dụng công nghệ thông tin",
    "làm tốt công tác dân vận",
    "giải quyết kịp thời kiến nghị của người dân",
)

CAPTIONS = (
    "{role} {person} phát biểu tại buổi làm việc.",
    "Quang cảnh hội nghị.",
    "Công nhân làm việc tại khu công nghiệp {K}.",
    "Các đại biểu tham quan mô hình tại {C}.",
    "Lãnh đạo tỉnh trao quà cho người dân {C}.",
    "Thi công {P}.",
    "Nông dân {C} chăm sóc vườn {CR}.",
    "Đại biểu dự hội nghị biểu quyết thông qua nghị quyết.",
)

TOPIC_TAGS = {
    "politics": ("xây dựng Đảng", "Tỉnh ủy Đồng Nai", "công tác cán bộ"),
    "economy": ("kinh tế", "khu công nghiệp", "sân bay Long Thành", "đầu tư"),
    "society": ("an sinh xã hội", "y tế", "giáo dục"),
    "culture": ("văn hóa", "du lịch", "di tích"),
    "sports": ("thể thao",),
    "notice": ("thông báo",),
    "directive": ("văn bản chỉ đạo",),
}


@dataclass
class Content:
    """One story's text, in the old tone convention, NFC, U+0110 Đ."""

    topic: str
    title: str
    sapo_core: str  # without the (ĐN)- dateline
    paragraphs: list[str]
    captions: list[str]  # in-body caption texts (without "Ảnh: name")
    tags: list[str] = field(default_factory=list)

    _word_count: int | None = field(default=None, repr=False, compare=False)

    @property
    def word_count(self) -> int:
        if self._word_count is None:
            self._word_count = sum(count_words(p) for p in self.paragraphs)
        return self._word_count


class _Slots(dict):
    """Template slots drawn on first use (most templates need only a few)."""

    def __init__(self, gen: TextGen, when: datetime) -> None:
        super().__init__()
        self.gen = gen
        self.when = when

    def __missing__(self, key: str) -> str:
        r = self.gen.rng
        when = self.when
        if key in ("D", "Dfull"):
            district = r.choice(DISTRICTS)
            self["D"] = district
            self["Dfull"] = DISTRICT_FULL.get(district, "huyện " + district)
            return self[key]
        if key == "N":
            value = str(r.choice((r.randint(2, 30), r.randint(10, 400), r.randint(31, 999))))
        elif key == "N2":
            value = str(r.randint(2, 9))
        elif key == "n":
            value = str(r.randint(2, 30))
        elif key == "Y":
            value = str(when.year)
        elif key == "M":
            value = str(when.month)
        elif key == "PCT":
            value = str(r.randint(5, 98))
        elif key == "person":
            value = self.gen.person()
        elif key == "period":
            value = r.choice((f"tháng {when.month}", f"năm {when.year}", "thời gian qua", "những tháng đầu năm"))
        elif key == "day":
            value = str(r.randint(5, 28))
        else:
            value = r.choice(_POOLS[key])
        self[key] = value
        return value


_POOLS = {
    "C": COMMUNES,
    "K": KCN,
    "P": PROJECTS,
    "O": ORGS,
    "S": SUBJECTS,
    "CR": CROPS,
    "F": FESTIVALS,
    "SP": SPORTS,
    "R": RELICS,
    "role": ROLES,
    "goal": GOALS,
    "action": ACTIONS,
    "action2": ACTIONS,
}


class TextGen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen_titles: set[str] = set()

    # -- slots -------------------------------------------------------------------------------
    def person(self) -> str:
        r = self.rng
        return f"{r.choice(FAMILY)} {r.choice(MIDDLE)} {r.choice(GIVEN)}"

    def _slots(self, when: datetime) -> _Slots:
        return _Slots(self, when)

    # -- pieces ------------------------------------------------------------------------------
    def title(self, topic: str, when: datetime, prefix: str = "") -> tuple[str, _Slots]:
        """A title no other story has, and the slots it used (the story's context)."""
        for attempt in range(60):
            ctx = self._slots(when)
            text = prefix + self.rng.choice(TITLES[topic]).format_map(ctx)
            if attempt > 20:
                text += f" ({self.rng.randint(2, 99)})" if attempt % 2 else f" năm {when.year}"
            key = text.casefold()
            if key not in self.seen_titles:
                self.seen_titles.add(key)
                return text, ctx
        raise RuntimeError("could not draw a distinct title")  # pragma: no cover

    def sentence(self, topic: str, when: datetime, ctx: _Slots | None = None, used: set[str] | None = None) -> str:
        """One sentence; with ``ctx`` it may reuse the story's places and people."""
        pool = TOPIC_SENTENCES.get(topic, ())
        if not (pool and self.rng.random() < 0.45):
            pool = GENERIC_SENTENCES
        template = self.rng.choice(pool)
        if used is not None:
            for _ in range(4):  # avoid repeating a template within one body
                if template not in used:
                    break
                template = self.rng.choice(pool)
            used.add(template)
        slots = ctx if ctx is not None and self.rng.random() < 0.4 else self._slots(when)
        return template.format_map(slots)

    def sapo_core(self, topic: str, when: datetime, ctx: _Slots | None = None) -> str:
        r = self.rng
        s = ctx if ctx is not None else self._slots(when)
        buoi = r.choice(BUOI)
        lead = {
            "politics": f"{buoi} {when.day}-{when.month}, {s['O']} phối hợp với {s['Dfull']} "
            f"tổ chức hội nghị về {s['S']}.",
            "economy": f"{buoi} {when.day}-{when.month}, lãnh đạo tỉnh kiểm tra tiến độ {s['P']} "
            f"và làm việc với doanh nghiệp tại khu công nghiệp {s['K']}.",
            "society": f"{buoi} {when.day}-{when.month}, {s['O']} phối hợp với {s['Dfull']} "
            f"tổ chức chương trình an sinh cho người dân {s['C']}.",
            "culture": f"{buoi} {when.day}-{when.month}, tại {s['Dfull']} diễn ra {s['F']} "
            f"với nhiều hoạt động đặc sắc.",
            "sports": f"{buoi} {when.day}-{when.month}, giải {s['SP']} khai mạc tại {s['Dfull']}.",
            "notice": f"UBND tỉnh thông báo về {s['S']} tại {s['Dfull']}.",
            "directive": f"Ban Thường vụ Tỉnh ủy ban hành văn bản về {s['S']}.",
        }[topic]
        tail = r.choice(
            (
                f" {s['role']} {s['person']} dự và chỉ đạo.",
                " Qua đó nhằm " + s["goal"] + ".",
                f" Đây là nội dung được {s['O']} đặc biệt quan tâm.",
                "",
            )
        )
        return lead + tail

    def caption(self, when: datetime, ctx: _Slots | None = None) -> str:
        slots = ctx if ctx is not None and self.rng.random() < 0.5 else self._slots(when)
        return self.rng.choice(CAPTIONS).format_map(slots)

    def body(self, topic: str, when: datetime, lo: int, hi: int, ctx: _Slots | None = None) -> list[str]:
        """Paragraphs of 1–4 sentences totalling between lo and hi words."""
        target = self.rng.randint(lo, max(lo, hi - 30))
        paragraphs: list[str] = []
        current: list[str] = []
        used: set[str] = set()
        total = 0
        tries = 0
        while total < target and tries < 500:
            tries += 1
            sent = self.sentence(topic, when, ctx, used)
            n = len(sent.split())  # pools hold no punctuation-only tokens: same as count_words
            if total + n > hi:
                if total >= lo:
                    break
                continue
            current.append(sent)
            total += n
            if len(current) >= self.rng.randint(1, 4):
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        if total < lo:  # pragma: no cover - the pools make this unreachable
            raise RuntimeError(f"body of {total} words < {lo}")
        return paragraphs

    def content(
        self, topic: str, when: datetime, lo: int, hi: int, title_prefix: str = "", n_captions: int | None = None
    ) -> Content:
        title, ctx = self.title(topic, when, title_prefix)
        if n_captions is None:
            n_captions = self.rng.choice((0, 1, 1, 2))
        return Content(
            topic=topic,
            title=title,
            sapo_core=self.sapo_core(topic, when, ctx),
            paragraphs=self.body(topic, when, lo, hi, ctx),
            captions=[self.caption(when, ctx) for _ in range(n_captions)],
            tags=self.rng.sample(TOPIC_TAGS[topic], k=min(2, len(TOPIC_TAGS[topic]))),
        )

    def extra_sentence(self, topic: str, when: datetime) -> str:
        return self.sentence(topic, when)
