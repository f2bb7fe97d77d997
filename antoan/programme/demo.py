"""Demo programme data for ``make run``: a few activities of the two demo wards and of the
provincial departments in 2024-2025, two models, influencers, 2025 budget lines and the
coordinator's view of a few tasks. No survivor data (there is none in the programme).

Everything goes through the services, as a user would, and running it again changes nothing:
activities carry an import key, the rest is looked up before it is created.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from antoan.accounts.demo import demo_user
from antoan.accounts.models import Agency, User
from antoan.accounts.roles import Role
from antoan.cases.choices import Sex
from antoan.places.models import Place
from antoan.programme import services
from antoan.programme.choices import (
    ActivityKind,
    Channel,
    FundingSource,
    InfluencerGroup,
    ModelKind,
    RecommendationStatus,
    TargetGroup,
    TaskStatus,
    TrainingTopic,
)
from antoan.programme.models import BudgetLine, CommunityModel, Influencer, Plan
from antoan.programme.services import plan_build

PLAN_CODE = "64-KH-UBND-2021"
NEW_ERA = dt.date(2025, 7, 1)

# Extra reporters, so that each demo agency records its own activities.
REPORTERS = [
    ("reporter2", "Phan Văn Đức", "ubnd-tran-hung-dao"),
    ("reporter3", "Lý Thị Ngọc", "so-noi-vu"),
]

TRAINEES = [
    ("Nguyễn Thị Hạnh", Sex.FEMALE, "Tổ trưởng tổ dân phố", "Tổ dân phố 1"),
    ("Trần Thị Thu", Sex.FEMALE, "Chi hội trưởng phụ nữ", "Hội LHPN phường Phố Hiến"),
    ("Lê Văn Nam", Sex.MALE, "Công an khu vực", "Công an phường Phố Hiến"),
    ("Phạm Thị Mai", Sex.FEMALE, "Cộng tác viên", "Địa chỉ tin cậy phường Phố Hiến"),
    ("Đỗ Thị Lan", Sex.FEMALE, "Trưởng thôn", "Tổ dân phố 3"),
    ("Vũ Văn Hùng", Sex.MALE, "Bí thư chi đoàn", "Đoàn phường Phố Hiến"),
    ("Hoàng Thị Yến", Sex.FEMALE, "Cán bộ văn hóa - xã hội", "UBND phường Phố Hiến"),
    ("Bùi Thị Nga", Sex.FEMALE, "Tổ trưởng tổ hòa giải", "Tổ dân phố 5"),
    ("Ngô Văn Tuấn", Sex.MALE, "Chi hội trưởng cựu chiến binh", "Hội CCB phường"),
    ("Đặng Thị Hoa", Sex.FEMALE, "Giáo viên", "Trường THCS Phố Hiến"),
    ("Trịnh Thị Thảo", Sex.FEMALE, "Nhân viên y tế", "Trạm y tế phường"),
    ("Lương Văn Khánh", Sex.MALE, "Trưởng ban công tác Mặt trận", "Tổ dân phố 7"),
]


def _place(code: str, on: dt.date) -> Place:
    """The unit with ``code`` on a date: before 1/7/2025 only the old province is certain to
    exist (old communes come with the full load_places data only)."""
    if on < NEW_ERA:
        code = "33"
    return Place.objects.valid_on(on).get(code=code, level__in=["province", "commune"])


def _reporters(password: str) -> dict[str, User]:
    users = {}
    for username, full_name, agency_code in REPORTERS:
        users[agency_code] = demo_user(
            username,
            full_name,
            Agency.objects.get(code=agency_code),
            Role.PROGRAMME_REPORTER,
            password=password,
        )
    users["ubnd-pho-hien"] = User.objects.get(username="reporter1")
    return users


def _activity(plan: Plan, actor: User, key: str, **kwargs: Any) -> bool:
    agency = Agency.objects.get(code=kwargs.pop("agency"))
    tasks = [plan.tasks.get(code=c) for c in kwargs.pop("tasks")]
    start = kwargs.pop("start")
    data = services.ActivityInput(
        agency=agency,
        tasks=tasks,
        start_date=start,
        end_date=kwargs.pop("end", start),
        place=_place(kwargs.pop("place"), start),
        **kwargs,
    )
    _activity_obj, created = services.activity_create(
        actor=actor, plan=plan, data=data, import_key=f"demo-{key}"
    )
    return created


def _trainees() -> list[services.TraineeInput]:
    return [
        services.TraineeInput(full_name=n, sex=s, position=p, agency_name=a)
        for n, s, p, a in TRAINEES
    ]


def _models(plan: Plan, users: dict[str, User]) -> dict[str, CommunityModel]:
    specs = [
        (
            "ubnd-pho-hien",
            services.ModelInput(
                kind=ModelKind.TRUSTED_ADDRESS,
                name="Địa chỉ tin cậy tổ dân phố 3, phường Phố Hiến",
                place=_place("11953", NEW_ERA),
                agency=Agency.objects.get(code="ubnd-pho-hien"),
                founded_on=dt.date(2022, 3, 8),
                members_total=9,
                members_female=6,
                note="Nhà tổ trưởng tổ dân phố; có phòng tạm lánh và điện thoại trực.",
            ),
        ),
        (
            "ubnd-tran-hung-dao",
            services.ModelInput(
                kind=ModelKind.SAFE_SCHOOL,
                name="Trường THCS Trần Hưng Đạo: trường học an toàn, thân thiện, không bạo lực",
                place=_place("12452", NEW_ERA),
                agency=Agency.objects.get(code="ubnd-tran-hung-dao"),
                founded_on=dt.date(2023, 9, 5),
                members_total=24,
                members_female=15,
            ),
        ),
    ]
    out = {}
    for agency_code, data in specs:
        model = CommunityModel.objects.filter(name=data.name).first()
        if model is None:
            model = services.community_model_save(actor=users[agency_code], data=data)
        out[agency_code] = model
    return out


def _influencers(users: dict[str, User]) -> None:
    ph, thd = "ubnd-pho-hien", "ubnd-tran-hung-dao"
    people = [
        ("Thích Đàm Hương", InfluencerGroup.RELIGIOUS_LEADER, "Trụ trì chùa", Sex.FEMALE, ph),
        (
            "Nguyễn Văn Thọ",
            InfluencerGroup.ELDER,
            "Chi hội trưởng hội người cao tuổi",
            Sex.MALE,
            ph,
        ),
        ("Trần Văn Bình", InfluencerGroup.MAN_PIONEER, "Nhóm nam giới tiên phong", Sex.MALE, ph),
        ("Phạm Thị Xuân", InfluencerGroup.TEACHER, "Giáo viên THCS", Sex.FEMALE, thd),
        ("Lê Văn Sơn", InfluencerGroup.VILLAGE_HEAD, "Tổ trưởng tổ dân phố 2", Sex.MALE, thd),
    ]
    communes = {ph: "11953", thd: "12452"}
    for name, group, title, sex, agency_code in people:
        if Influencer.objects.filter(name=name).exists():
            continue
        services.influencer_save(
            actor=users[agency_code],
            name=name,
            group=group,
            title=title,
            sex=sex,
            place=_place(communes[agency_code], NEW_ERA),
            agency=Agency.objects.get(code=agency_code),
        )


def _activities(plan: Plan, users: dict[str, User], models: dict[str, CommunityModel]) -> int:
    pho_hien, thd, snv = users["ubnd-pho-hien"], users["ubnd-tran-hung-dao"], users["so-noi-vu"]
    made = [
        _activity(
            plan,
            pho_hien,
            "ph-training-2025",
            agency="ubnd-pho-hien",
            kind=ActivityKind.TRAINING,
            title="Tập huấn kiến thức phòng, chống bạo lực trên cơ sở giới cho cán bộ tổ dân phố",
            tasks=["II.3.a"],
            start=dt.date(2025, 9, 16),
            end=dt.date(2025, 9, 17),
            place="11953",
            target_groups=[TargetGroup.OFFICIALS, TargetGroup.VILLAGE_HEADS],
            details={"topic": TrainingTopic.GENERAL, "pre_test_score": 58, "post_test_score": 86},
            spending={FundingSource.COMMUNE_BUDGET: 8_500_000},
            trainees=_trainees(),
            **services.trainee_totals(_trainees()),
        ),
        _activity(
            plan,
            snv,
            "snv-campaign-2025",
            agency="so-noi-vu",
            kind=ActivityKind.COMMUNICATION,
            title="Lễ phát động Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo "
            "lực trên cơ sở giới năm 2025 (25/11)",
            tasks=["II.2.a", "II.2.d"],
            start=dt.date(2025, 11, 15),
            end=dt.date(2025, 12, 15),
            place="33",
            participants_total=420,
            participants_female=260,
            participants_male=160,
            target_groups=[TargetGroup.OFFICIALS, TargetGroup.WOMEN, TargetGroup.YOUTH],
            details={
                "channel": Channel.MEETING,
                "materials_produced": 2000,
                "materials_distributed": 1850,
            },
            spending={FundingSource.PROVINCIAL_BUDGET: 45_000_000, FundingSource.DONOR: 20_000_000},
        ),
        _activity(
            plan,
            thd,
            "thd-loudspeaker-2024",
            agency="ubnd-tran-hung-dao",
            kind=ActivityKind.COMMUNICATION,
            title="Tuyên truyền trên loa truyền thanh hưởng ứng ngày 25/11/2024",
            tasks=["II.2.c"],
            start=dt.date(2024, 11, 25),
            end=dt.date(2024, 12, 10),
            place="12452",
            participants_total=0,
            target_groups=[TargetGroup.GENERAL_PUBLIC],
            details={"channel": Channel.LOUDSPEAKER},
            spending={FundingSource.DISTRICT_BUDGET: 2_000_000},
        ),
        _activity(
            plan,
            snv,
            "snv-inspection-2025",
            agency="so-noi-vu",
            kind=ActivityKind.INSPECTION,
            title="Kiểm tra liên ngành công tác phòng, chống bạo lực trên cơ sở giới tại các "
            "phường Phố Hiến, Trần Hưng Đạo",
            tasks=["II.1.b"],
            start=dt.date(2025, 10, 20),
            end=dt.date(2025, 10, 22),
            place="33",
            participants_total=9,
            participants_female=5,
            participants_male=4,
            details={
                "units_inspected": "UBND phường Phố Hiến; UBND phường Trần Hưng Đạo",
                "findings": "Hai phường đã ban hành kế hoạch năm; sổ theo dõi địa chỉ tin cậy "
                "chưa cập nhật thường xuyên.",
            },
            members=[
                services.MemberInput(agency=Agency.objects.get(code=code))
                for code in ("so-noi-vu", "cong-an-tinh", "so-y-te")
            ],
            recommendations=[
                services.RecommendationInput(
                    text="Cập nhật sổ theo dõi địa chỉ tin cậy hằng tháng.",
                    responsible="UBND phường Phố Hiến",
                    due_date=dt.date(2025, 12, 31),
                    status=RecommendationStatus.IN_PROGRESS,
                ),
                services.RecommendationInput(
                    text="Bố trí kinh phí truyền thông năm 2026.",
                    responsible="UBND phường Trần Hưng Đạo",
                    due_date=dt.date(2026, 3, 31),
                ),
            ],
            spending={FundingSource.PROVINCIAL_BUDGET: 6_000_000},
        ),
        _activity(
            plan,
            pho_hien,
            "ph-commendation-2025",
            agency="ubnd-pho-hien",
            kind=ActivityKind.COMMENDATION,
            title="Biểu dương tổ dân phố tiêu biểu trong phòng, chống bạo lực gia đình",
            tasks=["II.7"],
            start=dt.date(2025, 12, 5),
            place="11953",
            participants_total=40,
            participants_female=24,
            participants_male=16,
            details={
                "recipient": "Tổ dân phố 3, phường Phố Hiến",
                "reason": "Ba năm liền không có vụ bạo lực gia đình; duy trì địa chỉ tin cậy.",
                "decision_number": "215/QĐ-UBND",
                "decision_date": dt.date(2025, 12, 1),
                "decided_by": "Chủ tịch UBND phường Phố Hiến",
            },
            spending={FundingSource.COMMUNE_BUDGET: 3_000_000},
        ),
        _activity(
            plan,
            pho_hien,
            "ph-model-2025",
            agency="ubnd-pho-hien",
            kind=ActivityKind.MODEL_ACTIVITY,
            title="Sinh hoạt định kỳ quý IV của địa chỉ tin cậy tổ dân phố 3",
            tasks=["II.4.a-3"],
            start=dt.date(2025, 10, 10),
            place="11953",
            participants_total=15,
            participants_female=11,
            participants_male=4,
            details={"community_model": models["ubnd-pho-hien"]},
        ),
        # Recorded against a task the ward is not assigned to: kept, and flagged.
        _activity(
            plan,
            pho_hien,
            "ph-school-2025",
            agency="ubnd-pho-hien",
            kind=ActivityKind.CONFERENCE,
            title="Tọa đàm phòng, chống bạo lực học đường với phụ huynh học sinh",
            tasks=["IV.3"],
            start=dt.date(2025, 10, 3),
            place="11953",
            participants_total=60,
            participants_female=41,
            participants_male=19,
            details={"conference_format": "seminar"},
        ),
    ]
    return sum(made)


def _budget(plan: Plan, users: dict[str, User]) -> None:
    lines = [
        ("ubnd-pho-hien", FundingSource.COMMUNE_BUDGET, 30_000_000, 25_000_000),
        ("ubnd-tran-hung-dao", FundingSource.COMMUNE_BUDGET, 20_000_000, 20_000_000),
        ("so-noi-vu", FundingSource.PROVINCIAL_BUDGET, 200_000_000, 180_000_000),
        ("so-noi-vu", FundingSource.DONOR, 50_000_000, 50_000_000),
    ]
    for agency_code, source, planned, allocated in lines:
        agency = Agency.objects.get(code=agency_code)
        # Written once: the year's report freezes the line afterwards.
        if BudgetLine.objects.filter(plan=plan, agency=agency, year=2025, source=source).exists():
            continue
        services.budget_line_save(
            actor=users[agency_code],
            plan=plan,
            agency=agency,
            year=2025,
            source=source,
            planned=planned,
            allocated=allocated,
        )


def _statuses(plan: Plan) -> None:
    coordinator = User.objects.get(username="coordinator1")
    wanted = [
        ("II.1.b", TaskStatus.DONE, "Đã kiểm tra liên ngành tại hai phường trong năm 2025."),
        ("II.2.a", TaskStatus.IN_PROGRESS, "Chiến dịch 25/11 đang triển khai."),
        ("II.3.a", TaskStatus.IN_PROGRESS, ""),
        (
            "II.4.b",
            TaskStatus.AT_RISK,
            "Chưa địa phương nào thí điểm mô hình nam giới tiên phong.",
        ),
    ]
    for code, status, comment in wanted:
        task = plan.tasks.get(code=code)
        if task.status != status:
            services.task_status_set(
                actor=coordinator, task=task, status=status, comment=comment, version=task.version
            )


@transaction.atomic
def _next_plan(plan: Plan, users: dict[str, User]) -> None:
    """A demo of what 2026 looks like: the next provincial plan (illustrative, copied from
    plan 64 and published), Phố Hiến's approved local plan with two activities, and Trần Hưng
    Đạo's local plan still in draft."""
    if Plan.objects.filter(copied_from=plan, parent__isnull=True).exists():
        return
    coordinator = User.objects.get(username="coordinator1")
    leader = User.objects.get(username="leader1")
    nxt = plan_build.plan_create(
        actor=coordinator,
        copy_from=plan,
        number="01/KH-UBND",
        title=(
            "Kế hoạch thực hiện Chương trình phòng ngừa và ứng phó với bạo lực trên cơ sở giới "
            "tỉnh Hưng Yên giai đoạn 2026-2030 (dữ liệu minh họa)"
        ),
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
        issued_on=dt.date(2026, 2, 10),
    )
    nxt = plan_build.plan_publish(actor=coordinator, plan=nxt, version=nxt.version)

    def local_plan(actor: User, number: str, codes: list[str]) -> Plan:
        local = plan_build.plan_create(
            actor=actor,
            parent=nxt,
            number=number,
            title="Kế hoạch phòng ngừa và ứng phó với bạo lực trên cơ sở giới năm 2026",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            issued_on=dt.date(2026, 3, 1),
        )
        for code in codes:
            local.refresh_from_db()
            plan_build.task_save(
                actor=actor,
                plan=local,
                version=local.version,
                title="",
                carries=nxt.tasks.get(code=code),
            )
        local.refresh_from_db()
        return local

    reporter = users["ubnd-pho-hien"]
    pho_hien = local_plan(reporter, "15/KH-UBND", ["II.2.a", "II.3.a"])
    club = plan_build.task_save(
        actor=reporter,
        plan=pho_hien,
        version=pho_hien.version,
        title="Sinh hoạt câu lạc bộ gia đình hạnh phúc ở 7 tổ dân phố, mỗi quý một lần",
        parent=pho_hien.tasks.get(code="II.2.a"),
    )
    pho_hien.refresh_from_db()
    plan_build.objective_save(
        actor=reporter,
        plan=pho_hien,
        version=pho_hien.version,
        code="1",
        text="100% tổ dân phố tổ chức sinh hoạt câu lạc bộ gia đình hạnh phúc ít nhất 4 lần",
        target_value=Decimal(100),
        target_comparison="=",
        target_unit="%",
        target_year=2026,
    )
    pho_hien.refresh_from_db()
    plan_build.plan_budget_set(
        actor=reporter,
        plan=pho_hien,
        version=pho_hien.version,
        total=45_000_000,
        lines={
            (2026, FundingSource.COMMUNE_BUDGET): 35_000_000,
            (2026, "provincial_budget"): 10_000_000,
        },
    )
    pho_hien.refresh_from_db()
    pho_hien = plan_build.plan_submit(actor=reporter, plan=pho_hien, version=pho_hien.version)
    pho_hien = plan_build.plan_publish(actor=leader, plan=pho_hien, version=pho_hien.version)
    for key, day, people in (
        ("2026-club-q1", dt.date(2026, 3, 20), (34, 22, 12)),
        ("2026-club-q2", dt.date(2026, 6, 18), (41, 27, 14)),
    ):
        _activity(
            pho_hien,
            reporter,
            key,
            kind=ActivityKind.COMMUNICATION,
            title="Sinh hoạt câu lạc bộ gia đình hạnh phúc tổ dân phố số 3",
            tasks=[club.code],
            agency="ubnd-pho-hien",
            place="11953",
            start=day,
            participants_total=people[0],
            participants_female=people[1],
            participants_male=people[2],
            details={"channel": Channel.MEETING},
            spending={FundingSource.COMMUNE_BUDGET: 1_500_000},
        )
    local_plan(users["ubnd-tran-hung-dao"], "22/KH-UBND", ["II.2.a"])


def build_demo_programme(*, password: str) -> int | None:
    """Create the demo programme data; None when plan 64 is not loaded. Safe to run again."""
    plan = Plan.objects.filter(code=PLAN_CODE).first()
    if plan is None:
        return None
    users = _reporters(password)
    models = _models(plan, users)
    _influencers(users)
    created = _activities(plan, users, models)
    _budget(plan, users)
    _statuses(plan)
    _next_plan(plan, users)
    from antoan.reports.demo import build_demo_reports

    build_demo_reports(plan)
    return created
