# ruff: noqa: F811 - pytest fixtures imported from the case tests are redefined as parameters
"""The database goes away in the middle of saving: a clear Vietnamese page, nothing half
written, and the same form succeeds once the database answers again (PostgreSQL)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import close_old_connections, connection
from django.db.models.signals import post_save
from django.test import Client

from antoan.cases.models import Case, Consent, Incident, Survivor
from antoan.cases.tests.conftest import clock, open_case, open_result  # noqa: F401 - fixtures
from antoan.cases.tests.test_views_intake import intake_data
from antoan.core.audit import audit_verify
from antoan.referrals.models import Referral
from antoan.referrals.tests.conftest import providers  # noqa: F401 - fixture

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@contextmanager
def connection_cut_after_saving(model):
    """Kill this process's database connection right after ``model``'s row is written, inside
    the request's transaction, as a database restart or a network cut would."""

    def cut(sender, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    post_save.connect(cut, sender=model, weak=False, dispatch_uid="outage-test")
    try:
        yield
    finally:
        post_save.disconnect(sender=model, dispatch_uid="outage-test")
        # What Django's request handler does at the end of every request (the test client
        # does not): drop a connection that broke, so the next query opens a new one.
        close_old_connections()


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _assert_outage_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Tạm thời gián đoạn" in page
    assert "Thao tác vừa rồi chưa được lưu" in page


def _counts():
    return [m.objects.count() for m in (Case, Survivor, Incident, Consent, Referral)]


def test_opening_a_case_when_the_connection_is_cut_writes_nothing_and_can_be_sent_again(
    cast, clock
):
    worker = _client(cast["worker1"])
    data = intake_data(clock.today())
    before = _counts()
    with connection_cut_after_saving(Case):
        _assert_outage_page(worker.post("/cases/new/", data))
    assert _counts() == before
    # The same form, sent again: one case, as if the first attempt had never happened.
    response = worker.post("/cases/new/", data)
    assert response.status_code == 302
    assert Case.objects.count() == before[0] + 1
    assert audit_verify().ok


def test_sending_a_referral_when_the_connection_is_cut_writes_nothing(
    cast, clock, open_case, providers
):
    case = open_case(cast["worker1"], needs=["health", "legal"])
    worker = _client(cast["worker1"])
    form = {"provider": providers["bv-da-khoa-tinh"].pk, "service": "health", "urgency": "high"}
    with connection_cut_after_saving(Referral):
        _assert_outage_page(worker.post(f"/referrals/cases/{case.pk}/new/", form))
    assert case.referrals.count() == 0
    assert worker.post(f"/referrals/cases/{case.pk}/new/", form).status_code == 302
    assert case.referrals.get().status == "sent"
    assert audit_verify().ok


def test_while_the_database_is_down_pages_and_api_answer_503_then_recover(cast, database_outage):
    worker = _client(cast["worker1"])
    with database_outage():
        page = worker.get("/cases/mine/")
        api = worker.get("/api/v1/cases")
    _assert_outage_page(page)
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "database_unavailable"
    assert worker.get("/cases/mine/").status_code == 200


def test_an_import_job_cut_mid_way_is_queued_again_and_finished_once(cast, client_for, plan64):
    """The worker's connection dies at the 5th activity of 40: the import (one transaction) is
    rolled back, the job goes back to the queue by itself, and the next run imports every row
    exactly once."""
    import datetime as dt

    from django_tasks_db.models import DBTaskResult

    from antoan.jobs.models import Job, JobStatus
    from antoan.jobs.tests.test_import_job import post, rows
    from antoan.jobs.worker import run_pending
    from antoan.programme.models import Activity
    from antoan.programme.tests.test_excel_import import fill, template

    reporter = client_for(cast["reporter1"])
    post(reporter, plan64, fill(template(reporter, "communication", plan64), rows(40)))
    saved = []

    def cut_at_the_fifth(sender, **kwargs):
        saved.append(1)
        if len(saved) == 5:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    post_save.connect(cut_at_the_fifth, sender=Activity, weak=False, dispatch_uid="cut-import")
    try:
        assert run_pending() == 1
    finally:
        post_save.disconnect(sender=Activity, dispatch_uid="cut-import")
        close_old_connections()
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert Activity.objects.count() == 0  # nothing half imported
    # The retry waits a little (the database may still be restarting).
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > retry.enqueued_at + dt.timedelta(seconds=20)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=retry.enqueued_at)
    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert Activity.objects.count() == 40
    assert len(set(Activity.objects.values_list("title", flat=True))) == 40
    assert audit_verify().ok
