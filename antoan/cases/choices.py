"""Enumerations of case data. Codes follow the API contract (docs/api.md); labels are Vietnamese."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Nữ")
    MALE = "male", _("Nam")
    OTHER = "other", _("Khác")
    UNKNOWN = "unknown", _("Không rõ")


class Source(models.TextChoices):
    SELF = "self", _("Tự tìm đến")
    FAMILY = "family", _("Gia đình")
    HOTLINE = "hotline", _("Đường dây nóng")
    POLICE = "police", _("Công an")
    HEALTH_FACILITY = "health_facility", _("Cơ sở y tế")
    SCHOOL = "school", _("Trường học")
    COMMUNE = "commune", _("Ủy ban nhân dân xã")
    WOMENS_UNION = "womens_union", _("Hội Phụ nữ")
    TRUSTED_ADDRESS = "trusted_address", _("Địa chỉ tin cậy")
    VILLAGE_HEAD = "village_head", _("Trưởng thôn, tổ dân phố")
    NGO = "ngo", _("Tổ chức phi chính phủ")
    OTHER = "other", _("Khác")


class Status(models.TextChoices):
    OPEN = "open", _("Đang xử lý")
    CLOSED = "closed", _("Đã đóng")


class Stage(models.TextChoices):
    INTAKE = "intake", _("Tiếp nhận")
    ASSESSMENT = "assessment", _("Đánh giá")
    CASE_PLAN = "case_plan", _("Kế hoạch hỗ trợ")
    SERVICES = "services", _("Cung cấp dịch vụ")
    FOLLOW_UP = "follow_up", _("Theo dõi")
    CLOSURE_REQUESTED = "closure_requested", _("Đề nghị đóng ca")
    CLOSED = "closed", _("Đã đóng")
    REOPENED = "reopened", _("Mở lại")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Thấp")
    MEDIUM = "medium", _("Trung bình")
    HIGH = "high", _("Cao")
    IMMEDIATE = "immediate", _("Nguy hiểm tức thời")


RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.IMMEDIATE]


class GbvType(models.TextChoices):
    """GBVIMS core types, in the order of the classification rule (the first that applies)."""

    RAPE = "rape", _("Hiếp dâm")
    SEXUAL_ASSAULT = "sexual_assault", _("Tấn công tình dục")
    PHYSICAL_ASSAULT = "physical_assault", _("Tấn công thân thể")
    FORCED_MARRIAGE = "forced_marriage", _("Cưỡng ép kết hôn")
    DENIAL_OF_RESOURCES = "denial_of_resources", _("Từ chối nguồn lực, cơ hội, dịch vụ")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Bạo lực tinh thần")
    NON_GBV = "non_gbv", _("Không phải BLG")


class DvForm(models.TextChoices):
    PHYSICAL = "physical", _("Thân thể")
    PSYCHOLOGICAL = "psychological", _("Tinh thần")
    SEXUAL = "sexual", _("Tình dục")
    ECONOMIC = "economic", _("Kinh tế")


class Context(models.TextChoices):
    INTIMATE_PARTNER = "intimate_partner", _("Bạo lực bởi bạn đời")
    CHILD_SEXUAL_ABUSE = "child_sexual_abuse", _("Xâm hại tình dục trẻ em")
    CHILD_MARRIAGE = "child_marriage", _("Tảo hôn")
    TRAFFICKING = "trafficking", _("Mua bán người")
    WORKPLACE_HARASSMENT = "workplace_harassment", _("Quấy rối tình dục nơi làm việc")
    SCHOOL_VIOLENCE = "school_violence", _("Bạo lực học đường")
    DISABILITY = "disability", _("Bạo lực với người khuyết tật")
    ELDERLY = "elderly", _("Bạo lực với người cao tuổi")


class AgeGroup(models.TextChoices):
    A0_11 = "0-11", "0-11"
    A12_17 = "12-17", "12-17"
    A18_25 = "18-25", "18-25"
    A26_40 = "26-40", "26-40"
    A41_60 = "41-60", "41-60"
    A61 = "61+", "61+"
    UNKNOWN = "unknown", _("Không rõ")


class Relationship(models.TextChoices):
    HUSBAND = "husband", _("Chồng")
    WIFE = "wife", _("Vợ")
    FORMER_PARTNER = "former_partner", _("Vợ/chồng cũ, bạn đời cũ")
    PARTNER = "partner", _("Bạn tình, người yêu")
    PARENT = "parent", _("Cha, mẹ")
    STEP_PARENT = "step_parent", _("Cha dượng, mẹ kế")
    CHILD = "child", _("Con")
    SIBLING = "sibling", _("Anh chị em")
    OTHER_RELATIVE = "other_relative", _("Người thân khác")
    EMPLOYER = "employer", _("Chủ sử dụng lao động")
    TEACHER = "teacher", _("Giáo viên")
    ACQUAINTANCE = "acquaintance", _("Người quen")
    STRANGER = "stranger", _("Người lạ")
    OTHER = "other", _("Khác")


class Need(models.TextChoices):
    HEALTH = "health", _("Y tế")
    PSYCHOSOCIAL = "psychosocial", _("Tâm lý xã hội")
    LEGAL = "legal", _("Pháp lý")
    SAFETY = "safety", _("An toàn")
    SHELTER = "shelter", _("Nơi tạm lánh")
    SOCIAL_ASSISTANCE = "social_assistance", _("Trợ giúp xã hội, vật chất")
    LIVELIHOOD = "livelihood", _("Sinh kế")
    EDUCATION = "education", _("Giáo dục")
    OTHER = "other", _("Khác")


# Services that count as basic support (NQ 28/NQ-CP: health care, counselling, legal aid,
# safety and shelter, essential needs), and those that protect a victim of domestic violence
# as a granted measure does (indicator DV-01).
BASIC_SERVICES = [
    Need.HEALTH,
    Need.PSYCHOSOCIAL,
    Need.LEGAL,
    Need.SAFETY,
    Need.SHELTER,
    Need.SOCIAL_ASSISTANCE,
]
PROTECTIVE_SERVICES = [Need.LEGAL, Need.HEALTH]


class ConsentPurpose(models.TextChoices):
    SERVICES = "services", _("Nhận dịch vụ và chuyển gửi")
    REPORTING = "reporting", _("Báo cáo thống kê")
    SHARING = "sharing", _("Chia sẻ với cơ quan được nêu tên")


class ConsentGivenBy(models.TextChoices):
    SURVIVOR = "survivor", _("Người bị bạo lực")
    GUARDIAN = "guardian", _("Người giám hộ")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Bằng lời nói")
    WRITTEN = "written", _("Bằng văn bản")
    PHONE = "phone", _("Qua điện thoại")
    ELECTRONIC = "electronic", _("Điện tử")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("Điện thoại")
    HOME_VISIT = "home_visit", _("Thăm tại nhà")
    OFFICE = "office", _("Tại cơ quan")
    OTHER = "other", _("Khác")


class MeasureType(models.TextChoices):
    """Measures of Law 13/2022/QH15, Article 23."""

    STOP_VIOLENCE = "stop_violence", _("Buộc chấm dứt hành vi bạo lực")
    SUMMON = "summon", _("Triệu tập người gây bạo lực")
    NO_CONTACT_COMMUNE = "no_contact_commune", _("Cấm tiếp xúc (Chủ tịch UBND xã)")
    NO_CONTACT_COURT = "no_contact_court", _("Cấm tiếp xúc (Tòa án)")
    SHELTER = "shelter", _("Bố trí nơi tạm lánh, nhu cầu thiết yếu")
    MEDICAL = "medical", _("Chăm sóc y tế")
    LEGAL_AID = "legal_aid", _("Trợ giúp pháp lý, tư vấn")
    EDUCATION = "education", _("Giáo dục, hỗ trợ chuyển đổi hành vi")
    COMMUNITY_CRITICISM = "community_criticism", _("Góp ý, phê bình trong cộng đồng")
    COMMUNITY_SERVICE = "community_service", _("Thực hiện công việc phục vụ cộng đồng")
    PREVENTIVE = "preventive", _("Biện pháp ngăn chặn hành chính, hình sự")


class DecidingBody(models.TextChoices):
    COMMUNE_CHAIR = "commune_chair", _("Chủ tịch UBND xã")
    COURT = "court", _("Tòa án")
    POLICE = "police", _("Công an")
    OTHER = "other", _("Khác")


class MeasureDecision(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    GRANTED = "granted", _("Đã quyết định áp dụng")
    REFUSED = "refused", _("Từ chối (có lý do)")


class ClosureDecision(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    RETURNED = "returned", _("Trả lại")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Chờ tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    DECLINED = "declined", _("Từ chối")


class PlanItemStatus(models.TextChoices):
    PENDING = "pending", _("Chưa thực hiện")
    DONE = "done", _("Đã thực hiện")
    CANCELLED = "cancelled", _("Huỷ")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("Độc thân")
    MARRIED = "married", _("Đã kết hôn")
    COHABITING = "cohabiting", _("Chung sống như vợ chồng")
    SEPARATED = "separated", _("Ly thân")
    DIVORCED = "divorced", _("Ly hôn")
    WIDOWED = "widowed", _("Góa")
    UNKNOWN = "unknown", _("Không rõ")


class DuplicateMatch(models.TextChoices):
    NAME_BIRTH_YEAR = "name_birth_year", _("Họ tên và năm sinh")
    PHONE = "phone", _("Số điện thoại")
    BOTH = "both", _("Họ tên, năm sinh và số điện thoại")


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("Chờ xem xét")
    SAME_PERSON = "same_person", _("Cùng một người")
    DIFFERENT = "different", _("Hai người khác nhau")
    IN_TOUCH = "in_touch", _("Cùng một người, đã kết nối hai cơ quan")


class LegalHoldReason(models.TextChoices):
    """Why a closed case must outlive its retention period: a code, never free text."""

    PROCEEDINGS = "proceedings", _("Đang có vụ án, vụ việc được tố tụng")
    INVESTIGATION = "investigation", _("Cơ quan điều tra, viện kiểm sát yêu cầu lưu giữ")
    COMPLAINT = "complaint", _("Đang giải quyết khiếu nại, tố cáo")
    INSPECTION = "inspection", _("Đang thanh tra, kiểm tra")
    SUBJECT_REQUEST = "subject_request", _("Người bị bạo lực yêu cầu lưu giữ")
