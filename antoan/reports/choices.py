from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp")
    RETURNED = "returned", _("Bị trả lại")
    RESUBMITTED = "resubmitted", _("Đã nộp lại")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    SUPERSEDED = "superseded", _("Đã thay bằng bản đính chính")


# A submission in one of these states is in the lead department's hands: the agency's
# activities of the period are frozen, and no reminder goes out.
IN_HAND = (SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED, SubmissionStatus.ACCEPTED)
# States in which the agency may still edit.
EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


class SubmissionAction(models.TextChoices):
    CREATE = "create", _("Tạo bản báo cáo")
    SUBMIT = "submit", _("Nộp")
    RESUBMIT = "resubmit", _("Nộp lại")
    RETURN = "return", _("Trả lại")
    ACCEPT = "accept", _("Tiếp nhận")
    CORRECT = "correct", _("Mở bản đính chính")
    ATTACH = "attach", _("Đính kèm tệp")
    DETACH = "detach", _("Gỡ tệp đính kèm")


class ReminderKind(models.TextChoices):
    D14 = "d14", _("Còn 14 ngày")
    D7 = "d7", _("Còn 7 ngày")
    D3 = "d3", _("Còn 3 ngày")
    D1 = "d1", _("Còn 1 ngày")
    OVERDUE = "overdue", _("Quá hạn")


REMINDER_DAYS = {ReminderKind.D14: 14, ReminderKind.D7: 7, ReminderKind.D3: 3, ReminderKind.D1: 1}
