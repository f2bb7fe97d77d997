"""The world the access matrix runs in: the demo (``seed_demo``) plus one of each object.

Users: every demo user (``accounts/demo.py``, ``hotline/demo.py``, ``programme/demo.py``) and,
for each role, a holder of the same role in another agency (``TWINS``; worker2, police1 and
reporter2 are already such users in the demo). Objects: ``build_world`` returns their ids by
name, and the matrix fills URLs with them (``"case_a"`` → the id of worker1's case).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from antoan.accounts.demo import DEMO_PASSWORD, build_demo_world, demo_user
from antoan.accounts.models import Agency, ApiToken, User
from antoan.accounts.roles import Role

DATA = Path(__file__).resolve().parents[2] / "data"

# A holder of each role in another agency than the demo's own holder of that role.
TWINS: dict[str, tuple[str, Role]] = {
    "supervisor2": ("ubnd-tran-hung-dao", Role.CASE_SUPERVISOR),
    "hotline2": ("ubnd-tran-hung-dao", Role.HOTLINE_OPERATOR),
    "coordinator2": ("ubnd-tinh", Role.PROGRAMME_COORDINATOR),
    # In a commune's agency: the role, yet not a reviewer of duplicates (provincial only).
    "analyst2": ("ubnd-tran-hung-dao", Role.ANALYST),
    "manager2": ("so-y-te", Role.MANAGER),
    "auditor2": ("so-y-te", Role.AUDITOR),
    "admin2": ("so-y-te", Role.ADMINISTRATOR),
    "leader2": ("ubnd-tran-hung-dao", Role.COMMUNE_LEADER),
    "nurse2": ("tyt-tran-hung-dao", Role.HEALTH_WORKER),
}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


def build_world() -> tuple[dict[str, User], dict[str, Any]]:
    """Users by username and object ids by name. Needs the places of ``mini_places``."""
    from antoan.cases import services as case_services
    from antoan.cases.demo import build_demo_cases
    from antoan.cases.models import Case
    from antoan.hotline import services as call_services
    from antoan.hotline.demo import build_demo_hotline
    from antoan.indicators.loader import load_indicators
    from antoan.programme import evidence
    from antoan.programme.demo import build_demo_programme
    from antoan.programme.loader import load_plan
    from antoan.programme.models import Activity, CommunityModel, Influencer, Plan
    from antoan.programme.services import may_edit_activity, plan_build
    from antoan.programme.standards_loader import load_standards
    from antoan.referrals import services as referral_services
    from antoan.referrals.demo import build_demo_providers
    from antoan.referrals.models import Provider

    users = build_demo_world(password=DEMO_PASSWORD)
    users["hotlinesup1"] = build_demo_hotline(password=DEMO_PASSWORD)
    build_demo_providers()
    build_demo_cases(users)
    load_plan(DATA / "plans" / "64-KH-UBND-2021.yaml")
    load_indicators(DATA / "indicators.yaml")
    load_standards(sorted((DATA / "standards").glob("*.yaml")))
    build_demo_programme(password=DEMO_PASSWORD)
    users.update(
        {u.username: u for u in User.objects.filter(username__in=["reporter2", "reporter3"])}
    )
    for username, (agency_code, role) in TWINS.items():
        users[username] = demo_user(
            username, username, Agency.objects.get(code=agency_code), role, password=DEMO_PASSWORD
        )

    ids: dict[str, Any] = {}
    worker1_cases = list(Case.objects.filter(assigned_to=users["worker1"]).order_by("pk"))
    case_a, case_a2 = worker1_cases[0], worker1_cases[1]
    ids["case_a"] = case_a.pk
    ids["case_b"] = Case.objects.get(assigned_to=users["worker2"]).pk

    measure = case_services.measure_request(
        case=case_a, actor=users["worker1"], type="shelter", deciding_body="other"
    )
    ids["measure_a"] = measure.pk
    case_a2.refresh_from_db()
    transfer = case_services.transfer_request(
        case=case_a2,
        actor=users["supervisor1"],
        to_agency=Agency.objects.get(code="ubnd-tran-hung-dao"),
        reason="Người bị bạo lực chuyển đến phường Trần Hưng Đạo",
        version=case_a2.version,
    )
    ids["transfer_a2"] = transfer.pk

    hospital = Provider.objects.get(agency__code="bv-da-khoa-tinh")
    ids["provider"] = hospital.pk
    case_a.refresh_from_db()
    open_referral = referral_services.referral_send(
        case=case_a, actor=users["worker1"], provider=hospital, service="health", urgency="high"
    )
    ids["referral_open"] = open_referral.pk
    # A referral the hospital has finished: closed, so its staff no longer see it.
    closed = referral_services.referral_send(
        case=case_a,
        actor=users["worker1"],
        provider=hospital,
        service="psychosocial",
        urgency="normal",
    )
    referral_services.referral_accept(referral=closed, actor=users["health1"])
    referral_services.referral_deliver(
        referral=closed,
        actor=users["health1"],
        delivered_on=timezone.localdate(),
        description="Khám và điều trị",
    )
    referral_services.referral_close(referral=closed, actor=users["worker1"])
    ids["referral_closed"] = closed.pk

    call = call_services.call_log(
        actor=users["hotline1"],
        data=call_services.CallInput(
            channel="phone",
            caller_type="survivor",
            category="dv",
            commune="11953",
            summary="Người gọi cần tư vấn",
            received_at=timezone.now() - dt.timedelta(minutes=5),
        ),
    )
    ids["call"] = call.pk

    plan = Plan.objects.get(code="64-KH-UBND-2021")
    ids["plan"] = plan.pk
    ids["task"] = plan.tasks.order_by("pk").first().pk
    # The demo's next plan and Trần Hưng Đạo's local plan under it, still a draft.
    ids["next_plan"] = Plan.objects.get(copied_from=plan, parent__isnull=True).pk
    local_b = Plan.objects.get(
        parent_id=ids["next_plan"], issuing_agency__code="ubnd-tran-hung-dao"
    )
    ids["local_b"] = local_b.pk
    ids["local_b_task"] = local_b.tasks.order_by("pk").first().pk
    ids["local_b_objective"] = plan_build.objective_save(
        actor=users["reporter2"],
        plan=local_b,
        version=local_b.version,
        code="1",
        text="Mỗi tổ dân phố tổ chức ít nhất 2 buổi sinh hoạt về phòng, chống bạo lực gia đình",
    ).pk
    # Phố Hiến's first activity that its 2025 report (accepted in the demo) does not freeze.
    activity = next(
        a
        for a in Activity.objects.filter(agency__code="ubnd-pho-hien").order_by("pk")
        if may_edit_activity(users["reporter1"], a)
    )
    ids["activity_a"] = activity.pk
    # The provincial inspection (Sở Nội vụ) is the demo's activity with recommendations.
    inspection = Activity.objects.filter(recommendations__isnull=False).distinct().get()
    ids["activity_inspection"] = inspection.pk
    ids["recommendation"] = inspection.recommendations.order_by("pk").first().pk
    ids["evidence_a"] = evidence.evidence_add(
        actor=users["reporter1"],
        activity=activity,
        kind="photo",
        upload=SimpleUploadedFile("anh.png", _png()),
    ).pk
    ids["model_a"] = CommunityModel.objects.filter(agency__code="ubnd-pho-hien").first().pk
    ids["influencer_a"] = Influencer.objects.filter(agency__code="ubnd-pho-hien").first().pk
    ids.update(_campaign(users))
    ids["job"] = _job(users)
    ids.update(_standards(users, ids["model_a"]))
    ids["token_worker1"] = ApiToken.objects.create(
        user=users["worker1"],
        digest="0" * 64,
        prefix="00000000",
        expires_at=timezone.now() + dt.timedelta(days=1),
        security_stamp=users["worker1"].security_stamp,
    ).pk
    ids.update(_privacy_and_reviews(users, case_a, Case.objects.get(pk=ids["case_b"])))
    ids.update(_reports(users, plan))
    ids["indicator"] = "GBV-01"
    ids["pathway"] = "11953"
    ids["purpose"] = "services"
    ids["template_kind"] = "training"
    return users, ids


def _reports(users: dict[str, User], plan: Any) -> dict[str, Any]:
    """The demo's reports (``reports/demo.py``): plan 64's 2025 cycle with Phố Hiến's
    accepted report, and Phố Hiến's draft for the next plan's first year, with a PDF."""
    import io as _io

    from pypdf import PdfWriter

    from antoan.reports import services as report_services
    from antoan.reports.models import Cycle, Submission

    cycle = Cycle.objects.get(plan=plan, year=2025)
    accepted = Submission.objects.get(cycle=cycle, agency__code="ubnd-pho-hien", status="accepted")
    draft = Submission.objects.get(
        cycle__plan__copied_from=plan, agency__code="ubnd-pho-hien", status="draft"
    )
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    pdf = _io.BytesIO()
    writer.write(pdf)
    attachment = report_services.attachment_add(
        actor=users["reporter1"],
        submission=draft,
        upload=SimpleUploadedFile("Phụ lục.pdf", pdf.getvalue()),
    )
    return {
        "cycle": cycle.pk,
        "submission_a": accepted.pk,
        "submission_draft": draft.pk,
        "attachment_draft": attachment.pk,
    }


def _job(users: dict[str, User]) -> int:
    """reporter1's finished import job, with its report file (docs/jobs.md)."""
    from django.core.files.base import ContentFile

    from antoan.jobs.models import Job

    job = Job(owner=users["reporter1"], kind="programme.import", status="done")
    job.summary = {"ok": False, "created": 0, "skipped": 0, "rows": 0, "total_problems": 1}
    job.error_rows = [{"sheet": "Hoạt động", "row": 2, "column": "Nữ", "message": "Sai."}]
    job.result_file.save("van-de.xlsx", ContentFile(b"PK"), save=False)
    job.save()
    return job.pk


def _campaign(users: dict[str, User]) -> dict[str, Any]:
    """This year's and next year's recurring campaigns, and an ad-hoc campaign starting in ten
    days, expecting UBND phường Phố Hiến, with a plan item of that agency by reporter1."""
    from antoan.programme.services import campaigns

    # The recurring campaigns, which the calendar would otherwise create on its first visit
    # (a GET that writes: the matrix compares the data after each refused write).
    campaigns.ensure_current()
    today = timezone.localdate()
    agency = Agency.objects.get(code="ubnd-pho-hien")
    campaign = campaigns.campaign_create(
        actor=users["coordinator1"],
        data=campaigns.CampaignInput(
            title="Chiến dịch truyền thông phòng, chống bạo lực học đường",
            start_date=today + dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=40),
            expected_agencies=[agency],
        ),
    )
    item = campaigns.plan_item_save(
        actor=users["reporter1"],
        campaign=campaign,
        data=campaigns.PlanItemInput(
            agency=agency,
            title="Sinh hoạt cộng đồng tại các tổ dân phố",
            kind="communication",
            start_date=campaign.start_date,
            end_date=campaign.start_date,
            place=agency.place,
            expected_people=120,
            budget=5_000_000,
        ),
    )
    return {"campaign": campaign.pk, "campaign_item_a": item.pk}


def _standards(users: dict[str, User], model_id: int) -> dict[str, Any]:
    """A draft assessment of model A (a trusted address) and the social assistance centre,
    a facility of the standards pages."""
    from antoan.programme import services
    from antoan.programme.models import Checklist, CommunityModel

    model = CommunityModel.objects.get(pk=model_id)
    checklist = Checklist.objects.filter(code="dia-chi-tin-cay").order_by("-version").first()
    draft = services.assessment_save(
        actor=users["coordinator1"],
        model=model,
        data=services.AssessmentInput(
            checklist=checklist,
            assessed_on=timezone.localdate(),
            scores={"A1": services.ScoreInput(score=2, note="Quyết định số 12/QĐ-UBND")},
        ),
    )
    return {"assessment_a": draft.pk, "facility": Agency.objects.get(code="ctxh-tinh").pk}


def _privacy_and_reviews(users: dict[str, User], case_a: Any, case_b: Any) -> dict[str, Any]:
    """A data subject's request on each agency's case (case A's with an access package), a
    breach in the register, and a possible duplicate between case A and case B."""
    from antoan.cases.models import DuplicateReview
    from antoan.privacy import services as privacy_services
    from antoan.privacy.models import DataRequest

    ids: dict[str, Any] = {}
    case_a.refresh_from_db()
    for name, case, worker in (("request_a", case_a, "worker1"), ("request_b", case_b, "worker2")):
        ids[name] = privacy_services.request_register(
            case=case,
            actor=users[worker],
            data=privacy_services.RequestInput(
                kind="access", channel="in_person", requester="survivor"
            ),
        ).pk
    # Prepared by the worker, approved by the supervisor (the two-person rule), given once
    # already: downloading it again changes no row (the refused writes compare them).
    package = privacy_services.package_prepare(
        data_request=DataRequest.objects.get(pk=ids["request_a"]), actor=users["worker1"]
    )
    package = privacy_services.package_approve(package=package, actor=users["supervisor1"])
    privacy_services.package_release(package=package, actor=users["worker1"])
    ids["package_a"] = package.pk
    ids["breach"] = privacy_services.breach_record(
        actor=users["auditor1"],
        data=privacy_services.BreachInput(
            detected_at=timezone.now() - dt.timedelta(hours=2),
            kind="disclosure",
            description="Một máy tính của xã bị mất",
            contact_name="Đinh Thị Hoa",
            data_categories=["identity", "contact"],
        ),
    ).pk
    review = DuplicateReview(
        case=case_a, matched=case_b, match="name_birth_year", found_at=timezone.now()
    )
    review.full_clean(exclude=["case", "matched"])
    review.save()
    ids["review"] = review.pk
    return ids
