"""Vietnamese names, addresses and the short texts of synthetic records.

Family names follow their approximate national frequencies (Nguyễn about 38 %); women's middle
names are mostly "Thị", men's mostly "Văn", as in the generations that make up most survivors.
Every string is NFC, as the services store text.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from antoan.indicators.synthetic.common import Rng


def nfc_all(items: list[str]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", item) for item in items)


# (family name, weight in per mille), after published surname surveys; the rest spread thin.
FAMILY_NAMES: tuple[tuple[str, int], ...] = tuple(
    (unicodedata.normalize("NFC", name), weight)
    for name, weight in [
        ("Nguyễn", 380),
        ("Trần", 110),
        ("Lê", 95),
        ("Phạm", 70),
        ("Hoàng", 45),
        ("Vũ", 40),
        ("Phan", 30),
        ("Đặng", 22),
        ("Bùi", 21),
        ("Đỗ", 16),
        ("Ngô", 13),
        ("Dương", 11),
        ("Đào", 9),
        ("Đinh", 9),
        ("Trịnh", 8),
        ("Đoàn", 7),
        ("Lương", 6),
        ("Lý", 6),
        ("Mai", 5),
        ("Cao", 5),
        ("Hồ", 5),
        ("Tạ", 4),
        ("Lưu", 4),
        ("Chu", 4),
        ("Nghiêm", 3),
        ("Khúc", 3),
        ("Tô", 3),
        ("Quách", 2),
        ("Kiều", 2),
        ("Lại", 2),
        ("Vương", 2),
        ("Hà", 3),
        ("Triệu", 2),
        ("Văn", 1),
    ]
)

FEMALE_MIDDLE = nfc_all(["Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương", "Bích", "Mai"])
FEMALE_MIDDLE_YOUNG = nfc_all(
    ["Ngọc", "Bảo", "Khánh", "Gia", "Minh", "Phương", "Hà", "Diệu", "Thảo"]
)
MALE_MIDDLE = nfc_all(
    ["Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh", "Đình", "Trọng", "Quốc", "Mạnh"]
)
FEMALE_GIVEN = nfc_all(
    [
        "Lan",
        "Hoa",
        "Hằng",
        "Hương",
        "Mai",
        "Nga",
        "Hà",
        "Huyền",
        "Thảo",
        "Trang",
        "Linh",
        "Ngọc",
        "Phương",
        "Thủy",
        "Yến",
        "Oanh",
        "Hạnh",
        "Nhung",
        "Loan",
        "Dung",
        "Hiền",
        "Thu",
        "Tuyết",
        "Vân",
        "Liên",
        "Nhàn",
        "Hậu",
        "Quyên",
        "Anh",
        "Châu",
        "Duyên",
        "Giang",
        "Hồng",
        "Huệ",
        "Ly",
        "My",
        "Nhi",
        "Quỳnh",
        "Thoa",
        "Thúy",
        "Trinh",
        "Uyên",
        "Xuân",
        "Ánh",
        "Ngân",
        "Nguyệt",
        "Hòa",
        "Bích",
        "Chi",
        "Diệp",
        "Lụa",
        "Sen",
        "Tâm",
        "Tươi",
        "Thắm",
        "Lệ",
        "Phượng",
        "Sương",
        "Hoài",
        "Thơm",
        "Vy",
        "Hân",
        "Khuê",
    ]
)
MALE_GIVEN = nfc_all(
    [
        "Hùng",
        "Dũng",
        "Nam",
        "Tuấn",
        "Minh",
        "Hải",
        "Long",
        "Sơn",
        "Thắng",
        "Cường",
        "Hưng",
        "Quân",
        "Đức",
        "Bình",
        "Tú",
        "Trung",
        "Thành",
        "Phong",
        "Khánh",
        "Huy",
        "Việt",
        "Hiếu",
        "Tùng",
        "Hoàng",
        "Kiên",
        "Toàn",
        "Lâm",
        "Tiến",
        "Thịnh",
        "Vinh",
        "Đạt",
        "Phúc",
        "Tâm",
        "An",
        "Bảo",
        "Chiến",
        "Định",
        "Giang",
        "Hòa",
        "Khoa",
        "Lợi",
        "Mạnh",
        "Nghĩa",
        "Quang",
        "Tài",
        "Thái",
        "Thiện",
        "Trường",
        "Đông",
        "Hậu",
        "Lực",
        "Nhân",
    ]
)
NEUTRAL_MIDDLE = nfc_all(["Minh", "Thanh", "Ngọc", "Bảo", "Khánh"])
NEUTRAL_GIVEN = nfc_all(["An", "Anh", "Khánh", "Linh", "Hà", "Giang", "Phương", "Thanh"])
NICKNAMES = nfc_all(["Bống", "Na", "Tý", "Mít", "Su", "Bin", "Gấu", "Cún", "Bé", "Hến"])

ETHNICITIES: tuple[tuple[str, int], ...] = tuple(
    (unicodedata.normalize("NFC", name), weight)
    for name, weight in [
        ("Kinh", 950),
        ("Mường", 12),
        ("Tày", 10),
        ("Thái", 8),
        ("Nùng", 6),
        ("Hoa", 5),
        ("Dao", 4),
        ("Khmer", 3),
        ("H'Mông", 2),
    ]
)

OCCUPATIONS = nfc_all(
    [
        "Làm ruộng",
        "Công nhân",
        "Buôn bán nhỏ",
        "Lao động tự do",
        "Nội trợ",
        "Giáo viên",
        "Nhân viên văn phòng",
        "Thợ may",
        "Hưu trí",
        "Học sinh",
    ]
)
PERPETRATOR_OCCUPATIONS = nfc_all(
    [
        "Làm ruộng",
        "Công nhân",
        "Lao động tự do",
        "Lái xe",
        "Thợ xây",
        "Kinh doanh",
        "Bộ đội xuất ngũ",
    ]
)
STREETS = nfc_all(
    [
        "Nguyễn Văn Linh",
        "Lê Lợi",
        "Trần Hưng Đạo",
        "Điện Biên",
        "Phạm Ngũ Lão",
        "Bạch Đằng",
        "Hai Bà Trưng",
        "Quang Trung",
        "Lê Quý Đôn",
        "Lý Bôn",
        "Chu Văn An",
        "Tô Hiệu",
    ]
)
VILLAGES = nfc_all(["Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Cả", "Mới", "Tây"])

# How a description names the perpetrator, by relationship code.
PERPETRATOR_WORDS = {
    "husband": "chồng",
    "wife": "vợ",
    "former_partner": "chồng cũ",
    "partner": "bạn trai",
    "parent": "bố",
    "step_parent": "bố dượng",
    "child": "con trai",
    "sibling": "anh trai",
    "other_relative": "người thân",
    "employer": "chủ sử dụng lao động",
    "teacher": "một giáo viên",
    "acquaintance": "một người quen",
    "stranger": "một người lạ",
    "other": "một người khác",
}

DESCRIPTIONS = {
    "physical_assault": nfc_all(
        [
            "Bị {who} đánh vào mặt và tay sau khi {who} uống rượu.",
            "Bị {who} đẩy ngã, có vết bầm ở lưng và tay.",
            "Bị {who} tát, đá nhiều lần trong lúc cãi nhau về tiền bạc.",
            "Bị {who} dùng gậy đánh, phải đến trạm y tế băng bó.",
        ]
    ),
    "psychological_abuse": nfc_all(
        [
            "Thường xuyên bị {who} chửi bới, lăng mạ, đe dọa đuổi ra khỏi nhà.",
            "Bị {who} kiểm soát điện thoại, cấm gặp gỡ bạn bè và người thân.",
            "Bị {who} đe dọa sẽ bắt con, không cho về nhà mẹ đẻ.",
        ]
    ),
    "denial_of_resources": nfc_all(
        [
            "Bị {who} giữ toàn bộ tiền lương, không cho tiền chi tiêu cho con.",
            "Bị {who} không cho đi làm, không đưa tiền chữa bệnh.",
        ]
    ),
    "sexual_assault": nfc_all(
        [
            "Bị {who} sờ soạng, có hành vi dâm ô.",
            "Bị {who} quấy rối tình dục nhiều lần, nhắn tin đe dọa.",
        ]
    ),
    "rape": nfc_all(["Bị {who} ép quan hệ tình dục trái ý muốn.", "Bị {who} cưỡng hiếp."]),
    "forced_marriage": nfc_all(
        [
            "Bị gia đình ép kết hôn khi chưa đủ tuổi.",
            "Bị gia đình ép lấy chồng để trả nợ.",
        ]
    ),
    "non_gbv": nfc_all(
        [
            "Bị hàng xóm hành hung do tranh chấp đất đai.",
            "Bị người trong xóm đe dọa vì mâu thuẫn làm ăn.",
        ]
    ),
}

ASSESSMENT_NOTES = nfc_all(
    [
        "Người bị bạo lực lo sợ, mong muốn được tư vấn và bảo đảm an toàn cho bản thân và con.",
        "Đã trao đổi về các nguy cơ; người bị bạo lực đồng ý lập kế hoạch an toàn.",
        "Có thương tích nhẹ; cần khám y tế và tư vấn tâm lý.",
        "Gia đình nhà ngoại sẵn sàng hỗ trợ chỗ ở tạm thời.",
    ]
)
SAFETY_PLANS = nfc_all(
    [
        "Lưu số điện thoại công an xã và đường dây nóng; chuẩn bị sẵn giấy tờ và ít tiền.",
        "Khi có dấu hiệu bạo lực, đưa con sang nhà hàng xóm và gọi trưởng thôn.",
        "Tạm lánh tại địa chỉ tin cậy khi cần; báo cán bộ quản lý ca hằng tuần.",
    ]
)
PLAN_GOALS = nfc_all(
    [
        "Bảo đảm an toàn cho người bị bạo lực; hỗ trợ y tế và tư vấn tâm lý trong tháng đầu.",
        "Hỗ trợ pháp lý để giải quyết ly hôn và quyền nuôi con; theo dõi an toàn hằng tháng.",
        "Kết nối dịch vụ y tế, trợ giúp xã hội; tư vấn thay đổi hành vi cho người gây bạo lực.",
    ]
)
FOLLOW_UP_NOTES = nfc_all(
    [
        "Người bị bạo lực cho biết tình hình đã ổn định, không còn bị đánh.",
        "Đã đến thăm tại nhà; gia đình có chuyển biến tích cực.",
        "Vẫn còn mâu thuẫn; nhắc lại kế hoạch an toàn và số điện thoại khẩn cấp.",
    ]
)
CLOSURE_REASONS = nfc_all(
    [
        "Người bị bạo lực đã an toàn; các mục tiêu của kế hoạch hỗ trợ đã đạt được.",
        "Người bị bạo lực chuyển đến nơi ở mới và không còn nhu cầu hỗ trợ.",
        "Người bị bạo lực đề nghị dừng hỗ trợ; đã hướng dẫn cách liên hệ khi cần.",
    ]
)
RETURN_COMMENTS = nfc_all(["Bổ sung kết quả theo dõi lần cuối trước khi đóng ca."])
DELIVERY_TEXTS = {
    "health": nfc_all(["Khám, điều trị vết thương và cấp giấy chứng nhận thương tích."]),
    "psychosocial": nfc_all(
        ["Tư vấn tâm lý trực tiếp hai buổi.", "Tham vấn tâm lý qua điện thoại."]
    ),
    "legal": nfc_all(["Tư vấn pháp luật về hôn nhân và gia đình, hướng dẫn thủ tục ly hôn."]),
    "safety": nfc_all(["Công an xã làm việc với người gây bạo lực, yêu cầu cam kết chấm dứt."]),
    "shelter": nfc_all(["Tiếp nhận tạm lánh ba ngày, bảo đảm ăn ở cho hai mẹ con."]),
    "social_assistance": nfc_all(["Hỗ trợ gạo và tiền mặt khẩn cấp."]),
    "livelihood": nfc_all(["Giới thiệu học nghề may và vay vốn tổ tiết kiệm."]),
    "education": nfc_all(["Hỗ trợ học phí và đồ dùng học tập cho trẻ."]),
    "other": nfc_all(["Hỗ trợ làm lại giấy tờ tùy thân."]),
}
REFERRAL_NOTES = nfc_all(
    [
        "Chỉ liên hệ qua số điện thoại của người bị bạo lực vào giờ hành chính.",
        "Không liên hệ qua người nhà; người gây bạo lực có thể nghe máy.",
        "",
    ]
)
DECLINE_REASONS = nfc_all(["Hết chỗ tiếp nhận.", "Không thuộc phạm vi dịch vụ của cơ sở."])
REVOKE_REASONS = nfc_all(
    ["Người bị bạo lực không muốn nhận dịch vụ nữa.", "Đã chuyển gửi nơi khác."]
)
REFUSAL_REASONS = nfc_all(["Chưa đủ căn cứ xác định hành vi bạo lực gia đình."])
LATE_REASONS = nfc_all(["Đề nghị nhận ngoài giờ, Chủ tịch đi công tác."])
CALL_SUMMARIES = {
    "dv": nfc_all(
        [
            "Người gọi bị chồng đánh, xin tư vấn cách bảo vệ bản thân.",
            "Báo tin bạo lực gia đình ở nhà bên cạnh.",
        ]
    ),
    "gbv": nfc_all(["Người gọi bị quấy rối ở nơi làm việc, hỏi cách tố cáo."]),
    "child_abuse": nfc_all(["Báo tin một trẻ em nghi bị xâm hại."]),
    "trafficking": nfc_all(["Người nhà mất liên lạc sau khi được hứa hẹn việc làm ở nước ngoài."]),
    "information_request": nfc_all(
        ["Hỏi địa chỉ tư vấn pháp lý miễn phí.", "Hỏi về thủ tục ly hôn."]
    ),
    "other": nfc_all(["Cuộc gọi nhầm số; đã hướng dẫn.", "Hỏi việc không liên quan đến bạo lực."]),
}
TRAINEE_POSITIONS = nfc_all(
    [
        "Cán bộ văn hóa - xã hội",
        "Chi hội trưởng phụ nữ",
        "Công an khu vực",
        "Trưởng thôn",
        "Cộng tác viên",
        "Nhân viên y tế",
        "Giáo viên",
        "Bí thư chi đoàn",
        "Tổ trưởng tổ hòa giải",
    ]
)


def given_names(rng: Rng, sex: str, *, young: bool) -> tuple[str, str]:
    """A middle and a given name for the sex (women mostly "Thị", men mostly "Văn")."""
    if sex == "female":
        if young:
            middle = "Thị" if rng.chance(0.3) else rng.choice(FEMALE_MIDDLE_YOUNG)
        else:
            middle = "Thị" if rng.chance(0.75) else rng.choice(FEMALE_MIDDLE)
        return middle, rng.choice(FEMALE_GIVEN)
    if sex == "male":
        middle = "Văn" if rng.chance(0.3 if young else 0.55) else rng.choice(MALE_MIDDLE)
        return middle, rng.choice(MALE_GIVEN)
    return rng.choice(NEUTRAL_MIDDLE), rng.choice(NEUTRAL_GIVEN)


def person_name(rng: Rng, sex: str, *, young: bool = False) -> tuple[str, str]:
    """(family and middle names, given name): a user's last_name and first_name."""
    family = rng.weighted(FAMILY_NAMES)
    middle, given = given_names(rng, sex, young=young)
    return f"{family} {middle}", given


def full_name(rng: Rng, sex: str, *, young: bool = False) -> str:
    family, given = person_name(rng, sex, young=young)
    return f"{family} {given}"


def phone_number(rng: Rng) -> str:
    """A mobile number in the stored form (ten digits, leading 0)."""
    prefix = rng.choice(("09", "03", "08", "07"))
    return prefix + "".join(str(rng.randrange(10)) for _ in range(8))


def address(rng: Rng, place_name: str) -> str:
    """A house's address in a commune: village or street, then the commune's name."""
    lowered = place_name[:1].lower() + place_name[1:]
    if place_name.startswith("Phường"):
        if rng.chance(0.5):
            return f"Tổ dân phố {rng.randint(1, 18)}, {lowered}"
        return f"Số {rng.randint(2, 260)} đường {rng.choice(STREETS)}, {lowered}"
    if rng.chance(0.5):
        return f"Thôn {rng.choice(VILLAGES)}, {lowered}"
    return f"Xóm {rng.randint(1, 12)}, {lowered}"


def lowered(name: str) -> str:
    """A place's name inside a sentence: "Phường Phố Hiến" → "phường Phố Hiến"."""
    return name[:1].lower() + name[1:]
