"""The access package: the survivor's own data as a PDF in Vietnamese.

What it holds, and what it leaves out (docs/privacy/requests.md):
- in: the survivor's own details (including a guardian's name and phone, which the survivor or
  guardian gave), the case's number, agency and dates, incidents (type, dates, place and the
  survivor's account), the kind of each person who harmed them (sex, age group, relationship),
  every consent and its withdrawal, assessments (date, risk level, needs), safety plans, case
  plans, follow-up dates, protection measures and their decisions, referrals (service, agency,
  status) and services received;
- out: other people's identifying details (the perpetrator's identifying notes), staff's names
  and their internal working notes (case notes, assessment notes, follow-up notes, referral
  safety notes, reasons recorded for internal decisions). These are the controller's working
  records; leaving them out protects the survivor too when the package reaches the wrong hands.

The font ships inside a Python package (``font-roboto``, which covers Vietnamese), so the PDF
renders the same on any machine and never depends on the system's fonts.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import font_roboto
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from antoan.cases.models import Case
from antoan.cases.selectors import case_detail

FONT_DIR = Path(font_roboto.__file__).parent / "files"
# fpdf2 subsets the font and fontTools logs every glyph it keeps at INFO: noise in our logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def _date(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def _labels(values: list[str], choices: Any) -> str:
    names = dict(choices.choices)
    return ", ".join(str(names.get(v, v)) for v in values) or "—"


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font("Roboto", "", str(FONT_DIR / "Roboto-Regular.ttf"))
        self.add_font("Roboto", "B", str(FONT_DIR / "Roboto-Bold.ttf"))
        self.set_title(title)
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Roboto", size=8)
        self.cell(0, 6, _("Trang %(page)s") % {"page": self.page_no()}, align="C")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Roboto", "B", 12)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Roboto", size=10)

    def line_item(self, label: str, value: Any) -> None:
        self.set_font("Roboto", "B", 10)
        self.multi_cell(0, 5.5, f"{label}:", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Roboto", size=10)
        self.set_x(self.l_margin + 5)
        self.multi_cell(
            0, 5.5, str(value) if value not in (None, "") else "—", new_x="LMARGIN", new_y="NEXT"
        )

    def text(self, value: str) -> None:  # type: ignore[override]
        self.set_font("Roboto", size=10)
        self.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")

    def none(self) -> None:
        self.text(_("Không có."))


def access_package_pdf(case: Case, *, made_at: dt.datetime) -> tuple[bytes, dict[str, int]]:
    """The PDF and a summary (section → number of entries) for the approver."""
    from antoan.cases import choices as c
    from antoan.referrals.models import Referral, ServiceDelivery

    with translation.override("vi"):
        detail = case_detail(case)
        survivor = case.survivor
        doc = _Document(_("Dữ liệu cá nhân của bạn"))
        doc.set_font("Roboto", "B", 15)
        doc.multi_cell(0, 8, _("Dữ liệu cá nhân của bạn"), new_x="LMARGIN", new_y="NEXT")
        doc.text(
            _(
                "Bản sao dữ liệu cá nhân về bạn mà %(agency)s đang lưu giữ trong hệ thống An "
                "Toàn, cung cấp theo yêu cầu của bạn (Luật Bảo vệ dữ liệu cá nhân số "
                "91/2025/QH15). Lập lúc %(made)s. Hãy giữ tài liệu này ở nơi an toàn."
            )
            % {"agency": case.agency.name, "made": _date(made_at)}
        )

        doc.heading(_("Thông tin về bạn"))
        for label, value in [
            (_("Họ và tên"), survivor.full_name),
            (_("Tên gọi khác"), survivor.other_names),
            (_("Ngày sinh"), _date(survivor.date_of_birth) if survivor.date_of_birth else ""),
            (_("Năm sinh"), survivor.birth_year),
            (_("Giới tính"), survivor.get_sex_display()),
            (_("Dân tộc"), survivor.ethnicity),
            (_("Tình trạng hôn nhân"), survivor.get_marital_status_display()),
            (_("Nghề nghiệp"), survivor.occupation),
            (_("Khuyết tật"), _("Có") if survivor.disability else _("Không")),
            (_("Số điện thoại"), survivor.phone),
            (_("Số định danh"), survivor.national_id),
            (_("Địa chỉ"), survivor.address),
            (_("Xã, phường cư trú"), survivor.commune.name if survivor.commune else ""),
            (_("Người giám hộ"), survivor.guardian_name),
            (_("Điện thoại người giám hộ"), survivor.guardian_phone),
        ]:
            doc.line_item(label, value)

        doc.heading(_("Hồ sơ"))
        doc.line_item(_("Số hồ sơ"), case.number)
        doc.line_item(_("Cơ quan quản lý"), case.agency.name)
        doc.line_item(_("Ngày tiếp nhận"), _date(case.opened_at))
        doc.line_item(_("Trạng thái"), case.get_status_display())
        doc.line_item(_("Nhu cầu"), _labels(case.needs, c.Need))

        doc.heading(_("Các vụ việc"))
        incidents = detail["incidents"]
        for incident in incidents:
            doc.line_item(_("Loại bạo lực"), incident.get_gbv_type_display())
            doc.line_item(_("Ngày xảy ra"), _date(incident.occurred_on))
            doc.line_item(_("Nơi xảy ra"), incident.commune.name if incident.commune else "")
            doc.line_item(_("Ngày báo tin đầu tiên"), _date(incident.first_reported_on))
            doc.line_item(_("Mô tả"), incident.description)
            for person in incident.perpetrators.all():
                doc.line_item(
                    _("Người gây bạo lực"),
                    f"{person.get_relationship_display()}, {person.get_sex_display()}, "
                    f"{person.get_age_group_display()}",
                )
            doc.ln(2)
        if not incidents:
            doc.none()

        doc.heading(_("Sự đồng ý của bạn"))
        consents = detail["consents"]
        for consent in consents:
            agencies = ", ".join(a.name for a in consent.agencies.all())
            status = _("Đồng ý") if consent.granted else _("Không đồng ý")
            line = f"{_date(consent.given_at)} — {consent.get_purpose_display()}: {status}"
            line += f" ({consent.get_given_by_display()}, {consent.get_method_display()})"
            if agencies:
                line += " — " + _("chia sẻ với: %(agencies)s") % {"agencies": agencies}
            if consent.withdrawn_at:
                line += " — " + _("đã rút lại lúc %(at)s") % {"at": _date(consent.withdrawn_at)}
            doc.text(line)
        if not consents:
            doc.none()

        doc.heading(_("Đánh giá nguy cơ"))
        for assessment in detail["assessments"]:
            doc.text(
                f"{_date(assessment.assessed_at)} — {assessment.get_risk_level_display()}; "
                + _("nhu cầu: %(needs)s") % {"needs": _labels(assessment.needs, c.Need)}
            )
        if not detail["assessments"]:
            doc.none()

        doc.heading(_("Kế hoạch an toàn"))
        for plan in detail["safety_plans"]:
            doc.line_item(_date(plan.created_at), plan.content)
        if not detail["safety_plans"]:
            doc.none()

        doc.heading(_("Kế hoạch hỗ trợ"))
        for case_plan in detail["case_plans"]:
            doc.line_item(_date(case_plan.created_at), case_plan.goals)
            for item in case_plan.items.all():
                doc.text(
                    f"  • {item.get_service_display()} — {item.responsible_agency.name} — "
                    + _("hạn %(due)s") % {"due": _date(item.due_on)}
                    + f" — {item.get_status_display()}"
                )
        if not detail["case_plans"]:
            doc.none()

        doc.heading(_("Theo dõi"))
        for follow_up in detail["follow_ups"]:
            doc.text(f"{_date(follow_up.done_on)} — {follow_up.get_method_display()}")
        if not detail["follow_ups"]:
            doc.none()

        doc.heading(_("Biện pháp bảo vệ"))
        for measure in detail["measures"]:
            doc.text(
                f"{_date(measure.requested_at)} — {measure.get_type_display()} — "
                f"{measure.get_decision_display()}"
            )
        if not detail["measures"]:
            doc.none()

        doc.heading(_("Chuyển gửi dịch vụ"))
        referrals = list(
            Referral.objects.filter(case=case).select_related("to_agency").order_by("sent_at")
        )
        for referral in referrals:
            doc.text(
                f"{_date(referral.sent_at)} — {referral.get_service_display()} — "
                f"{referral.to_agency.name} — {referral.get_status_display()}"
            )
        if not referrals:
            doc.none()

        doc.heading(_("Dịch vụ đã nhận"))
        deliveries = list(ServiceDelivery.objects.filter(case=case).select_related("agency"))
        for delivery in deliveries:
            line = f"{_date(delivery.delivered_on)} — {delivery.get_service_display()} — "
            line += delivery.agency.name
            if delivery.description:
                line += f": {delivery.description}"
            doc.text(line)
        if not deliveries:
            doc.none()

        doc.heading(_("Những gì không có trong tài liệu này"))
        doc.text(
            _(
                "Thông tin nhận dạng của người khác, tên cán bộ và ghi chú nghiệp vụ nội bộ "
                "của cán bộ không được đưa vào. Nếu bạn thấy dữ liệu nào chưa đúng, bạn có "
                "quyền yêu cầu chỉnh sửa."
            )
        )
        pdf = bytes(doc.output())
    summary = {
        "incidents": len(incidents),
        "consents": len(consents),
        "assessments": len(detail["assessments"]),
        "safety_plans": len(detail["safety_plans"]),
        "case_plans": len(detail["case_plans"]),
        "follow_ups": len(detail["follow_ups"]),
        "measures": len(detail["measures"]),
        "referrals": len(referrals),
        "services": len(deliveries),
        "pages": doc.pages_count,
    }
    return pdf, summary
