"""Enumerations of the call log. Codes are part of the API (lowercase snake_case)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Điện thoại")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")
    WALK_IN = "walk_in", _("Đến trực tiếp")
    LETTER = "letter", _("Thư")


class CallerType(models.TextChoices):
    SURVIVOR = "survivor", _("Người bị bạo lực")
    RELATIVE = "relative", _("Người thân")
    NEIGHBOUR = "neighbour", _("Hàng xóm")
    OFFICIAL = "official", _("Cán bộ, công chức")
    PERPETRATOR = "perpetrator", _("Người gây bạo lực")
    OTHER = "other", _("Khác")


class Category(models.TextChoices):
    GBV = "gbv", _("Bạo lực trên cơ sở giới")
    DV = "dv", _("Bạo lực gia đình")
    CHILD_ABUSE = "child_abuse", _("Xâm hại trẻ em")
    TRAFFICKING = "trafficking", _("Mua bán người")
    INFORMATION_REQUEST = "information_request", _("Hỏi thông tin")
    OTHER = "other", _("Khác")


class Outcome(models.TextChoices):
    INFORMATION_GIVEN = "information_given", _("Đã cung cấp thông tin")
    PHONE_COUNSELLING = "phone_counselling", _("Tư vấn qua điện thoại")
    REFERRED = "referred", _("Đã giới thiệu, chuyển gửi")
    CASE_OPENED = "case_opened", _("Đã mở hồ sơ ca")
    POLICE_DISPATCHED = "police_dispatched", _("Đã báo công an can thiệp")


class Status(models.TextChoices):
    OPEN = "open", _("Đang xử lý")
    CLOSED = "closed", _("Đã đóng")


class NoticeRole(models.TextChoices):
    POLICE = "police", _("Công an")
    COMMUNE_CHAIR = "commune_chair", _("Chủ tịch UBND xã, phường")
    OTHER = "other", _("Khác")


class NoticeMethod(models.TextChoices):
    PHONE = "phone", _("Điện thoại")
    SMS = "sms", _("Tin nhắn")
    OTHER = "other", _("Khác")
