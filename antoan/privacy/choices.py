"""Codes of the privacy records, with their Vietnamese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    # Law 91/2025/QH15 Art. 4 (rights of the data subject); Decree 356/2025/NĐ-CP.
    ACCESS = "access", _("Xem, nhận bản sao dữ liệu")
    CORRECTION = "correction", _("Chỉnh sửa dữ liệu")
    DELETION = "deletion", _("Xoá dữ liệu")
    RESTRICTION = "restriction", _("Hạn chế xử lý")
    OBJECTION = "objection", _("Phản đối xử lý")
    WITHDRAWAL = "withdrawal", _("Rút lại sự đồng ý")


class RequestChannel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    PHONE = "phone", _("Điện thoại")
    WRITTEN = "written", _("Văn bản, thư")
    ELECTRONIC = "electronic", _("Điện tử, thư điện tử")


class Requester(models.TextChoices):
    SURVIVOR = "survivor", _("Người bị bạo lực")
    GUARDIAN = "guardian", _("Cha mẹ, người giám hộ")
    REPRESENTATIVE = "representative", _("Người đại diện theo uỷ quyền")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    ACKNOWLEDGED = "acknowledged", _("Đã xác nhận tiếp nhận")
    EXTENDED = "extended", _("Đã gia hạn")
    COMPLETED = "completed", _("Đã thực hiện")
    REFUSED = "refused", _("Từ chối")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.ACKNOWLEDGED, RequestStatus.EXTENDED)


class PackageStatus(models.TextChoices):
    PREPARED = "prepared", _("Đã chuẩn bị, chờ duyệt")
    APPROVED = "approved", _("Đã duyệt, chờ giao")
    RELEASED = "released", _("Đã giao")
    REJECTED = "rejected", _("Không duyệt")


class BreachKind(models.TextChoices):
    DISCLOSURE = "disclosure", _("Tiết lộ, truy cập trái phép")
    LOSS = "loss", _("Mất, thất lạc dữ liệu hoặc thiết bị")
    ALTERATION = "alteration", _("Thay đổi, huỷ dữ liệu trái phép")
    UNAVAILABLE = "unavailable", _("Gián đoạn, không truy cập được dữ liệu")
    ATTACK = "attack", _("Tấn công mạng, mã độc")
    MISDIRECTED = "misdirected", _("Gửi nhầm người nhận")
    OTHER = "other", _("Khác")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Họ tên, ngày sinh, số định danh")
    CONTACT = "contact", _("Địa chỉ, số điện thoại")
    VIOLENCE = "violence", _("Thông tin về vụ việc bạo lực (dữ liệu nhạy cảm)")
    HEALTH = "health", _("Sức khoẻ (dữ liệu nhạy cảm)")
    CHILDREN = "children", _("Dữ liệu của trẻ em")
    FAMILY = "family", _("Đời sống gia đình, người liên quan")
    STAFF = "staff", _("Dữ liệu của cán bộ, tài khoản")
    OTHER = "other", _("Khác")


class BreachStatus(models.TextChoices):
    SUSPECTED = "suspected", _("Nghi ngờ, đang xác minh")
    CONFIRMED = "confirmed", _("Đã xác nhận vi phạm")
    NOTIFIED = "notified", _("Đã thông báo cơ quan chức năng")
    CLOSED = "closed", _("Đã khắc phục, đóng")
    DISMISSED = "dismissed", _("Không phải vi phạm")
