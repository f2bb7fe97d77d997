"""The activity form: common fields, the fields of the activity's kind, trainees pasted from
Excel, inspection recommendations. It parses what was typed; the services enforce the rules
(sums by sex, dates inside the plan period, what each kind needs)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antoan.cases.choices import Sex
from antoan.cases.forms.base import (
    StyledForm,
    checkboxes,
    date_field,
    select,
    text_area,
)
from antoan.places.forms import PlaceField, resolve_place
from antoan.places.selectors import place_labels
from antoan.programme import services
from antoan.programme.choices import (
    AGE_BANDS,
    ActivityKind,
    Channel,
    ConferenceFormat,
    FundingSource,
    RecommendationStatus,
    TargetGroup,
    TrainingTopic,
)
from antoan.programme.models import Activity, Recommendation, text_limit

MAX_TRAINEE_LINES = 2000

PARTICIPANT_FIELDS = [
    ("participants_total", gettext_lazy("Tổng số")),
    ("participants_female", gettext_lazy("Nữ")),
    ("participants_male", gettext_lazy("Nam")),
    ("participants_other", gettext_lazy("Khác, không rõ")),
]


class MoneyField(forms.IntegerField):
    """Đồng, typed as people write them: "15.000.000", "15 000 000 đ" or "15000000"."""

    default_error_messages = {
        "invalid": gettext_lazy("Nhập số tiền bằng chữ số, ví dụ 15.000.000."),
    }

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = re.sub(r"[\s.,đĐ]|VND|vnđ", "", value, flags=re.IGNORECASE)
        return super().to_python(value)


def number(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        error_messages={"invalid": gettext_lazy("Nhập một số nguyên.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


def score(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=1,
        localize=True,
        error_messages={"invalid": gettext_lazy("Nhập điểm theo phần trăm, ví dụ 85,5.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def kind_fields(kind: str, models: list[tuple[str, str]]) -> dict[str, forms.Field]:
    """The form fields of one kind of activity (services.KIND_FIELDS names them)."""
    fields: dict[str, forms.Field] = {}
    if kind == ActivityKind.COMMUNICATION:
        fields["channel"] = select(Channel.choices, _("Hình thức truyền thông"), required=False)
        fields["materials_produced"] = number(_("Số sản phẩm truyền thông sản xuất"))
        fields["materials_distributed"] = number(_("Số sản phẩm truyền thông phát hành"))
    elif kind == ActivityKind.TRAINING:
        fields["topic"] = select(TrainingTopic.choices, _("Chủ đề tập huấn"), required=False)
        fields["training_of_trainers"] = forms.BooleanField(
            label=_("Đây là lớp tập huấn giảng viên nguồn"), required=False
        )
        fields["pre_test_score"] = score(_("Điểm kiểm tra đầu khóa (%, nếu có)"))
        fields["post_test_score"] = score(_("Điểm kiểm tra cuối khóa (%, nếu có)"))
    elif kind == ActivityKind.CONFERENCE:
        fields["conference_format"] = select(
            ConferenceFormat.choices, _("Hình thức"), required=False
        )
    elif kind == ActivityKind.STUDY_VISIT:
        fields["destination"] = forms.CharField(
            label=_("Nơi đến tham quan, học tập"), max_length=255, required=False
        )
    elif kind == ActivityKind.INSPECTION:
        fields["units_inspected"] = forms.CharField(
            label=_("Đơn vị được kiểm tra"),
            required=False,
            max_length=text_limit(Activity, "units_inspected"),
            widget=text_area(2),
        )
        fields["findings"] = forms.CharField(
            label=_("Kết quả kiểm tra"),
            required=False,
            max_length=text_limit(Activity, "findings"),
            widget=text_area(4),
        )
    elif kind == ActivityKind.COMMENDATION:
        fields["recipient"] = forms.CharField(
            label=_("Tập thể, cá nhân được khen"), max_length=255, required=False
        )
        fields["reason"] = forms.CharField(
            label=_("Thành tích"),
            required=False,
            max_length=text_limit(Activity, "reason"),
            widget=text_area(3),
        )
        fields["decision_number"] = forms.CharField(
            label=_("Số quyết định"), max_length=60, required=False
        )
        fields["decision_date"] = date_field(_("Ngày quyết định"), required=False)
        fields["decided_by"] = forms.CharField(
            label=_("Cấp quyết định"), max_length=255, required=False
        )
    elif kind == ActivityKind.MODEL_ACTIVITY:
        fields["community_model"] = select(models, _("Mô hình"), required=False)
    return fields


# --- Trainees pasted from a spreadsheet --------------------------------------------------------

# "N" alone is not here: it could be Nữ or Nam, and a wrong guess would skew the figures.
SEX_WORDS = {
    "nữ": Sex.FEMALE,
    "nu": Sex.FEMALE,
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "nam": Sex.MALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "khác": Sex.OTHER,
    "khac": Sex.OTHER,
    "other": Sex.OTHER,
}
SEX_NAMES = {Sex.FEMALE: "Nữ", Sex.MALE: "Nam", Sex.OTHER: "Khác", Sex.UNKNOWN: "Khác"}
HEADER_WORDS = {"họ tên", "họ và tên", "ho ten", "ho va ten", "stt"}


def _norm(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _score(cell: str) -> Decimal | None:
    cell = cell.strip().replace(",", ".").rstrip("%").strip()
    if not cell:
        return None
    try:
        return Decimal(cell)
    except InvalidOperation:
        raise ValueError(cell) from None


def parse_trainees(text: str) -> tuple[list[services.TraineeInput], list[str]]:
    """Rows copied from Excel (tab-separated: họ tên, giới tính, chức vụ, cơ quan, and
    optionally điểm đầu khóa, điểm cuối khóa). Returns the trainees and one message per bad
    line, numbered as the user sees the lines."""
    trainees: list[services.TraineeInput] = []
    errors: list[str] = []
    lines = text.splitlines()
    if len(lines) > MAX_TRAINEE_LINES:
        return [], [_("Tối đa %(n)s học viên mỗi lớp.") % {"n": MAX_TRAINEE_LINES}]
    for number_, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        # Excel copies cells with tabs; someone typing by hand may use ";" or "|".
        separator = "\t" if "\t" in raw else (";" if ";" in raw else "|")
        cells = [_norm(c) for c in raw.split(separator)]
        if not trainees and not errors and cells[0].lower() in HEADER_WORDS:
            continue  # the header row came along with the copy
        if cells and cells[0].isdigit() and len(cells) > 2:
            cells = cells[1:]  # a "STT" (row number) column
        cells += [""] * (6 - len(cells))
        name, sex_word, position, agency_name, pre, post = cells[:6]
        problems = []
        if not name:
            problems.append(_("thiếu họ tên"))
        sex = SEX_WORDS.get(sex_word.lower())
        if sex is None:
            problems.append(
                _("giới tính “%(value)s” không rõ (ghi Nữ, Nam hoặc Khác)") % {"value": sex_word}
                if sex_word
                else _("thiếu giới tính (ghi Nữ, Nam hoặc Khác)")
            )
        scores: list[Decimal | None] = []
        for cell in (pre, post):
            try:
                scores.append(_score(cell))
            except ValueError:
                problems.append(_("điểm “%(value)s” không phải là số") % {"value": cell})
                scores.append(None)
        if problems:
            errors.append(
                _("Dòng %(n)s: %(problems)s.") % {"n": number_, "problems": "; ".join(problems)}
            )
            continue
        trainees.append(
            services.TraineeInput(
                full_name=name[:120],
                sex=sex or Sex.UNKNOWN,
                position=position[:120],
                agency_name=agency_name[:255],
                pre_score=scores[0],
                post_score=scores[1],
            )
        )
    return trainees, errors


def trainees_as_text(trainees: Any) -> str:
    """The stored trainees as the same tab-separated lines, for the edit form."""
    lines = []
    for t in trainees:
        cells = [t.full_name, SEX_NAMES.get(t.sex, ""), t.position, t.agency_name]
        if t.pre_score is not None or t.post_score is not None:
            cells += [
                "" if t.pre_score is None else str(t.pre_score),
                "" if t.post_score is None else str(t.post_score),
            ]
        lines.append("\t".join(cells))
    return "\n".join(lines)


# --- The form ----------------------------------------------------------------------------------


class ActivityForm(StyledForm):
    """One activity. ``kind`` is chosen first (the page before) and fixes the kind's fields."""

    kind = forms.ChoiceField(choices=ActivityKind.choices, widget=forms.HiddenInput)
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    agency = forms.TypedChoiceField(label=gettext_lazy("Cơ quan tổ chức"), coerce=int)
    title = forms.CharField(label=gettext_lazy("Tên hoạt động"), max_length=255, required=False)
    description = forms.CharField(
        label=gettext_lazy("Mô tả ngắn"),
        required=False,
        max_length=text_limit(Activity, "description"),
        widget=text_area(3),
    )
    tasks = forms.MultipleChoiceField(
        label=gettext_lazy("Nhiệm vụ của kế hoạch mà hoạt động thực hiện"), required=False
    )
    start_date = date_field(gettext_lazy("Từ ngày"))
    end_date = date_field(
        gettext_lazy("Đến ngày"),
        required=False,
        help_text=gettext_lazy("Bỏ trống nếu hoạt động diễn ra trong một ngày."),
    )
    # The province or a commune, by name or code; a unit of before the 2025 reorganisation for
    # an activity of before it (resolved on the activity's first day).
    commune = PlaceField(
        label=gettext_lazy("Địa bàn"),
        date_field="start_date",
        required=False,
        help_text=gettext_lazy(
            "Gõ tên tỉnh, huyện hoặc xã, phường nơi diễn ra hoạt động (có dấu hay không dấu "
            "đều được) rồi chọn trong danh sách, hoặc gõ mã thống kê. Hoạt động trước "
            "01/07/2025: tên đơn vị khi đó."
        ),
    )
    partners = forms.MultipleChoiceField(
        label=gettext_lazy("Cơ quan phối hợp"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners_other = forms.CharField(
        label=gettext_lazy("Đơn vị phối hợp khác"), max_length=255, required=False
    )
    target_groups = checkboxes(TargetGroup.choices, gettext_lazy("Nhóm đối tượng"))
    trainees = forms.CharField(
        label=gettext_lazy("Danh sách học viên"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "wrap": "off"}),
        help_text=gettext_lazy(
            "Sao chép các dòng từ bảng Excel rồi dán vào đây, mỗi học viên một dòng, các cột: "
            "họ tên, giới tính (Nữ/Nam/Khác), chức vụ, cơ quan. Nếu bỏ trống số người tham gia, "
            "hệ thống tự đếm từ danh sách."
        ),
    )
    member_agencies = forms.MultipleChoiceField(
        label=gettext_lazy("Thành viên đoàn kiểm tra (theo cơ quan)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        agencies: list[tuple[int, str]],
        tasks: list[tuple[str, str]],
        communes: list[tuple[str, str]],
        partner_choices: list[tuple[str, str]],
        models: list[tuple[str, str]],
        period: tuple[dt.date, dt.date] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind_value = kind
        self.period = period
        self.fields["agency"].choices = agencies
        self.fields["tasks"].choices = tasks
        self.fields["commune"].choices = place_labels(communes)
        # An activity being edited names its place by code: show it by name, an old unit's
        # as it was on the activity's day.
        code = self.initial.get("place_code")
        if code and not self.initial.get("commune"):
            self.initial["commune"] = code
        start = self.initial.get("start_date")
        if code and start and code not in dict(self.fields["commune"].choices):
            known = self.fields["commune"].choices
            self.fields["commune"].choices = [*known, *place_labels([(code, code)], on=start)]
        self.fields["partners"].choices = partner_choices
        self.fields["member_agencies"].choices = partner_choices
        for name, label in PARTICIPANT_FIELDS:
            self.fields[name] = number(label)
        for name, label in AGE_BANDS:
            self.fields[name] = number(label)
        for source, label in FundingSource.choices:
            self.fields[f"spend_{source}"] = MoneyField(
                label=label,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
        self.kind_names = list(kind_fields(kind, models))
        self.fields.update(kind_fields(kind, models))
        if kind != ActivityKind.TRAINING:
            del self.fields["trainees"]
        if kind != ActivityKind.INSPECTION:
            del self.fields["member_agencies"]
        # Errors the services give for a group of fields ("ages", "spending").
        self.group_errors: dict[str, list[str]] = {}
        self.trainee_list: list[services.TraineeInput] = []
        # Re-style: the fields added above came after StyledForm's pass.
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    # Groups of fields, for the template.
    def bound(self, names: list[str]) -> list[forms.BoundField]:
        return [self[name] for name in names if name in self.fields]

    @property
    def participant_fields(self) -> list[forms.BoundField]:
        return self.bound([n for n, _label in PARTICIPANT_FIELDS])

    @property
    def age_fields(self) -> list[forms.BoundField]:
        return self.bound([n for n, _label in AGE_BANDS])

    @property
    def spending_fields(self) -> list[forms.BoundField]:
        return self.bound([f"spend_{s}" for s in FundingSource.values])

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return self.bound(self.kind_names)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.group_errors)

    def clean_trainees(self) -> str:
        text = self.cleaned_data.get("trainees", "")
        self.trainee_list, problems = parse_trainees(text)
        if problems:
            raise forms.ValidationError(problems)
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("commune") and "commune" not in self.errors:
            self.add_error("commune", _("Hãy nhập địa bàn: tên hoặc mã đơn vị hành chính."))
        self.clean_place(data.get("start_date"))
        if data.get("start_date") and not data.get("end_date"):
            data["end_date"] = data["start_date"]
        # Participants left blank but trainees listed: count them.
        if (
            data.get("participants_total") is None
            and not any(data.get(n) for n, _label in PARTICIPANT_FIELDS[1:])
            and self.trainee_list
        ):
            data.update(services.trainee_totals(self.trainee_list))
        return data

    def clean_place(self, start: dt.date | None) -> None:
        """The place typed, on the activity's first day; its code goes on to the view."""
        outside = start is not None and self.period is not None
        outside = outside and not (self.period[0] <= start <= self.period[1])
        # A date outside the plan is the first thing to fix (the service says so): the place
        # is then taken as it is today rather than refused for a day that is wrong anyway.
        resolve_place(self, "commune", on=timezone.localdate() if outside else start)

    @property
    def place_code_value(self) -> str:
        return (self.cleaned_data.get("commune") or "").strip()

    def spending(self) -> dict[str, int]:
        d = self.cleaned_data
        return {
            source: d[f"spend_{source}"]
            for source in FundingSource.values
            if d.get(f"spend_{source}") is not None
        }

    def add_service_errors(self, error: Any) -> None:
        """Show a service's ValidationError on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            if key in self.fields:
                self.add_error(key, messages)
            elif key in ("ages", "spending"):
                self.group_errors.setdefault(key, []).extend(messages)
            elif key == "client_uuid":
                self.add_error(None, messages)
            else:
                self.add_error(None, messages)


class RecommendationForm(StyledForm):
    text = forms.CharField(
        label=gettext_lazy("Kiến nghị"),
        required=False,
        max_length=text_limit(Recommendation, "text"),
        widget=text_area(2),
    )
    responsible = forms.CharField(
        label=gettext_lazy("Đơn vị thực hiện"), max_length=255, required=False
    )
    due_date = date_field(gettext_lazy("Thời hạn"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Tình trạng"),
        choices=RecommendationStatus.choices,
        initial=RecommendationStatus.OPEN,
    )
    follow_up = forms.CharField(
        label=gettext_lazy("Kết quả theo dõi"),
        required=False,
        max_length=text_limit(Recommendation, "follow_up"),
        widget=text_area(2),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled_other = data.get("responsible") or data.get("due_date") or data.get("follow_up")
        if filled_other and not (data.get("text") or "").strip():
            self.add_error("text", _("Hãy ghi nội dung kiến nghị."))
        return data

    def to_input(self) -> services.RecommendationInput:
        d = self.cleaned_data
        return services.RecommendationInput(
            text=d["text"].strip(),
            responsible=d["responsible"].strip(),
            due_date=d["due_date"],
            status=d["status"],
            follow_up=d["follow_up"].strip(),
        )


RecommendationFormSet = forms.formset_factory(RecommendationForm, extra=2, max_num=30)


def filled_recommendations(formset: Any) -> list[RecommendationForm]:
    return [f for f in formset.forms if f.is_valid() and (f.cleaned_data.get("text") or "").strip()]


class RecommendationFollowUpForm(StyledForm):
    """The organising agency records how a recommendation was followed up."""

    status = forms.ChoiceField(
        label=gettext_lazy("Tình trạng"), choices=RecommendationStatus.choices
    )
    follow_up = forms.CharField(
        label=gettext_lazy("Kết quả theo dõi"),
        required=False,
        max_length=text_limit(Recommendation, "follow_up"),
        widget=text_area(2),
    )
