"""Models registry, influencers, budget and yearly reports: who may read and write them."""

from __future__ import annotations

import pytest

from antoan.programme import services
from antoan.programme.models import BudgetLine, CommunityModel, Influencer, YearReport

pytestmark = pytest.mark.django_db


# --- Models registry -------------------------------------------------------------------------


def model_data(agency, **overrides):
    data = {
        "kind": "trusted_address",
        "name": "Địa chỉ tin cậy tổ dân phố 3",
        "agency": agency.pk,
        "commune": "11953",
        "founded_on": "08/03/2022",
        "status": "active",
        "members_total": "9",
        "members_female": "6",
        "note": "",
    }
    data.update(overrides)
    return data


def test_reporter_registers_a_model_everyone_on_the_programme_sees_it(
    cast, client_for, agencies, vietnamese
):
    client = client_for(cast["reporter1"])
    response = client.post("/programme/models/new/", model_data(agencies["ubnd-pho-hien"]))
    assert response.status_code == 302
    model = CommunityModel.objects.get()
    assert model.place.code == "11953" and model.members_female == 6
    for who in ("coordinator1", "analyst1", "manager1"):
        page = client_for(cast[who]).get("/programme/models/").content.decode()
        assert "Địa chỉ tin cậy tổ dân phố 3" in page, who
        assert client_for(cast[who]).get(f"/programme/models/{model.pk}/").status_code == 200
    assert client_for(cast["worker1"]).get(f"/programme/models/{model.pk}/").status_code == 403
    counts = client_for(cast["analyst1"]).get("/programme/models/?kind=safe_school")
    assert "Địa chỉ tin cậy tổ dân phố 3" not in counts.content.decode()


def test_a_model_s_place_is_typed_by_name_without_accents(cast, client_for, agencies, vietnamese):
    client = client_for(cast["reporter1"])
    form = client.get("/programme/models/new/").content.decode()
    assert 'data-place-search="/places/search"' in form and "hoặc mã đơn vị hành chính" not in form
    response = client.post(
        "/programme/models/new/", model_data(agencies["ubnd-pho-hien"], commune="pho hien")
    )
    assert response.status_code == 302
    assert CommunityModel.objects.get().place.code == "11953"
    response = client.post(
        "/programme/models/new/",
        model_data(agencies["ubnd-pho-hien"], commune="Không có nơi này", name="Mô hình khác"),
    )
    assert response.status_code == 400
    # The error names what was typed (the box itself would echo it anyway).
    assert "Không tìm thấy đơn vị hành chính “Không có nơi này”" in response.content.decode()
    assert CommunityModel.objects.count() == 1


def test_model_form_refuses_bad_numbers_and_other_agencies(cast, client_for, agencies, vietnamese):
    client = client_for(cast["reporter1"])
    response = client.post(
        "/programme/models/new/",
        model_data(agencies["ubnd-pho-hien"], members_total="5", members_female="8"),
    )
    assert response.status_code == 400
    assert "Số thành viên nữ lớn hơn tổng số thành viên" in response.content.decode()
    response = client.post("/programme/models/new/", model_data(agencies["ubnd-tran-hung-dao"]))
    assert response.status_code == 400  # not an agency offered to this reporter
    assert not CommunityModel.objects.exists()


def test_only_the_host_agency_and_coordinator_edit_a_model(
    cast, client_for, reporter2, agencies, vietnamese
):
    client_for(cast["reporter1"]).post(
        "/programme/models/new/", model_data(agencies["ubnd-pho-hien"])
    )
    model = CommunityModel.objects.get()
    url = f"/programme/models/{model.pk}/edit/"
    assert client_for(reporter2).get(url).status_code == 403
    assert client_for(cast["analyst1"]).get(url).status_code == 403
    coordinator = client_for(cast["coordinator1"])
    response = coordinator.post(
        url, model_data(agencies["ubnd-pho-hien"], status="paused", version=model.version)
    )
    assert response.status_code == 302
    model.refresh_from_db()
    assert model.status == "paused"
    stale = coordinator.post(url, model_data(agencies["ubnd-pho-hien"], name="Cũ", version=1))
    assert stale.status_code == 409
    assert 'data-testid="conflict"' in stale.content.decode()
    model.refresh_from_db()
    assert model.name == "Địa chỉ tin cậy tổ dân phố 3"


# --- Influencers -----------------------------------------------------------------------------


def test_influencers_named_for_their_agency_counted_for_analysts(
    cast, client_for, reporter2, agencies, vietnamese
):
    data = {
        "name": "Nguyễn Văn Thọ",
        "group": "elder",
        "title": "Chi hội trưởng người cao tuổi",
        "sex": "male",
        "commune": "11953",
        "agency": agencies["ubnd-pho-hien"].pk,
        "active": "on",
    }
    assert (
        client_for(cast["reporter1"]).post("/programme/influencers/new/", data).status_code == 302
    )
    person = Influencer.objects.get()
    assert person.place.code == "11953"
    own = client_for(cast["reporter1"]).get("/programme/influencers/").content.decode()
    assert "Nguyễn Văn Thọ" in own
    other = client_for(reporter2).get("/programme/influencers/").content.decode()
    assert "Nguyễn Văn Thọ" not in other
    analyst = client_for(cast["analyst1"]).get("/programme/influencers/").content.decode()
    assert "Nguyễn Văn Thọ" not in analyst
    assert "Phường Phố Hiến" in analyst and "Người cao tuổi có uy tín: 1" in analyst
    assert client_for(reporter2).get(f"/programme/influencers/{person.pk}/edit/").status_code == 404
    assert client_for(cast["analyst1"]).post("/programme/influencers/new/", data).status_code == 403


# --- Budget ----------------------------------------------------------------------------------


def test_budget_lines_and_execution_rate(
    cast, client_for, reporter2, plan64, agencies, record, vietnamese
):
    record(cast["reporter1"], spending={"commune_budget": 15_000_000})
    client = client_for(cast["reporter1"])
    line = {
        "agency": agencies["ubnd-pho-hien"].pk,
        "year": "2025",
        "source": "commune_budget",
        "planned": "30.000.000",
        "allocated": "20.000.000",
        "note": "",
    }
    assert client.post(f"/programme/budget/?plan={plan64.pk}", line).status_code == 302
    assert BudgetLine.objects.get().allocated == 20_000_000
    page = client_for(cast["manager1"]).get(f"/programme/budget/?plan={plan64.pk}&year=2025")
    text = page.content.decode()
    assert "Ủy ban nhân dân phường Phố Hiến" in text
    assert "20.000.000\u00a0đ" in text and "15.000.000\u00a0đ" in text
    assert 'data-testid="execution-rate">75,0\u00a0%' in text
    # Reporters keep their own agency's lines only; analysts none.
    other = {**line, "agency": agencies["ubnd-tran-hung-dao"].pk}
    assert client_for(cast["reporter1"]).post("/programme/budget/", other).status_code == 400
    assert client_for(cast["analyst1"]).post("/programme/budget/", line).status_code == 403
    # The coordinator keeps any agency's.
    assert client_for(cast["coordinator1"]).post("/programme/budget/", other).status_code == 302
    assert BudgetLine.objects.count() == 2


def test_two_people_saving_one_budget_line_do_not_overwrite_each_other(
    cast, client_for, plan64, agencies, vietnamese
):
    url = f"/programme/budget/?plan={plan64.pk}"
    line = {
        "agency": agencies["ubnd-pho-hien"].pk,
        "year": "2025",
        "source": "commune_budget",
        "planned": "30.000.000",
        "allocated": "20.000.000",
    }
    reporter = client_for(cast["reporter1"])
    assert reporter.post(url, line).status_code == 302
    saved = BudgetLine.objects.get()
    # The edit link fills the form with the line and its version.
    page = reporter.get(f"{url}&edit={saved.pk}").content.decode()
    assert 'name="version" value="1"' in page
    assert (
        reporter.post(url, {**line, "allocated": "25.000.000", "version": "1"}).status_code == 302
    )
    # Someone who still had version 1 open, or typed the line in again as new, is refused.
    coordinator = client_for(cast["coordinator1"])
    for stale in ({"version": "1"}, {}):
        response = coordinator.post(url, {**line, "allocated": "1.000.000", **stale})
        assert response.status_code == 400
        assert "vừa có người khác lưu" in response.content.decode()
    assert BudgetLine.objects.get().allocated == 25_000_000


# --- Yearly reports --------------------------------------------------------------------------


def test_the_yearly_report_page_moved_to_the_reporting_cycle(cast, client_for, plan64):
    response = client_for(cast["reporter1"]).get(f"/programme/reports/?plan={plan64.pk}")
    assert response.status_code == 302 and response.url == "/reports/"


def test_reporter_submits_the_year_and_coordinator_returns_it(
    cast, client_for, plan64, activity_a, agencies, vietnamese
):
    """Through the reporting cycle's pages: submitting freezes the activities of the period,
    returning (with a reason) opens them again."""
    from antoan.reports.forms import SubmissionForm
    from antoan.reports.models import Submission
    from antoan.reports.tests.helpers import cycle_of

    cycle = cycle_of(plan64, 2025)
    agency = agencies["ubnd-pho-hien"]
    client = client_for(cast["reporter1"])
    page = client.get(f"/reports/cycles/{cycle.pk}/").content.decode()
    assert "Bắt đầu báo cáo" in page
    assert (
        "khi nộp, các hoạt động trong kỳ số liệu được khóa"
        in client.get("/reports/").content.decode()
    )
    response = client.post(f"/reports/cycles/{cycle.pk}/open/", {"agency": agency.pk})
    assert response.status_code == 302
    sub = Submission.objects.get(cycle=cycle, agency=agency)
    form = SubmissionForm(submission=sub)
    data = {name: "" if f.initial is None else str(f.initial) for name, f in form.fields.items()}
    data.update({f"n__{s['key']}": "Đã thực hiện." for s in form.sections}, action="submit")
    page = client.get(response.url).content.decode()
    assert "các hoạt động của cơ quan trong kỳ số liệu không sửa được nữa" in page
    assert client.post(response.url, data).status_code == 302
    report = YearReport.objects.get()
    assert report.status == "submitted"
    assert not services.may_edit_activity(cast["reporter1"], activity_a)
    # Only the coordinator returns it, with a reason.
    sub.refresh_from_db()
    back = {"action": "return", "reason": "Thiếu ảnh", "version": sub.version}
    assert client_for(cast["reporter1"]).post(response.url, back).status_code == 403
    coordinator = client_for(cast["coordinator1"])
    page = coordinator.get(response.url).content.decode()
    assert "Ủy ban nhân dân phường Phố Hiến" in page and 'data-testid="return-form"' in page
    empty = coordinator.post(response.url, {**back, "reason": ""})
    assert empty.status_code == 400
    assert coordinator.post(response.url, back).status_code == 302
    report.refresh_from_db()
    assert report.status == "returned" and report.return_reason == "Thiếu ảnh"
    assert services.may_edit_activity(cast["reporter1"], activity_a)


def test_a_reporter_cannot_submit_for_another_agency(cast, client_for, plan64, agencies):
    from antoan.reports.tests.helpers import cycle_of

    cycle = cycle_of(plan64, 2025)
    response = client_for(cast["reporter1"]).post(
        f"/reports/cycles/{cycle.pk}/open/", {"agency": agencies["ubnd-tran-hung-dao"].pk}
    )
    assert response.status_code == 403
    assert not YearReport.objects.exists()
