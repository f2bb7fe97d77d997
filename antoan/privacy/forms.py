"""Forms of the privacy pages: typed the Vietnamese way, errors in Vietnamese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases.forms.base import StyledForm, checkboxes, datetime_field, select, text_area
from antoan.core.phones import PhoneField
from antoan.privacy import choices as p


class RequestForm(StyledForm):
    kind = select(p.RequestKind.choices, _("Loại yêu cầu"))
    requester = select(p.Requester.choices, _("Người yêu cầu"))
    channel = select(p.RequestChannel.choices, _("Hình thức nhận"))
    received_at = datetime_field(
        _("Thời điểm nhận"),
        required=False,
        help_text=_("Để trống nếu vừa nhận. Thời hạn tính từ ngày làm việc sau ngày nhận."),
    )
    details = forms.CharField(
        label=_("Nội dung yêu cầu"),
        required=False,
        max_length=4000,
        widget=text_area(),
        help_text=_("Dữ liệu nào, chỉnh sửa gì, vì sao (nếu người yêu cầu nói rõ)."),
    )


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ExtendForm(VersionForm):
    reason = forms.CharField(
        label=_("Lý do gia hạn"),
        max_length=2000,
        widget=text_area(2),
        help_text=_("Được gia hạn một lần; lý do sẽ được thông báo cho người yêu cầu."),
        error_messages={"required": _("Nêu lý do gia hạn để thông báo cho người yêu cầu.")},
    )


class DecideForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[
            (p.RequestStatus.COMPLETED, _("Đã thực hiện")),
            (p.RequestStatus.REFUSED, _("Từ chối")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn kết quả: đã thực hiện hoặc từ chối.")},
    )
    note = forms.CharField(
        label=_("Việc đã làm hoặc lý do từ chối"),
        max_length=4000,
        widget=text_area(3),
        error_messages={"required": _("Ghi lại việc đã làm hoặc lý do từ chối.")},
    )
    # Deletion requests only (the view drops both fields otherwise).
    erase = forms.BooleanField(
        label=_(
            "Ẩn danh ngay mọi dữ liệu nhận dạng người này trong mọi hồ sơ của họ (không thể "
            "hoàn tác; số liệu thống kê giữ nguyên)"
        ),
        required=False,
    )
    reauth_secret = forms.CharField(
        label=_("Mật khẩu hoặc mã OTP của bạn (khi ẩn danh)"),
        required=False,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "one-time-code"}),
    )


class RejectForm(StyledForm):
    reason = forms.CharField(
        label=_("Lý do không duyệt"),
        max_length=2000,
        widget=text_area(2),
        error_messages={"required": _("Nêu lý do không duyệt.")},
    )


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10_000_000,
        error_messages={"invalid": _("Nhập một số nguyên không âm.")},
    )


class BreachForm(StyledForm):
    detected_at = datetime_field(_("Thời điểm phát hiện"))
    occurred_at = datetime_field(_("Thời điểm xảy ra (nếu biết)"), required=False)
    kind = select(p.BreachKind.choices, _("Loại vi phạm"))
    description = forms.CharField(
        label=_("Mô tả vi phạm"),
        max_length=8000,
        widget=text_area(4),
        help_text=_("Không ghi tên hay thông tin nhận dạng người bị bạo lực vào sổ này."),
    )
    data_categories = checkboxes(p.DataCategory.choices, _("Loại dữ liệu cá nhân bị ảnh hưởng"))
    subjects_affected = _count(_("Số chủ thể dữ liệu bị ảnh hưởng"))
    records_affected = _count(_("Số bản ghi bị ảnh hưởng"))
    consequences = forms.CharField(
        label=_("Hậu quả, thiệt hại có thể xảy ra"),
        required=False,
        max_length=8000,
        widget=text_area(),
    )
    measures_taken = forms.CharField(
        label=_("Biện pháp đã thực hiện"), required=False, max_length=8000, widget=text_area()
    )
    measures_proposed = forms.CharField(
        label=_("Biện pháp đề xuất"), required=False, max_length=8000, widget=text_area()
    )
    contact_name = forms.CharField(label=_("Người liên hệ"), max_length=120)
    contact_phone = PhoneField(label=_("Điện thoại liên hệ"), required=False)
    contact_email = forms.EmailField(
        label=_("Thư điện tử liên hệ"),
        required=False,
        error_messages={"invalid": _("Nhập một địa chỉ thư điện tử hợp lệ.")},
    )
    status = select(p.BreachStatus.choices, _("Trạng thái"))
    authority_notified_at = datetime_field(
        _("Đã thông báo cơ quan chuyên trách lúc"),
        required=False,
        help_text=_(
            "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), Bộ Công an."
        ),
    )
    authority_reference = forms.CharField(
        label=_("Số văn bản thông báo"), required=False, max_length=60
    )
    late_reason = forms.CharField(
        label=_("Lý do thông báo sau 72 giờ"), required=False, max_length=4000, widget=text_area(2)
    )
    subjects_notified_at = datetime_field(_("Đã thông báo chủ thể dữ liệu lúc"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].initial = p.BreachStatus.SUSPECTED
