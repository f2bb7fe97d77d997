"""Forms of the hotline pages: short, in the order an operator asks during a live call.

They parse what was typed; ``services`` enforces the rules. Times are typed dd/mm/yyyy HH:MM
in Vietnamese time; the duration in minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antoan.cases.forms.base import StyledForm, VersionedForm, datetime_field, select
from antoan.hotline import choices as h
from antoan.hotline.services import CallInput, now
from antoan.places.forms import PlaceField, resolve_place

# A call cannot be "case opened" by hand: opening the case from the call sets it.
OUTCOMES = [(code, label) for code, label in h.Outcome.choices if code != h.Outcome.CASE_OPENED]


class CallForm(StyledForm):
    error_aliases = {"duration_seconds": "duration_minutes"}

    immediate_danger = forms.BooleanField(
        label=_("Người gọi đang gặp nguy hiểm tức thời"),
        required=False,
        help_text=_(
            "Tính mạng, sức khỏe đang bị đe dọa ngay lúc này: báo công an và Chủ tịch "
            "UBND xã, phường ngay."
        ),
    )
    channel = forms.ChoiceField(
        label=_("Kênh"),
        choices=h.LOGGABLE_CHANNELS,
        initial=h.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    caller_type = select(h.CallerType.choices, _("Người gọi là"))
    anonymous = forms.BooleanField(label=_("Người gọi giấu tên"), required=False)
    commune = PlaceField(
        label=_("Xã, phường của người gọi"),
        level="commune",
        required=False,
        help_text=_("Gõ tên xã, phường (có dấu hay không dấu đều được) rồi chọn trong danh sách."),
    )
    category = select(h.Category.choices, _("Loại vụ việc"))
    summary = forms.CharField(
        label=_("Tóm tắt"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Được mã hóa khi lưu."),
    )
    outcome = select(OUTCOMES, _("Kết quả xử lý"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Thời lượng (phút)"), required=False, min_value=0, max_value=24 * 60
    )
    received_at = datetime_field(
        _("Thời điểm nhận"), required=False, help_text=_("Để trống nếu là cuộc gọi vừa nhận.")
    )

    def __init__(self, *args: Any, communes: Iterable[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = communes
        self.fields["immediate_danger"].widget.attrs["class"] = "form-check-input danger-toggle"
        self.fields["immediate_danger"].widget.attrs["role"] = "switch"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The caller's commune as it is today (the service keeps today's commune).
        resolve_place(self, "commune", on=timezone.localdate(now()))
        return data

    def to_input(self) -> CallInput:
        d = self.cleaned_data
        minutes = d.get("duration_minutes")
        return CallInput(
            received_at=d.get("received_at"),
            channel=d["channel"],
            caller_type=d["caller_type"],
            category=d["category"],
            anonymous=bool(d.get("anonymous")),
            commune=d.get("commune") or None,
            summary=d.get("summary", ""),
            immediate_danger=bool(d.get("immediate_danger")),
            outcome=d.get("outcome") or "",
            duration_seconds=minutes * 60 if minutes is not None else None,
        )


class NotificationForm(StyledForm):
    role = forms.ChoiceField(
        label=_("Đã báo cho"), choices=h.NoticeRole.choices, widget=forms.RadioSelect
    )
    agency = forms.ModelChoiceField(label=_("Cơ quan"), queryset=None, required=False)
    person_name = forms.CharField(
        label=_("Họ tên, chức vụ người nhận"), max_length=200, required=False
    )
    method = forms.ChoiceField(
        label=_("Cách báo"), choices=h.NoticeMethod.choices, initial=h.NoticeMethod.PHONE
    )
    notified_at = datetime_field(
        _("Báo lúc"), required=False, help_text=_("Để trống nếu vừa báo xong.")
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = agencies  # what a posted choice is checked against
        # The options as (id, name) pairs read in one query: a model instance (and its place)
        # per option cost the call page 2 ms on a province's 137 agencies
        # (docs/performance.md). ``__str__`` of an agency is its name, so the page is the same.
        field.choices = [("", field.empty_label), *agencies.values_list("pk", "name")]


class CloseForm(VersionedForm):
    outcome = select(OUTCOMES, _("Kết quả xử lý"))


class RecordForm(CallForm):
    """What the operator records about a contact during or after the conversation: the
    fields of ``CallForm`` without the channel and the times (those come from the contact)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, has_case: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("channel", "received_at", "duration_minutes"):
            del self.fields[name]
        if has_case:
            del self.fields["outcome"]  # "case opened", set by opening the case

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        changes = {
            "caller_type": d["caller_type"],
            "category": d["category"],
            "anonymous": bool(d.get("anonymous")),
            "commune": d.get("commune") or None,
            "summary": d.get("summary", ""),
            "immediate_danger": bool(d.get("immediate_danger")),
        }
        if "outcome" in self.fields:
            changes["outcome"] = d.get("outcome") or ""
        return changes


class PresenceForm(StyledForm):
    state = forms.ChoiceField(
        label=_("Trạng thái của tôi"), choices=h.Presence.choices, widget=forms.RadioSelect
    )
    # The desk phone's extension, as the PBX names it when a call rings there
    # (docs/hotline-telephony.md); empty: calls are not put through to this operator.
    extension = forms.CharField(
        label=_("Số máy lẻ"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
