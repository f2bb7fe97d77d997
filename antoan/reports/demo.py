"""Demo reports: what the reporting cycle looks like in December 2026.

- Plan 64, 2024: Trần Hưng Đạo's report, submitted and accepted.
- Plan 64, 2025: Phố Hiến's accepted; Sở Nội vụ's submitted, waiting for review.
- The next plan, 2026 (due 10/12/2026): Phố Hiến's report being written (pre-filled).
Safe to run again: an agency's report that exists is left as it is.
"""

from __future__ import annotations

from antoan.accounts.models import Agency, User
from antoan.programme.models import Plan
from antoan.reports import services
from antoan.reports.models import Cycle, Submission
from antoan.reports.template import sections_of

TEXT = {
    "difficulties": "Kinh phí bố trí còn hạn chế; một số thôn chưa có người phụ trách.",
    "recommendations": "Đề nghị tỉnh hỗ trợ tài liệu truyền thông bằng hình ảnh.",
    "next_year": "Duy trì sinh hoạt câu lạc bộ hằng quý; tập huấn cho tổ hòa giải.",
}


def _narratives(cycle: Cycle) -> dict[str, str]:
    return {
        s["key"]: TEXT.get(s["key"], "Đã triển khai theo kế hoạch; xem số liệu kèm theo.")
        for s in sections_of(cycle.template)
    }


def _report(cycle: Cycle, agency_code: str, reporter: str, *, until: str) -> None:
    agency = Agency.objects.get(code=agency_code)
    if Submission.objects.filter(cycle=cycle, agency=agency).exists():
        return
    if not cycle.agencies.filter(pk=agency.pk).exists():
        cycle.agencies.add(agency)
    actor = User.objects.get(username=reporter)
    sub, _ = services.submission_open(actor=actor, cycle=cycle, agency=agency)
    narratives = _narratives(cycle)
    if until == "draft":
        narratives = dict(list(narratives.items())[:2])
    sub = services.submission_save(
        actor=actor, submission=sub, version=sub.version, narratives=narratives
    )
    if until == "draft":
        return
    sub = services.submission_submit(actor=actor, submission=sub, version=sub.version)
    if until == "accepted":
        coordinator = User.objects.get(username="coordinator1")
        services.submission_accept(actor=coordinator, submission=sub, version=sub.version)


def build_demo_reports(plan: Plan) -> None:
    services.ensure_cycles(plan)
    cycles = {c.year: c for c in plan.report_cycles.all()}
    if 2024 in cycles:
        _report(cycles[2024], "ubnd-tran-hung-dao", "reporter2", until="accepted")
    if 2025 in cycles:
        _report(cycles[2025], "ubnd-pho-hien", "reporter1", until="accepted")
        _report(cycles[2025], "so-noi-vu", "reporter3", until="submitted")
    following = Plan.objects.filter(copied_from=plan, parent__isnull=True).first()
    if following is not None:
        services.ensure_cycles(following)
        first = following.report_cycles.filter(year=following.period_start.year).first()
        if first is not None:
            _report(first, "ubnd-pho-hien", "reporter1", until="draft")
