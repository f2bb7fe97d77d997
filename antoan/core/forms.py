"""Form pieces shared by every app (bounded date fields), and the auditor's search form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antoan.accounts.models import Agency
from antoan.core.audit_labels import object_types_matching
from antoan.core.dates import check_date_range, validate_date_range
from antoan.core.models import AuditAction, AuditEvent
from antoan.core.selectors import Cursor

DATE_INPUT = "%d/%m/%Y"
# Before this the system did not exist; a year like 0025 is a typing slip, not a search.
EARLIEST = dt.date(2000, 1, 1)


# Dates as people in Vietnam type them: day first, with slashes, dashes or dots, one or two
# digits for day and month (strptime's %d and %m take both); ISO for what machines fill in.
DATE_INPUTS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUTS = [
    *(f"{day} %H:%M" for day in DATE_INPUTS[:3]),
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
]
DATE_ERROR = _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/05/2021.")
DATETIME_ERROR = _("Nhập thời điểm theo dạng ngày/tháng/năm giờ:phút, ví dụ 05/05/2021 14:30.")


class BoundedDateField(forms.DateField):
    """A date within ``antoan.core.dates``' range (01/01/1900 to today + 10 years), typed
    dd/mm/yyyy (or d/m/yyyy, with dashes or dots, or ISO)."""

    default_validators = [validate_date_range]
    default_error_messages = {"invalid": DATE_ERROR}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUTS)
        super().__init__(**kwargs)


class BoundedDateTimeField(forms.DateTimeField):
    """A moment whose local date is within ``antoan.core.dates``' range."""

    default_validators = [validate_date_range]
    default_error_messages = {"invalid": DATETIME_ERROR}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATETIME_INPUTS)
        super().__init__(**kwargs)


def bound_dates(form: forms.BaseForm) -> None:
    """Give every date and time field of ``form`` the common range, if it lacks it.

    Called by ``StyledForm`` so that a date field declared the plain Django way is bounded
    too; the fields are the form instance's own copies, so this changes no other form.
    """
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField) and (
            validate_date_range not in field.validators
        ):
            field.validators.append(validate_date_range)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.name} ({obj.code})"


class AuditSearchForm(forms.Form):
    """Filters for the audit log. Every field is optional; no filter lists the whole log."""

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150, required=False)
    username_match = forms.ChoiceField(
        label=_("Cách khớp tên đăng nhập"),
        choices=[("exact", _("Đúng bằng")), ("prefix", _("Bắt đầu bằng"))],
        required=False,
    )
    case_number = forms.CharField(
        label=_("Số hồ sơ"),
        max_length=30,
        required=False,
        help_text=_("Ví dụ HY-2026-000123: mọi sự kiện về hồ sơ này."),
    )
    object_type = forms.CharField(
        label=_("Loại đối tượng"),
        max_length=60,
        required=False,
        help_text=_("Gõ tên, ví dụ “hồ sơ”, “chuyển gửi”, “cuộc gọi”."),
    )
    object_id = forms.CharField(label=_("Mã đối tượng"), max_length=64, required=False)
    action = forms.ChoiceField(
        label=_("Hành động"),
        choices=[("", _("Tất cả hành động")), *AuditAction.choices],
        required=False,
    )
    agency = AgencyChoiceField(
        label=_("Cơ quan"),
        queryset=Agency.objects.order_by("name", "code").only("pk", "name", "code"),
        required=False,
        empty_label=_("Tất cả cơ quan"),
    )
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        input_formats=DATE_INPUTS,
        error_messages={"invalid": _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/05/2021.")},
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        input_formats=DATE_INPUTS,
        error_messages={"invalid": _("Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/05/2021.")},
    )
    # Keyset pagination: where the current page starts (older) or ends (newer).
    before = forms.CharField(required=False, widget=forms.HiddenInput)
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    FILTERS = (
        "username",
        "case_number",
        "object_type",
        "object_id",
        "action",
        "agency",
        "date_from",
        "date_to",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("id", f"audit-{name}")
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs.update(
                {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
            )
        self.fields["date_from"].widget.format = DATE_INPUT
        self.fields["date_to"].widget.format = DATE_INPUT
        self.fields["case_number"].widget.attrs.update(
            {"placeholder": "HY-2026-000123", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["object_type"].widget.attrs.update(
            {"list": "audit-object-types", "autocomplete": "off"}
        )
        for name in ("case_number", "object_type"):
            self.fields[name].widget.attrs["aria-describedby"] = f"audit-{name}-help"

    def clean_case_number(self) -> str:
        """The case's id, found by the number people see; a number that names no case is an
        error on the field rather than an empty result that looks like "nobody saw it"."""
        number = " ".join(self.cleaned_data.get("case_number", "").split()).upper()
        if not number:
            return ""
        # The case app sits above core: ask the registry rather than import it.
        case_model = apps.get_model("cases", "Case")
        pk = case_model.objects.filter(number=number).values_list("pk", flat=True).first()
        if pk is None:
            raise forms.ValidationError(
                _("Không có hồ sơ số %(number)s."), code="no_case", params={"number": number}
            )
        return str(pk)

    def _clean_date(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        if value is not None and value < EARLIEST:
            raise forms.ValidationError(_("Ngày phải từ năm 2000 trở đi."), code="too_early")
        if value is not None:
            # The common ceiling (31/12/9999 + 1 day, the end of the search, is no date).
            check_date_range(value)
        return value

    def clean_date_from(self) -> dt.date | None:
        return self._clean_date("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._clean_date("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."))
        # A page link that was cut or edited: say so above the form (the fields are hidden).
        texts = {name: data.get(name, "") for name in ("before", "after")}
        for name, text in texts.items():
            data[name] = Cursor.parse(text) if text else None
        if any(text and data[name] is None for name, text in texts.items()) or all(texts.values()):
            raise forms.ValidationError(
                _("Liên kết trang không hợp lệ. Hãy tìm kiếm lại."), code="bad_cursor"
            )
        return data

    def _post_clean(self) -> None:
        # Bootstrap shows a field in red only with this class on the input itself.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-describedby"] = f"audit-{name}-errors"

    def used_filters(self) -> list[str]:
        """The names (never the values) of the filters in use, for the audit event."""
        return [name for name in self.FILTERS if self.cleaned_data.get(name) not in (None, "")]

    def filter(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Apply the cleaned filters to ``qs``. Dates are whole days in Việt Nam's time zone."""
        data = self.cleaned_data
        if data.get("username"):
            if data.get("username_match") == "prefix":
                qs = qs.filter(username__startswith=data["username"])
            else:
                qs = qs.filter(username=data["username"])
        if data.get("case_number"):
            qs = qs.filter(object_type="case", object_id=data["case_number"])
        if data.get("object_type"):
            qs = qs.filter(object_type__in=object_types_matching(data["object_type"]))
        if data.get("object_id"):
            qs = qs.filter(object_id=data["object_id"])
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("agency"):
            qs = qs.filter(agency=data["agency"])
        if data.get("date_from"):
            qs = qs.filter(occurred_at__gte=local_midnight(data["date_from"]))
        if data.get("date_to"):
            # Up to the end of the "to" day: strictly before the next local midnight.
            qs = qs.filter(occurred_at__lt=local_midnight(data["date_to"] + dt.timedelta(days=1)))
        return qs


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the project's time zone (Asia/Ho_Chi_Minh), as an aware time."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


# --- Empty choices (issue 12) ---------------------------------------------------------------

# What Django shows for "nothing chosen yet", and what people here read instead.
DJANGO_EMPTY_LABEL = "---------"
EMPTY_CHOICE_LABEL = _("— Chọn —")


def label_empty_choices(form: forms.BaseForm) -> None:
    """Make every "nothing chosen" entry of ``form``'s select boxes read "— Chọn —".

    Called by the project's base form (``cases.forms.base.StyledForm``); only Django's own
    "---------" is replaced, so a form that names its empty entry ("Tất cả") keeps it. The
    fields are the form instance's copies, so this changes no other form.
    """
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            # Read lazily by the field's choice iterator: a queryset set later keeps it.
            if field.empty_label == DJANGO_EMPTY_LABEL:
                field.empty_label = EMPTY_CHOICE_LABEL
        elif isinstance(field, forms.ChoiceField):
            choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
            if any(value in ("", None) and label == DJANGO_EMPTY_LABEL for value, label in choices):
                field.choices = [
                    (value, EMPTY_CHOICE_LABEL)
                    if value in ("", None) and label == DJANGO_EMPTY_LABEL
                    else (value, label)
                    for value, label in choices
                ]
