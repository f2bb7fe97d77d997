"""The one form a health worker fills in: codes and ticks, no text about the patient.

Big radio and checkbox groups that a thumb can hit on a 360 px phone; the services enforce the
rules (dates, referral accepted only when offered, the referral number).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c
from antoan.cases.forms.base import StyledForm, checkboxes, date_field
from antoan.health.services import ContactInput

SERVICE_FIELDS = ("emergency_care", "forensic_exam", "counselling", "contraception_pep")
REFERRAL_FIELDS = ("referral_offered", "referral_accepted", "case_opened")


class Checkbox(forms.CheckboxInput):
    """A checkbox that hands the field what was sent (Django's own turns any text into True);
    named so that templates see a "checkbox"."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class TickField(forms.BooleanField):
    """Ticked ("on", as browsers send it) or not (absent): any other value is refused, so a
    name typed into a yes/no is an error, never a yes."""

    widget = Checkbox
    default_error_messages = {"invalid": _("Giá trị không hợp lệ.")}

    def to_python(self, value: Any) -> bool:
        if value in (None, "", False):
            return False
        if value is True or (isinstance(value, str) and value.lower() in ("on", "true")):
            return True
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def _tick(label: Any, **kwargs: Any) -> TickField:
    return TickField(label=label, required=False, **kwargs)


def _radios(choices: Any, label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=list(choices), widget=forms.RadioSelect)


class ContactForm(StyledForm):
    facility = forms.TypedChoiceField(
        label=_("Cơ sở y tế"), coerce=int, choices=(), widget=forms.RadioSelect
    )
    contact_date = date_field(_("Ngày tiếp nhận"))
    sex = _radios(c.Sex.choices, _("Giới tính"))
    age_band = _radios(c.AgeGroup.choices, _("Nhóm tuổi"))
    gbv_type = _radios(c.GbvType.choices, _("Loại bạo lực"))
    violence_forms = checkboxes(c.DvForm.choices, _("Hình thức bạo lực gia đình (nếu có)"))
    perpetrator_relation = forms.ChoiceField(
        label=_("Người gây bạo lực là"),
        choices=[("", _("Không rõ, không hỏi")), *c.Relationship.choices],
        required=False,
    )
    emergency_care = _tick(_("Cấp cứu, điều trị"))
    forensic_exam = _tick(_("Khám, thu thập chứng cứ pháp y"))
    counselling = _tick(_("Tư vấn"))
    contraception_pep = _tick(_("Tránh thai khẩn cấp, dự phòng lây nhiễm (PEP)"))
    referral_offered = _tick(
        _("Đã đề nghị chuyển gửi (công an, trợ giúp pháp lý, nhà tạm lánh...)")
    )
    referral_accepted = _tick(_("Người bệnh đồng ý được chuyển gửi"))
    case_opened = _tick(
        _("Người bệnh đã có hồ sơ ca (được chuyển đến, hoặc đã mở hồ sơ)"),
        help_text=_("Khi đó người bệnh được tính qua hồ sơ ca, không tính thêm ở đây."),
    )
    # Pressing "save" twice, or again after a lost connection, records the contact once.
    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    referral_number = forms.CharField(
        label=_("Số phiếu chuyển gửi đến cơ sở (nếu có)"),
        required=False,
        max_length=20,
        help_text=_("Ví dụ CG-000123. Chỉ số phiếu, không ghi tên người bệnh."),
    )

    def __init__(self, *args: Any, facilities: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["facility"]
        field.choices = [(f.pk, f.name) for f in facilities]
        if len(facilities) == 1:
            field.initial = facilities[0].pk
        if not self.is_bound:
            self.fields["contact_date"].initial = timezone.localdate()
            self.fields["client_uuid"].initial = uuid.uuid4()
        self.fields["referral_number"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "text", "placeholder": "CG-000123"}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The page sends these fields and nothing else: a key it does not have (a name, a
        # phone, a note) is refused, not dropped, as the API does.
        unknown = set(self.data) - set(self.fields) - {"csrfmiddlewaretoken"}
        if unknown:
            raise forms.ValidationError(
                _("Biểu mẫu có trường không xác định; hãy tải lại trang."), code="unknown"
            )
        return data

    def to_input(self) -> ContactInput:
        d = self.cleaned_data
        return ContactInput(
            facility=d["facility"],
            contact_date=d["contact_date"],
            sex=d["sex"],
            age_band=d["age_band"],
            gbv_type=d["gbv_type"],
            violence_forms=list(d.get("violence_forms") or []),
            perpetrator_relation=d.get("perpetrator_relation") or "",
            referral_number=d.get("referral_number") or "",
            client_uuid=d.get("client_uuid"),
            **{name: bool(d.get(name)) for name in (*SERVICE_FIELDS, *REFERRAL_FIELDS)},
        )


class ReportForm(StyledForm):
    """Which month of which place: the facility's own staff see their facility; analysts
    and managers pick a facility, a commune or (neither) the province."""

    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=9999)
    month = forms.IntegerField(label=_("Tháng"), min_value=1, max_value=12)
    facility = forms.TypedChoiceField(label=_("Cơ sở y tế"), coerce=int, required=False)
    commune = forms.ChoiceField(label=_("Xã, phường"), required=False)

    def __init__(
        self,
        *args: Any,
        facilities: list[Any],
        communes: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month
        wide = communes is not None
        facility_choices = [(f.pk, f.name) for f in facilities]
        self.fields["facility"].choices = (
            [("", _("— Tất cả —")), *facility_choices] if wide else facility_choices
        )
        self.fields["facility"].required = not wide
        if not wide and facilities:
            self.fields["facility"].initial = facilities[0].pk
        if wide:
            self.fields["commune"].choices = [("", _("— Cả tỉnh —")), *communes]
        else:
            del self.fields["commune"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("facility") and data.get("commune"):
            self.add_error("commune", _("Chọn một cơ sở hoặc một xã, phường, không chọn cả hai."))
        return data
