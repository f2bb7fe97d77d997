"""Yearly reports freeze a year, task statuses, budget lines and their execution, the models
registry, the influencer network, comments; every write leaves an audit event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from antoan.core.models import AuditEvent
from antoan.programme import selectors, services
from antoan.programme.models import (
    Activity,
    ActivityComment,
    BudgetLine,
    CommunityModel,
    Influencer,
    Task,
    TaskStatusChange,
    YearReport,
)
from antoan.programme.tests.builders import audit_events
from antoan.reports import services as report_services
from antoan.reports.tests.helpers import return_year, submit_year

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

FROZEN = (
    "Báo cáo năm 2025 của Ủy ban nhân dân phường Phố Hiến đã nộp nên không sửa được hoạt động "
    "của năm đó. Hãy đề nghị cán bộ điều phối trả lại báo cáo."
)


@pytest.fixture
def submit(cast, plan64, agencies):
    """The agency's yearly report, written and submitted through the reporting cycle."""

    def submit_(year=2025, actor="reporter1", agency="ubnd-pho-hien"):
        return submit_year(cast[actor], plan64, agencies[agency], year)

    return submit_


# --- Yearly reports ----------------------------------------------------------------------------


def test_a_submitted_year_is_frozen_for_the_agency(
    cast, record, activity_input, submit, mini_places
):
    logged = record()
    older = record(
        place=mini_places["old_province"],
        start_date=dt.date(2024, 5, 10),
        end_date=dt.date(2024, 5, 10),
    )
    submission = submit(2025)
    report = YearReport.objects.get()
    assert (report.status, report.year, report.submitted_by) == (
        "submitted",
        2025,
        cast["reporter1"],
    )
    assert (report.period_start, report.period_end) == (
        submission.cycle.period_start,
        submission.cycle.period_end,
    )
    with pytest.raises(ValidationError) as exc:
        record(title="Thêm sau khi nộp")
    assert exc.value.message_dict["start_date"] == [FROZEN]
    with pytest.raises(ValidationError) as exc:
        services.activity_update(
            actor=cast["reporter1"], activity=logged, version=1, data=activity_input(title="Sửa")
        )
    assert exc.value.message_dict["start_date"] == [FROZEN]
    # Moving an activity of another report's period into the frozen one is refused too.
    with pytest.raises(ValidationError):
        services.activity_update(
            actor=cast["reporter1"], activity=older, version=1, data=activity_input()
        )
    assert Activity.objects.count() == 2
    assert Activity.objects.get(pk=logged.pk).title == logged.title
    assert not services.may_edit_activity(cast["reporter1"], logged)
    assert services.may_edit_activity(cast["reporter1"], older)
    assert selectors.is_year_locked(logged.plan_id, logged.agency_id, 2025)


def test_other_years_and_other_agencies_stay_open(record, submit, mini_places, reporter2):
    submit(2025)
    assert record(
        place=mini_places["old_province"],
        start_date=dt.date(2024, 3, 8),
        end_date=dt.date(2024, 3, 8),
    ).pk
    # After the period (1/12/2024 - 30/11/2025): the next report's.
    assert record(start_date=dt.date(2025, 12, 15), end_date=dt.date(2025, 12, 15)).pk
    assert record(reporter2, agency="ubnd-tran-hung-dao", place=mini_places["commune_b"]).pk


def test_a_report_is_submitted_once(submit):
    submission = submit(2025)
    with pytest.raises(ValidationError) as exc:
        report_services.submission_submit(
            actor=submission.created_by, submission=submission, version=submission.version
        )
    assert exc.value.messages == [
        "Báo cáo đã nộp, đang chờ cơ quan chủ trì xem xét nên chưa sửa được."
    ]
    assert YearReport.objects.count() == 1


@pytest.mark.parametrize("username", ["coordinator1", "analyst1", "manager1", "worker1"])
def test_only_the_agencys_reporter_submits(submit, username):
    with pytest.raises(PermissionDenied):
        submit(2025, actor=username)
    assert YearReport.objects.count() == 0


def test_a_reporter_cannot_submit_for_another_agency(submit):
    with pytest.raises(PermissionDenied):
        submit(2025, agency="ubnd-tran-hung-dao")
    assert YearReport.objects.count() == 0


def test_the_coordinator_returns_a_report_and_the_year_opens_again(cast, record, submit):
    submission = submit(2025)
    report = YearReport.objects.get()
    with pytest.raises(PermissionDenied):
        return_year(cast["reporter1"], submission, "Tự mở")
    with pytest.raises(ValidationError) as exc:
        return_year(cast["coordinator1"], submission, "  ")
    assert exc.value.message_dict == {
        "reason": ["Hãy ghi lý do trả lại để cơ quan biết cần sửa gì."]
    }
    assert selectors.is_year_locked(report.plan_id, report.agency_id, 2025)

    return_year(cast["coordinator1"], submission, "Thiếu số liệu tháng 11")
    report.refresh_from_db()
    assert (report.status, report.returned_by, report.return_reason) == (
        "returned",
        cast["coordinator1"],
        "Thiếu số liệu tháng 11",
    )
    assert record(title="Bổ sung sau khi trả lại").pk
    with pytest.raises(ValidationError):
        return_year(cast["coordinator1"], submission, "Lại")
    # Submitted again, it freezes again.
    assert submit(2025).status == "resubmitted"
    report.refresh_from_db()
    assert report.status == "submitted"
    assert YearReport.objects.count() == 1
    with pytest.raises(ValidationError):
        record()
    statuses = [
        e.extra["status"]
        for e in audit_events("reports.submission", submission.pk)
        if "status" in (e.extra or {})
    ]
    assert statuses == ["draft", "submitted", "returned", "resubmitted"]


# --- Task status -------------------------------------------------------------------------------


def test_the_coordinator_sets_a_task_status_with_history(cast, tasks):
    task = tasks["II.3.a"]
    task = services.task_status_set(
        actor=cast["coordinator1"], task=task, status="in_progress", comment="", version=1
    )
    task = services.task_status_set(
        actor=cast["coordinator1"],
        task=task,
        status="at_risk",
        comment="Chưa phường nào tập huấn cho người cung cấp dịch vụ",
        version=2,
    )
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.version, stored.status_by) == (
        "at_risk",
        3,
        cast["coordinator1"],
    )
    assert stored.status_comment == "Chưa phường nào tập huấn cho người cung cấp dịch vụ"
    history = list(TaskStatusChange.objects.filter(task=task).values_list("status", flat=True))
    assert history == ["at_risk", "in_progress"]
    events = audit_events("programme.task", task.pk, "update")
    assert [e.extra["status"] for e in events] == ["in_progress", "at_risk"]


def test_a_stale_task_version_is_refused(cast, tasks):
    task = tasks["II.3.a"]
    services.task_status_set(
        actor=cast["coordinator1"], task=task, status="in_progress", comment="", version=1
    )
    with pytest.raises(ValidationError) as exc:
        services.task_status_set(
            actor=cast["coordinator1"], task=task, status="done", comment="Xong", version=1
        )
    assert "Người khác vừa cập nhật" in exc.value.message_dict["status"][0]
    assert Task.objects.get(pk=task.pk).status == "in_progress"
    assert TaskStatusChange.objects.count() == 1


@pytest.mark.parametrize("status", ["done", "at_risk"])
def test_done_and_at_risk_need_a_comment(cast, tasks, status):
    with pytest.raises(ValidationError) as exc:
        services.task_status_set(
            actor=cast["coordinator1"], task=tasks["II.7"], status=status, comment=" ", version=1
        )
    assert exc.value.message_dict == {
        "comment": ["Hãy ghi nhận xét khi đánh dấu hoàn thành hoặc có nguy cơ."]
    }
    assert Task.objects.get(pk=tasks["II.7"].pk).status == "not_started"


def test_an_unknown_status_is_refused(cast, tasks):
    with pytest.raises(ValidationError):
        services.task_status_set(
            actor=cast["coordinator1"],
            task=tasks["II.7"],
            status="abandoned",
            comment="x",
            version=1,
        )


@pytest.mark.parametrize("username", ["reporter1", "analyst1", "manager1", "worker1"])
def test_only_the_coordinator_sets_a_task_status(cast, tasks, username):
    with pytest.raises(PermissionDenied):
        services.task_status_set(
            actor=cast[username], task=tasks["II.7"], status="in_progress", comment="", version=1
        )
    assert TaskStatusChange.objects.count() == 0


# --- Comments ----------------------------------------------------------------------------------


def test_the_coordinator_comments_on_activities(cast, record):
    activity = record()
    comment = services.activity_comment_add(
        actor=cast["coordinator1"], activity=activity, text=" Đề nghị bổ sung danh sách. "
    )
    assert comment.text == "Đề nghị bổ sung danh sách."
    assert audit_events("programme.activity_comment", comment.pk, "create")
    with pytest.raises(ValidationError):
        services.activity_comment_add(actor=cast["coordinator1"], activity=activity, text=" ")
    for username in ("reporter1", "analyst1", "manager1"):
        with pytest.raises(PermissionDenied):
            services.activity_comment_add(actor=cast[username], activity=activity, text="Hay")
    assert ActivityComment.objects.count() == 1


# --- Budget lines ------------------------------------------------------------------------------


@pytest.fixture
def budget(cast, plan64, agencies):
    def save(actor="reporter1", agency="ubnd-pho-hien", **values):
        values = {
            "year": 2025,
            "source": "commune_budget",
            "planned": 12_000_000,
            "allocated": 10_000_000,
            **values,
        }
        return services.budget_line_save(
            actor=cast[actor], plan=plan64, agency=agencies[agency], **values
        )

    return save


def test_a_reporter_keeps_their_agencys_budget_lines(budget):
    line = budget()
    assert (line.planned, line.allocated, line.version) == (12_000_000, 10_000_000, 1)
    again = budget(allocated=11_000_000, note="Bổ sung giữa năm", version=1)
    assert again.pk == line.pk
    assert (again.allocated, again.version) == (11_000_000, 2)
    assert BudgetLine.objects.count() == 1
    create, update = audit_events("programme.budget_line", line.pk)
    assert (create.action, update.action) == ("create", "update")
    assert set(update.changed_fields) == {"allocated", "note"}


@pytest.mark.parametrize("version", [None, 1])
def test_a_budget_line_saved_meanwhile_is_not_overwritten(budget, version):
    """A second "new" line for the same agency, year and source, or an edit of a version
    someone has since changed, is refused with the figures now on record."""
    budget()
    budget(allocated=11_000_000, version=1)
    with pytest.raises(ValidationError) as exc:
        budget(allocated=9_000_000, version=version)
    assert "được giao 11.000.000 đ" in exc.value.messages[0]
    assert BudgetLine.objects.get().allocated == 11_000_000


def test_a_reporter_cannot_keep_another_agencys_budget(budget):
    with pytest.raises(PermissionDenied):
        budget(agency="ubnd-tran-hung-dao")
    assert BudgetLine.objects.count() == 0


def test_the_coordinator_keeps_any_agencys_budget(budget):
    line = budget("coordinator1", agency="so-y-te", source="provincial_budget")
    assert line.agency.code == "so-y-te"


@pytest.mark.parametrize("username", ["analyst1", "manager1", "worker1"])
def test_others_cannot_keep_budget_lines(budget, username):
    with pytest.raises(PermissionDenied):
        budget(username)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"planned": -1}, "planned"),
        ({"allocated": -5}, "allocated"),
        ({"year": 2020}, "year"),
        ({"year": 2026}, "year"),
        ({"source": "lottery"}, "source"),
    ],
)
def test_bad_budget_lines_are_refused(budget, values, field):
    with pytest.raises(ValidationError) as exc:
        budget(**values)
    assert field in exc.value.message_dict
    assert BudgetLine.objects.count() == 0


def test_budget_years_outside_the_plan_say_which_years(budget):
    with pytest.raises(ValidationError) as exc:
        budget(year=2026)
    assert exc.value.message_dict["year"] == [
        "Năm phải trong thời gian thực hiện kế hoạch (2021 - 2025)."
    ]


def test_a_submitted_year_freezes_the_reporters_budget_lines_too(budget, submit):
    """The reporter keeps budget lines "until the year's report is submitted"."""
    budget()
    submit(2025)
    with pytest.raises(ValidationError) as exc:
        budget(allocated=1, version=1)
    assert exc.value.message_dict["year"] == [
        "Báo cáo năm 2025 của Ủy ban nhân dân phường Phố Hiến đã nộp nên không sửa được kinh "
        "phí của năm đó. Hãy đề nghị cán bộ điều phối trả lại báo cáo."
    ]
    assert BudgetLine.objects.get().allocated == 10_000_000
    assert budget(year=2024).year == 2024
    # The coordinator, who returns reports, may still correct it.
    assert budget("coordinator1", allocated=9_000_000, version=1).allocated == 9_000_000


def test_execution_rate_is_spending_over_allocation(cast, plan64, budget, record):
    budget(allocated=10_000_000)
    record(spending={"commune_budget": 2_000_000, "donor": 1_000_000})
    record(spending={"commune_budget": 500_000})
    rows = {r.source: r for r in selectors.budget_rows(cast["analyst1"], plan64, year=2025)}
    assert (rows["commune_budget"].allocated, rows["commune_budget"].spent) == (
        10_000_000,
        2_500_000,
    )
    assert rows["commune_budget"].execution_rate == 25.0
    # Spent from a source without a budget line: shown, with no rate.
    assert (rows["donor"].allocated, rows["donor"].spent) == (0, 1_000_000)
    assert rows["donor"].line is None
    assert rows["donor"].execution_rate is None
    [pho_hien] = selectors.budget_by_agency(rows.values())
    assert pho_hien.agency.code == "ubnd-pho-hien"
    assert (pho_hien.allocated, pho_hien.spent, pho_hien.execution_rate) == (
        10_000_000,
        3_500_000,
        35.0,
    )


# --- Models registry and influencers -----------------------------------------------------------


@pytest.fixture
def model_input(agencies, mini_places):
    def build(**overrides):
        values = {
            "kind": "trusted_address",
            "name": "Địa chỉ tin cậy tổ dân phố số 3",
            "place": mini_places["commune_a"],
            "agency": agencies["ubnd-pho-hien"],
            "founded_on": dt.date(2025, 8, 1),
            "members_total": 7,
            "members_female": 5,
        }
        return services.ModelInput(**{**values, **overrides})

    return build


def test_a_reporter_registers_and_edits_a_model(cast, model_input):
    model = services.community_model_save(actor=cast["reporter1"], data=model_input())
    assert (model.kind, model.members_female, model.version) == ("trusted_address", 5, 1)
    edited = services.community_model_save(
        actor=cast["reporter1"],
        data=model_input(status="paused"),
        instance=model,
        version=1,
    )
    assert (edited.status, edited.version) == ("paused", 2)
    with pytest.raises(ValidationError):
        services.community_model_save(
            actor=cast["reporter1"], data=model_input(status="closed"), instance=model, version=1
        )
    assert CommunityModel.objects.get().status == "paused"
    assert [e.action for e in audit_events("programme.model", model.pk)] == ["create", "update"]


def test_more_women_than_members_is_refused(cast, model_input):
    with pytest.raises(ValidationError) as exc:
        services.community_model_save(
            actor=cast["reporter1"], data=model_input(members_total=5, members_female=6)
        )
    assert exc.value.message_dict == {
        "members_female": ["Số thành viên nữ lớn hơn tổng số thành viên."]
    }
    with pytest.raises(ValidationError) as exc:
        services.community_model_save(
            actor=cast["reporter1"], data=model_input(members_total=-1, members_female=0)
        )
    assert "members_total" in exc.value.message_dict
    assert CommunityModel.objects.count() == 0


def test_a_model_founded_in_the_future_or_of_unknown_kind_is_refused(cast, model_input):
    with pytest.raises(ValidationError) as exc:
        services.community_model_save(
            actor=cast["reporter1"],
            data=model_input(kind="castle", founded_on=dt.date(2099, 1, 1), name=" "),
        )
    assert set(exc.value.message_dict) == {"kind", "founded_on", "name"}


def test_models_of_another_agency(cast, model_input):
    data = model_input(agency=model_input().agency.__class__.objects.get(code="ubnd-tran-hung-dao"))
    with pytest.raises(PermissionDenied):
        services.community_model_save(actor=cast["reporter1"], data=data)
    with pytest.raises(PermissionDenied):
        services.community_model_save(actor=cast["analyst1"], data=model_input())
    assert services.community_model_save(actor=cast["coordinator1"], data=data).pk


@pytest.fixture
def influencer(cast, agencies, mini_places):
    def save(actor="reporter1", **overrides):
        values = {
            "name": "Nguyễn Văn Đức",
            "group": "elder",
            "title": "Chủ tịch Hội Người cao tuổi phường",
            "sex": "male",
            "place": mini_places["commune_a"],
            "agency": agencies["ubnd-pho-hien"],
        }
        return services.influencer_save(actor=cast[actor], **{**values, **overrides})

    return save


def test_an_influencer_is_placed_in_a_commune(influencer, mini_places):
    person = influencer()
    assert (person.place.code, person.group) == ("11953", "elder")
    assert audit_events("programme.influencer", person.pk, "create")
    with pytest.raises(ValidationError) as exc:
        influencer(place=mini_places["province"])
    assert exc.value.message_dict == {"place": ["Hãy chọn xã, phường."]}
    with pytest.raises(ValidationError) as exc:
        influencer(group="celebrity", sex="x", name="")
    assert set(exc.value.message_dict) == {"group", "sex", "name"}
    assert Influencer.objects.count() == 1


def test_an_influencer_changed_meanwhile_is_not_overwritten(influencer):
    person = influencer()
    assert influencer(instance=person, version=1, title="Trưởng ban công tác mặt trận").version == 2
    with pytest.raises(ValidationError, match="Người khác vừa sửa"):
        influencer(instance=person, version=1, title="Chức danh cũ")
    person.refresh_from_db()
    assert person.title == "Trưởng ban công tác mặt trận"


def test_influencers_of_another_agency(influencer, agencies, mini_places):
    other = {"agency": agencies["ubnd-tran-hung-dao"], "place": mini_places["commune_b"]}
    with pytest.raises(PermissionDenied):
        influencer(**other)
    with pytest.raises(PermissionDenied):
        influencer("manager1")
    assert influencer("coordinator1", **other).agency.code == "ubnd-tran-hung-dao"


# --- Every write is audited --------------------------------------------------------------------


def test_every_programme_write_leaves_an_audit_event(
    cast, plan64, record, tasks, budget, submit, model_input, influencer, activity_input
):
    activity = record()
    services.activity_update(
        actor=cast["reporter1"], activity=activity, version=1, data=activity_input(title="B")
    )
    services.activity_comment_add(actor=cast["coordinator1"], activity=activity, text="Tốt")
    services.task_status_set(
        actor=cast["coordinator1"],
        task=tasks["II.7"],
        status="in_progress",
        comment="",
        version=1,
    )
    budget()
    services.community_model_save(actor=cast["reporter1"], data=model_input())
    influencer()
    submission = submit(2025)
    return_year(cast["coordinator1"], submission, "Bổ sung")
    seen = set(
        AuditEvent.objects.filter(object_type__startswith="programme.").values_list(
            "object_type", "action", "username"
        )
    )
    assert seen == {
        ("programme.activity", "create", "reporter1"),
        ("programme.activity", "update", "reporter1"),
        ("programme.activity_comment", "create", "coordinator1"),
        ("programme.task", "update", "coordinator1"),
        ("programme.budget_line", "create", "reporter1"),
        ("programme.model", "create", "reporter1"),
        ("programme.influencer", "create", "reporter1"),
    }
    # The yearly report is the reporting cycle's: its writes are audited there.
    assert set(
        AuditEvent.objects.filter(object_type="reports.submission").values_list(
            "action", "username"
        )
    ) == {("create", "reporter1"), ("update", "reporter1"), ("update", "coordinator1")}
