"""Drafts of the intake and of an assessment: kept on the server for their owner only, given
back on reopening, refused for a case the user may not change, gone once submitted."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from antoan.cases.tests.conftest import fresh
from antoan.cases.tests.test_views_intake import intake_data
from antoan.core.models import AuditEvent, FormDraft

INTAKE = "cases:intake"
TYPED = [
    ["survivor-full_name", "Nguyễn Thị Hòa"],
    ["survivor-phone", "0912 345 678"],
    ["needs", "health"],
    ["needs", "legal"],
    ["csrfmiddlewaretoken", "never kept"],
    ["perpetrators-TOTAL_FORMS", "3"],
]


def draft_url(key: str) -> str:
    return reverse("core:draft", args=[key])


def save(client, key: str, fields=TYPED):
    return client.post(
        draft_url(key), json.dumps({"fields": fields}), content_type="application/json"
    )


def login(cast, name: str) -> Client:
    client = Client()
    client.force_login(cast[name])
    return client


@pytest.fixture
def case_a(cast, open_case):
    return open_case(cast["worker1"])


def assessment_key(case) -> str:
    return f"cases:assessment:{case.pk}"


def test_a_saved_intake_draft_comes_back_to_its_owner_with_the_time(cast, clock):
    worker = login(cast, "worker1")
    response = save(worker, INTAKE)
    assert response.status_code == 200
    assert response.json()["status"].startswith("Đã lưu nháp lúc")

    answer = worker.get(draft_url(INTAKE))
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    data = answer.json()
    # The token and the formset's bookkeeping are the page's own, never restored.
    assert data["fields"] == [
        ["survivor-full_name", "Nguyễn Thị Hòa"],
        ["survivor-phone", "0912 345 678"],
        ["needs", "health"],
        ["needs", "legal"],
    ]
    saved = timezone.localtime(FormDraft.objects.get().updated_at)
    assert data["notice"] == f"Đã khôi phục bản nháp lưu lúc {saved:%H:%M %d/%m/%Y}."
    assert data["discard"] == "Bỏ bản nháp"


def test_saving_again_keeps_one_draft_with_the_latest_text(cast, clock):
    worker = login(cast, "worker1")
    save(worker, INTAKE)
    save(worker, INTAKE, [["survivor-full_name", "Lý Thị Sen"]])
    assert FormDraft.objects.count() == 1
    assert worker.get(draft_url(INTAKE)).json()["fields"] == [["survivor-full_name", "Lý Thị Sen"]]


def test_the_draft_is_encrypted_at_rest(cast, clock):
    save(login(cast, "worker1"), INTAKE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM core_formdraft")
        (stored,) = cursor.fetchone()
    assert "Hòa" not in stored and "0912" not in stored


@pytest.mark.parametrize("other", ["supervisor1", "worker2"])
def test_another_user_never_gets_someone_elses_draft(cast, clock, other):
    save(login(cast, "worker1"), INTAKE)
    response = login(cast, other).get(draft_url(INTAKE))
    assert response.status_code == 204
    assert response.content == b""


def test_a_user_who_may_not_open_cases_keeps_no_intake_draft(cast, clock):
    reporter = login(cast, "reporter1")
    assert save(reporter, INTAKE).status_code == 404
    assert reporter.get(draft_url(INTAKE)).status_code == 404
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize("key", ["cases:nothing", "cases:intake:5", "x", "cases:assessment:abc"])
def test_an_unknown_form_is_not_found(cast, clock, key):
    assert save(login(cast, "worker1"), key).status_code == 404
    assert not FormDraft.objects.exists()


def test_signed_out_nothing_is_saved(clock, cast):
    response = save(Client(), INTAKE)
    assert response.status_code == 302
    assert not FormDraft.objects.exists()


def test_saving_needs_the_csrf_token(cast, clock):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["worker1"])
    assert save(client, INTAKE).status_code == 403
    assert not FormDraft.objects.exists()


def test_a_malformed_draft_is_refused(cast, clock):
    worker = login(cast, "worker1")
    bad = worker.post(
        draft_url(INTAKE), json.dumps({"fields": [["a", 1]]}), content_type="application/json"
    )
    assert bad.status_code == 400
    assert worker.post(draft_url(INTAKE), "{", content_type="application/json").status_code == 400
    too_many = [["f", "x"]] * 1000
    assert save(worker, INTAKE, too_many).status_code == 400
    assert not FormDraft.objects.exists()


def test_discarding_deletes_the_draft(cast, clock):
    worker = login(cast, "worker1")
    save(worker, INTAKE)
    response = worker.post(
        draft_url(INTAKE), json.dumps({"discard": True}), content_type="application/json"
    )
    assert response.json()["status"] == "Đã bỏ bản nháp."
    assert worker.get(draft_url(INTAKE)).status_code == 204


def test_the_intake_page_keeps_a_draft_and_the_hotlines_does_not(cast, clock):
    worker = login(cast, "worker1")
    page = worker.get(reverse("cases:intake")).content.decode()
    assert f'data-draft-url="{draft_url(INTAKE)}" data-draft-restore="1"' in page
    assert "js/drafts.js" in page
    # Shown again after a refused submission: what was typed is on the page, nothing to restore.
    refused = worker.post(
        reverse("cases:intake"), intake_data(clock.today(), **{"survivor-full_name": ""})
    )
    assert 'data-draft-restore="0"' in refused.content.decode()


def test_a_successful_intake_deletes_the_draft(cast, clock):
    worker = login(cast, "worker1")
    save(worker, INTAKE)
    response = worker.post(reverse("cases:intake"), intake_data(clock.today()))
    assert response.status_code == 302
    assert not FormDraft.objects.exists()


def test_a_refused_intake_keeps_the_draft(cast, clock):
    worker = login(cast, "worker1")
    save(worker, INTAKE)
    worker.post(reverse("cases:intake"), intake_data(clock.today(), **{"survivor-full_name": ""}))
    assert FormDraft.objects.count() == 1


# --- The assessment of one case ---------------------------------------------------------------


def test_the_case_worker_keeps_an_assessment_draft_of_their_case(cast, clock, case_a):
    worker = login(cast, "worker1")
    page = worker.get(reverse("cases:assessment_add", args=[case_a.pk])).content.decode()
    assert f'data-draft-url="{draft_url(assessment_key(case_a))}"' in page
    notes = [["notes", "Chồng đe doạ"], ["answers", "weapon"]]
    assert save(worker, assessment_key(case_a), notes).status_code == 200
    assert worker.get(draft_url(assessment_key(case_a))).json()["fields"] == notes


def test_another_agencys_case_assessment_draft_is_refused(cast, clock, case_a):
    other = login(cast, "worker2")
    assert save(other, assessment_key(case_a)).status_code == 404
    assert other.get(draft_url(assessment_key(case_a))).status_code == 404
    assert not FormDraft.objects.exists()


def test_a_user_who_may_see_but_not_change_the_case_keeps_no_assessment_draft(
    cast, clock, open_case
):
    # worker1's colleague at the same agency, not assigned: may not edit another's case.
    case = open_case(cast["supervisor1"])
    worker = login(cast, "worker1")
    assert save(worker, assessment_key(case)).status_code == 404
    assert not FormDraft.objects.exists()


def test_an_assessment_draft_is_not_read_back_once_the_case_moves_away(cast, clock, case_a):
    worker = login(cast, "worker1")
    save(worker, assessment_key(case_a))
    # The draft stays in the table until purged, but the check runs on every read.
    from antoan.cases.models import Case

    Case.objects.filter(pk=case_a.pk).update(assigned_to=cast["supervisor1"])
    assert worker.get(draft_url(assessment_key(case_a))).status_code == 404


def test_a_saved_assessment_deletes_its_draft(cast, clock, case_a):
    worker = login(cast, "worker1")
    save(worker, assessment_key(case_a))
    response = worker.post(
        reverse("cases:assessment_add", args=[case_a.pk]),
        {"version": fresh(case_a).version, "answers": ["weapon"], "needs": ["safety"]},
    )
    assert response.status_code == 302
    assert not FormDraft.objects.exists()


def test_case_drafts_are_audited_without_what_was_typed(cast, clock, case_a):
    worker = login(cast, "worker1")
    before = AuditEvent.objects.count()
    save(worker, assessment_key(case_a), [["notes", "Chồng đe doạ"]])
    save(worker, assessment_key(case_a), [["notes", "Chồng đe doạ giết"]])
    worker.get(draft_url(assessment_key(case_a)))
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.extra.get("step")) for e in events] == [
        ("create", "form_draft", "saved"),
        ("view", "form_draft", "restored"),
    ]
    assert all(e.extra["case"] == case_a.pk for e in events)
    assert "đe doạ" not in json.dumps([e.extra for e in events], ensure_ascii=False)


# --- Retention --------------------------------------------------------------------------------


def test_old_drafts_are_purged_and_not_restored(cast, clock, settings):
    settings.ANTOAN_DRAFT_RETENTION_DAYS = 7
    worker = login(cast, "worker1")
    save(worker, INTAKE)
    save(login(cast, "supervisor1"), INTAKE)
    old = timezone.now() - dt.timedelta(days=8)
    FormDraft.objects.filter(owner=cast["worker1"]).update(updated_at=old)

    assert worker.get(draft_url(INTAKE)).status_code == 204  # too old to offer back
    call_command("purge_form_drafts", stdout=io.StringIO())
    assert list(FormDraft.objects.values_list("owner__username", flat=True)) == ["supervisor1"]


def test_apply_retention_purges_old_drafts_too(cast, clock, settings):
    settings.ANTOAN_DRAFT_RETENTION_DAYS = 2
    save(login(cast, "worker1"), INTAKE)
    FormDraft.objects.update(updated_at=timezone.now() - dt.timedelta(days=3))
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Deleted 1 old form draft(s)." in out.getvalue()
    assert not FormDraft.objects.exists()
