"""Enumerations of programme data. Codes follow the API contract (docs/api.md); labels are
Vietnamese, in the plan's own words where it has them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa triển khai")
    IN_PROGRESS = "in_progress", _("Đang triển khai")
    DONE = "done", _("Đã hoàn thành")
    AT_RISK = "at_risk", _("Có nguy cơ không đạt")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    SUPPORT = "support", _("Phối hợp")


class ActivityKind(models.TextChoices):
    COMMUNICATION = "communication", _("Truyền thông, chiến dịch truyền thông")
    TRAINING = "training", _("Tập huấn, bồi dưỡng")
    CONFERENCE = "conference", _("Hội nghị, hội thảo, tọa đàm, đối thoại")
    STUDY_VISIT = "study_visit", _("Tham quan, học tập kinh nghiệm")
    INSPECTION = "inspection", _("Kiểm tra liên ngành")
    COMMENDATION = "commendation", _("Biểu dương, khen thưởng")
    MODEL_ACTIVITY = "model_activity", _("Hoạt động của mô hình")
    OTHER = "other", _("Hoạt động khác")


class Channel(models.TextChoices):
    MEETING = "meeting", _("Họp, sinh hoạt cộng đồng")
    LOUDSPEAKER = "loudspeaker", _("Loa truyền thanh")
    RADIO_TV = "radio_tv", _("Phát thanh, truyền hình")
    SOCIAL_MEDIA = "social_media", _("Mạng xã hội")
    CONTEST = "contest", _("Hội thi")
    PERFORMANCE = "performance", _("Văn nghệ, giao lưu nghệ thuật")
    PRINTED_MATERIAL = "printed_material", _("Tài liệu, ấn phẩm in")


class TrainingTopic(models.TextChoices):
    """The five kinds of training listed in section II.3.a of plan 64/KH-UBND."""

    GENERAL = "general", _("Kiến thức chung về phòng ngừa và ứng phó với bạo lực trên cơ sở giới")
    MODEL_STAFF = "model_staff", _("Kiến thức, kỹ năng cho cán bộ, cộng tác viên các mô hình")
    TRAINERS = "trainers", _("Tập huấn giảng viên nguồn")
    SERVICE_PROVIDERS = "service_providers", _("Kiến thức, kỹ năng cho người cung cấp dịch vụ")
    AFFECTED_PEOPLE = (
        "affected_people",
        _("Kiến thức, kỹ năng cho người bị bạo lực, người gây bạo lực và người có nguy cơ"),
    )
    OTHER = "other", _("Chủ đề khác")


class ConferenceFormat(models.TextChoices):
    CONFERENCE = "conference", _("Hội nghị")
    WORKSHOP = "workshop", _("Hội thảo")
    SEMINAR = "seminar", _("Tọa đàm")
    POLICY_DIALOGUE = "policy_dialogue", _("Đối thoại chính sách")
    TALK = "talk", _("Nói chuyện chuyên đề")


class TargetGroup(models.TextChoices):
    OFFICIALS = "officials", _("Cán bộ, công chức, viên chức")
    WOMEN = "women", _("Phụ nữ")
    MEN = "men", _("Nam giới")
    YOUTH = "youth", _("Thanh thiếu niên")
    PUPILS = "pupils", _("Học sinh, sinh viên")
    WORKERS = "workers", _("Công nhân, người lao động")
    DISABILITIES = "people_with_disabilities", _("Người khuyết tật")
    COMMUNITY_LEADERS = "community_leaders", _("Chức sắc tôn giáo, người có uy tín")
    VILLAGE_HEADS = "village_heads", _("Trưởng thôn, tổ dân phố")
    SERVICE_PROVIDERS = "service_providers", _("Người cung cấp dịch vụ")
    AT_RISK = "at_risk", _("Người bị bạo lực, người có nguy cơ bị bạo lực")
    PERPETRATORS = "perpetrators", _("Người gây bạo lực, người có nguy cơ gây bạo lực")
    ELDERLY = "elderly", _("Người cao tuổi")
    ETHNIC_MINORITIES = "ethnic_minorities", _("Người dân tộc thiểu số")
    GENERAL_PUBLIC = "general_public", _("Người dân nói chung")
    OTHER = "other", _("Nhóm khác")


class FundingSource(models.TextChoices):
    CENTRAL_BUDGET = "central_budget", _("Ngân sách trung ương")
    PROVINCIAL_BUDGET = "provincial_budget", _("Ngân sách tỉnh")
    DISTRICT_BUDGET = "district_budget", _("Ngân sách huyện (trước 01/07/2025)")
    COMMUNE_BUDGET = "commune_budget", _("Ngân sách xã")
    DONOR = "donor", _("Nhà tài trợ")
    OTHER = "other", _("Nguồn hợp pháp khác")


# Participants by age: (field on Activity, label). All four or none.
AGE_BANDS = [
    ("age_under_16", _("Dưới 16 tuổi")),
    ("age_16_29", _("16-29 tuổi")),
    ("age_30_59", _("30-59 tuổi")),
    ("age_60_plus", _("Từ 60 tuổi")),
]


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Đã thực hiện")
    NOT_DONE = "not_done", _("Không thực hiện được")


class ModelKind(models.TextChoices):
    TRUSTED_ADDRESS = "trusted_address", _("Địa chỉ tin cậy - nhà tạm lánh tại cộng đồng")
    SAFE_SCHOOL = "safe_school", _("Trường học an toàn, thân thiện, không bạo lực")
    SAFE_CITY = "safe_city", _("Thành phố/làng quê an toàn, thân thiện với phụ nữ và trẻ em")
    MEN_PIONEERS = "men_pioneers", _("Nam giới tiên phong")
    DISABILITY_CLUB = (
        "disability_club",
        _("Câu lạc bộ phòng, chống bạo lực với phụ nữ và trẻ em gái khuyết tật"),
    )
    OTHER = "other", _("Mô hình khác")


class ModelStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    PAUSED = "paused", _("Tạm dừng")
    CLOSED = "closed", _("Đã giải thể")


class InfluencerGroup(models.TextChoices):
    RELIGIOUS_LEADER = "religious_leader", _("Chức sắc tôn giáo")
    ELDER = "elder", _("Người cao tuổi có uy tín")
    VILLAGE_HEAD = "village_head", _("Trưởng thôn, tổ dân phố")
    TEACHER = "teacher", _("Giáo viên")
    HEALTH_WORKER = "health_worker", _("Nhân viên y tế")
    ARTIST = "artist", _("Nghệ sĩ, vận động viên")
    YOUTH = "youth", _("Thanh niên tiêu biểu")
    MAN_PIONEER = "man_pioneer", _("Nam giới tiên phong")
    BUSINESS = "business", _("Doanh nhân")
    OTHER = "other", _("Khác")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Ảnh")
    ATTENDANCE = "attendance", _("Danh sách tham dự")
    DOCUMENT = "document", _("Tài liệu, báo cáo")


class PlanStatus(models.TextChoices):
    """A plan built in the app starts as a draft. A provincial plan is published by the
    coordinator; a local plan is submitted by the commune's reporter and approved (published)
    by the commune's leader, who may return it. Plans loaded from a file are published."""

    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Chờ phê duyệt")
    PUBLISHED = "published", _("Đã ban hành")


class YearReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Trả lại để bổ sung")


class CampaignKind(models.TextChoices):
    """The campaigns that come back every year (plan 64/KH-UBND, IV.10-1), and ad-hoc ones."""

    ACTION_MONTH = (
        "action_month",
        _("Tháng hành động vì bình đẳng giới và phòng, chống bạo lực trên cơ sở giới"),
    )
    ELIMINATION_DAY = (
        "elimination_day",
        _("Ngày quốc tế xóa bỏ bạo lực đối với phụ nữ và trẻ em gái"),
    )
    DV_MONTH = "dv_month", _("Tháng hành động quốc gia về phòng, chống bạo lực gia đình")
    AD_HOC = "ad_hoc", _("Chiến dịch khác")


# The yearly window of each recurring kind: (month, day) of the first and the last day. The
# Action Month runs 15/11 → 15/12 and belongs to the year it starts in.
CAMPAIGN_WINDOWS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    CampaignKind.ACTION_MONTH: ((11, 15), (12, 15)),
    CampaignKind.ELIMINATION_DAY: ((11, 25), (11, 25)),
    CampaignKind.DV_MONTH: ((6, 1), (6, 30)),
}
RECURRING_CAMPAIGNS = tuple(CAMPAIGN_WINDOWS)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    FINAL = "final", _("Đã hoàn thành")


class ReviewDecision(models.TextChoices):
    """What the lead department decides after reviewing a model's results (II.4.a-1)."""

    CONTINUE = "continue", _("Duy trì")
    SUPPORT = "support", _("Hỗ trợ thêm")
    EXTEND = "extend", _("Nhân rộng, mở rộng")
    STOP = "stop", _("Dừng mô hình")
