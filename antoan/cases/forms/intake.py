"""The intake: survivor, consent, the case's first fields, incidents and perpetrators."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.forms.base import (
    BLANK,
    StyledForm,
    VersionedForm,
    checkboxes,
    date_field,
    select,
    text_area,
)
from antoan.cases.services import ConsentInput, IncidentInput, PerpetratorInput, SurvivorInput
from antoan.core.phones import PhoneField
from antoan.places.forms import PlaceField, resolve_place


class SurvivorForm(StyledForm):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    other_names = forms.CharField(
        label=_("Tên gọi khác"), max_length=300, required=False, help_text=_("Tên thường gọi.")
    )
    sex = select(c.Sex.choices, _("Giới tính"))
    date_of_birth = date_field(_("Ngày sinh"), required=False)
    birth_year = forms.IntegerField(
        label=_("Năm sinh"), required=False, min_value=rules.MIN_BIRTH_YEAR, max_value=2100
    )
    age_at_intake = forms.IntegerField(
        label=_("Tuổi ước tính"), required=False, min_value=0, max_value=120
    )
    phone = PhoneField(label=_("Số điện thoại"), required=False)
    national_id = forms.CharField(label=_("Số định danh cá nhân"), max_length=20, required=False)
    address = forms.CharField(
        label=_("Địa chỉ"), max_length=500, required=False, widget=text_area(2)
    )
    commune = forms.ChoiceField(label=_("Xã, phường cư trú"), required=False)
    ethnicity = forms.CharField(label=_("Dân tộc"), max_length=40, required=False)
    disability = forms.BooleanField(label=_("Người khuyết tật"), required=False)
    marital_status = select(c.MaritalStatus.choices, _("Tình trạng hôn nhân"), required=False)
    occupation = forms.CharField(label=_("Nghề nghiệp"), max_length=80, required=False)
    guardian_name = forms.CharField(
        label=_("Họ tên người giám hộ"),
        max_length=200,
        required=False,
        help_text=_("Bắt buộc với trẻ em dưới 18 tuổi."),
    )
    guardian_phone = PhoneField(label=_("Điện thoại người giám hộ"), required=False)

    def __init__(self, *args: Any, communes: Iterable[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [BLANK, *communes]
        self.fields["phone"].widget.input_type = "tel"
        self.fields["guardian_phone"].widget.input_type = "tel"

    def to_input(self) -> SurvivorInput:
        d = self.cleaned_data
        return SurvivorInput(
            full_name=d["full_name"],
            sex=d["sex"],
            birth_year=d.get("birth_year"),
            date_of_birth=d.get("date_of_birth"),
            age_at_intake=d.get("age_at_intake"),
            phone=d.get("phone", ""),
            other_names=d.get("other_names", ""),
            national_id=d.get("national_id", ""),
            address=d.get("address", ""),
            guardian_name=d.get("guardian_name", ""),
            guardian_phone=d.get("guardian_phone", ""),
            ethnicity=d.get("ethnicity", ""),
            disability=bool(d.get("disability")),
            marital_status=d.get("marital_status", ""),
            occupation=d.get("occupation", ""),
            commune=d.get("commune") or None,
        )


CHILD_AGREED = [
    ("", _("Không áp dụng (người lớn hoặc trẻ dưới 7 tuổi)")),
    ("yes", _("Trẻ đồng ý")),
    ("no", _("Trẻ không đồng ý")),
]


class ConsentForm(StyledForm):
    services = forms.BooleanField(
        label=_("Đồng ý nhận dịch vụ và được chuyển gửi đến cơ quan hỗ trợ"), required=False
    )
    reporting = forms.BooleanField(
        label=_("Đồng ý để thông tin (không nêu tên) được dùng cho báo cáo thống kê"),
        required=False,
    )
    given_by = forms.ChoiceField(
        label=_("Người cho ý kiến"),
        choices=c.ConsentGivenBy.choices,
        initial=c.ConsentGivenBy.SURVIVOR,
        widget=forms.RadioSelect,
    )
    child_agreed = forms.ChoiceField(
        label=_("Ý kiến của trẻ em (từ đủ 7 tuổi)"), choices=CHILD_AGREED, required=False
    )
    method = forms.ChoiceField(
        label=_("Hình thức ghi nhận"),
        choices=c.ConsentMethod.choices,
        initial=c.ConsentMethod.VERBAL,
    )

    def to_input(self, sharing_agencies: Iterable[Any] = ()) -> ConsentInput:
        d = self.cleaned_data
        agreed = {"yes": True, "no": False}.get(d.get("child_agreed") or "")
        return ConsentInput(
            services=bool(d.get("services")),
            reporting=bool(d.get("reporting")),
            given_by=d["given_by"],
            child_agreed=agreed,
            method=d["method"],
            sharing_agencies=list(sharing_agencies),
        )


class ConsentRecordForm(ConsentForm, VersionedForm):
    """Consent recorded later on the case page; it may also name agencies to share with."""

    sharing_agencies = forms.ModelMultipleChoiceField(
        label=_("Đồng ý chia sẻ thông tin với các cơ quan"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chỉ đánh dấu những cơ quan người bị bạo lực đã đồng ý cho biết thông tin."),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sharing_agencies"].queryset = agencies


class IntakeCaseForm(StyledForm):
    """The case's own fields at intake, and the intake's bookkeeping."""

    source = select(c.Source.choices, _("Nguồn tiếp nhận"))
    needs = checkboxes(c.Need.choices, _("Nhu cầu hỗ trợ"))
    immediate_danger = forms.BooleanField(
        label=_("Đang gặp nguy hiểm tức thời"),
        required=False,
        help_text=_("Đánh dấu khi tính mạng, sức khỏe đang bị đe dọa ngay lúc này."),
    )
    risk_level = select(
        c.RiskLevel.choices,
        _("Mức độ nguy cơ ban đầu"),
        required=False,
        help_text=_("Để trống nếu chưa đánh giá; đánh giá đầy đủ làm sau trên trang hồ sơ."),
    )
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    confirm_duplicate = forms.BooleanField(
        label=_("Tôi đã kiểm tra, vẫn tạo hồ sơ mới"), required=False
    )


# --- Incidents --------------------------------------------------------------------------------

ACT_CHOICES = [(code, c.GbvType(code).label) for code in rules.ACT_CODES]


class IncidentForm(StyledForm):
    error_aliases = {"gbv_type": "acts"}

    occurred_on = date_field(_("Ngày xảy ra"))
    first_reported_on = date_field(
        _("Ngày báo tin đầu tiên"), help_text=_("Ngày vụ việc được báo lần đầu cho bất kỳ ai.")
    )
    acts = checkboxes(
        ACT_CHOICES,
        _("Hành vi đã xảy ra"),
        help_text=_(
            "Đánh dấu mọi hành vi đã xảy ra. Hệ thống tự xếp loại theo quy tắc GBVIMS "
            "(hành vi đứng trước được chọn)."
        ),
    )
    non_gbv = forms.BooleanField(
        label=_("Không phải bạo lực trên cơ sở giới (không có hành vi nào ở trên)"),
        required=False,
    )
    dv_forms = checkboxes(c.DvForm.choices, _("Hình thức bạo lực gia đình"))
    contexts = checkboxes(c.Context.choices, _("Bối cảnh"))
    commune = PlaceField(
        label=_("Xã, phường nơi xảy ra"),
        level="commune",
        date_field="occurred_on",
        required=False,
        help_text=_(
            "Gõ tên xã, phường (có dấu hay không dấu đều được, ví dụ “pho hien”) rồi chọn "
            "trong danh sách, hoặc gõ mã thống kê. Vụ việc xảy ra trước 01/07/2025: tên xã cũ "
            "vào ngày xảy ra."
        ),
    )
    description = forms.CharField(
        label=_("Mô tả vụ việc"), required=False, max_length=10_000, widget=text_area(4)
    )

    def __init__(
        self,
        *args: Any,
        optional: bool = False,
        communes: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Offered without JavaScript; places.js offers the units of the date typed.
        self.fields["commune"].choices = communes
        if optional:
            # At intake the incident may be unknown yet: an untouched section is no incident.
            self.empty_permitted = True

    @property
    def is_blank(self) -> bool:
        return self.empty_permitted and not self.has_changed()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        acts, non_gbv = data.get("acts") or [], data.get("non_gbv")
        if acts and non_gbv:
            self.add_error("non_gbv", _("Đã chọn hành vi bạo lực ở trên; bỏ đánh dấu ô này."))
        elif not acts and not non_gbv and "acts" not in self.errors:
            self.add_error("acts", _("Chọn ít nhất một hành vi, hoặc đánh dấu ô bên dưới."))
        # The name (or code) of the commune on the day it happened; the code goes on.
        resolve_place(self, "commune", on=data.get("occurred_on"))
        return data

    def to_input(self, perpetrators: list[PerpetratorInput]) -> IncidentInput:
        d = self.cleaned_data
        return IncidentInput(
            occurred_on=d["occurred_on"],
            first_reported_on=d["first_reported_on"],
            acts=list(d.get("acts") or []),
            gbv_type=c.GbvType.NON_GBV.value if d.get("non_gbv") else None,
            dv_forms=list(d.get("dv_forms") or []),
            contexts=list(d.get("contexts") or []),
            commune=d.get("commune", "").strip() or None,
            description=d.get("description", ""),
            perpetrators=perpetrators,
        )


class IncidentAddForm(IncidentForm, VersionedForm):
    pass


class PerpetratorForm(StyledForm):
    sex = select(c.Sex.choices, _("Giới tính"))
    age_group = select(c.AgeGroup.choices, _("Nhóm tuổi"))
    relationship = select(c.Relationship.choices, _("Quan hệ với người bị bạo lực"))
    occupation = forms.CharField(label=_("Nghề nghiệp"), max_length=80, required=False)
    details = forms.CharField(
        label=_("Thông tin nhận dạng (tên, địa chỉ...)"),
        max_length=2000,
        required=False,
        widget=text_area(2),
        help_text=_("Được mã hóa khi lưu."),
    )

    def to_input(self) -> PerpetratorInput:
        d = self.cleaned_data
        return PerpetratorInput(
            sex=d["sex"],
            age_group=d["age_group"],
            relationship=d["relationship"],
            occupation=d.get("occupation", ""),
            details=d.get("details", ""),
        )


PerpetratorFormSet = forms.formset_factory(
    PerpetratorForm, extra=3, max_num=3, validate_max=True, absolute_max=3
)
