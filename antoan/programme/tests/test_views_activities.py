"""Activity pages: the list, one activity, recording and changing one through the form."""

from __future__ import annotations

import uuid

import pytest

from antoan.programme.models import Activity
from antoan.programme.tests.builders import trainee_lines

pytestmark = pytest.mark.django_db


# --- The list --------------------------------------------------------------------------------


def test_list_is_scoped_to_the_agency_and_complete_for_the_coordinator(
    cast, client_for, record, activity_a, activity_b, vietnamese, django_assert_max_num_queries
):
    for i in range(25):  # a full page: the number of queries must not grow with it
        record(cast["reporter1"], title=f"Buổi sinh hoạt {i}", tasks=["II.2.a", "II.3.a"])
    client = client_for(cast["reporter1"])
    with django_assert_max_num_queries(12):
        page = client.get("/programme/activities/").content.decode()
    assert "Buổi sinh hoạt 24" in page and activity_b.title not in page
    assert "26 hoạt động" in page
    client = client_for(cast["coordinator1"])
    with django_assert_max_num_queries(12):
        page = client.get("/programme/activities/?page=2").content.decode()
    assert activity_a.title in page and activity_b.title in page  # the oldest, on page 2
    assert "27 hoạt động" in page


def test_list_filters_and_links_the_export_with_the_same_query(
    cast, client_for, plan64, record, activity_a, activity_b, agencies, vietnamese
):
    training = record(
        cast["reporter1"],
        kind="training",
        tasks=["II.3.a-1"],
        title="Lớp tập huấn cán bộ",
        details={"topic": "general"},
    )
    client = client_for(cast["coordinator1"])
    by_task = client.get(f"/programme/activities/?plan={plan64.pk}&task=II.3.a").content.decode()
    assert training.title in by_task and activity_a.title not in by_task  # II.3.a-1 is under it
    by_agency = client.get(
        f"/programme/activities/?agency={agencies['ubnd-tran-hung-dao'].pk}"
    ).content.decode()
    assert activity_b.title in by_agency and activity_a.title not in by_agency
    by_kind = client.get("/programme/activities/?kind=training&year=2025").content.decode()
    assert training.title in by_kind and activity_b.title not in by_kind
    nothing = client.get("/programme/activities/?year=2024").content.decode()
    assert "Không có hoạt động nào khớp" in nothing
    unknown = client.get("/programme/activities/?task=IX.9").content.decode()
    assert "Không có mục IX.9" in unknown
    page = client.get("/programme/activities/?kind=training&q=c%C3%A1n").content.decode()
    assert training.title in page
    assert "/programme/toolkit/export.xlsx?kind=training&amp;q=c%C3%A1n" in page


def test_list_shows_flagged_activities(cast, client_for, record, vietnamese):
    flagged = record(cast["reporter1"], tasks=["IV.3"], title="Tọa đàm về bạo lực học đường")
    assert flagged.flags == ["agency_not_assigned"]
    record(cast["reporter1"], title="Hoạt động không cảnh báo")
    page = client_for(cast["reporter1"]).get("/programme/activities/?flagged=on")
    assert flagged.title in page.content.decode()
    assert "Hoạt động không cảnh báo" not in page.content.decode()


# --- One activity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "a_status", "b_status"),
    [
        ("reporter1", 200, 404),
        ("reporter2", 404, 200),
        ("coordinator1", 200, 200),
        ("analyst1", 404, 404),
        ("manager1", 404, 404),
        ("worker1", 403, 403),
        ("auditor1", 403, 403),
    ],
)
def test_activity_page_for_its_agency_and_the_coordinator_only(
    cast, reporter2, client_for, activity_a, activity_b, who, a_status, b_status
):
    user = reporter2 if who == "reporter2" else cast[who]
    client = client_for(user)
    assert client.get(f"/programme/activities/{activity_a.pk}/").status_code == a_status
    assert client.get(f"/programme/activities/{activity_b.pk}/").status_code == b_status
    assert client.get("/programme/activities/999999/").status_code in (403, 404)


def test_activity_page_shows_the_record_and_the_flag(
    cast, client_for, record, vietnamese, django_assert_max_num_queries
):
    activity = record(
        cast["reporter1"],
        tasks=["IV.3"],
        spending={"commune_budget": 15_000_000, "donor": 2_500_000},
        target_groups=["pupils", "women"],
    )
    client = client_for(cast["reporter1"])
    with django_assert_max_num_queries(30):
        page = client.get(f"/programme/activities/{activity.pk}/").content.decode()
    assert "Cơ quan tổ chức không được phân công nhiệm vụ này trong kế hoạch" in page
    assert "15.000.000\u00a0đ" in page and "17.500.000\u00a0đ" in page
    assert "Học sinh, sinh viên" in page and "10/11/2025" in page
    assert "Họp, sinh hoạt cộng đồng" in page  # the channel, a communication field
    assert 'data-testid="edit-activity"' in page
    coordinator = client_for(cast["coordinator1"]).get(f"/programme/activities/{activity.pk}/")
    assert 'data-testid="edit-activity"' not in coordinator.content.decode()
    assert 'data-testid="comment-form"' in coordinator.content.decode()


def test_coordinator_comments_and_reporter_cannot(cast, client_for, activity_a, vietnamese):
    url = f"/programme/activities/{activity_a.pk}/comments/"
    response = client_for(cast["reporter1"]).post(url, {"text": "Tự nhận xét"})
    assert response.status_code == 403
    response = client_for(cast["coordinator1"]).post(url, {"text": "Đề nghị bổ sung ảnh"})
    assert response.status_code == 302
    page = client_for(cast["reporter1"]).get(f"/programme/activities/{activity_a.pk}/")
    assert "Đề nghị bổ sung ảnh" in page.content.decode()
    assert "Tự nhận xét" not in page.content.decode()


# --- Recording through the form --------------------------------------------------------------


def test_new_activity_starts_with_the_kind_then_shows_its_fields(
    cast, client_for, tasks, vietnamese
):
    client = client_for(cast["reporter1"])
    chooser = client.get("/programme/activities/new/?task=II.3.a").content.decode()
    assert 'data-kind="training"' in chooser and "task=II.3.a" in chooser
    form = client.get("/programme/activities/new/?kind=training&task=II.3.a").content.decode()
    assert 'name="trainees"' in form and 'name="topic"' in form
    assert 'name="channel"' not in form
    assert (
        f'value="{tasks["II.3.a"].pk}" id="task-{tasks["II.3.a"].pk}" data-code="II.3.a" checked'
        in form
    )
    inspection = client.get("/programme/activities/new/?kind=inspection").content.decode()
    assert 'name="units_inspected"' in inspection and 'name="recs-0-text"' in inspection
    assert 'name="trainees"' not in inspection


def test_a_training_with_pasted_trainees_counts_its_participants(
    cast, client_for, form_data, vietnamese
):
    client = client_for(cast["reporter1"])
    lines = "Họ tên\tGiới tính\tChức vụ\tCơ quan\n" + trainee_lines(20, 10)
    response = client.post(
        "/programme/activities/new/",
        form_data(trainees=lines, spend_commune_budget="12.500.000", client_uuid=str(uuid.uuid4())),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    assert (activity.participants_total, activity.participants_female) == (30, 20)
    assert activity.participants_male == 10 and activity.trainees.count() == 30
    assert activity.spending.get().amount == 12_500_000
    assert activity.place.code == "11953" and activity.flags == []
    page = client.get(response["Location"]).content.decode()
    assert "Nguyễn Thị Học Viên 0" in page and "12.500.000\u00a0đ" in page


def test_sums_that_do_not_add_up_are_shown_and_nothing_is_saved(
    cast, client_for, form_data, vietnamese
):
    response = client_for(cast["reporter1"]).post(
        "/programme/activities/new/",
        form_data(
            kind="communication",
            topic=None,
            trainees=None,
            channel="meeting",
            participants_total="50",
            participants_female="20",
            participants_male="20",
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "không bằng tổng số người tham gia (50)" in page
    assert 'value="50"' in page and "Tập huấn kỹ năng" in page  # what was typed stays
    assert not Activity.objects.exists()


def test_bad_trainee_lines_are_reported_line_by_line(cast, client_for, form_data, vietnamese):
    lines = "Nguyễn Thị A\tNữ\tCán bộ\tUBND\n\tNam\tx\ty\nLê Văn B\tông\tx\ty"
    response = client_for(cast["reporter1"]).post(
        "/programme/activities/new/", form_data(trainees=lines)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dòng 2: thiếu họ tên." in page
    assert "Dòng 3: giới tính “ông” không rõ (ghi Nữ, Nam hoặc Khác)." in page
    assert not Activity.objects.exists()


def test_dates_outside_the_plan_and_places_not_there_on_the_day(
    cast, client_for, form_data, vietnamese
):
    client = client_for(cast["reporter1"])
    response = client.post("/programme/activities/new/", form_data(start_date="10/11/2020"))
    assert response.status_code == 400
    assert "nằm ngoài thời gian thực hiện kế hoạch" in response.content.decode()
    # Commune 11953 of today did not exist in 2024: the form says so and names the way out.
    response = client.post(
        "/programme/activities/new/", form_data(start_date="10/05/2024", end_date="")
    )
    assert "Không tìm thấy đơn vị hành chính “11953” vào ngày 10/05/2024" in (
        response.content.decode()
    )
    assert not Activity.objects.exists()
    response = client.post(
        "/programme/activities/new/",
        form_data(start_date="10/05/2024", end_date="", commune="Hưng Yên"),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.place.valid_to is not None  # the old province
    assert activity.end_date == activity.start_date


def test_the_same_form_sent_twice_records_one_activity(cast, client_for, form_data):
    data = form_data(client_uuid=str(uuid.uuid4()))
    client = client_for(cast["reporter1"])
    first = client.post("/programme/activities/new/", data)
    second = client.post("/programme/activities/new/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("who", ["coordinator1", "analyst1", "worker1"])
def test_only_reporters_record_activities(cast, client_for, form_data, who):
    response = client_for(cast[who]).post("/programme/activities/new/", form_data())
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_a_reporter_cannot_record_for_another_agency(cast, client_for, form_data, agencies):
    response = client_for(cast["reporter1"]).post(
        "/programme/activities/new/", form_data(agency=agencies["ubnd-tran-hung-dao"].pk)
    )
    assert response.status_code == 400  # not one of the choices offered
    assert not Activity.objects.exists()


# --- Changing an activity --------------------------------------------------------------------


def edit_data(client, activity) -> dict:
    """What the edit form posts when nothing is changed."""
    page = client.get(f"/programme/activities/{activity.pk}/edit/")
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = value
        elif hasattr(value, "strftime"):
            data[name] = value.strftime("%d/%m/%Y")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    if page.context["recs"] is not None:
        data.update({"recs-TOTAL_FORMS": "0", "recs-INITIAL_FORMS": "0"})
    return data


def test_edit_saves_a_change(cast, client_for, activity_a, vietnamese):
    client = client_for(cast["reporter1"])
    data = edit_data(client, activity_a)
    data["title"] = "Sinh hoạt cộng đồng tổ dân phố 3"
    response = client.post(f"/programme/activities/{activity_a.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity_a.refresh_from_db()
    assert activity_a.title == "Sinh hoạt cộng đồng tổ dân phố 3" and activity_a.version == 2


def test_edit_on_a_stale_version_shows_the_conflict_and_keeps_the_input(
    cast, client_for, activity_a, vietnamese
):
    client = client_for(cast["reporter1"])
    data = edit_data(client, activity_a)
    first = {**data, "title": "Bản sửa thứ nhất"}
    assert client.post(f"/programme/activities/{activity_a.pk}/edit/", first).status_code == 302
    stale = {**data, "title": "Bản sửa trên trang cũ"}
    response = client.post(f"/programme/activities/{activity_a.pk}/edit/", stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="conflict"' in page and "Bản sửa trên trang cũ" in page
    activity_a.refresh_from_db()
    assert activity_a.title == "Bản sửa thứ nhất"
    assert 'name="version" value="2"' in page
    # Saved again knowingly: it goes through.
    again = client.post(f"/programme/activities/{activity_a.pk}/edit/", {**stale, "version": "2"})
    assert again.status_code == 302
    activity_a.refresh_from_db()
    assert activity_a.title == "Bản sửa trên trang cũ"


def test_who_may_edit(cast, client_for, reporter2, activity_a):
    url = f"/programme/activities/{activity_a.pk}/edit/"
    assert client_for(cast["coordinator1"]).get(url).status_code == 403
    assert client_for(reporter2).get(url).status_code == 404
    assert client_for(cast["analyst1"]).get(url).status_code == 403
    assert client_for(cast["reporter1"]).get(url).status_code == 200


def test_a_submitted_year_freezes_its_activities(
    cast, client_for, plan64, activity_a, agencies, vietnamese
):
    from antoan.reports.tests.helpers import submit_year

    submit_year(cast["reporter1"], plan64, agencies["ubnd-pho-hien"], 2025)
    client = client_for(cast["reporter1"])
    response = client.get(f"/programme/activities/{activity_a.pk}/edit/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Báo cáo năm 2025 đã nộp" in page and 'data-testid="edit-activity"' not in page


# --- Inspections and their recommendations ---------------------------------------------------


def test_inspection_with_recommendations_and_their_follow_up(
    cast, client_for, reporter2, form_data, agencies, tasks, vietnamese
):
    client = client_for(cast["reporter1"])
    response = client.post(
        "/programme/activities/new/",
        form_data(
            kind="inspection",
            topic=None,
            trainees=None,
            tasks=[tasks["II.1.b"].pk],
            units_inspected="Tổ dân phố 1, 2",
            findings="Sổ theo dõi chưa cập nhật",
            member_agencies=[agencies["ubnd-pho-hien"].pk, agencies["cong-an-tinh"].pk],
            participants_total="6",
            participants_female="3",
            participants_male="3",
            **{
                "recs-TOTAL_FORMS": "2",
                "recs-INITIAL_FORMS": "0",
                "recs-0-text": "Cập nhật sổ theo dõi hằng tháng",
                "recs-0-responsible": "Tổ dân phố 1",
                "recs-0-due_date": "31/12/2025",
                "recs-0-status": "open",
                "recs-1-status": "open",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    assert activity.inspection_members.count() == 2
    rec = activity.recommendations.get()
    assert rec.text == "Cập nhật sổ theo dõi hằng tháng"
    url = f"/programme/activities/{activity.pk}/recommendations/{rec.pk}/"
    data = {f"rec{rec.pk}-status": "done", f"rec{rec.pk}-follow_up": "Đã cập nhật đến tháng 12"}
    assert client_for(reporter2).post(url, data).status_code == 404
    assert client_for(cast["coordinator1"]).post(url, data).status_code == 403
    client = client_for(cast["reporter1"])
    assert client.post(url, data).status_code == 302
    rec.refresh_from_db()
    assert rec.status == "done" and rec.follow_up == "Đã cập nhật đến tháng 12"
    page = client.get(f"/programme/activities/{activity.pk}/").content.decode()
    assert "Đã thực hiện" in page and "Đã cập nhật đến tháng 12" in page
