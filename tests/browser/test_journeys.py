"""The journeys of issue 12, each on a 1366x800 desk and a 360x780 phone, and journeys 1 and 2
once more on the desk with the keyboard only (tests/browser/journeys.py). Every page visited
passes axe-core (serious and critical); screenshots are kept in test-artifacts/ and, with
USER_GUIDE_SHOTS=docs/user-guide/img (`make user-guide-shots`), become the user guide's.

1. Hotline operator: an immediate-danger call; police and the commune chair notified; a case.
2. Case worker: intake, assessment, safety plan, case plan, referrals to the hospital and to
   legal aid; the hospital accepts and records care; legal aid declines with a reason; the
   worker refers elsewhere; follow-up; closure; the supervisor approves.
3. Commune reporter: three activities from the Excel template and one by the form.
5. A user of another agency opens every URL of journeys 1-3 and sees nothing.

Each journey ends with journey 5 over the URLs it produced. Locators are labels and roles;
where a page is reworked, adjust the one step here that names it.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from antoan.accounts.demo import DEMO_PASSWORD
from antoan.jobs.worker import run_pending
from tests.browser.journeys import UI

DESK = (1366, 800)
PHONE = (360, 780)
VARIANTS = {
    "desk": (DESK, False),
    "phone": (PHONE, False),
    "keyboard": (DESK, True),
}
SURVIVOR = "Phạm Thị Lý"
SURVIVOR_2 = "Nguyễn Thị Hòa"

pytestmark = pytest.mark.django_db(transaction=True)


def _day(delta: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=delta)).strftime("%d/%m/%Y")


@pytest.fixture
def network(cast):
    """The demo's hotline, its providers, and a legal-aid officer (not in the demo cast)."""
    from antoan.accounts.demo import demo_user
    from antoan.accounts.models import Agency
    from antoan.accounts.roles import Role
    from antoan.hotline.demo import build_demo_hotline
    from antoan.referrals.demo import build_demo_providers

    build_demo_hotline(password=DEMO_PASSWORD)
    build_demo_providers()
    legal = Agency.objects.get(code="tro-giup-phap-ly")
    demo_user("legal1", "Trợ giúp viên Mai Anh", legal, Role.PROVIDER_STAFF, password=DEMO_PASSWORD)
    return cast


def ui_for(open_page, variant: str, username: str) -> UI:
    (width, height), keyboard = VARIANTS[variant]
    page = open_page(width=width, height=height, locale="vi-VN")
    page.set_default_timeout(10_000)
    ui = UI(page, keyboard=keyboard, name=variant)
    ui.login(username, DEMO_PASSWORD)
    return ui


# --- Journey 5: someone of another agency ------------------------------------------------------


def outsider_sees_nothing(open_page, urls: list[str], secrets: list[str], username="worker2"):
    """A user of another agency opens each URL: refused (403) or not found (404), and the page
    carries none of the journey's data."""
    page = open_page(width=1366, height=800, locale="vi-VN")
    ui = UI(page)
    ui.login(username, DEMO_PASSWORD)
    for url in urls:
        response = page.goto(f"{page.base_url}{url}")
        assert response.status in (403, 404), (username, url, response.status)
        body = page.content()
        for secret in secrets:
            assert secret not in body, (username, url, secret)
    page.context.close()


# --- Journey 1: hotline operator ---------------------------------------------------------------


@pytest.mark.parametrize("variant", ["desk", "phone", "keyboard"])
def test_journey_1_hotline_operator_emergency_call(open_page, network, variant):
    ui = ui_for(open_page, variant, "hotline1")
    page = ui.page
    ui.menu("Đường dây nóng")
    ui.press(page.get_by_role("link", name="Ghi cuộc gọi mới"))
    form = page.get_by_test_id("call-form")
    ui.check(form.get_by_label("Người gọi đang gặp nguy hiểm tức thời"))
    ui.check(form.get_by_role("radio", name="Điện thoại"))
    ui.select(form.get_by_label("Người gọi là"), label="Người bị bạo lực")
    ui.fill(form.get_by_label("Xã, phường của người gọi"), "pho hien")
    ui.select(form.get_by_label("Loại vụ việc"), label="Bạo lực gia đình")
    ui.fill(form.get_by_label("Tóm tắt"), "Chị gọi từ nhà hàng xóm, chồng đang say rượu đập phá")
    ui.shot("hotline-new-call")
    ui.press(form.get_by_role("button", name="Lưu cuộc gọi"))
    assert re.search(r"/hotline/\d+/$", page.url), page.url
    call_path = page.evaluate("location.pathname")
    assert page.get_by_test_id("contact").count() >= 1
    assert page.get_by_test_id("chair-reminder").is_visible()
    ui.shot("hotline-emergency-contacts")

    # The police, then the commune chair.
    for role, agency, person in [
        ("Công an", "Công an tỉnh Hưng Yên", "Cán bộ trực ban"),
        ("Chủ tịch UBND xã, phường", "Ủy ban nhân dân phường Phố Hiến", "Chủ tịch UBND phường"),
    ]:
        notice = page.get_by_test_id("notice-form")
        ui.check(notice.get_by_role("radio", name=role, exact=True))
        ui.select(notice.get_by_label("Cơ quan"), label=agency)
        ui.fill(notice.get_by_label("Họ tên, chức vụ người nhận"), person)
        ui.press(notice.get_by_role("button", name="Ghi nhận đã thông báo"))
    notified = page.get_by_test_id("notifications").inner_text()
    assert "Công an tỉnh Hưng Yên" in notified and "Chủ tịch UBND phường" in notified
    assert page.get_by_test_id("chair-reminder").count() == 0

    # A case from the call.
    ui.press(page.get_by_role("link", name="Mở hồ sơ từ cuộc gọi"))
    form = page.get_by_test_id("open-case-form")
    ui.fill(form.locator("[name='survivor-full_name']"), SURVIVOR)
    ui.select(form.locator("[name='survivor-sex']"), value="female")
    ui.fill(form.locator("[name='survivor-birth_year']"), "1988")
    ui.check(form.locator("[name='needs'][value='health']"))
    ui.check(form.locator("[name='consent-services']"))
    ui.check(form.locator("[name='consent-reporting']"))
    ui.shot("hotline-open-case")
    ui.press(form.get_by_role("button", name="Tạo hồ sơ"))
    number = page.get_by_test_id("case-link").inner_text().strip()
    assert re.fullmatch(r"HY-\d{4}-\d{6}", number), number
    # The operator does not work on the case (no link for the hotline): its address from the
    # database, for journey 5.
    from antoan.cases.models import Case

    case_path = f"/cases/{Case.objects.get(number=number).pk}/"
    ui.shot("hotline-call-with-case")
    assert page.errors == []

    # Journey 5: a case worker of another commune, and the hospital, see none of it.
    urls = [call_path, f"{call_path}open-case/", case_path, f"{case_path}assessments/new/"]
    if variant == "desk":
        outsider_sees_nothing(open_page, urls, [SURVIVOR, number])
        outsider_sees_nothing(open_page, urls, [SURVIVOR, number], username="health1")


# --- Journey 2: case worker ------------------------------------------------------------------


def _intake(ui: UI) -> None:
    page = ui.page
    form = page.get_by_test_id("intake-form")
    f = lambda name: form.locator(f"[name='{name}']")  # noqa: E731
    ui.fill(f("survivor-full_name"), SURVIVOR_2)
    ui.select(f("survivor-sex"), value="female")
    ui.fill(f("survivor-birth_year"), "1990")
    ui.fill(f("survivor-phone"), "0912 345 678")
    ui.select(f("survivor-commune"), value="11953")
    ui.select(f("source"), value="self")
    ui.check(form.locator("[name='needs'][value='health']"))
    ui.check(form.locator("[name='needs'][value='legal']"))
    ui.fill(f("incident-occurred_on"), _day(-2))
    ui.fill(f("incident-first_reported_on"), _day(-1))
    ui.fill(f("incident-commune"), "Phố Hiến")
    ui.check(form.locator("[name='incident-acts'][value='physical_assault']"))
    ui.check(form.locator("[name='incident-dv_forms'][value='physical']"))
    ui.check(form.locator("[name='incident-contexts'][value='intimate_partner']"))
    ui.fill(f("incident-description"), "Bị chồng đánh tại nhà")
    ui.select(f("perpetrators-0-sex"), value="male")
    ui.select(f("perpetrators-0-age_group"), value="26-40")
    ui.select(f("perpetrators-0-relationship"), value="husband")
    ui.check(f("consent-services"))
    ui.check(f("consent-reporting"))
    ui.shot("case-intake")
    ui.press(form.get_by_role("button", name="Tạo hồ sơ"))


def _refer(ui: UI, provider: str, service: str, note: str) -> str:
    """From the case page, refer for a service; returns the referral's path."""
    page = ui.page
    before = set(_referral_links(page))
    ui.press(page.get_by_test_id("needs-met").get_by_role("link", name="Chuyển gửi").first)
    form = page.get_by_test_id("referral-form")
    ui.select(form.get_by_label("Dịch vụ", exact=True), value=service)
    provider_box = form.get_by_label("Cơ sở cung cấp dịch vụ")
    option = provider_box.locator("option", has_text=provider).first.inner_text().strip()
    ui.select(provider_box, label=option)
    ui.fill(form.get_by_label("Ghi chú an toàn cho nơi nhận"), note)
    ui.shot(f"referral-new-{service}")
    ui.press(form.get_by_role("button", name=re.compile("Gửi")))
    new = [link for link in _referral_links(page) if link not in before]
    assert len(new) == 1, new
    return new[0]


def _referral_links(page) -> list[str]:
    links = page.get_by_test_id("needs-met").locator("a[href^='/referrals/']")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [h for h in hrefs if re.fullmatch(r"/referrals/\d+/", h)]


@pytest.mark.parametrize("variant", ["desk", "phone", "keyboard"])
def test_journey_2_case_worker_from_intake_to_approved_closure(open_page, network, variant):
    worker = ui_for(open_page, variant, "worker1")
    page = worker.page
    worker.menu("Tiếp nhận ca mới")
    _intake(worker)
    assert re.search(r"/cases/\d+/$", page.url), page.url
    case_path = page.evaluate("location.pathname")
    number = page.get_by_test_id("case-number").inner_text()
    worker.shot("case-page-new")

    # Assessment: two "yes" answers worth 3 each make the risk high.
    worker.press(page.get_by_test_id("case-header").get_by_role("link", name="Đánh giá nguy cơ"))
    worker.check(page.locator("[name='answers'][value='threats_to_kill']"))
    worker.check(page.locator("[name='answers'][value='weapon']"))
    worker.check(page.locator("[name='needs'][value='safety']"))
    worker.shot("case-assessment")
    worker.press(page.get_by_role("button", name="Lưu"))
    assert page.get_by_test_id("risk-badge").first.inner_text() == "Nguy cơ: Cao"

    # Safety plan.
    worker.press(page.get_by_role("link", name="Lập kế hoạch an toàn"))
    worker.fill(
        page.get_by_label("Kế hoạch an toàn"),
        "Khi nguy hiểm: sang nhà chị gái ở thôn bên, gọi 113 hoặc 111; để sẵn giấy tờ ở đó.",
    )
    worker.press(page.get_by_role("button", name="Lưu"))

    # Case plan with one service.
    worker.press(page.get_by_test_id("case-header").get_by_role("link", name="Lập kế hoạch hỗ trợ"))
    worker.fill(page.get_by_label("Mục tiêu kế hoạch hỗ trợ"), "Khám sức khỏe, tư vấn pháp lý")
    worker.select(page.locator("[name='items-0-service']"), value="health")
    worker.select(
        page.locator("[name='items-0-responsible_agency']"),
        label="Bệnh viện Đa khoa tỉnh Hưng Yên",
    )
    worker.fill(page.locator("[name='items-0-due_on']"), _day(7))
    worker.shot("case-plan")
    worker.press(page.get_by_role("button", name="Lưu"))
    assert "Khám sức khỏe" in page.get_by_test_id("case-plan").inner_text()

    # Referrals to the hospital and to legal aid.
    to_hospital = _refer(worker, "Bệnh viện Đa khoa tỉnh", "health", "Gọi trước khi đến")
    to_legal = _refer(worker, "Trợ giúp pháp lý", "legal", "Chỉ liên hệ qua cán bộ xã")
    worker.shot("case-referrals-sent")

    # The hospital accepts and records the care.
    hospital = ui_for(open_page, variant, "health1")
    hospital.menu("Chuyển gửi đến")
    hospital.shot("referral-inbox")
    hospital.goto(to_hospital)
    hospital.press(hospital.page.get_by_role("button", name="Tiếp nhận"))
    hospital.goto(to_hospital)
    deliver = hospital.page.locator("form", has=hospital.page.locator("button[value=deliver]"))
    hospital.fill(deliver.get_by_label("Ngày cung cấp"), _day())
    hospital.fill(deliver.get_by_label("Dịch vụ đã cung cấp"), "Khám, chụp X-quang, băng bó")
    hospital.shot("referral-deliver")
    hospital.press(deliver.get_by_role("button", name="Ghi nhận đã cung cấp dịch vụ"))
    assert SURVIVOR_2 not in hospital.page.content()

    # Legal aid declines, with its reason.
    legal = ui_for(open_page, variant, "legal1")
    legal.goto(to_legal)
    decline = legal.page.locator("form", has=legal.page.locator("button[value=decline]"))
    legal.fill(decline.get_by_label("Lý do"), "Trung tâm đang thiếu trợ giúp viên tháng này")
    legal.shot("referral-decline")
    legal.press(decline.get_by_role("button", name="Từ chối"))

    # The worker sees the refusal and refers elsewhere: the provincial police's legal service.
    worker.goto(case_path)
    assert "Bị từ chối" in page.get_by_test_id("needs-met").inner_text()
    worker.goto(to_legal)
    assert "thiếu trợ giúp viên" in page.locator("main").inner_text()
    worker.shot("referral-declined")
    worker.goto(case_path)
    to_police = _refer(worker, "Công an tỉnh", "legal", "Liên hệ qua cán bộ xã")

    # Follow-up.
    worker.press(page.get_by_test_id("case-header").get_by_role("link", name="Ghi nhận theo dõi"))
    worker.fill(page.get_by_label("Ngày theo dõi"), _day())
    worker.select(page.get_by_label("Hình thức"), value="home_visit")
    worker.fill(page.get_by_label("Ghi chú", exact=True), "Chị đã khám xong, đang ở nhà chị gái")
    worker.press(page.get_by_role("button", name="Lưu"))

    # Closure request.
    worker.press(page.get_by_test_id("case-header").get_by_role("link", name="Đề nghị đóng ca"))
    worker.fill(page.get_by_label("Lý do đóng ca"), "Đã hoàn thành kế hoạch, chị an toàn")
    for box in page.locator("[name='checklist']").all():
        worker.check(box)
    # The legal-aid referral to the police is still open: the page lists it, and closing
    # anyway takes a written reason the supervisor will read.
    assert "Pháp lý" in page.locator("[data-gap='open_referrals']").inner_text()
    worker.fill(
        page.get_by_label("Lý do vẫn đóng ca khi còn thiếu"),
        "Công an tỉnh sẽ liên hệ trực tiếp; chị đã an toàn ở nhà chị gái",
    )
    worker.shot("case-closure-request")
    worker.press(page.get_by_role("button", name="Gửi đề nghị đóng ca"))
    assert page.get_by_test_id("case-stage").inner_text() == "Đề nghị đóng ca"

    # The supervisor approves.
    supervisor = ui_for(open_page, variant, "supervisor1")
    supervisor.menu("Hồ sơ của cơ quan")
    supervisor.press(supervisor.page.get_by_role("link", name=number))
    supervisor.press(supervisor.page.get_by_test_id("closure-decide-link"))
    reason = supervisor.page.get_by_test_id("missing-reason").inner_text()
    assert "Công an tỉnh sẽ liên hệ" in reason
    supervisor.check(supervisor.page.locator("[name='decision'][value='approve']"))
    supervisor.shot("case-closure-decision")
    supervisor.press(supervisor.page.get_by_role("button", name="Ghi quyết định"))
    assert supervisor.page.get_by_test_id("case-status").inner_text() == "Đã đóng"
    supervisor.shot("case-closed")
    for ui in (worker, hospital, legal, supervisor):
        assert ui.page.errors == [], ui.page.errors

    # Journey 5: another commune's worker sees neither the case nor its referrals.
    if variant == "desk":
        urls = [case_path, to_hospital, to_legal, to_police, f"{case_path}follow-ups/new/"]
        outsider_sees_nothing(open_page, urls, [SURVIVOR_2, number])


# --- Journey 3: commune reporter -------------------------------------------------------------

DAY = "10/11/2025"  # inside plan 64 (2021-2025): the plan in force on that date


def _communication_rows() -> list[dict]:
    return [
        {
            "Tên hoạt động": title,
            "Mã nhiệm vụ": "II.2.a",
            "Địa bàn (tên hoặc mã)": "Phố Hiến",
            "Từ ngày": DAY,
            "Tổng số người tham gia": 40,
            "Nữ": 25,
            "Nam": 15,
            "Hình thức truyền thông": "Loa truyền thanh",
        }
        for title in (
            "Phát thanh về phòng, chống bạo lực gia đình (tổ 1)",
            "Phát thanh về phòng, chống bạo lực gia đình (tổ 2)",
            "Phát thanh về phòng, chống bạo lực gia đình (tổ 3)",
        )
    ]


def _fill_template(data: bytes, rows: list[dict]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Hoạt động"]
    headers = {cell.value: cell.column for cell in ws[1] if cell.value}
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            ws.cell(row=number, column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("variant", ["desk", "phone"])
def test_journey_3_commune_reporter_excel_and_form(open_page, network, plan64, variant, tmp_path):
    ui = ui_for(open_page, variant, "reporter1")
    page = ui.page
    ui.goto("/programme/toolkit/")
    ui.shot("toolkit")
    row = page.get_by_role("row", name=re.compile("Truyền thông"))
    with page.expect_download() as download:
        row.get_by_role("link", name="Tải mẫu (.xlsx)").first.click()
    filled = tmp_path / "hoat-dong.xlsx"
    filled.write_bytes(_fill_template(download.value.path().read_bytes(), _communication_rows()))

    ui.press(page.get_by_role("link", name="Tải tệp lên"))
    form = page.locator("form", has=page.locator("input[type=file]"))
    form.locator("input[type=file]").set_input_files(str(filled))
    page.clock.install()  # the job page's polls wait while the worker writes (SQLite)
    ui.press(form.get_by_role("button", name="Kiểm tra và nhập"))
    page.clock.pause_at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert "Đang chờ xử lý" in page.locator("main").inner_text()  # the job's page
    assert run_pending() == 1  # the task worker, in this process
    ui.goto(page.evaluate("location.pathname"))
    page.clock.resume()
    assert "Đã nhập 3 hoạt động" in page.locator("main").inner_text()
    ui.shot("toolkit-imported")

    # One more by the form: a training.
    ui.goto("/programme/activities/new/?kind=training&task=II.3.a")
    form = page.get_by_test_id("activity-form")
    ui.fill(form.locator("[name=title]"), "Tập huấn kỹ năng phòng, chống bạo lực trên cơ sở giới")
    ui.fill(form.locator("[name=start_date]"), DAY)
    ui.fill(form.locator("[name=end_date]"), "11/11/2025")
    ui.fill(form.locator("[name=commune]"), "Phố Hiến")
    ui.select(form.locator("[name=topic]"), value="general")
    ui.fill(
        form.locator("[name=trainees]"),
        "Nguyễn Thị Hoa\tNữ\tCán bộ tổ dân phố\tUBND phường Phố Hiến\n"
        "Lê Văn Tùng\tNam\tCông an khu vực\tCông an phường Phố Hiến",
    )
    ui.shot("activity-form")
    ui.press(form.get_by_test_id("activity-submit"))
    errors = page.get_by_test_id("form-errors")
    assert re.search(r"/programme/activities/\d+/$", page.url), (
        errors.inner_text() if errors.count() else page.url
    )
    activity_path = page.evaluate("location.pathname")
    ui.shot("activity-saved")

    ui.goto("/programme/activities/")
    listed = page.locator("main").inner_text()
    assert "(tổ 3)" in listed and "Tập huấn kỹ năng" in listed
    ui.shot("activities-list")
    assert page.errors == []

    # Journey 5: the hospital has no business with a commune's activities.
    if variant == "desk":
        outsider_sees_nothing(open_page, [activity_path, f"{activity_path}edit/"], [], "health1")
