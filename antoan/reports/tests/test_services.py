"""The reporting cycle's services: cycles and who must report, the pre-fill from records, the
state machine of a submission, the year lock, the limits on what is typed and attached, and
who may do what."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from pypdf import PdfWriter

from antoan.programme import selectors as programme_selectors
from antoan.programme import services as programme_services
from antoan.programme.models import Activity, YearReport
from antoan.reports import prefill, services
from antoan.reports.models import Attachment, Cycle, Submission, SubmissionEvent
from antoan.reports.template import sections_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

PLAN_FILE = Path(__file__).resolve().parents[3] / "data" / "plans" / "64-KH-UBND-2021.yaml"


def reload(sub: Submission) -> Submission:
    return Submission.objects.get(pk=sub.pk)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


# --- Cycles ------------------------------------------------------------------------------------


def test_every_year_of_the_plan_has_a_cycle_with_the_defaults(plan64, cycles):
    assert sorted(cycles) == [2021, 2022, 2023, 2024, 2025]
    c = cycles[2025]
    assert (c.period_start, c.period_end, c.due_date) == (
        dt.date(2024, 12, 1),
        dt.date(2025, 11, 30),
        dt.date(2025, 12, 10),
    )
    assert (cycles[2021].period_start, cycles[2021].period_end) == (
        dt.date(2020, 12, 1),
        dt.date(2021, 11, 30),
    )
    # Running it again creates nothing.
    assert services.ensure_cycles(plan64) == 0
    assert Cycle.objects.filter(plan=plan64).count() == 5


def test_load_plan_creates_the_cycles(cast):
    call_command("load_plan", str(PLAN_FILE))
    cycle = Cycle.objects.get(plan__code="64-KH-UBND-2021", year=2025)
    assert Cycle.objects.filter(plan=cycle.plan).count() == 5
    assert cycle.due_date == dt.date(2025, 12, 10)
    # A second load changes nothing.
    call_command("load_plan", str(PLAN_FILE))
    assert Cycle.objects.filter(plan=cycle.plan).count() == 5


def test_required_agencies_are_the_heirs_and_the_communes(cycles, agencies):
    required = {a.code for a in cycles[2025].agencies.all()}
    # Sở LĐTBXH was dissolved on 1/3/2025: Sở Nội vụ reports for it.
    assert "so-noi-vu" in required
    assert "so-ldtbxh" not in required
    # Every commune People's Committee reports (tasks go to them as a group).
    assert {"ubnd-pho-hien", "ubnd-tran-hung-dao"} <= required
    # In 2021 Sở LĐTBXH was there to report itself.
    assert "so-ldtbxh" in {a.code for a in cycles[2021].agencies.all()}


def test_a_cycle_outside_the_plan_is_refused(plan64, cycles):
    with pytest.raises(ValidationError) as exc:
        services.cycle_create(plan64, 2026)
    assert exc.value.message_dict["year"] == [
        "Năm 2026 nằm ngoài thời gian thực hiện kế hoạch (2021 - 2025)."
    ]
    assert not Cycle.objects.filter(year=2026).exists()


def test_the_default_template_has_a_section_per_task_group_and_the_fixed_ones(cycle2025):
    keys = [s["key"] for s in sections_of(cycle2025.template)]
    assert keys[0].startswith("results-II.")
    assert keys[-3:] == ["difficulties", "recommendations", "next_year"]
    assert cycle2025.template["tables"] == ["activities", "budget", "cases"]


# --- Pre-fill ----------------------------------------------------------------------------------


def test_prefill_is_the_sum_of_the_agencys_activities_in_the_period(
    cast, cycle2025, agencies, record, reporter2, mini_places
):
    record(spending={"commune_budget": 2_000_000, "donor": 500_000})
    record(
        participants_total=30,
        participants_female=10,
        participants_male=20,
        start_date=dt.date(2024, 12, 1),
        end_date=dt.date(2024, 12, 1),
        place=mini_places["old_province"],
        spending={"commune_budget": 1_000_000},
    )
    record(
        kind="conference",
        title="Hội nghị đối thoại",
        details={"conference_format": "policy_dialogue"},
        participants_total=12,
        participants_female=7,
        participants_male=5,
        start_date=dt.date(2025, 11, 30),
        end_date=dt.date(2025, 11, 30),
    )
    # Outside the period (before and after), and another agency's: not counted.
    record(
        start_date=dt.date(2024, 11, 30),
        end_date=dt.date(2024, 11, 30),
        place=mini_places["old_province"],
        spending={"commune_budget": 9_000_000},
    )
    record(start_date=dt.date(2025, 12, 1), end_date=dt.date(2025, 12, 1))
    record(reporter2, agency="ubnd-tran-hung-dao", place=mini_places["commune_b"])
    programme_services.budget_line_save(
        actor=cast["reporter1"],
        plan=cycle2025.plan,
        agency=agencies["ubnd-pho-hien"],
        year=2025,
        source="commune_budget",
        planned=12_000_000,
        allocated=10_000_000,
    )
    # Another year's line is not this cycle's.
    programme_services.budget_line_save(
        actor=cast["reporter1"],
        plan=cycle2025.plan,
        agency=agencies["ubnd-pho-hien"],
        year=2024,
        source="commune_budget",
        planned=99,
        allocated=99,
    )

    figures = prefill.recorded_figures(cycle2025, agencies["ubnd-pho-hien"])
    assert figures["activities"]["communication"] == {
        "count": 2,
        "participants": 70,
        "female": 35,
        "male": 35,
    }
    assert figures["activities"]["conference"] == {
        "count": 1,
        "participants": 12,
        "female": 7,
        "male": 5,
    }
    assert figures["activities"]["training"] == {
        "count": 0,
        "participants": 0,
        "female": 0,
        "male": 0,
    }
    assert figures["budget"]["commune_budget"] == {
        "planned": 12_000_000,
        "allocated": 10_000_000,
        "spent": 3_000_000,
    }
    assert figures["budget"]["donor"]["spent"] == 500_000
    assert figures["cases"] == {
        key: {"value": 0}
        for key in ("cases_opened", "cases_closed", "referrals_sent", "referrals_received")
    }
    # Many agencies at once (generate_data's yearly reports): the same figures, each its own.
    both = [agencies["ubnd-pho-hien"], agencies["ubnd-tran-hung-dao"]]
    assert prefill.recorded_figures_many(cycle2025, [a.pk for a in both]) == {
        a.pk: prefill.recorded_figures(cycle2025, a) for a in both
    }


def test_the_draft_starts_from_the_records(cast, cycle2025, agencies, record):
    record()
    sub, created = services.submission_open(
        actor=cast["reporter1"], cycle=cycle2025, agency=agencies["ubnd-pho-hien"]
    )
    assert created and sub.status == "draft" and sub.number == 1
    assert sub.recorded["activities"]["communication"]["count"] == 1
    assert sub.figures["activities"]["communication"] == {
        "count": 1,
        "participants": 40,
        "female": 25,
        "male": 15,
    }
    # Only the editable columns are typed: spending, not the plan's lines; no case figures.
    assert set(sub.figures["budget"]["commune_budget"]) == {"spent"}
    assert "cases" not in sub.figures
    # Opening again gives the same draft.
    again, created = services.submission_open(
        actor=cast["reporter1"], cycle=cycle2025, agency=agencies["ubnd-pho-hien"]
    )
    assert (again.pk, created) == (sub.pk, False)
    assert SubmissionEvent.objects.filter(submission=sub).count() == 1


def test_a_communes_activity_on_its_local_plan_counts(cast, plan64, cycle2025, agencies, record):
    from antoan.programme.services import plan_build

    local = plan_build.plan_create(
        actor=cast["reporter1"],
        parent=plan64,
        number="12/KH-UBND",
        title="Kế hoạch phòng, chống bạo lực gia đình phường Phố Hiến năm 2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    on_local = record(title="Sinh hoạt theo kế hoạch của phường")
    Activity.objects.filter(pk=on_local.pk).update(plan=local)
    record()
    figures = prefill.recorded_figures(cycle2025, agencies["ubnd-pho-hien"])
    assert figures["activities"]["communication"]["count"] == 2


def test_small_case_figures_are_suppressed(cast, cycle2025, agencies):
    from antoan.cases.models import Case
    from antoan.indicators.tests.test_counting_rules import open_case

    cases = [open_case(cast["worker1"]) for _ in range(2)]
    inside = dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC)
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(opened_at=inside)
    figures = prefill.case_figures(cycle2025, agencies["ubnd-pho-hien"])
    assert figures["cases_opened"] == {"value": None}
    assert figures["cases_closed"] == {"value": 0}
    assert prefill.has_case_work({"cases": figures})
    # Five or more are shown.
    cases += [open_case(cast["worker1"]) for _ in range(3)]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(opened_at=inside)
    assert prefill.case_figures(cycle2025, agencies["ubnd-pho-hien"])["cases_opened"] == {
        "value": 5
    }


# --- The state machine -------------------------------------------------------------------------


def test_no_review_before_submission(cast, draft):
    with pytest.raises(ValidationError) as exc:
        services.submission_accept(actor=cast["coordinator1"], submission=draft, version=1)
    assert exc.value.messages == [
        "Cơ quan chưa nộp báo cáo này nên chưa tiếp nhận hay trả lại được."
    ]
    with pytest.raises(ValidationError):
        services.submission_return(
            actor=cast["coordinator1"], submission=draft, version=1, reason="Thiếu"
        )
    assert reload(draft).status == "draft"


def test_submit_return_resubmit_accept(cast, submitted, clock):
    sub = submitted
    assert (sub.status, sub.late, sub.submitted_by) == ("submitted", False, cast["reporter1"])
    with pytest.raises(ValidationError) as exc:
        services.submission_return(
            actor=cast["coordinator1"], submission=sub, version=sub.version, reason="   "
        )
    assert exc.value.message_dict == {
        "reason": ["Hãy ghi lý do trả lại để cơ quan biết cần sửa gì."]
    }
    sub = services.submission_return(
        actor=cast["coordinator1"],
        submission=sub,
        version=sub.version,
        reason="Bổ sung số liệu tháng 11",
    )
    assert (sub.status, sub.return_reason) == ("returned", "Bổ sung số liệu tháng 11")
    sub = services.submission_save(
        actor=cast["reporter1"],
        submission=sub,
        version=sub.version,
        narratives={"difficulties": "Đã bổ sung số liệu tháng 11."},
    )
    clock.at(2025, 12, 20)  # after the due date: a resubmission keeps the first one's time
    sub = services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    assert (sub.status, sub.late) == ("resubmitted", False)
    sub = services.submission_accept(
        actor=cast["coordinator1"], submission=sub, version=sub.version
    )
    assert (sub.status, sub.accepted_by) == ("accepted", cast["coordinator1"])
    actions = list(
        SubmissionEvent.objects.filter(submission=sub)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "return", "resubmit", "accept"]
    # Accepted: reviewed already, and not edited any more.
    with pytest.raises(ValidationError) as exc:
        services.submission_accept(actor=cast["coordinator1"], submission=sub, version=sub.version)
    assert exc.value.messages == ["Báo cáo này đã được xử lý rồi."]
    with pytest.raises(ValidationError) as exc:
        services.submission_save(
            actor=cast["reporter1"],
            submission=sub,
            version=sub.version,
            narratives={"difficulties": "Sửa"},
        )
    assert "mở bản đính chính" in exc.value.messages[0]
    assert reload(sub).narratives["difficulties"] == "Đã bổ sung số liệu tháng 11."


def test_a_correction_is_a_new_version_with_its_reason(cast, submitted):
    sub = services.submission_accept(
        actor=cast["coordinator1"], submission=submitted, version=submitted.version
    )
    with pytest.raises(ValidationError) as exc:
        services.submission_correct(
            actor=cast["reporter1"], submission=sub, version=sub.version, reason=""
        )
    assert exc.value.message_dict == {"reason": ["Hãy ghi lý do đính chính."]}
    with pytest.raises(PermissionDenied):
        services.submission_correct(
            actor=cast["coordinator1"], submission=sub, version=sub.version, reason="Sai số"
        )
    new = services.submission_correct(
        actor=cast["reporter1"],
        submission=sub,
        version=sub.version,
        reason="Sai số người tham gia hội nghị tháng 10",
    )
    old = reload(sub)
    assert (old.status, new.status, new.number, new.previous_id) == (
        "superseded",
        "draft",
        2,
        old.pk,
    )
    assert new.correction_reason == "Sai số người tham gia hội nghị tháng 10"
    assert new.narratives == old.narratives
    history = SubmissionEvent.objects.filter(submission__in=[old, new]).order_by("pk")
    assert [(e.submission.number, e.action) for e in history] == [
        (1, "create"),
        (1, "submit"),
        (1, "accept"),
        (2, "correct"),
    ]
    assert history.last().reason == "Sai số người tham gia hội nghị tháng 10"
    # The old version is kept and no longer edited.
    with pytest.raises(ValidationError) as exc:
        services.submission_save(
            actor=cast["reporter1"],
            submission=old,
            version=old.version,
            narratives={"difficulties": "Sửa"},
        )
    assert exc.value.messages == ["Đây là bản cũ, đã có bản đính chính thay thế."]
    # The correction is edited, submitted and accepted like the first.
    new = services.submission_save(
        actor=cast["reporter1"],
        submission=new,
        version=new.version,
        narratives={"difficulties": "Đã sửa số người tham gia."},
    )
    new = services.submission_submit(actor=cast["reporter1"], submission=new, version=new.version)
    assert new.status == "submitted"
    assert Submission.objects.filter(cycle=new.cycle, agency=new.agency).count() == 2


def test_a_correction_only_of_an_accepted_report(cast, submitted):
    with pytest.raises(ValidationError):
        services.submission_correct(
            actor=cast["reporter1"], submission=submitted, version=submitted.version, reason="X"
        )
    assert Submission.objects.count() == 1


def test_empty_sections_are_named_when_submitting(cast, draft):
    sections = sections_of(draft.cycle.template)
    sub = services.submission_save(
        actor=cast["reporter1"],
        submission=draft,
        version=draft.version,
        narratives={s["key"]: "Có nội dung" for s in sections[:-2]} | {sections[-2]["key"]: " "},
    )
    with pytest.raises(ValidationError) as exc:
        services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    message = exc.value.message_dict["narratives"][0]
    assert message.startswith("Hãy viết các mục còn trống trước khi nộp")
    assert sections[-2]["title"] in message and sections[-1]["title"] in message
    assert sections[0]["title"] not in message
    assert reload(sub).status == "draft"
    assert not YearReport.objects.exists()


def test_a_stale_version_changes_nothing(cast, draft, write_all):
    sub = write_all(draft, cast["reporter1"])
    for call in (
        lambda: services.submission_save(
            actor=cast["reporter1"],
            submission=sub,
            version=draft.version,
            narratives={"difficulties": "Bản cũ"},
        ),
        lambda: services.submission_submit(
            actor=cast["reporter1"], submission=sub, version=draft.version
        ),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.code == "stale"
    fresh = reload(sub)
    assert (fresh.status, fresh.version) == ("draft", sub.version)
    assert fresh.narratives["difficulties"] == "Đã thực hiện theo kế hoạch."


def test_submitting_after_the_due_date_is_taken_and_late(cast, draft, write_all, clock):
    sub = write_all(draft, cast["reporter1"])
    clock.at(2025, 12, 10, hour=23)  # the whole due day counts
    on_time = services.submission_submit(
        actor=cast["reporter1"], submission=sub, version=sub.version
    )
    assert not on_time.late
    Submission.objects.filter(pk=sub.pk).update(status="draft", first_submitted_at=None)
    sub = reload(sub)
    clock.at(2025, 12, 11, hour=8)
    late = services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    assert (late.status, late.late) == ("submitted", True)
    assert SubmissionEvent.objects.filter(submission=sub, action="submit").last().late


def test_submitting_after_the_cycle_was_closed_is_taken_and_late(
    cast, draft, write_all, clock, cycle2025
):
    clock.at(2025, 12, 3)
    services.cycle_close(actor=cast["coordinator1"], cycle=cycle2025, close=True)
    sub = write_all(draft, cast["reporter1"])
    clock.at(2025, 12, 4)  # before the due date, but the cycle is closed
    sub = services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    assert (sub.status, sub.late) == ("submitted", True)


# --- The year lock -----------------------------------------------------------------------------


FROZEN = (
    "Báo cáo năm 2025 của Ủy ban nhân dân phường Phố Hiến đã nộp nên không sửa được hoạt động "
    "của năm đó. Hãy đề nghị cán bộ điều phối trả lại báo cáo."
)


def test_submitting_freezes_the_period_and_returning_opens_it(
    cast, cycle2025, agencies, record, activity_input, draft, write_all, clock
):
    logged = record()
    sub = write_all(draft, cast["reporter1"])
    clock.at(2025, 12, 5)
    sub = services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    report = YearReport.objects.get(plan=cycle2025.plan, agency=agencies["ubnd-pho-hien"])
    assert (report.status, report.year, report.period_start, report.period_end) == (
        "submitted",
        2025,
        dt.date(2024, 12, 1),
        dt.date(2025, 11, 30),
    )
    with pytest.raises(ValidationError) as exc:
        programme_services.activity_update(
            actor=cast["reporter1"],
            activity=logged,
            version=logged.version,
            data=activity_input(title="Sửa sau khi nộp"),
        )
    assert exc.value.message_dict["start_date"] == [FROZEN]
    with pytest.raises(ValidationError):
        record(title="Thêm vào kỳ đã nộp")
    assert not programme_services.may_edit_activity(cast["reporter1"], logged)
    # After the period: the next report's, still open.
    after = record(
        title="Sinh hoạt tháng 12", start_date=dt.date(2025, 12, 3), end_date=dt.date(2025, 12, 3)
    )
    assert after.pk
    assert not programme_selectors.is_year_locked(
        cycle2025.plan_id, agencies["ubnd-pho-hien"].pk, dt.date(2025, 12, 15)
    )
    assert programme_selectors.is_year_locked(
        cycle2025.plan_id, agencies["ubnd-pho-hien"].pk, dt.date(2025, 11, 30)
    )

    services.submission_return(
        actor=cast["coordinator1"], submission=sub, version=sub.version, reason="Bổ sung"
    )
    assert YearReport.objects.get(pk=report.pk).status == "returned"
    updated = programme_services.activity_update(
        actor=cast["reporter1"],
        activity=logged,
        version=logged.version,
        data=activity_input(title="Sửa sau khi trả lại"),
    )
    assert updated.title == "Sửa sau khi trả lại"
    assert Activity.objects.filter(agency=agencies["ubnd-pho-hien"]).count() == 2


def test_the_lock_is_the_agencys_own(cast, submitted, record, reporter2, mini_places):
    other = record(reporter2, agency="ubnd-tran-hung-dao", place=mini_places["commune_b"])
    assert other.pk


# --- What is typed -----------------------------------------------------------------------------


def test_a_huge_narrative_is_refused_and_nothing_saved(cast, draft):
    with pytest.raises(ValidationError) as exc:
        services.submission_save(
            actor=cast["reporter1"],
            submission=draft,
            version=draft.version,
            narratives={"difficulties": "x" * 60_001, "next_year": "Ngắn"},
        )
    assert exc.value.message_dict["narratives.difficulties"] == [
        "Mục này dài 60.001 ký tự, quá giới hạn 60.000. Hãy rút gọn hoặc gửi phần chi tiết "
        "thành tệp đính kèm."
    ]
    fresh = reload(draft)
    assert fresh.narratives == {} and fresh.version == draft.version


def test_an_unknown_section_is_refused(cast, draft):
    with pytest.raises(ValidationError) as exc:
        services.submission_save(
            actor=cast["reporter1"],
            submission=draft,
            version=draft.version,
            narratives={"hacked": "x"},
        )
    assert exc.value.message_dict == {"narratives.hacked": ["Mẫu báo cáo không có mục này."]}


@pytest.mark.parametrize(
    ("figures", "field", "message"),
    [
        (
            {"activities": {"training": {"count": -1}}},
            "figures.activities.training.count",
            "Số phải từ 0 đến 10 triệu tỷ.",
        ),
        (
            {"activities": {"training": {"count": 1.5}}},
            "figures.activities.training.count",
            "Hãy nhập một số nguyên.",
        ),
        (
            {"activities": {"training": {"count": "3"}}},
            "figures.activities.training.count",
            "Hãy nhập một số nguyên.",
        ),
        (
            {"activities": {"training": {"count": True}}},
            "figures.activities.training.count",
            "Hãy nhập một số nguyên.",
        ),
        (
            {"budget": {"donor": {"spent": 10**16}}},
            "figures.budget.donor.spent",
            "Số phải từ 0 đến 10 triệu tỷ.",
        ),
        ({"weather": {"x": {"y": 1}}}, "figures.weather", "Bảng số liệu này không nhập tay được."),
        (
            {"cases": {"cases_opened": {"value": 1}}},
            "figures.cases",
            "Bảng số liệu này không nhập tay được.",
        ),
        (
            {"activities": {"picnic": {"count": 1}}},
            "figures.activities.picnic",
            "Dòng này không có trong bảng.",
        ),
        (
            {"activities": {"training": {"minutes": 1}}},
            "figures.activities.training.minutes",
            "Cột này không nhập tay được.",
        ),
        (
            {"budget": {"donor": {"allocated": 1}}},
            "figures.budget.donor.allocated",
            "Cột này không nhập tay được.",
        ),
    ],
)
def test_bad_figures_are_refused(cast, draft, figures, field, message):
    with pytest.raises(ValidationError) as exc:
        services.submission_save(
            actor=cast["reporter1"], submission=draft, version=draft.version, figures=figures
        )
    assert exc.value.message_dict[field] == [message]
    assert reload(draft).figures == draft.figures


def test_typed_figures_are_kept_with_their_differences(cast, draft, record):
    sub = services.submission_save(
        actor=cast["reporter1"],
        submission=draft,
        version=draft.version,
        figures={"activities": {"training": {"count": 3, "participants": 60}}},
    )
    assert sub.figures["activities"]["training"]["count"] == 3
    diffs = prefill.differences(sub.figures, sub.recorded)
    assert {(d["row"], d["column"], d["difference"]) for d in diffs} == {
        ("training", "count", 3),
        ("training", "participants", 60),
    }


# --- The template ------------------------------------------------------------------------------


def cycle_input(cycle, sections, **kw):
    return services.CycleInput(
        period_start=kw.get("period_start", cycle.period_start),
        period_end=kw.get("period_end", cycle.period_end),
        due_date=kw.get("due_date", cycle.due_date),
        sections=sections,
        version=kw.get("version", cycle.version),
    )


def test_a_section_someone_wrote_in_cannot_be_removed(cast, draft):
    services.submission_save(
        actor=cast["reporter1"],
        submission=draft,
        version=draft.version,
        narratives={"difficulties": "Thiếu kinh phí"},
    )
    cycle = Cycle.objects.get(pk=draft.cycle_id)
    kept = [s for s in sections_of(cycle.template) if s["key"] != "difficulties"]
    with pytest.raises(ValidationError) as exc:
        services.cycle_update(
            actor=cast["coordinator1"], cycle=cycle, data=cycle_input(cycle, kept)
        )
    assert exc.value.message_dict["sections"] == [
        "Không bỏ được mục đã có cơ quan viết nội dung: Khó khăn, vướng mắc. Hãy giữ mục đó (có "
        "thể đổi tên)."
    ]
    assert Cycle.objects.get(pk=cycle.pk).template == cycle.template


def test_sections_may_be_added_renamed_or_removed_while_empty(cast, draft):
    sub = services.submission_save(
        actor=cast["reporter1"],
        submission=draft,
        version=draft.version,
        narratives={"difficulties": "Thiếu kinh phí"},
    )
    cycle = Cycle.objects.get(pk=draft.cycle_id)
    sections = [dict(s) for s in sections_of(cycle.template) if s["key"] != "next_year"]
    for s in sections:
        if s["key"] == "difficulties":
            s["title"] = "Khó khăn, vướng mắc và nguyên nhân"
    sections.append({"key": "", "title": "Kết quả phối hợp liên ngành"})
    updated = services.cycle_update(
        actor=cast["coordinator1"], cycle=cycle, data=cycle_input(cycle, sections)
    )
    titles = {s["key"]: s["title"] for s in sections_of(updated.template)}
    assert titles["difficulties"] == "Khó khăn, vướng mắc và nguyên nhân"
    assert "next_year" not in titles
    new_key = next(k for k, t in titles.items() if t == "Kết quả phối hợp liên ngành")
    assert new_key.startswith("extra-")
    assert (updated.template_version, updated.version) == (2, 2)
    # The text written stays, and the new section is one to write.
    sub = reload(sub)
    assert sub.narratives["difficulties"] == "Thiếu kinh phí"
    assert "Kết quả phối hợp liên ngành" in services.missing_sections(sub)
    sub = services.submission_save(
        actor=cast["reporter1"],
        submission=sub,
        version=sub.version,
        narratives={new_key: "Đã phối hợp với Công an phường."},
    )
    assert sub.narratives[new_key] == "Đã phối hợp với Công an phường."


def test_a_stale_cycle_edit_is_refused(cast, cycle2025):
    with pytest.raises(ValidationError) as exc:
        services.cycle_update(
            actor=cast["coordinator1"],
            cycle=cycle2025,
            data=cycle_input(cycle2025, sections_of(cycle2025.template), version=7),
        )
    assert exc.value.code == "stale"


def test_only_reviewers_edit_a_cycle(cast, cycle2025):
    with pytest.raises(PermissionDenied):
        services.cycle_update(
            actor=cast["reporter1"],
            cycle=cycle2025,
            data=cycle_input(cycle2025, sections_of(cycle2025.template)),
        )


# --- Attachments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [("Bao cao.pdf", pdf_bytes(), ".pdf"), ("Ảnh hội nghị.png", png_bytes(), ".png")],
)
def test_a_real_file_is_attached(cast, draft, media, name, data, extension):
    attachment = services.attachment_add(
        actor=cast["reporter1"], submission=draft, upload=SimpleUploadedFile(name, data)
    )
    assert attachment.extension == extension
    assert attachment.original_name.endswith(extension)
    assert attachment.file.storage.exists(attachment.file.name)
    assert list(
        SubmissionEvent.objects.filter(submission=draft).values_list("action", flat=True)
    ) == ["create", "attach"]
    # The same file twice is refused.
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=cast["reporter1"], submission=draft, upload=SimpleUploadedFile(name, data)
        )
    assert exc.value.message_dict == {"file": ["Tệp này đã đính kèm báo cáo rồi."]}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bao-cao.pdf", "Báo cáo năm 2025".encode(), "Nội dung tệp không phải là loại được nhận"),
        (
            "bao-cao.docx",
            b"MZ\x90\x00" + b"\x00" * 200,
            "Nội dung tệp không phải là loại được nhận",
        ),
        ("anh.pdf", png_bytes(), "Tên tệp có đuôi “.pdf” nhưng nội dung là tệp"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(cast, draft, media, name, data, message):
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=cast["reporter1"], submission=draft, upload=SimpleUploadedFile(name, data)
        )
    assert exc.value.message_dict["file"][0].startswith(message)
    assert not Attachment.objects.exists()
    assert not any(Path(media).rglob("*.*")) if Path(media).exists() else True


def test_no_attachment_once_submitted(cast, submitted, media):
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=cast["reporter1"],
            submission=submitted,
            upload=SimpleUploadedFile("a.pdf", pdf_bytes()),
        )
    assert not Attachment.objects.exists()


# --- Permissions -------------------------------------------------------------------------------


def test_another_agencys_reporter_cannot_open_or_edit(cast, draft, reporter2, cycle2025, agencies):
    with pytest.raises(PermissionDenied):
        services.submission_open(actor=reporter2, cycle=cycle2025, agency=agencies["ubnd-pho-hien"])
    with pytest.raises(PermissionDenied):
        services.submission_save(
            actor=reporter2, submission=draft, version=draft.version, narratives={"x": "y"}
        )
    with pytest.raises(PermissionDenied):
        services.submission_submit(actor=reporter2, submission=draft, version=draft.version)
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            actor=reporter2, submission=draft, upload=SimpleUploadedFile("a.pdf", pdf_bytes())
        )
    from django.http import Http404

    from antoan.reports import selectors

    with pytest.raises(Http404):
        selectors.submission_get(reporter2, draft.pk)


def test_a_reporter_cannot_review(cast, submitted):
    for call in (services.submission_accept, services.submission_return):
        kwargs = {"reason": "Tự trả"} if call is services.submission_return else {}
        with pytest.raises(PermissionDenied):
            call(actor=cast["reporter1"], submission=submitted, version=submitted.version, **kwargs)
    assert reload(submitted).status == "submitted"


@pytest.mark.parametrize("username", ["coordinator1", "analyst1", "manager1", "leader1", "worker1"])
def test_only_the_agencys_reporter_opens_its_report(cast, cycle2025, agencies, username):
    with pytest.raises(PermissionDenied):
        services.submission_open(
            actor=cast[username], cycle=cycle2025, agency=agencies["ubnd-pho-hien"]
        )
    assert not Submission.objects.exists()


def test_an_agency_that_need_not_report_cannot_open_one(cast, cycle2025, agencies, reporter3):
    """so-y-te is not asked... unless the plan assigns it; a reporter of an agency outside the
    cycle's list is refused."""
    from antoan.programme.tests.builders import make_reporter

    outsider = agencies.get("thanh-tra-tinh")
    assert outsider is not None and not cycle2025.agencies.filter(pk=outsider.pk).exists()
    user = make_reporter("reporter9", outsider)
    with pytest.raises(PermissionDenied):
        services.submission_open(actor=user, cycle=cycle2025, agency=outsider)


def test_a_required_heir_reports(cycle2025, agencies, reporter3):
    sub, created = services.submission_open(
        actor=reporter3, cycle=cycle2025, agency=agencies["so-noi-vu"]
    )
    assert created and sub.agency.code == "so-noi-vu"
