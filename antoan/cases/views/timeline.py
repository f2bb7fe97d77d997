"""The case timeline as readable Vietnamese sentences.

``CaseEvent.data`` holds codes and numbers only; the sentence is made here, in the viewer's
language, so the timeline and the conflict alert say the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.models import CaseEvent


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    who: str
    text: str
    kind: str


def label(choices: type[TextChoices], code: Any) -> str:
    """The label of a code, or the code itself when it is not (or no longer) a choice."""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def labels(choices: type[TextChoices], codes: Any) -> str:
    if not isinstance(codes, list | tuple):
        return ""
    return ", ".join(label(choices, code) for code in codes)


def _day(value: Any) -> str:
    try:
        return date_format(dt.date.fromisoformat(str(value)), "d/m/Y")
    except ValueError:
        return ""


def _yes_no(value: Any) -> str:
    return _("có") if value else _("không")


def describe(event: CaseEvent, agency_names: Mapping[int, str]) -> str:
    """One sentence saying what the event did."""
    data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
    kind = event.kind
    agency = agency_names.get(data.get("to_agency"), "") if "to_agency" in data else ""
    if kind == "opened":
        return _("Tiếp nhận hồ sơ (nguồn: %(source)s; nguy cơ ban đầu: %(risk)s)") % {
            "source": label(c.Source, data.get("source")),
            "risk": label(c.RiskLevel, data.get("risk_level")),
        }
    if kind == "updated":
        fields = data.get("fields") or []
        parts = []
        if "risk_level" in data:
            parts.append(
                _("mức độ nguy cơ: %(risk)s") % {"risk": label(c.RiskLevel, data["risk_level"])}
            )
        if "assigned_to" in fields:
            parts.append(_("giao cho cán bộ quản lý ca khác"))
        if "needs" in fields:
            parts.append(_("nhu cầu hỗ trợ"))
        if "source" in fields:
            parts.append(_("nguồn tiếp nhận"))
        if not parts:
            return _("Cập nhật thông tin hồ sơ")
        return _("Cập nhật hồ sơ: %(what)s") % {"what": "; ".join(parts)}
    if kind == "incident_added":
        return _("Ghi nhận vụ việc: %(type)s, xảy ra ngày %(day)s") % {
            "type": label(c.GbvType, data.get("gbv_type")),
            "day": _day(data.get("occurred_on")),
        }
    if kind == "consent_recorded":
        return _(
            "Ghi nhận ý kiến đồng ý của %(who)s: nhận dịch vụ — %(services)s; "
            "báo cáo thống kê — %(reporting)s"
        ) % {
            "who": label(c.ConsentGivenBy, data.get("given_by")).lower(),
            "services": _yes_no(data.get("services")),
            "reporting": _yes_no(data.get("reporting")),
        }
    if kind == "consent_withdrawn":
        return _("Rút lại đồng ý: %(purpose)s") % {
            "purpose": label(c.ConsentPurpose, data.get("purpose"))
        }
    if kind == "assessed":
        text = _("Đánh giá nguy cơ: %(risk)s") % {
            "risk": label(c.RiskLevel, data.get("risk_level"))
        }
        if data.get("needs"):
            text += " · " + _("nhu cầu: %(needs)s") % {"needs": labels(c.Need, data["needs"])}
        return text
    if kind == "safety_plan_added":
        return _("Lập kế hoạch an toàn")
    if kind == "case_plan_added":
        return _("Lập kế hoạch hỗ trợ: %(services)s") % {
            "services": labels(c.Need, data.get("services"))
        }
    if kind == "followed_up":
        return _("Theo dõi (%(method)s) ngày %(day)s") % {
            "method": label(c.FollowUpMethod, data.get("method")).lower(),
            "day": _day(data.get("done_on")),
        }
    if kind == "note_added":
        return _("Thêm ghi chú")
    if kind == "measure_requested":
        return _("Đề nghị biện pháp bảo vệ: %(type)s") % {
            "type": label(c.MeasureType, data.get("type"))
        }
    if kind == "measure_decided":
        text = _("Quyết định biện pháp %(type)s: %(decision)s") % {
            "type": label(c.MeasureType, data.get("type")),
            "decision": label(c.MeasureDecision, data.get("decision")).lower(),
        }
        if data.get("late"):
            text += " " + _("(quá thời hạn luật định, có ghi lý do)")
        return text
    if kind == "closure_requested":
        if data.get("missing"):
            return _("Đề nghị đóng ca khi còn thiếu: %(missing)s (có ghi lý do)") % {
                "missing": _gap_labels(data["missing"])
            }
        return _("Đề nghị đóng ca")
    if kind == "closure_decided":
        if data.get("approved") and data.get("missing"):
            return _("Duyệt đóng ca khi còn thiếu: %(missing)s") % {
                "missing": _gap_labels(data["missing"])
            }
        return _("Duyệt đóng ca") if data.get("approved") else _("Trả lại đề nghị đóng ca")
    if kind == "reopened":
        return _("Mở lại hồ sơ")
    if kind == "transfer_requested":
        return _("Đề nghị chuyển hồ sơ đến %(agency)s") % {"agency": agency or "?"}
    if kind == "transfer_decided":
        if data.get("accepted"):
            return _("%(agency)s tiếp nhận hồ sơ chuyển đến") % {"agency": agency or "?"}
        return _("%(agency)s từ chối tiếp nhận hồ sơ chuyển đến") % {"agency": agency or "?"}
    if kind == "legal_hold_set":
        return _("Lưu giữ theo yêu cầu pháp lý: %(reason)s") % {
            "reason": label(c.LegalHoldReason, data.get("hold_reason"))
        }
    if kind == "legal_hold_lifted":
        return _("Bỏ lưu giữ theo yêu cầu pháp lý")
    # A kind added by a later feature before this list learns it: say something true.
    return _("Cập nhật hồ sơ (%(kind)s)") % {"kind": kind}


def agency_ids(events: Iterable[CaseEvent]) -> set[int]:
    """The agencies named by events, whose names the sentences need."""
    ids = set()
    for event in events:
        value = event.data.get("to_agency") if isinstance(event.data, dict) else None
        if isinstance(value, int):
            ids.add(value)
    return ids


def entries(events: Iterable[CaseEvent], agency_names: Mapping[int, str]) -> list[TimelineEntry]:
    """Timeline entries, newest first. Actors must be loaded with the events."""
    return [
        TimelineEntry(
            at=timezone.localtime(event.at),
            who=event.actor.get_full_name() or event.actor.get_username(),
            text=describe(event, agency_names),
            kind=event.kind,
        )
        for event in sorted(events, key=lambda e: (e.at, e.pk), reverse=True)
    ]


def _gap_labels(codes: Any) -> str:
    """What was missing at closure, in the viewer's language (codes in the event data)."""
    return "; ".join(str(rules.CLOSURE_GAPS.get(code, code)).lower() for code in codes or ())
