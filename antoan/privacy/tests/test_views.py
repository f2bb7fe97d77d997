"""The privacy pages as users meet them: who may open what, what they see, what is audited."""

from __future__ import annotations

import pytest

from antoan.cases import services as case_services
from antoan.cases.models import Consent
from antoan.core.models import AuditEvent
from antoan.privacy import services
from antoan.privacy.models import AccessPackage, DataRequest

pytestmark = pytest.mark.django_db


def test_the_case_page_leads_to_the_ledger_and_the_requests(cast, case_a, client_for):
    page = client_for(cast["worker1"]).get(f"/cases/{case_a.pk}/").content.decode()
    assert f"/privacy/cases/{case_a.pk}/consents/" in page
    assert f"/privacy/cases/{case_a.pk}/requests/" in page


def test_a_worker_registers_a_request_from_the_case(cast, case_a, client_for, vietnamese):
    client = client_for(cast["worker1"])
    response = client.post(
        f"/privacy/cases/{case_a.pk}/requests/",
        {"kind": "access", "requester": "survivor", "channel": "in_person", "details": ""},
    )
    data_request = DataRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/privacy/requests/{data_request.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "18/03/2026" in page  # acknowledge within 2 working days
    assert "30/03/2026" in page  # answer within 10 working days
    assert "Chuẩn bị gói dữ liệu" in page


def test_a_request_without_its_kind_is_refused_with_a_clear_error(
    cast, case_a, client_for, vietnamese
):
    response = client_for(cast["worker1"]).post(
        f"/privacy/cases/{case_a.pk}/requests/",
        {"kind": "", "requester": "survivor", "channel": "in_person"},
    )
    assert response.status_code == 400
    assert "Trường này là bắt buộc" in response.content.decode()
    assert not DataRequest.objects.exists()


def test_another_agencys_supervisor_gets_404_and_it_is_audited(
    cast, case_a, register, supervisor2, client_for
):
    data_request = register(case_a)
    client = client_for(supervisor2)
    assert client.get(f"/privacy/requests/{data_request.pk}/").status_code == 404
    refusal = AuditEvent.objects.filter(action="permission_denied").latest("seq")
    assert (refusal.user, refusal.object_type, refusal.object_id) == (
        supervisor2,
        "data_request",
        str(data_request.pk),
    )
    assert client.get(f"/privacy/cases/{case_a.pk}/consents/").status_code == 404
    listing = client.get("/privacy/requests/").content.decode()
    assert data_request.number not in listing


def test_the_supervisors_list_shows_open_requests_with_their_countdown(
    cast, case_a, register, client_for, clock, vietnamese
):
    data_request = register(case_a)
    clock.advance(days=3)  # past the acknowledgement's deadline (Wednesday 18/03)
    page = client_for(cast["supervisor1"]).get("/privacy/requests/").content.decode()
    assert data_request.number in page
    assert "quá hạn" in page
    tasks = client_for(cast["supervisor1"]).get("/cases/tasks/").content.decode()
    assert f"Xác nhận tiếp nhận yêu cầu {data_request.number}" in tasks
    assert f"/privacy/requests/{data_request.pk}/" in tasks


def test_the_package_through_the_pages(cast, case_a, register, client_for, vietnamese):
    data_request = register(case_a)
    worker = client_for(cast["worker1"])
    worker.post(f"/privacy/requests/{data_request.pk}/prepare/")
    package = AccessPackage.objects.get()
    download = f"/privacy/requests/{data_request.pk}/packages/{package.pk}/download/"
    refused = worker.get(download, follow=True)
    assert "chỉ được giao sau khi người thứ hai đã duyệt" in refused.content.decode()
    assert AccessPackage.objects.get().released_at is None
    worker.logout()
    supervisor = client_for(cast["supervisor1"])
    page = supervisor.get(f"/privacy/requests/{data_request.pk}/").content.decode()
    assert "Duyệt gói dữ liệu" in page
    supervisor.post(f"/privacy/requests/{data_request.pk}/approve/", {"package": package.pk})
    assert AccessPackage.objects.get().status == "approved"
    response = supervisor.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessPackage.objects.get().status == "released"


def test_an_unknown_action_is_not_found(cast, case_a, register, client_for):
    data_request = register(case_a)
    response = client_for(cast["supervisor1"]).post(f"/privacy/requests/{data_request.pk}/erase/")
    assert response.status_code == 404


def test_a_worker_may_not_take_a_supervisors_action_whatever_she_posts(
    cast, case_a, register, client_for
):
    data_request = register(case_a)
    worker = client_for(cast["worker1"])
    for action, data in (
        ("acknowledge", {}),
        ("acknowledge", {"version": data_request.version}),
        ("decide", {"version": data_request.version, "outcome": "refused", "note": "Không"}),
    ):
        response = worker.post(f"/privacy/requests/{data_request.pk}/{action}/", data)
        assert response.status_code == 403, (action, data)
        refusal = AuditEvent.objects.filter(action="permission_denied").latest("seq")
        assert (refusal.user, refusal.object_type, refusal.object_id) == (
            cast["worker1"],
            "data_request",
            str(data_request.pk),
        )
    assert DataRequest.objects.get().status == "received"


def test_a_stale_acknowledgement_says_so_and_changes_nothing(
    cast, case_a, register, client_for, vietnamese
):
    data_request = register(case_a)
    services.request_extend(
        data_request=data_request, actor=cast["supervisor1"], version=1, reason="Chờ xác minh"
    )
    response = client_for(cast["supervisor1"]).post(
        f"/privacy/requests/{data_request.pk}/decide/",
        {"version": 1, "outcome": "refused", "note": "Không có căn cứ"},
        follow=True,
    )
    assert "vừa được người khác cập nhật" in response.content.decode()
    assert DataRequest.objects.get().status == "extended"


# --- Consent ledger -------------------------------------------------------------------------


def test_the_ledger_lists_every_consent_and_what_each_withdrawal_changed(
    cast, clock, open_case, send, providers, client_for, vietnamese
):
    hospital = providers["bv-da-khoa-tinh"].agency
    case = open_case(
        cast["worker1"],
        consent=case_services.ConsentInput(
            services=True, reporting=True, sharing_agencies=[hospital]
        ),
    )
    referral = send(case)
    clock.advance(hours=1)
    case_services.consent_withdraw(case=case, actor=cast["worker1"], purpose="sharing")
    clock.advance(hours=1)
    case_services.consent_withdraw(case=case, actor=cast["worker1"], purpose="reporting")
    client = client_for(cast["worker1"])
    response = client.get(f"/privacy/cases/{case.pk}/consents/")
    page = response.content.decode()
    assert page.count('data-testid="ledger-row"') == 3
    assert f"Các cơ quan không còn nhận số điện thoại của người bị bạo lực: {hospital.name}" in page
    assert referral.number in page
    assert "1 vụ việc không còn được tính trong số liệu thống kê" in page
    assert "Đang có hiệu lực" in page  # the services consent still holds
    read = AuditEvent.objects.filter(action="view", object_type="case").latest("seq")
    assert read.object_id == str(case.pk)
    assert read.extra["path"] == f"/privacy/cases/{case.pk}/consents/"


def test_a_withdrawal_recorded_before_effects_were_kept_says_not_recorded(
    cast, case_a, client_for, vietnamese
):
    case_services.consent_withdraw(case=case_a, actor=cast["worker1"], purpose="reporting")
    Consent.objects.filter(case=case_a).update(withdrawal_effects=None)
    page = client_for(cast["worker1"]).get(f"/privacy/cases/{case_a.pk}/consents/")
    assert "không được ghi lại" in page.content.decode()


def test_a_new_decision_replaces_the_earlier_one_in_the_ledger(
    cast, case_a, clock, client_for, vietnamese
):
    clock.advance(days=1)
    case_services.consent_record(
        case=case_a,
        actor=cast["worker1"],
        consent=case_services.ConsentInput(services=True, reporting=False),
    )
    page = client_for(cast["worker1"]).get(f"/privacy/cases/{case_a.pk}/consents/")
    assert "Được thay bằng ý kiến lúc 17/03/2026 09:00" in page.content.decode()


def test_list_pages_take_the_same_queries_for_one_row_or_many(
    cast, case_a, register, client_for, clock
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    supervisor = client_for(cast["supervisor1"])

    def count(path):
        supervisor.get(path)  # the menu's badge is counted on a first view, then kept
        with CaptureQueriesContext(connection) as queries:
            assert supervisor.get(path).status_code == 200
        return len(queries)

    register(case_a)
    case_services.consent_withdraw(case=case_a, actor=cast["worker1"], purpose="reporting")
    one = (count("/privacy/requests/"), count(f"/privacy/cases/{case_a.pk}/consents/"))
    register(case_a, kind="correction")
    register(case_a, kind="deletion")
    case_services.consent_record(
        case=case_a,
        actor=cast["worker1"],
        consent=case_services.ConsentInput(services=True, reporting=True),
    )
    case_services.consent_withdraw(case=case_a, actor=cast["worker1"], purpose="services")
    many = (count("/privacy/requests/"), count(f"/privacy/cases/{case_a.pk}/consents/"))
    assert many == one
