"""Plan 64/KH-UBND as data: the YAML file loads completely, faithfully and idempotently, and a
malformed file changes nothing."""

from __future__ import annotations

import copy
import datetime as dt
import re
import unicodedata
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from antoan.accounts.models import Agency
from antoan.programme import selectors, services
from antoan.programme.loader import PlanFileError, load_plan
from antoan.programme.models import Assignment, DutyTransfer, Objective, Plan, Task

pytestmark = pytest.mark.django_db

PLAN_FILE = Path(settings.BASE_DIR) / "data" / "plans" / "64-KH-UBND-2021.yaml"
# The signed plan as OCR'd markdown. It lives outside the repository, so the test that reads
# it runs where it exists; the explicit list below is what CI checks.
SOURCE_MD = Path(settings.BASE_DIR).parent / "shared" / "seed" / "ke-hoach-64-KH-UBND-2021.md"

# Every item of sections II and IV, in the plan's own numbering ("-n" for unlettered bullets;
# the plan letters IV.1's fifth item "d)" a second time: it is IV.1.đ; II.4 has no "c)").
EXPECTED_CODES = [
    "II",
    "II.1",
    "II.1.a",
    "II.1.b",
    "II.1.c",
    "II.2",
    "II.2.a",
    "II.2.b",
    "II.2.c",
    "II.2.d",
    "II.2.đ",
    "II.2.e",
    "II.3",
    "II.3.a",
    "II.3.a-1",
    "II.3.a-2",
    "II.3.a-3",
    "II.3.a-4",
    "II.3.a-5",
    "II.3.b",
    "II.4",
    "II.4.a",
    "II.4.a-1",
    "II.4.a-2",
    "II.4.a-3",
    "II.4.a-4",
    "II.4.b",
    "II.4.d",
    "II.4.đ",
    "II.5",
    "II.6",
    "II.6-1",
    "II.6-2",
    "II.6-3",
    "II.7",
    "IV",
    "IV.1",
    "IV.1.a",
    "IV.1.b",
    "IV.1.c",
    "IV.1.d",
    "IV.1.đ",
    "IV.2",
    "IV.3",
    "IV.4",
    "IV.5",
    "IV.6",
    "IV.7",
    "IV.8",
    "IV.9",
    "IV.10",
    "IV.10-1",
    "IV.10-2",
    "IV.10-3",
    "IV.10-4",
    "IV.10-5",
    "IV.11",
    "IV.12",
    "IV.12-1",
    "IV.12-2",
    "IV.12-3",
    "IV.12-4",
    "IV.12-5",
]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def snapshot() -> dict[str, list]:
    """Everything the loader writes, with primary keys: a reload must not recreate rows."""
    return {
        "plans": list(Plan.objects.order_by("pk").values()),
        "objectives": list(Objective.objects.order_by("pk").values()),
        "tasks": list(Task.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "transfers": list(DutyTransfer.objects.order_by("pk").values()),
        "agencies": list(Agency.objects.order_by("pk").values()),
    }


@pytest.fixture
def plan_data():
    """The plan file as data, to break in a copy."""
    return copy.deepcopy(yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8")))


@pytest.fixture
def write_plan(tmp_path):
    def write(data, name=PLAN_FILE.name):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


def task_spec(data, code):
    return next(t for t in data["tasks"] if t["code"] == code)


# --- Round trip ------------------------------------------------------------------------------


def test_loading_the_file_again_changes_nothing(plan64):
    before = snapshot()
    plan, result = load_plan(PLAN_FILE)
    assert plan.pk == plan64.pk
    assert (result.created, result.updated, result.removed) == (0, 0, 0)
    assert result.agencies_created == []
    assert snapshot() == before


def test_the_first_load_creates_what_the_file_lists(cast):
    _, result = load_plan(PLAN_FILE)
    assert result.created == (
        1  # the plan
        + Objective.objects.count()
        + Task.objects.count()
        + Assignment.objects.count()
        + DutyTransfer.objects.count()
    )
    assert (result.updated, result.removed) == (0, 0)
    # The demo already has the communes' and a few departments' records; the others the plan
    # names are created, and kept as the file names them.
    assert "so-gd-dt" in result.agencies_created
    assert "so-noi-vu" not in result.agencies_created
    assert Agency.objects.get(code="so-gd-dt").name == "Sở Giáo dục và Đào tạo tỉnh Hưng Yên"


def test_every_task_of_sections_ii_and_iv_is_there_in_plan_order(plan64):
    codes = list(plan64.tasks.order_by("order").values_list("code", flat=True))
    assert len(EXPECTED_CODES) == 63
    assert codes == EXPECTED_CODES


def test_every_task_text_is_the_files_text_verbatim(plan64):
    raw = PLAN_FILE.read_text(encoding="utf-8")
    specs = {str(t["code"]): t for t in yaml.safe_load(raw)["tasks"]}
    tasks = list(plan64.tasks.all())
    assert {t.code for t in tasks} == set(specs)
    for task in tasks:
        spec = specs[task.code]
        assert task.text == nfc(spec.get("text", "")), task.code
        assert task.title == nfc(spec.get("title", "")), task.code
        assert task.title or task.text, task.code
        # Stored NFC: the YAML is NFC too, so each text appears in the file as it is stored.
        for line in task.text.splitlines():
            assert line in raw, task.code


@pytest.mark.skipif(not SOURCE_MD.exists(), reason="the OCR'd plan is outside the repository")
def test_every_item_and_bullet_of_the_signed_plan_is_a_task(plan64):
    """Read sections II and IV of the signed plan; each lettered item, bullet and numbered item
    is a task's text (with the file's two OCR page-break fixes)."""
    source = nfc(SOURCE_MD.read_text(encoding="utf-8"))
    source = source.replace("phổ\n\nbiên", "phổ biến").replace("trạm\n\ny tế", "trạm y tế")
    section_ii = source.split("## II. NHIỆM VỤ VÀ GIẢI PHÁP", 1)[1].split("### **III.", 1)[0]
    section_iv = source.split("### **IV. TỔ CHỨC THỰC HIỆN**", 1)[1].split("## V.", 1)[0]
    texts = [t.text for t in plan64.tasks.all()]
    titles = {t.title for t in plan64.tasks.all()}
    items = 0
    for block in (section_ii, section_iv):
        for para in (p.strip() for p in block.split("\n\n") if p.strip()):
            heading = re.fullmatch(r"(?:#+ )?\*\*(?:\d+\. )?(.+?):?\*\*", para) or re.fullmatch(
                r"### (?:\d+\. )(.+)", para
            )
            if heading:
                assert heading.group(1) in titles, para
                continue
            item = re.fullmatch(r"(?:- )?[a-zđ]\) (.+)", para, re.S)
            bullet = re.fullmatch(r"- (.+)", para, re.S)
            numbered = re.fullmatch(r"(?:\*\*)?\d+\. (?:[^*]+:\*\* )?(.+)", para, re.S)
            match = item or bullet or numbered
            body = match.group(1) if match else para  # II.2.b's second paragraph
            if match:
                items += 1
            assert any(body in text for text in texts), para[:60]
    assert items == 54, items


def test_section_v_sets_the_reporting_deadline(plan64):
    assert plan64.report_due_month == 12
    assert plan64.report_due_day == 10
    assert plan64.report_to.code == "so-ldtbxh"
    assert "trước ngày 10/12 hàng năm" in plan64.report_text
    assert plan64.period_start == dt.date(2021, 1, 1)
    assert plan64.period_end == dt.date(2025, 12, 31)
    assert plan64.number == "64/KH-UBND"
    assert plan64.issuing_agency.code == "ubnd-tinh"


def test_the_targets_are_linked_to_their_indicators(plan64):
    targets = {o.code: o for o in plan64.objectives.all()}
    assert set(targets) == {"I.1", "I.2.a", "I.2.b"}
    assert targets["I.2.a"].indicator_code == "GBV-01"
    assert targets["I.2.a"].target_value == Decimal(50)
    assert targets["I.2.a"].target_comparison == ">="
    assert targets["I.2.b"].indicator_code == "GBV-02"
    assert targets["I.2.b"].target_value == Decimal(100)
    assert targets["I.2.b"].target_year == 2025
    assert targets["I.1"].indicator_code == ""
    assert targets["I.1"].target_value is None


def test_the_labour_department_ended_in_2025_and_its_duties_moved(plan64):
    labour = Agency.objects.get(code="so-ldtbxh")
    assert labour.valid_to == dt.date(2025, 2, 28)
    heirs = {t.to_agency.code: t for t in DutyTransfer.objects.filter(from_agency=labour)}
    assert set(heirs) == {"so-noi-vu", "so-y-te"}
    assert heirs["so-noi-vu"].since == dt.date(2025, 3, 1)
    assert "bạo lực trên cơ sở giới" in heirs["so-noi-vu"].duties
    assert "trẻ em" in heirs["so-y-te"].duties
    assert labour.successor.code == "so-noi-vu"


def test_the_task_tree_follows_the_plans_numbering(plan64):
    tasks = {t.code: t for t in plan64.tasks.select_related("parent")}

    def parent(code):
        return tasks[code].parent.code if tasks[code].parent else None

    assert parent("II") is None
    assert parent("IV") is None
    assert parent("II.3.a-1") == "II.3.a"
    assert parent("II.3.a") == "II.3"
    assert parent("II.3") == "II"
    assert parent("II.6-2") == "II.6"
    assert parent("IV.1.đ") == "IV.1"
    assert parent("IV.12-5") == "IV.12"
    assert tasks["II.3.a-1"].depth == 3
    assert tasks["IV.5"].depth == 1
    for task in tasks.values():
        if task.parent:
            assert task.depth == task.parent.depth + 1
            assert task.parent.order < task.order, task.code


def test_the_second_d_of_iv_1_is_iv_1_dj(plan64):
    d = plan64.tasks.get(code="IV.1.d")
    dj = plan64.tasks.get(code="IV.1.đ")
    assert d.text.startswith("Cung cấp số điện thoại đường dây nóng")
    assert dj.text.startswith("Kiểm tra, đôn đốc việc triển khai")


def test_assignments_name_agencies_and_groups(plan64):
    iv2 = {
        (a.agency.code if a.agency else a.group, a.role)
        for a in Assignment.objects.filter(task__code="IV.2").select_related("agency")
    }
    assert iv2 == {("so-y-te", "lead"), ("health_facility", "support")}
    a1 = Assignment.objects.get(task__code="II.3.a-1", group="commune_committee")
    assert a1.role == "lead"
    assert a1.label == "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert a1.basis == "IV.12-3"
    # Every section II leaf is assigned to someone.
    for task in plan64.tasks.filter(code__startswith="II.", children__isnull=True):
        assert task.assignments.exists(), task.code


def test_the_labour_departments_tasks_are_carried_by_so_noi_vu_today(plan64, cast):
    assignment = Assignment.objects.select_related("agency").get(
        task__code="II.1.a", agency__code="so-ldtbxh"
    )
    transfers = selectors.transfers_by_agency()
    [now] = selectors.responsible_for([assignment], transfers, on=dt.date(2025, 11, 10))
    assert now.name == "Sở Lao động - Thương binh và Xã hội tỉnh Hưng Yên (cũ)"
    holders = {agency.code: duties for agency, duties in now.current}
    assert set(holders) == {"so-noi-vu", "so-y-te"}
    assert "bạo lực trên cơ sở giới" in holders["so-noi-vu"]
    # Before the merger the department itself carried it.
    [then] = selectors.responsible_for([assignment], transfers, on=dt.date(2024, 6, 1))
    assert then.current == []
    # The plan page says the same.
    row = next(
        r for r in selectors.plan_task_rows(cast["analyst1"], plan64) if r.task.code == "II.1.a"
    )
    labour = next(r for r in row.responsible if r.assignment.agency_id == assignment.agency_id)
    assert "Sở Nội vụ tỉnh Hưng Yên" in [a.name for a, _ in labour.current]
    group = next(r for r in row.responsible if r.assignment.group)
    assert group.name == "Ủy ban nhân dân các huyện, thị xã, thành phố"


# --- A malformed file changes nothing --------------------------------------------------------


def assert_refused(path, before, message):
    with pytest.raises(PlanFileError, match=message):
        load_plan(path)
    assert snapshot() == before


def test_an_unknown_agency_is_refused_and_nothing_changes(plan64, plan_data, write_plan):
    before = snapshot()
    # Changes that would be made before the error is found must be rolled back too.
    task_spec(plan_data, "II.1.a")["text"] = "Đã sửa"
    plan_data["agencies"].append(
        {"code": "so-moi", "name": "Sở Mới tỉnh Hưng Yên", "kind": "department"}
    )
    task_spec(plan_data, "IV.12-5")["assignments"].append(
        {"agency": "so-khong-co", "role": "support"}
    )
    assert_refused(write_plan(plan_data), before, "so-khong-co")
    assert not Agency.objects.filter(code="so-moi").exists()


def test_a_parent_listed_after_its_child_is_refused(plan64, plan_data, write_plan):
    before = snapshot()
    task_spec(plan_data, "II.1.a")["text"] = "Đã sửa"
    iv12 = task_spec(plan_data, "IV.12")
    plan_data["tasks"].remove(iv12)
    plan_data["tasks"].append(iv12)
    assert_refused(write_plan(plan_data), before, r"IV\.12-1: parent 'IV\.12' must come before")


def test_a_task_listed_twice_is_refused(plan64, plan_data, write_plan):
    before = snapshot()
    task_spec(plan_data, "II.1.a")["text"] = "Đã sửa"
    plan_data["tasks"].append(dict(task_spec(plan_data, "II.5")))
    assert_refused(write_plan(plan_data), before, r"II\.5: listed twice")


def test_a_task_without_title_or_text_is_refused(plan64, plan_data, write_plan):
    before = snapshot()
    plan_data["tasks"].append({"code": "IV.13", "parent": "IV"})
    assert_refused(write_plan(plan_data), before, "needs a title or a text")


def test_a_bad_assignment_role_is_refused(plan64, plan_data, write_plan):
    before = snapshot()
    task_spec(plan_data, "IV.5")["assignments"][0]["role"] = "owner"
    assert_refused(write_plan(plan_data), before, "role must be lead or support")


def test_removing_a_task_with_logged_activities_is_refused(
    plan64, cast, mini_places, plan_data, write_plan
):
    task = plan64.tasks.get(code="IV.12-5")
    services.activity_create(
        actor=cast["reporter1"],
        plan=plan64,
        data=services.ActivityInput(
            kind="other",
            title="Kiểm tra việc thực hiện kế hoạch tại phường",
            tasks=[task],
            agency=Agency.objects.get(code="ubnd-pho-hien"),
            place=mini_places["commune_a"],
            start_date=dt.date(2025, 11, 10),
            end_date=dt.date(2025, 11, 10),
            participants_total=5,
            participants_female=3,
            participants_male=2,
        ),
    )
    before = snapshot()
    task_spec(plan_data, "II.1.a")["text"] = "Đã sửa"
    plan_data["tasks"].remove(task_spec(plan_data, "IV.12-5"))
    assert_refused(write_plan(plan_data), before, r"missing from the file: IV\.12-5")
    assert task.activities.count() == 1


def test_a_task_dropped_from_the_file_without_activities_is_removed(plan64, plan_data, write_plan):
    plan_data["tasks"].remove(task_spec(plan_data, "IV.12-5"))
    task_spec(plan_data, "II.1.a")["text"] = "Đã sửa"
    _, result = load_plan(write_plan(plan_data))
    assert (result.created, result.updated, result.removed) == (0, 1, 1)
    assert not plan64.tasks.filter(code="IV.12-5").exists()
    assert not Assignment.objects.filter(task__code="IV.12-5").exists()
    assert plan64.tasks.get(code="II.1.a").text == "Đã sửa"


def test_not_a_plan_file_is_refused(plan64, write_plan):
    before = snapshot()
    assert_refused(write_plan({"plan": {"code": "x"}}), before, "expected the keys")


def test_text_is_stored_nfc_whatever_the_file_uses(plan64, plan_data, write_plan):
    decomposed = unicodedata.normalize("NFD", task_spec(plan_data, "IV.5")["text"])
    task_spec(plan_data, "IV.5")["text"] = decomposed
    _, result = load_plan(write_plan(plan_data))
    assert (result.created, result.updated, result.removed) == (0, 0, 0)
    assert plan64.tasks.get(code="IV.5").text == unicodedata.normalize("NFC", decomposed)


# --- The command -----------------------------------------------------------------------------


def test_the_command_prints_the_counts(plan64):
    out = StringIO()
    call_command("load_plan", str(PLAN_FILE), stdout=out)
    assert (
        "64/KH-UBND: 63 tasks; created 0, updated 0, removed 0; new agencies: none; new "
        "reporting cycles: 5." in out.getvalue()
    )


def test_the_command_loads_every_file_of_data_plans_by_default(plan64):
    out = StringIO()
    call_command("load_plan", stdout=out)
    assert "64/KH-UBND: 63 tasks; created 0, updated 0, removed 0" in out.getvalue()


def test_the_command_refuses_a_broken_file_and_says_so(plan64, plan_data, write_plan):
    before = snapshot()
    plan_data["tasks"].append(dict(task_spec(plan_data, "II.5")))
    with pytest.raises(CommandError, match=r"Refused, nothing loaded from broken\.yaml"):
        call_command("load_plan", str(write_plan(plan_data, "broken.yaml")), stdout=StringIO())
    assert snapshot() == before
