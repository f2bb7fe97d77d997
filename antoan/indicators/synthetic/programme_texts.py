"""One programme activity: kind, tasks, participants, the kind's own fields, spending.

Kinds: communication ~45 %, training ~20 %, conferences ~15 %, model activities ~10 %, the
rest inspections, commendations, study visits and others. Communication reaches 50-2,000
people, a training 20-60 (with a trainee list for four in ten), and so on.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from antoan.indicators.synthetic import names
from antoan.indicators.synthetic.common import NEW_ERA, Clock, Rng, split_exactly, tz
from antoan.programme.models import (
    Activity,
    CommunityModel,
    InspectionMember,
    Plan,
    Recommendation,
    Spending,
    Trainee,
)

if TYPE_CHECKING:
    from antoan.accounts.models import Agency
    from antoan.indicators.synthetic.geography import Geography
    from antoan.indicators.synthetic.programme import Doer

KINDS = [
    ("communication", 0.44),
    ("training", 0.19),
    ("conference", 0.15),
    ("model_activity", 0.12),  # a little more: activities of agencies without a model fall back
    ("inspection", 0.03),
    ("commendation", 0.03),
    ("study_visit", 0.02),
    ("other", 0.02),
]
TASKS = {
    "communication": [
        *("II.2.a", "II.2.b", "II.2.c", "II.2.d", "II.2.e", "II.2.đ", "II.4.a-2"),
        *("IV.10-1", "IV.10-2", "IV.12-2"),
    ],
    "training": ["II.3.a-1", "II.3.a-2", "II.3.a-3", "II.3.a-4", "II.3.a-5", "IV.10-3"],
    "conference": ["II.3.b", "II.1.a", "II.1.c", "IV.12-1", "II.5", "IV.1.c"],
    "study_visit": ["II.3.b", "II.4.a-4"],
    "inspection": ["II.6-1", "II.1.b", "II.6-2", "IV.12-5"],
    "commendation": ["II.7"],
    "model_activity": ["II.4.a-3", "II.4.a-1", "II.4.b", "IV.10-4", "IV.12-3"],
    "other": ["II.4.d", "II.4.đ", "II.6-3", "IV.1.d", "IV.12-4"],
}
# The training topics of section II.3.a, by task, with a title for the training.
TOPICS = {
    "II.3.a-1": (
        "general",
        "Tập huấn kiến thức chung về phòng ngừa và ứng phó với bạo lực trên cơ sở giới "
        "cho cán bộ, công chức",
    ),
    "II.3.a-2": (
        "model_staff",
        "Tập huấn kỹ năng cho cán bộ, cộng tác viên các mô hình phòng, chống bạo lực gia đình",
    ),
    "II.3.a-3": (
        "trainers",
        "Tập huấn giảng viên nguồn về hỗ trợ nạn nhân bạo lực trên cơ sở giới",
    ),
    "II.3.a-4": (
        "service_providers",
        "Tập huấn kỹ năng hỗ trợ khẩn cấp, điều phối liên ngành cho người cung cấp dịch vụ",
    ),
    "II.3.a-5": (
        "affected_people",
        "Tập huấn kỹ năng sống an toàn cho người có nguy cơ bị bạo lực và tư vấn thay đổi hành vi",
    ),
    "IV.10-3": (
        "general",
        "Bồi dưỡng kiến thức phòng ngừa bạo lực trên cơ sở giới cho cộng tác viên Hội Phụ nữ",
    ),
}
CHANNELS = [
    ("meeting", 0.30),
    ("loudspeaker", 0.25),
    ("social_media", 0.15),
    ("printed_material", 0.10),
    ("performance", 0.08),
    ("contest", 0.07),
    ("radio_tv", 0.05),
]
CHANNEL_TITLES = {
    "meeting": "Sinh hoạt chuyên đề phòng, chống bạo lực gia đình tại {place}",
    "loudspeaker": "Tuyên truyền trên loa truyền thanh {place} về phòng, chống bạo lực "
    "trên cơ sở giới",
    "social_media": "Tuyên truyền trên mạng xã hội về phòng ngừa, ứng phó với bạo lực "
    "trên cơ sở giới",
    "printed_material": "Biên soạn, phát hành tờ rơi về phòng, chống bạo lực trên cơ sở giới",
    "performance": "Giao lưu văn nghệ tuyên truyền về bình đẳng giới tại {place}",
    "contest": "Hội thi tìm hiểu pháp luật về phòng, chống bạo lực gia đình năm {year}",
    "radio_tv": "Phóng sự phát thanh, truyền hình về phòng ngừa bạo lực trên cơ sở giới",
}
# The action months: June (DV) and 15/11-15/12 (gender equality and GBV).
CAMPAIGNS = {
    6: "Hưởng ứng Tháng hành động quốc gia về phòng, chống bạo lực gia đình năm {year}",
    11: "Hưởng ứng Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực "
    "trên cơ sở giới năm {year}",
}
CAMPAIGNS[12] = CAMPAIGNS[11]
FORMATS = {
    "conference": "Hội nghị triển khai kế hoạch phòng ngừa và ứng phó với bạo lực trên cơ sở "
    "giới năm {year}",
    "workshop": "Hội thảo chia sẻ kinh nghiệm hỗ trợ người bị bạo lực trên cơ sở giới",
    "seminar": "Tọa đàm về vai trò của nam giới trong phòng, chống bạo lực gia đình",
    "policy_dialogue": "Đối thoại chính sách về phòng, chống bạo lực gia đình tại {place}",
    "talk": "Nói chuyện chuyên đề phòng, chống xâm hại trẻ em tại {place}",
}
DESTINATIONS = names.nfc_all(
    ["Thành phố Hà Nội", "Tỉnh Ninh Bình", "Thành phố Hải Phòng", "Tỉnh Bắc Ninh"]
)
RECOMMENDATIONS = names.nfc_all(
    [
        "Cập nhật sổ theo dõi địa chỉ tin cậy hằng tháng.",
        "Bố trí kinh phí truyền thông trong dự toán năm sau.",
        "Kiện toàn tổ phòng, chống bạo lực gia đình ở các thôn, tổ dân phố.",
        "Báo cáo số liệu bạo lực gia đình đúng hạn.",
    ]
)
OTHER_TITLES = names.nfc_all(
    [
        "Rà soát, cập nhật danh sách hộ gia đình có nguy cơ xảy ra bạo lực tại {place}",
        "Trực tiếp nhận tin báo về bạo lực gia đình trong dịp Tết Nguyên đán",
        "Cập nhật cơ sở dữ liệu về phòng, chống bạo lực trên cơ sở giới",
    ]
)
GROUPS = {
    "communication": ["general_public", "women", "men", "youth", "pupils", "workers", "elderly"],
    "training": ["officials", "village_heads", "service_providers", "community_leaders"],
    "conference": ["officials", "community_leaders", "women", "service_providers"],
    "model_activity": ["women", "men", "at_risk", "perpetrators"],
    "study_visit": ["officials"],
    "inspection": ["officials"],
    "commendation": ["general_public", "officials"],
    "other": ["officials", "general_public"],
}
PEOPLE = {
    "communication": (50, 2000),
    "training": (20, 60),
    "conference": (30, 150),
    "model_activity": (10, 40),
    "inspection": (5, 12),
    "commendation": (20, 200),
    "study_visit": (10, 30),
    "other": (20, 100),
}
# Spending in millions of đồng (low, high), by kind.
COST = {
    "communication": (2.0, 50.0),
    "training": (8.0, 60.0),
    "conference": (5.0, 40.0),
    "model_activity": (1.0, 10.0),
    "inspection": (2.0, 8.0),
    "commendation": (2.0, 15.0),
    "study_visit": (20.0, 120.0),
    "other": (1.0, 20.0),
}
MODEL_NAMES = {
    "trusted_address": "Địa chỉ tin cậy {hamlet}, {place}",
    "men_pioneers": "Câu lạc bộ Nam giới tiên phong {place}",
    "safe_school": "Trường THCS {short}: trường học an toàn, thân thiện, không bạo lực",
    "safe_city": "Làng quê an toàn, thân thiện với phụ nữ và trẻ em {hamlet}, {place}",
    "disability_club": "Câu lạc bộ phòng, chống bạo lực với phụ nữ và trẻ em gái khuyết tật "
    "{place}",
    "other": "Câu lạc bộ Gia đình phát triển bền vững {hamlet}, {place}",
}


def model_name(rng: Rng, kind: str, commune_name: str) -> str:
    short = commune_name.split(" ", 1)[1] if " " in commune_name else commune_name
    ward = commune_name.startswith("Phường")
    hamlet = f"tổ dân phố {rng.randint(1, 15)}" if ward else f"thôn {rng.choice(names.VILLAGES)}"
    return MODEL_NAMES[kind].format(place=names.lowered(commune_name), short=short, hamlet=hamlet)


def activity(
    rng: Rng,
    clock: Clock,
    plan: Plan,
    doer: Doer,
    agency: Agency,
    day: dt.date,
    geo: Geography,
    tasks: dict[str, int],
    fits: Callable[[list[int]], bool],
    models: dict[int | None, list[CommunityModel]],
    partners: list[Agency],
    number: int,
) -> tuple[Activity, list[int], list[Any]] | None:
    """An unsaved activity of ``agency`` starting on ``day``, its task ids and its rows."""
    from antoan.indicators.synthetic.programme import place_on

    kind = rng.weighted(KINDS)
    model = None
    if kind == "model_activity":
        # A commune's own models; a provincial agency supports any model of the province.
        host = agency.pk if doer.commune is not None else None
        running = [m for m in models.get(host, []) if m.founded_on and m.founded_on <= day]
        if running:
            model = rng.choice(running)
        else:
            kind = rng.weighted([k for k in KINDS if k[0] != "model_activity"])
    codes = [c for c in TASKS[kind] if c in tasks]
    if not codes:
        return None
    fitting = [c for c in codes if fits([tasks[c]])]
    chosen = [rng.choice(fitting if fitting and rng.chance(0.9) else codes)]
    if kind == "communication" and rng.chance(0.3):
        chosen.append(rng.choice(codes))
    task_ids = sorted({tasks[c] for c in chosen})
    last = min(plan.period_end, clock.today - dt.timedelta(days=1))
    length = {"communication": 30 if rng.chance(0.25) else 0, "training": 2, "study_visit": 3}
    end = min(day + dt.timedelta(days=rng.randint(0, length.get(kind, 0))), last)
    place = place_on(geo, doer, day, rng)
    where = names.lowered(place.name)
    low, high = PEOPLE[kind]
    total = round(math.exp(rng.uniform(math.log(low), math.log(high))))
    row = Activity(
        plan=plan,
        kind=kind,
        agency=agency,
        place_id=place.id,
        start_date=day,
        end_date=end,
        target_groups=rng.sample(GROUPS[kind], min(len(GROUPS[kind]), rng.randint(1, 3))),
        import_key=f"synthetic-{number:07d}",
        created_at=_written(clock, end, rng),
    )
    row.updated_at = row.created_at
    extras: list[Any] = []
    female_share = rng.uniform(0.6, 0.85) if kind == "model_activity" else rng.uniform(0.5, 0.72)
    female = round(total * female_share)
    other = rng.randint(0, total // 100) if kind == "communication" else 0
    if kind == "training":
        topic, title = TOPICS.get(
            chosen[0], ("other", "Tập huấn phòng, chống bạo lực trên cơ sở giới")
        )
        row.topic, row.title = topic, f"{title} ({where})"
        row.training_of_trainers = topic == "trainers"
        if rng.chance(0.5):
            before = rng.uniform(40, 65)
            row.pre_test_score = Decimal(f"{before:.1f}")
            row.post_test_score = Decimal(f"{min(before + rng.uniform(15, 35), 100):.1f}")
        if rng.chance(0.4):
            extras += _trainees(rng, row, total, female, where)
    elif kind == "communication":
        row.channel = rng.weighted(CHANNELS)
        campaign = CAMPAIGNS.get(day.month)
        pattern = campaign if campaign and rng.chance(0.5) else CHANNEL_TITLES[row.channel]
        row.title = pattern.format(place=where, year=day.year)
        if row.channel in ("printed_material", "meeting", "performance"):
            row.materials_produced = rng.randint(2, 50) * 100
            row.materials_distributed = round(row.materials_produced * rng.uniform(0.7, 1.0))
    elif kind == "conference":
        row.conference_format = rng.choice(sorted(FORMATS))
        row.title = FORMATS[row.conference_format].format(place=where, year=day.year)
    elif kind == "study_visit":
        row.destination = rng.choice(DESTINATIONS)
        row.title = f"Tham quan, học tập kinh nghiệm mô hình địa chỉ tin cậy tại {row.destination}"
    elif kind == "inspection":
        row.title = (
            f"Kiểm tra liên ngành công tác phòng, chống bạo lực trên cơ sở giới năm {day.year}"
        )
        row.units_inspected = f"Các cơ quan, đơn vị trên địa bàn {where}"
        row.findings = "Đã ban hành kế hoạch năm; sổ theo dõi chưa cập nhật thường xuyên."
        extras += _inspection(rng, row, agency, partners, day, clock)
    elif kind == "commendation":
        row.title = (
            "Biểu dương tập thể, cá nhân tiêu biểu trong phòng, chống bạo lực gia đình "
            f"năm {day.year}"
        )
        row.recipient = f"Tổ dân phố {rng.randint(1, 12)}, {where}"
        row.reason = "Nhiều năm liền không có vụ bạo lực gia đình; duy trì tốt địa chỉ tin cậy."
        row.decision_number = f"{rng.randint(12, 980)}/QĐ-UBND"
        row.decision_date = day - dt.timedelta(days=rng.randint(0, 10))
        row.decided_by = f"Chủ tịch {agency.name}"
    elif kind == "model_activity":
        assert model is not None  # noqa: S101 - set above for this kind
        row.community_model = model
        row.title = f"Sinh hoạt định kỳ của mô hình: {model.name}"[:255]
    else:
        row.title = rng.choice(OTHER_TITLES).format(place=where)
    row.title = row.title[:255]
    row.participants_total = total
    row.participants_female = female
    row.participants_male = total - female - other
    row.participants_other = other
    if rng.chance(0.4):
        young = 0.4 if "pupils" in row.target_groups or "youth" in row.target_groups else 0.1
        bands = split_exactly(total, [young, rng.uniform(0.2, 0.4), rng.uniform(0.3, 0.6), 0.1])
        row.age_under_16, row.age_16_29, row.age_30_59, row.age_60_plus = bands
    extras += _spending(rng, row, kind, agency, day, doer)
    return row, task_ids, extras


def _written(clock: Clock, end: dt.date, rng: Rng) -> dt.datetime:
    """When the activity was recorded: a few days after it ended, never after the cutoff."""
    day = min(end + dt.timedelta(days=rng.randint(0, 10)), clock.today - dt.timedelta(days=1))
    return dt.datetime.combine(day, dt.time(16, rng.randint(0, 59)), tzinfo=tz())


def _trainees(rng: Rng, row: Activity, total: int, female: int, where: str) -> list[Trainee]:
    """The list of trainees, agreeing with the participants by sex (the services' rule)."""
    sexes = ["female"] * female + ["male"] * (total - female)
    units = [f"Ủy ban nhân dân {where}", f"Hội Phụ nữ {where}", f"Công an {where}"]
    units.append(f"Trạm Y tế {where}")
    people = []
    for sex in sexes:
        before = rng.uniform(30, 70) if row.pre_test_score is not None else None
        people.append(
            Trainee(
                activity=row,
                full_name=names.full_name(rng, sex),
                sex=sex,
                position=rng.choice(names.TRAINEE_POSITIONS),
                agency_name=rng.choice(units),
                pre_score=Decimal(f"{before:.1f}") if before is not None else None,
                post_score=Decimal(f"{min(before + rng.uniform(10, 40), 100):.1f}")
                if before is not None
                else None,
            )
        )
    return people


def _inspection(rng, row, agency, partners, day, clock) -> list[Any]:
    valid = [a for a in partners if a.pk != agency.pk and a.is_valid_on(day)]
    team = [agency, *rng.sample(valid, min(len(valid), rng.randint(1, 3)))]
    rows: list[Any] = [
        InspectionMember(activity=row, agency=a, role="Trưởng đoàn" if i == 0 else "Thành viên")
        for i, a in enumerate(team)
    ]
    for _ in range(rng.randint(1, 2)):
        due = day + dt.timedelta(days=rng.randint(30, 120))
        if due < clock.today:
            status = rng.weighted([("done", 0.6), ("in_progress", 0.3), ("not_done", 0.1)])
        else:
            status = rng.choice(("open", "in_progress"))
        rows.append(
            Recommendation(
                activity=row,
                text=rng.choice(RECOMMENDATIONS),
                responsible=row.units_inspected[:255],
                due_date=due,
                status=status,
                updated_at=row.created_at,
            )
        )
    return rows


def _spending(rng, row, kind, agency, day, doer) -> list[Spending]:
    """Most activities spend something: the commune's (or, before 7/2025, the district's)
    budget, the province's, sometimes a donor's."""
    if not rng.chance(0.85):
        return []
    if doer.commune is not None:
        # Districts (and their budgets) ended on 30/6/2025.
        before = day < NEW_ERA and rng.chance(0.5)
        main = "district_budget" if before else "commune_budget"
    else:
        main = "central_budget" if rng.chance(0.05) else "provincial_budget"
    sources = [main]
    if rng.chance(0.12):
        sources.append("donor")
    elif rng.chance(0.03):
        sources.append("other")
    low, high = COST[kind]
    if kind == "communication" and row.channel == "loudspeaker":
        low, high = 0.5, 3.0
    amounts = []
    for index, source in enumerate(sources):
        share = 1.0 if index == 0 else rng.uniform(0.2, 0.8)
        million = math.exp(rng.uniform(math.log(low), math.log(high))) * share
        amount = max(1, round(million * 10)) * 100_000  # to the hundred thousand đồng
        amounts.append(Spending(activity=row, source=source, amount=amount))
    return amounts


# Every section of a synthetic yearly report (the figures come from the records).
REPORT_NARRATIVE = (
    "Đơn vị đã triển khai các nhiệm vụ theo kế hoạch; số liệu kèm theo (dữ liệu minh họa)."
)
