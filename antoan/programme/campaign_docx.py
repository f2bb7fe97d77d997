"""A campaign's report as a Word document in the layout of Decree 30/2020/NĐ-CP: a draft the
issuing agency numbers, signs and sends (``antoan.core.documents.decree30``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from antoan.accounts.roles import Perm
from antoan.cases.views.common import province_of
from antoan.core.documents import decree30
from antoan.core.permissions import grant
from antoan.programme.excel.export_campaign import FIGURES
from antoan.programme.selectors.campaigns import CampaignReport, Figures, ReportLine, plan_in_force
from antoan.programme.services.checks import fmt_date


def num(value: int | None) -> str:
    """10.000.000, the Vietnamese way, whatever the page's language."""
    if value is None:
        return "—"
    return number_format(value, decimal_pos=0, force_grouping=True)


def _signed(value: int) -> str:
    return f"+{num(value)}" if value > 0 else num(value)


def _issuer(user: Any) -> tuple[str, str]:
    """The exporting user's agency and its province's name ("Hưng Yên")."""
    membership = None
    for perm in (Perm.PROGRAMME_COORDINATE, Perm.PROGRAMME_REPORT, Perm.PROGRAMME_VIEW):
        membership = grant(user, perm)
        if membership is not None:
            break
    if membership is None:
        return "", ""
    province = province_of(membership.agency.place)
    place = province.name if province else ""
    for prefix in ("Tỉnh ", "Thành phố "):
        place = place.removeprefix(prefix)
    return membership.agency.name, place


def _figure_table(lines: list[ReportLine], first: str) -> decree30.Table:
    header = [
        first,
        _("Hoạt động"),
        _("Người được tiếp cận"),
        _("Nữ"),
        _("Nam"),
        _("Khác"),
        _("Sản phẩm sản xuất"),
        _("Sản phẩm phát hành"),
        _("Kinh phí (đồng)"),
    ]
    rows = [header]
    for line in lines:
        f = line.figures
        rows.append(
            [
                line.label,
                num(f.activities),
                num(f.people),
                num(f.female),
                num(f.male),
                num(f.other),
                num(f.materials_produced),
                num(f.materials_distributed),
                num(f.spent),
            ]
        )
    width = decree30.text_width_mm()
    return decree30.Table(rows, widths_mm=[width * 0.24] + [width * 0.76 / 8] * 8)


def _totals_sentence(f: Figures) -> str:
    return _(
        "Tổ chức %(activities)s hoạt động, tiếp cận %(people)s lượt người (nữ %(female)s, nam "
        "%(male)s, khác %(other)s); sản xuất %(produced)s và phát hành %(distributed)s sản "
        "phẩm truyền thông; kinh phí đã chi %(spent)s đồng."
    ) % {
        "activities": num(f.activities),
        "people": num(f.people),
        "female": num(f.female),
        "male": num(f.male),
        "other": num(f.other),
        "produced": num(f.materials_produced),
        "distributed": num(f.materials_distributed),
        "spent": num(f.spent),
    }


def build_campaign_document(report: CampaignReport, user: Any) -> decree30.Document:
    c = report.campaign
    agency, place = _issuer(user)
    body: list[decree30.Block] = [
        decree30.Heading(_("I. THÔNG TIN CHUNG")),
        decree30.Paragraph(
            _("Thời gian thực hiện: từ ngày %(start)s đến ngày %(end)s.")
            % {"start": fmt_date(c.start_date), "end": fmt_date(c.end_date)}
        ),
    ]
    if c.theme:
        body.append(decree30.Paragraph(_("Chủ đề: %(theme)s") % {"theme": c.theme}))
    body.append(
        decree30.Paragraph(
            _(
                "Cơ quan dự kiến tham gia: %(expected)s. Kế hoạch đã nhập: %(items)s hoạt động, "
                "dự kiến tiếp cận %(people)s người, kinh phí dự kiến %(budget)s đồng."
            )
            % {
                "expected": ", ".join(a.name for a in report.expected) or _("chưa xác định"),
                "items": num(report.planned_items),
                "people": num(report.planned_people),
                "budget": num(report.planned_budget),
            }
        )
    )
    body += [
        decree30.Heading(_("II. KẾT QUẢ THỰC HIỆN")),
        decree30.Paragraph(_totals_sentence(report.totals)),
        decree30.Heading(_("1. Theo cơ quan tổ chức")),
        _figure_table(report.by_agency, _("Cơ quan")),
        decree30.Heading(_("2. Theo địa bàn")),
        _figure_table(report.by_place, _("Địa bàn")),
    ]
    if report.previous is not None:
        body.append(
            decree30.Heading(_("III. SO SÁNH VỚI NĂM %(year)s") % {"year": report.previous_year})
        )
        rows = [[_("Chỉ tiêu"), str(report.previous_year), str(c.year), _("Tăng, giảm")]]
        for key, label in FIGURES:
            now, before = getattr(report.totals, key), getattr(report.previous, key)
            rows.append([str(label), num(before), num(now), _signed(now - before)])
        width = decree30.text_width_mm()
        body.append(
            decree30.Table(rows, widths_mm=[width * 0.4, width * 0.2, width * 0.2, width * 0.2])
        )
    plan = plan_in_force(c.start_date)
    recipients = []
    if plan is not None and plan.report_to is not None:
        recipients.append(f"- {plan.report_to.name};")
    recipients.append(_("- Lưu: VT."))
    return decree30.Document(
        issuing_body=agency,
        subject=_("Kết quả %(title)s") % {"title": c.title},
        day=timezone.localdate(),
        place=place,
        body=body,
        signer_title=_("Thủ trưởng cơ quan"),
        recipients=recipients,
    )


def build_campaign_docx(report: CampaignReport, user: Any) -> bytes:
    """The document is written in Vietnamese, whatever the page's language: it is sent."""
    with translation.override(settings.LANGUAGE_CODE):
        return decree30.build_docx(build_campaign_document(report, user))
