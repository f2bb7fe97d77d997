"""The breach register: who records, the 72-hour clock, late notifications, concurrent edits."""

from __future__ import annotations

import pytest

from antoan.core.models import AuditEvent
from antoan.privacy.models import Breach

pytestmark = pytest.mark.django_db


def form(**overrides):
    values = {
        "detected_at": "16/03/2026 08:00",
        "occurred_at": "15/03/2026 22:00",
        "kind": "loss",
        "description": "Mất máy tính xách tay của cơ quan có bản xuất danh sách hồ sơ",
        "data_categories": ["identity", "violence"],
        "subjects_affected": "12",
        "records_affected": "40",
        "consequences": "",
        "measures_taken": "Khoá tài khoản, đổi mật khẩu",
        "measures_proposed": "",
        "contact_name": "Đinh Thị Hoa",
        "contact_phone": "0221 3862 000",
        "contact_email": "",
        "status": "suspected",
        "authority_notified_at": "",
        "authority_reference": "",
        "late_reason": "",
        "subjects_notified_at": "",
    }
    values.update(overrides)
    return values


def test_the_auditor_records_a_breach_and_sees_its_72_hour_clock(
    cast, clock, client_for, vietnamese
):
    client = client_for(cast["auditor1"])
    response = client.post("/privacy/breaches/new/", form())
    breach = Breach.objects.get()
    assert response.status_code == 302
    assert breach.data_categories == ["identity", "violence"]
    page = client.get(f"/privacy/breaches/{breach.pk}/").content.decode()
    # Detected at 08:00 on 16/03, now 09:00: due 08:00 on 19/03, 71 hours left.
    assert "19/03/2026 08:00" in page
    assert "còn 2 ngày 23 giờ" in page
    clock.advance(hours=72)
    page = client.get(f"/privacy/breaches/{breach.pk}/").content.decode()
    assert "quá hạn 1 giờ" in page
    listing = client.get("/privacy/breaches/").content.decode()
    assert "table-danger" in listing
    created = AuditEvent.objects.filter(object_type="breach", action="create").get()
    assert created.user == cast["auditor1"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM privacy_breach")
        assert "máy tính" not in cursor.fetchone()[0]


def test_a_notification_after_72_hours_needs_its_reason(cast, clock, client_for, vietnamese):
    client = client_for(cast["auditor1"])
    response = client.post(
        "/privacy/breaches/new/",
        form(
            detected_at="12/03/2026 08:00",
            occurred_at="",
            status="notified",
            authority_notified_at="16/03/2026 08:30",
        ),
    )
    assert response.status_code == 400
    assert "Thông báo sau 72 giờ phải nêu lý do chậm" in response.content.decode()
    assert not Breach.objects.exists()


def test_a_breach_cannot_happen_after_it_was_detected(cast, clock, client_for, vietnamese):
    response = client_for(cast["admin1"]).post(
        "/privacy/breaches/new/", form(occurred_at="16/03/2026 08:30")
    )
    assert response.status_code == 400
    assert "phải trước thời điểm phát hiện" in response.content.decode()
    assert not Breach.objects.exists()


def test_once_notified_the_clock_stops(cast, clock, client_for, vietnamese):
    client = client_for(cast["auditor1"])
    client.post("/privacy/breaches/new/", form())
    breach = Breach.objects.get()
    response = client.post(
        f"/privacy/breaches/{breach.pk}/edit/",
        form(status="notified", authority_notified_at="16/03/2026 08:45", version="1"),
    )
    assert response.status_code == 302
    page = client.get(f"/privacy/breaches/{breach.pk}/").content.decode()
    assert 'data-testid="breach-clock"' not in page
    assert "16/03/2026 08:45" in page
    updated = AuditEvent.objects.filter(object_type="breach", action="update").get()
    assert set(updated.changed_fields) == {"status", "authority_notified_at"}


def test_two_edits_from_the_same_version_do_not_overwrite(cast, clock, client_for, vietnamese):
    client = client_for(cast["auditor1"])
    client.post("/privacy/breaches/new/", form())
    breach = Breach.objects.get()
    edit_page = client.get(f"/privacy/breaches/{breach.pk}/edit/").content.decode()
    assert 'value="16/03/2026 08:00"' in edit_page  # the form opens on what was saved
    assert 'name="version" value="1"' in edit_page
    first = client.post(
        f"/privacy/breaches/{breach.pk}/edit/",
        form(measures_proposed="Mã hoá ổ đĩa mọi máy", version="1"),
    )
    assert first.status_code == 302
    second = client_for(cast["admin1"]).post(
        f"/privacy/breaches/{breach.pk}/edit/",
        form(measures_proposed="Không cần", version="1"),
    )
    assert second.status_code == 409
    assert "vừa được người khác cập nhật" in second.content.decode()
    assert Breach.objects.get().measures_proposed == "Mã hoá ổ đĩa mọi máy"


def test_managers_read_the_register_but_do_not_write_it(cast, clock, client_for):
    client_for(cast["auditor1"]).post("/privacy/breaches/new/", form())
    breach = Breach.objects.get()
    manager = client_for(cast["manager1"])
    assert manager.get(f"/privacy/breaches/{breach.pk}/").status_code == 200
    assert manager.get(f"/privacy/breaches/{breach.pk}/edit/").status_code == 403
    assert manager.post("/privacy/breaches/new/", form()).status_code == 403
    assert Breach.objects.count() == 1


def test_case_staff_cannot_open_the_register(cast, client_for):
    for username in ("worker1", "supervisor1", "hotline1"):
        assert client_for(cast[username]).get("/privacy/breaches/").status_code == 403
