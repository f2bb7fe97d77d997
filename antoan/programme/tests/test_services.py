"""Recording activities: what each kind needs, totals that must add up, dates inside the plan,
trainees matching the numbers; bad input refused with a clear message and nothing saved.

Flags, retries, who may write and stale versions: test_services_access.py; year reports,
task statuses, budgets, models and influencers: test_services_reports.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from antoan.programme import services
from antoan.programme.models import Activity, CommunityModel, Spending
from antoan.programme.services import (
    KIND_FIELDS,
    KIND_REQUIRED,
    MemberInput,
    RecommendationInput,
    TraineeInput,
)
from antoan.programme.tests.builders import DAY, audit_events

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def errors_of(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


def refused(record, **overrides) -> dict[str, list[str]]:
    """Record with ``overrides``, expect a refusal and that nothing was saved."""
    before = (Activity.objects.count(), Spending.objects.count())
    with pytest.raises(ValidationError) as exc:
        record(**overrides)
    assert (Activity.objects.count(), Spending.objects.count()) == before
    return errors_of(exc)


@pytest.fixture
def safe_school(cast, agencies, mini_places):
    return services.community_model_save(
        actor=cast["reporter1"],
        data=services.ModelInput(
            kind="safe_school",
            name="Trường THCS Phố Hiến an toàn, thân thiện",
            place=mini_places["commune_a"],
            agency=agencies["ubnd-pho-hien"],
            members_total=12,
            members_female=8,
        ),
    )


@pytest.fixture
def kinds(agencies, safe_school):
    """For each kind: a task it serves and its own fields, as a reporter fills them in."""
    return {
        "communication": (
            "II.2.a",
            {"channel": "loudspeaker", "materials_produced": 2, "materials_distributed": 500},
        ),
        "training": (
            "II.3.a-1",
            {
                "topic": "general",
                "training_of_trainers": True,
                "pre_test_score": Decimal("55.5"),
                "post_test_score": Decimal("82.0"),
            },
        ),
        "conference": ("II.3.b", {"conference_format": "policy_dialogue"}),
        "study_visit": ("II.3.b", {"destination": "Mô hình địa chỉ tin cậy tại Hải Phòng"}),
        "inspection": (
            "II.6-2",
            {
                "units_inspected": "Tổ dân phố số 3, số 5",
                "findings": "Chưa niêm yết đường dây nóng",
            },
        ),
        "commendation": (
            "II.7",
            {
                "recipient": "Chi hội phụ nữ tổ dân phố số 3",
                "reason": "Duy trì địa chỉ tin cậy hiệu quả",
                "decision_number": "125/QĐ-UBND",
                "decision_date": dt.date(2025, 11, 5),
                "decided_by": "Chủ tịch UBND phường",
            },
        ),
        "model_activity": ("II.4.a-2", {"community_model": safe_school}),
        "other": ("II.1.a", {}),
    }


# --- Each kind -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "communication",
        "training",
        "conference",
        "study_visit",
        "inspection",
        "commendation",
        "model_activity",
        "other",
    ],
)
def test_each_kind_is_recorded_with_its_own_fields(record, kinds, kind):
    code, details = kinds[kind]
    activity = record(kind=kind, tasks=[code], details=details)
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.kind == kind
    assert [t.code for t in activity.tasks.all()] == [code]
    assert activity.flags == []
    assert activity.version == 1
    for name, value in details.items():
        assert getattr(activity, name) == value, name
    for other_kind, fields in KIND_FIELDS.items():
        if other_kind != kind:
            for name, empty in fields.items():
                assert getattr(activity, name) == empty, (other_kind, name)
    [event] = audit_events("programme.activity", activity.pk, "create")
    assert event.username == "reporter1"
    assert event.place_code == "11953"
    assert event.extra == {"kind": kind, "flags": []}


@pytest.mark.parametrize(
    ("kind", "required"), [(k, f) for k, fields in KIND_REQUIRED.items() for f in fields]
)
def test_a_kind_without_its_required_field_is_refused(record, kinds, kind, required):
    code, details = kinds[kind]
    details = {k: v for k, v in details.items() if k != required}
    errors = refused(record, kind=kind, tasks=[code], details=details)
    assert errors[required] == ["Bắt buộc với loại hoạt động này."]


def test_fields_of_other_kinds_are_cleared(record, kinds):
    activity = record(
        kind="training",
        tasks=["II.3.a-1"],
        details={
            "topic": "general",
            "channel": "radio_tv",
            "destination": "Hà Nội",
            "recipient": "Ai đó",
        },
    )
    activity = Activity.objects.get(pk=activity.pk)
    assert (activity.topic, activity.channel, activity.destination, activity.recipient) == (
        "general",
        "",
        "",
        "",
    )


def test_changing_the_kind_clears_the_old_kinds_fields_and_lists(
    cast, record, activity_input, agencies
):
    activity = record(
        kind="inspection",
        tasks=["II.6-2"],
        details={"units_inspected": "Tổ dân phố số 3", "findings": "Tốt"},
        members=[MemberInput(agency=agencies["cong-an-tinh"], name="Vũ Đức Thắng")],
        recommendations=[RecommendationInput(text="Niêm yết số đường dây nóng")],
    )
    assert activity.inspection_members.count() == 1
    assert activity.recommendations.count() == 1
    updated = services.activity_update(
        actor=cast["reporter1"],
        activity=activity,
        version=1,
        data=activity_input(
            kind="communication", tasks=["II.2.a"], details={"channel": "social_media"}
        ),
    )
    updated = Activity.objects.get(pk=activity.pk)
    assert (updated.kind, updated.channel, updated.units_inspected, updated.findings) == (
        "communication",
        "social_media",
        "",
        "",
    )
    assert updated.inspection_members.count() == 0
    assert updated.recommendations.count() == 0


def test_a_choice_outside_the_list_is_refused(record):
    errors = refused(record, details={"channel": "carrier_pigeon"})
    assert errors["channel"] == ["Giá trị không hợp lệ."]


def test_test_scores_are_percentages(record):
    errors = refused(
        record,
        kind="training",
        tasks=["II.3.a-1"],
        details={"topic": "general", "post_test_score": 120},
    )
    assert "post_test_score" in errors


def test_an_activity_needs_a_title_and_a_task_of_this_plan(record):
    errors = refused(record, title="  ", tasks=[])
    assert set(errors) == {"title", "tasks"}


def test_unknown_target_groups_and_funding_sources_are_refused(record):
    errors = refused(
        record, target_groups=["women", "aliens"], spending={"lottery": 5, "donor": -1}
    )
    assert errors["target_groups"] == ["Nhóm đối tượng không hợp lệ: aliens."]
    assert "Nguồn kinh phí không hợp lệ: lottery." in errors["spending"]
    assert "Số tiền không được âm." in errors["spending"]


def test_spending_target_groups_and_partners_are_kept(record, agencies):
    activity = record(
        target_groups=["women", "men", "women"],
        spending={"commune_budget": 2_500_000, "donor": 1_000_000},
        partners=[agencies["hoi-lhpn-tinh"], agencies["ubnd-pho-hien"]],
    )
    assert activity.target_groups == ["women", "men"]
    assert dict(activity.spending.values_list("source", "amount")) == {
        "commune_budget": 2_500_000,
        "donor": 1_000_000,
    }
    # The organiser is not its own partner.
    assert [p.code for p in activity.partners.all()] == ["hoi-lhpn-tinh"]


# --- Participants must add up ----------------------------------------------------------------


def test_by_sex_not_adding_up_to_the_total_is_refused_with_the_numbers(record):
    errors = refused(record, participants_total=40, participants_female=25, participants_male=10)
    assert errors["participants_total"] == [
        "Tổng theo giới tính (nữ 25 + nam 10 + khác 0 = 35) không bằng tổng số người tham gia (40)."
    ]


def test_participants_of_other_or_unknown_sex_count_towards_the_total(record):
    activity = record(
        participants_total=40, participants_female=25, participants_male=10, participants_other=5
    )
    assert activity.participants_other == 5


@pytest.mark.parametrize(
    ("field", "value"),
    [("participants_total", -1), ("participants_female", -5), ("participants_male", -1)],
)
def test_negative_participants_are_refused(record, field, value):
    errors = refused(record, **{field: value})
    assert errors[field] == ["Số người phải từ 0 đến 10.000.000."]


def test_a_missing_total_is_refused(record):
    errors = refused(record, participants_total=None)
    assert errors["participants_total"] == ["Hãy nhập tổng số người tham gia."]


def test_age_bands_are_all_or_none(record):
    errors = refused(record, ages={"age_under_16": 10, "age_16_29": 30})
    assert errors["ages"] == ["Hãy nhập đủ cả bốn nhóm tuổi, hoặc bỏ trống cả bốn."]


def test_age_bands_must_add_up_to_the_total(record):
    errors = refused(
        record, ages={"age_under_16": 5, "age_16_29": 10, "age_30_59": 20, "age_60_plus": 4}
    )
    assert errors["ages"] == ["Tổng theo nhóm tuổi (39) không bằng tổng số người tham gia (40)."]


def test_age_bands_adding_up_are_kept(record):
    ages = {"age_under_16": 5, "age_16_29": 10, "age_30_59": 20, "age_60_plus": 5}
    activity = Activity.objects.get(pk=record(ages=ages).pk)
    assert {name: getattr(activity, name) for name in ages} == ages


def test_negative_age_band_is_refused(record):
    errors = refused(
        record, ages={"age_under_16": -5, "age_16_29": 15, "age_30_59": 25, "age_60_plus": 5}
    )
    assert "age_under_16" in errors


@pytest.fixture
def raw_activity(cast, plan64, agencies, mini_places):
    """Write an activity around the service (a shell, a bad import script)."""

    def create(**numbers):
        return Activity.objects.create(
            plan=plan64,
            kind="other",
            title="Ghi thẳng vào cơ sở dữ liệu",
            agency=agencies["ubnd-pho-hien"],
            place=mini_places["commune_a"],
            start_date=DAY,
            end_date=DAY,
            created_by=cast["reporter1"],
            updated_by=cast["reporter1"],
            **numbers,
        )

    return create


def test_the_database_refuses_by_sex_not_adding_up(raw_activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_activity(participants_total=10, participants_female=3)
    assert Activity.objects.count() == 0


def test_the_database_refuses_age_bands_not_adding_up(raw_activity):
    bands = {"age_under_16": 1, "age_16_29": 2, "age_30_59": 3, "age_60_plus": 3}
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_activity(participants_total=10, participants_female=10, **bands)
    assert Activity.objects.count() == 0


def test_the_database_refuses_some_age_bands_without_the_others(raw_activity):
    # SQL: total = 10 + NULL + ... is NULL, and a CHECK that is NULL passes; the constraint
    # must say "all four given" itself.
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_activity(participants_total=10, participants_female=10, age_under_16=10)
    assert Activity.objects.count() == 0


# --- Trainees ----------------------------------------------------------------------------------


def trainees(women: int, men: int) -> list[TraineeInput]:
    return [TraineeInput(full_name=f"Học viên nữ {i}", sex="female") for i in range(women)] + [
        TraineeInput(full_name=f"Học viên nam {i}", sex="male", position="Trưởng thôn")
        for i in range(men)
    ]


def test_trainees_listed_are_kept(record):
    activity = record(
        kind="training",
        tasks=["II.3.a-1"],
        details={"topic": "general"},
        participants_total=30,
        participants_female=18,
        participants_male=12,
        trainees=trainees(18, 12),
    )
    assert activity.trainees.count() == 30
    assert activity.trainees.filter(sex="female").count() == 18


def test_trainees_not_matching_the_declared_numbers_are_refused(record):
    errors = refused(
        record,
        kind="training",
        tasks=["II.3.a-1"],
        details={"topic": "general"},
        participants_total=3,
        participants_female=2,
        participants_male=1,
        trainees=trainees(1, 1),
    )
    assert errors["trainees"] == [
        "Danh sách có 2 học viên (1 nữ, 1 nam) nhưng số người tham gia ghi 3 (2 nữ, 1 nam)."
    ]


def test_a_trainee_without_name_or_with_an_unknown_sex_is_refused(record):
    errors = refused(
        record,
        kind="training",
        tasks=["II.3.a-1"],
        details={"topic": "general"},
        participants_total=2,
        participants_female=1,
        participants_male=0,
        participants_other=1,
        trainees=[
            TraineeInput(full_name=" ", sex="female"),
            TraineeInput(full_name="Lê Văn An", sex="robot"),
        ],
    )
    assert "Học viên thứ 1 chưa có họ tên." in errors["trainees"]
    assert "Học viên thứ 2: giới tính không hợp lệ." in errors["trainees"]


def test_an_update_keeping_the_trainees_must_still_match_them(cast, record, activity_input):
    """``trainees=None`` keeps the list on update; new numbers must still agree with it."""
    training = {"kind": "training", "tasks": ["II.3.a-1"], "details": {"topic": "general"}}
    activity = record(
        **training,
        participants_total=3,
        participants_female=2,
        participants_male=1,
        trainees=trainees(2, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.activity_update(
            actor=cast["reporter1"],
            activity=activity,
            version=1,
            data=activity_input(
                **training, participants_total=5, participants_female=4, participants_male=1
            ),
        )
    assert errors_of(exc)["trainees"] == [
        "Danh sách có 3 học viên (2 nữ, 1 nam) nhưng số người tham gia ghi 5 (4 nữ, 1 nam)."
    ]
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.participants_total, stored.trainees.count(), stored.version) == (3, 3, 1)
    # Numbers that still agree with the kept list are fine, and the list stays as it was.
    services.activity_update(
        actor=cast["reporter1"],
        activity=activity,
        version=1,
        data=activity_input(
            **training,
            title="Đổi tên",
            participants_total=3,
            participants_female=2,
            participants_male=1,
        ),
    )
    assert list(stored.trainees.values_list("position", flat=True)) == ["", "", "Trưởng thôn"]


def test_trainee_totals_count_the_list():
    assert services.trainee_totals([*trainees(2, 1), TraineeInput("X", "unknown")]) == {
        "participants_total": 4,
        "participants_female": 2,
        "participants_male": 1,
        "participants_other": 1,
    }


# --- Dates -------------------------------------------------------------------------------------


def test_a_date_before_the_plan_period_is_refused(record, mini_places):
    errors = refused(
        record,
        place=mini_places["old_province"],
        start_date=dt.date(2020, 12, 31),
        end_date=dt.date(2021, 1, 2),
    )
    assert errors["start_date"] == [
        "Ngày 31/12/2020 nằm ngoài thời gian thực hiện kế hoạch (01/01/2021 - 31/12/2025)."
    ]
    assert "end_date" not in errors


def test_a_date_after_the_plan_period_is_refused(record):
    errors = refused(record, end_date=dt.date(2026, 1, 5))
    assert errors["end_date"] == [
        "Kế hoạch 64/KH-UBND đã kết thúc ngày 31/12/2025; chưa có kế hoạch cho năm 2026, nên "
        "chưa ghi nhận được hoạt động ngày 05/01/2026. Hãy báo cán bộ điều phối nạp kế hoạch mới."
    ]


def test_an_end_before_the_start_is_refused(record):
    errors = refused(record, start_date=dt.date(2025, 11, 10), end_date=dt.date(2025, 11, 9))
    assert errors["end_date"] == ["Ngày kết thúc trước ngày bắt đầu."]


def test_an_earlier_date_with_the_old_province_is_fine(record, mini_places):
    activity = record(
        place=mini_places["old_province"],
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2021, 1, 3),
    )
    assert activity.start_date == dt.date(2021, 1, 1)


@pytest.fixture
def next_plan(cast, tmp_path):
    """A later plan in force today (the same loader, no code change): 64's period is over."""
    import yaml
    from django.utils import timezone

    from antoan.programme.loader import load_plan

    today = timezone.localdate()
    data = {
        "plan": {
            "code": "ke-hoach-sau",
            "number": "99/KH-UBND",
            "title": "Kế hoạch giai đoạn sau",
            "issued_on": today - dt.timedelta(days=60),
            "place": "33",
            "period_start": today - dt.timedelta(days=60),
            "period_end": today + dt.timedelta(days=400),
        },
        "agencies": [],
        "tasks": [
            {"code": "I", "title": "Nhiệm vụ"},
            {
                "code": "I.1",
                "parent": "I",
                "text": "Truyền thông tại cộng đồng.",
                "assignments": [{"group": "commune_committee", "role": "lead"}],
            },
        ],
    }
    path = tmp_path / "next.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan, _ = load_plan(path)
    return plan


def test_an_activity_that_has_not_started_yet_is_refused(cast, next_plan, activity_input):
    from django.utils import timezone

    today = timezone.localdate()
    task = next_plan.tasks.get(code="I.1")

    def create(day):
        return services.activity_create(
            actor=cast["reporter1"],
            plan=next_plan,
            data=activity_input(tasks=[task], start_date=day, end_date=day),
        )

    with pytest.raises(ValidationError) as exc:
        create(today + dt.timedelta(days=1))
    assert errors_of(exc)["start_date"] == [
        "Hoạt động chưa diễn ra: chỉ ghi nhận hoạt động đã bắt đầu."
    ]
    assert Activity.objects.count() == 0
    activity, created = create(today)
    assert created
    assert activity.flags == []


def test_a_task_of_another_plan_is_refused(record, next_plan):
    errors = refused(record, tasks=[next_plan.tasks.get(code="I.1")])
    assert errors["tasks"] == ["Nhiệm vụ không thuộc kế hoạch 64/KH-UBND."]


def test_a_model_activity_keeps_its_model(record, kinds, safe_school):
    code, details = kinds["model_activity"]
    activity = record(kind="model_activity", tasks=[code], details=details)
    assert list(CommunityModel.objects.get(pk=safe_school.pk).activities.all()) == [activity]
