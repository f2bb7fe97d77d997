"""The data subjects' requests: clocks, the workflow, the two-person access package."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from antoan.cases import services as case_services
from antoan.cases.selectors import tasks_for_user
from antoan.core.models import AuditEvent
from antoan.privacy import rules, services
from antoan.privacy.models import AccessPackage, DataRequest
from antoan.privacy.tests.conftest import vn

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- Clocks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        ("access", vn(2026, 3, 30, 23, 59, 59)),
        ("correction", vn(2026, 3, 30, 23, 59, 59)),
        ("withdrawal", vn(2026, 4, 6, 23, 59, 59)),
        ("restriction", vn(2026, 4, 6, 23, 59, 59)),
        ("objection", vn(2026, 4, 6, 23, 59, 59)),
        ("deletion", vn(2026, 4, 13, 23, 59, 59)),
    ],
)
def test_each_kind_has_its_legal_period_in_working_days(kind, due):
    received = vn(2026, 3, 16, 9, 0)
    assert rules.acknowledge_due(received) == vn(2026, 3, 18, 23, 59, 59)
    assert rules.response_due(kind, received) == due


def test_a_request_received_before_tet_2026_waits_for_tet_to_pass():
    received = vn(2026, 2, 13, 15, 0)  # Friday; Tết runs 16–20/02
    assert rules.acknowledge_due(received) == vn(2026, 2, 24, 23, 59, 59)
    assert rules.response_due("access", received) == vn(2026, 3, 6, 23, 59, 59)


def test_a_request_received_before_tet_2027():
    received = vn(2027, 2, 3, 10, 0)  # Wednesday; Tết runs 04–10/02
    assert rules.acknowledge_due(received) == vn(2027, 2, 12, 23, 59, 59)


def test_a_deletion_across_30_april_1_may_and_national_day():
    # Wednesday 29/04/2026: 30/04 and 01/05 are off.
    assert rules.acknowledge_due(vn(2026, 4, 29, 9, 0)) == vn(2026, 5, 5, 23, 59, 59)
    # Friday 28/08/2026: 31/08, 01/09 and 02/09 are off; 20 working days end on 30/09.
    assert rules.response_due("deletion", vn(2026, 8, 28, 9, 0)) == vn(2026, 9, 30, 23, 59, 59)


def test_the_extension_adds_the_original_period_once():
    due = vn(2026, 3, 30, 23, 59, 59)
    assert rules.extended_due("access", due) == vn(2026, 4, 13, 23, 59, 59)


# --- Registering ----------------------------------------------------------------------------


def test_registering_stores_the_clock_names_the_supervisor_and_makes_a_task(
    cast, case_a, register, clock, django_capture_on_commit_callbacks
):
    cast["supervisor1"].email = "sup1@example.org"
    cast["supervisor1"].save()
    with django_capture_on_commit_callbacks(execute=True):
        data_request = register(case_a, kind="deletion", details="Xoá số điện thoại cũ")
    assert data_request.number.startswith("YC-")
    assert data_request.acknowledge_due == vn(2026, 3, 18, 23, 59, 59)
    assert data_request.response_due == vn(2026, 4, 13, 23, 59, 59)
    assert data_request.supervisor == cast["supervisor1"]
    # The supervisor sees it in the task list with its countdown; the email names no one.
    tasks = [t for t in tasks_for_user(cast["supervisor1"]) if t.kind.startswith("data_request")]
    assert [t.kind for t in tasks] == ["data_request_acknowledge"]
    assert tasks[0].countdown.seconds_left > 0
    assert f"/privacy/requests/{data_request.pk}/" == tasks[0].url
    assert len(mail.outbox) == 1
    assert data_request.number in mail.outbox[0].subject
    assert "Hòa" not in mail.outbox[0].body
    event = AuditEvent.objects.filter(object_type="data_request").latest("seq")
    assert (event.action, event.user, event.object_id) == (
        "create",
        cast["worker1"],
        str(data_request.pk),
    )
    # The details are encrypted at rest.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT details FROM privacy_datarequest WHERE id = %s", [data_request.pk])
        assert "Xoá" not in cursor.fetchone()[0]


def test_overdue_requests_show_as_overdue_tasks(cast, case_a, register, clock):
    register(case_a)
    clock.advance(days=3)  # Thursday 19/03: the acknowledgement was due on Wednesday
    task = next(t for t in tasks_for_user(cast["supervisor1"]) if t.kind.startswith("data_"))
    assert task.countdown.overdue


def test_only_someone_who_may_edit_the_case_registers(cast, case_a, register, agencies):
    with pytest.raises(PermissionDenied):
        register(case_a, actor=cast["worker2"])
    assert not DataRequest.objects.exists()


def test_a_request_cannot_be_received_in_the_future(case_a, register, clock):
    with pytest.raises(ValidationError) as error:
        register(case_a, received_at=vn(2026, 3, 17, 9, 0))
    assert "received_at" in error.value.error_dict
    assert not DataRequest.objects.exists()


def test_an_unknown_kind_is_refused(case_a, register):
    with pytest.raises(ValidationError):
        register(case_a, kind="erase_everything")
    assert not DataRequest.objects.exists()


# --- The workflow ---------------------------------------------------------------------------


def test_acknowledge_extend_once_then_decide(cast, case_a, register, clock):
    supervisor = cast["supervisor1"]
    data_request = register(case_a, kind="correction")
    data_request = services.request_acknowledge(
        data_request=data_request, actor=supervisor, version=1
    )
    assert data_request.status == "acknowledged"
    data_request = services.request_extend(
        data_request=data_request, actor=supervisor, version=2, reason="Cần xác minh với công an"
    )
    assert data_request.status == "extended"
    assert data_request.response_due == vn(2026, 4, 13, 23, 59, 59)
    with pytest.raises(ValidationError, match="một lần"):
        services.request_extend(data_request=data_request, actor=supervisor, version=3, reason="x")
    assert fresh(data_request).response_due == vn(2026, 4, 13, 23, 59, 59)
    data_request = services.request_decide(
        data_request=data_request,
        actor=supervisor,
        version=3,
        outcome="completed",
        note="Đã sửa năm sinh",
    )
    assert data_request.status == "completed"
    assert [e.to_status for e in data_request.events.all()] == [
        "received",
        "acknowledged",
        "extended",
        "completed",
    ]
    assert not [t for t in tasks_for_user(supervisor) if t.kind.startswith("data_request")]


def test_a_case_worker_cannot_decide_a_request(cast, case_a, register):
    data_request = register(case_a)
    with pytest.raises(PermissionDenied):
        services.request_acknowledge(data_request=data_request, actor=cast["worker1"], version=1)
    assert fresh(data_request).status == "received"


def test_a_stale_version_changes_nothing(cast, case_a, register):
    data_request = register(case_a, kind="objection")
    services.request_acknowledge(data_request=data_request, actor=cast["supervisor1"], version=1)
    with pytest.raises(services.StaleVersion):
        services.request_decide(
            data_request=data_request,
            actor=cast["supervisor1"],
            version=1,
            outcome="refused",
            note="Không có căn cứ",
        )
    assert fresh(data_request).status == "acknowledged"


def test_a_refusal_needs_its_reason(cast, case_a, register):
    data_request = register(case_a, kind="deletion")
    with pytest.raises(ValidationError) as error:
        services.request_decide(
            data_request=data_request,
            actor=cast["supervisor1"],
            version=1,
            outcome="refused",
            note=" ",
        )
    assert "note" in error.value.error_dict
    assert fresh(data_request).status == "received"


def test_an_access_request_completes_only_after_the_package_is_released(cast, case_a, register):
    data_request = register(case_a)
    with pytest.raises(ValidationError, match="gói dữ liệu"):
        services.request_decide(
            data_request=data_request,
            actor=cast["supervisor1"],
            version=1,
            outcome="completed",
            note="Đã giao",
        )
    assert fresh(data_request).status == "received"


# --- The access package ---------------------------------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_two_people_prepare_and_approve_then_the_download_releases_it(
    cast, case_a, register, supervisor1b, clock
):
    case_services.note_add(case=case_a, actor=cast["worker1"], body="Nghi ngờ chị nói chưa hết")
    data_request = register(case_a)
    package = services.package_prepare(data_request=data_request, actor=cast["worker1"])
    # Not released before a second person approves.
    with pytest.raises(ValidationError, match="duyệt"):
        services.package_release(package=package, actor=cast["worker1"])
    # The preparer cannot approve (a worker lacks the right; so would a supervisor preparer).
    with pytest.raises(PermissionDenied):
        services.package_approve(package=package, actor=cast["worker1"])
    assert fresh(package).status == "prepared"
    services.package_approve(package=package, actor=cast["supervisor1"])
    pdf = services.package_release(package=package, actor=cast["worker1"])
    package = fresh(package)
    assert package.status == "released"
    assert package.released_by == cast["worker1"]
    text = _pdf_text(pdf)
    assert "Nguyễn Thị Hòa" in text  # the survivor's name, diacritics intact
    assert case_a.number in text
    assert "Bị chồng đánh vào mặt tại nhà" in text  # her own account of the incident
    assert "Chồng" in text  # the perpetrator's relationship ...
    assert "Trần Văn Dũng" not in text  # ... never his identifying details
    assert "Nghi ngờ chị nói chưa hết" not in text  # staff's internal notes are left out
    assert "Nguyễn Thị Lan" not in text  # nor staff's names
    actions = list(
        AuditEvent.objects.filter(object_type="data_request")
        .order_by("seq")
        .values_list("action", "extra")
    )
    events = [extra["event"] for _action, extra in actions]
    assert events[-3:] == [
        "access_package_prepared",
        "access_package_approved",
        "access_package_released",
    ]
    assert actions[-1][0] == "export"
    services.request_decide(
        data_request=data_request,
        actor=supervisor1b,
        version=1,
        outcome="completed",
        note="Đã giao bản PDF trực tiếp",
    )
    assert fresh(data_request).status == "completed"


def test_a_supervisor_cannot_approve_the_package_they_prepared(
    cast, case_a, register, supervisor1b
):
    data_request = register(case_a, actor=cast["supervisor1"])
    package = services.package_prepare(data_request=data_request, actor=cast["supervisor1"])
    with pytest.raises(ValidationError, match="người thứ hai"):
        services.package_approve(package=package, actor=cast["supervisor1"])
    assert fresh(package).status == "prepared"
    services.package_approve(package=package, actor=supervisor1b)
    assert fresh(package).approved_by == supervisor1b


def test_the_database_refuses_a_self_approved_package(cast, case_a, register):
    from django.db import IntegrityError, transaction

    data_request = register(case_a, actor=cast["supervisor1"])
    package = services.package_prepare(data_request=data_request, actor=cast["supervisor1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessPackage.objects.filter(pk=package.pk).update(
            status="approved", approved_by=cast["supervisor1"]
        )


def test_a_rejected_package_is_never_released_and_a_new_one_can_be_prepared(cast, case_a, register):
    data_request = register(case_a)
    package = services.package_prepare(data_request=data_request, actor=cast["worker1"])
    with pytest.raises(ValidationError, match="đang chờ"):
        services.package_prepare(data_request=data_request, actor=cast["worker1"])
    services.package_reject(package=package, actor=cast["supervisor1"], reason="Thiếu dịch vụ")
    with pytest.raises(ValidationError):
        services.package_release(package=package, actor=cast["supervisor1"])
    assert fresh(package).released_at is None
    assert services.package_prepare(data_request=data_request, actor=cast["worker1"]).pk


def test_another_agencys_supervisor_cannot_approve(cast, case_a, register, supervisor2):
    data_request = register(case_a)
    package = services.package_prepare(data_request=data_request, actor=cast["worker1"])
    with pytest.raises(PermissionDenied):
        services.package_approve(package=package, actor=supervisor2)
    assert fresh(package).status == "prepared"


def test_only_access_requests_have_a_package(cast, case_a, register):
    data_request = register(case_a, kind="deletion")
    with pytest.raises(ValidationError):
        services.package_prepare(data_request=data_request, actor=cast["worker1"])
    assert not AccessPackage.objects.exists()
