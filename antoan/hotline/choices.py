"""Enumerations of the call log. Codes are part of the API (lowercase snake_case)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Điện thoại")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")
    WALK_IN = "walk_in", _("Đến trực tiếp")
    LETTER = "letter", _("Thư")
    WEB_CHAT = "web_chat", _("Trò chuyện trên web")


# Channels whose contacts arrive by themselves and wait in the queue until an operator takes
# them (the others are logged by the operator who handled them).
LIVE_CHANNELS = (Channel.PHONE, Channel.SMS, Channel.ZALO, Channel.WEB_CHAT)
# A web chat is never logged by hand: it opens by itself from the public chat page.
LOGGABLE_CHANNELS = [(code, label) for code, label in Channel.choices if code != Channel.WEB_CHAT]
# Channels whose conversation is a series of written messages stored with the contact.
MESSAGE_CHANNELS = (Channel.SMS, Channel.ZALO, Channel.WEB_CHAT)


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


class Presence(models.TextChoices):
    """An operator's availability, set by the operator: only ``available`` takes new chats."""

    AVAILABLE = "available", _("Sẵn sàng")
    BUSY = "busy", _("Đang bận")
    AWAY = "away", _("Vắng mặt")


class Direction(models.TextChoices):
    INBOUND = "in", _("Người liên hệ")
    OUTBOUND = "out", _("Tư vấn viên")
    SYSTEM = "system", _("Hệ thống")


class ContactState(models.TextChoices):
    """Where a contact is in its conversation (from its times; ``status`` is the record's)."""

    WAITING = "waiting", _("Đang chờ")
    ACTIVE = "active", _("Đang trao đổi")
    ENDED = "ended", _("Đã kết thúc")
