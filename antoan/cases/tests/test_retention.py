"""Retention: ``manage.py apply_retention``, legal holds, and what an anonymised case still shows.

A case closed on 16/03/2026 (the services' clock) is kept five years: it is due on 17/03/2031.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from antoan.accounts.models import Agency
from antoan.cases import services
from antoan.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseStageChange,
    FollowUp,
    Incident,
    Perpetrator,
    SafetyPlan,
    SearchToken,
    Survivor,
)
from antoan.cases.selectors import CaseFilters, case_search
from antoan.cases.services.retention import case_legal_hold_set
from antoan.cases.tests.conftest import NAME, close_case, fresh
from antoan.core.crypto import EncryptedTextField
from antoan.core.models import AuditEvent
from antoan.hotline.models import Call
from antoan.referrals.models import Provider, Referral, ServiceDelivery

REOPEN_REASON = "Chị Hòa báo chồng lại đến nhà ở ngõ 12"
CALL_SUMMARY = "Chị Hòa gọi từ nhà mẹ đẻ, chồng là Trần Văn Dũng"
DUE = "2031-03-17"
LAST_DAY_KEPT = "2031-03-16"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def closed_case(cast, open_case, clock):
    """A case with something in every kind of record, reopened once, then closed."""
    worker, supervisor = cast["worker1"], cast["supervisor1"]
    case = open_case(worker)
    services.note_add(case=fresh(case), actor=worker, body="Chị Hòa sợ chồng tìm đến")
    services.safety_plan_add(
        case=fresh(case), actor=worker, content="Ở nhà mẹ đẻ", version=fresh(case).version
    )
    services.follow_up_add(
        case=fresh(case),
        actor=worker,
        done_on=clock.today(),
        method="phone",
        notes="Gọi số 0912 345 678",
        next_due=None,
    )
    hospital = Agency.objects.get(code="bv-da-khoa-tinh")
    provider = Provider.objects.create(agency=hospital, services=["health"])
    Referral.objects.create(
        case=case, provider=provider, from_agency=case.agency, to_agency=hospital,
        service="health", urgency="high", note="Đón chị Hòa ở cổng sau", sent_at=clock(),
        sent_by=worker, due_at=clock(), emergency_override=True,
        override_reason="Chị Hòa không kịp ký đồng ý",
    )  # fmt: skip
    ServiceDelivery.objects.create(
        case=case, service="health", delivered_on=clock.today(), agency=case.agency,
        description="Khám vết thương ở mặt", recorded_by=worker, recorded_at=clock(),
    )  # fmt: skip
    Call.objects.create(
        received_at=clock(), channel="phone", operator=cast["hotline1"], agency=hospital,
        caller_type="survivor", category="dv", summary=CALL_SUMMARY, outcome="case_opened",
        status="closed", closed_at=clock(), case=case,
    )  # fmt: skip
    closed = close_case(case, worker=worker, supervisor=supervisor)
    services.case_reopen(
        case=closed, actor=supervisor, reason=REOPEN_REASON, version=closed.version
    )
    return close_case(case, worker=worker, supervisor=supervisor)


def encrypted_values_of(case: Case) -> list[str]:
    """Every non-empty encrypted value stored for the case, its survivor and their records."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.fields if isinstance(f, EncryptedTextField)]
        if not fields:
            continue
        if model is Survivor:
            rows = model.objects.filter(pk=case.survivor_id)
        elif model is Perpetrator:
            rows = model.objects.filter(incident__case=case)
        elif any(f.name == "case" for f in model._meta.fields):
            rows = model.objects.filter(case=case)
        else:
            continue
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        pks = list(rows.values_list("pk", flat=True))
        if not pks:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {quote(model._meta.db_table)} "  # noqa: S608
                f"WHERE id IN ({', '.join(['%s'] * len(pks))})",
                pks,
            )
            found += [f"{model.__name__}: {v}" for row in cursor.fetchall() for v in row if v]
    return found


def test_a_case_past_its_period_loses_everything_identifying(closed_case, cast):
    assert encrypted_values_of(closed_case)  # there is something to remove
    out = run("--today", DUE)
    assert "Anonymised 1 case(s) of 1 survivor(s)" in out

    case = fresh(closed_case)
    assert case.anonymised_at is not None
    survivor = Survivor.objects.get(pk=case.survivor_id)
    assert (survivor.full_name, survivor.phone, survivor.address, survivor.date_of_birth) == (
        "",
        "",
        "",
        "",
    )
    assert (survivor.name_index, survivor.phone_index) == ("", "")
    assert not SearchToken.objects.filter(survivor=survivor).exists()
    # Kept for the statistics: sex, birth year, commune.
    assert (survivor.sex, survivor.birth_year, survivor.commune.code) == ("female", 1990, "11953")

    # Every encrypted value of the case is gone, except the emergency override's placeholder.
    assert encrypted_values_of(case) == ["Referral: " + _raw_override(case)]
    assert Referral.objects.get(case=case).override_reason == "—"
    assert Call.objects.get(case=case).summary == ""
    assert CaseNote.objects.get(case=case).body == ""
    assert Incident.objects.get(case=case).description == ""
    assert Perpetrator.objects.get(incident__case=case).details == ""
    # The reason typed when reopening is gone from the history tables too.
    assert REOPEN_REASON not in repr(list(CaseEvent.objects.filter(case=case).values("data")))
    assert not CaseStageChange.objects.filter(case=case, reason=REOPEN_REASON).exists()
    assert CaseStageChange.objects.filter(case=case, reason="closure").exists()

    # Nobody finds the survivor by name or phone any more.
    supervisor = cast["supervisor1"]
    assert list(case_search(supervisor, CaseFilters(q="nguyen thi hoa"))) == []
    assert list(case_search(supervisor, CaseFilters(q="0912 345 678"))) == []

    # The audit log keeps the event, with counts and no data.
    event = AuditEvent.objects.get(action="anonymised", object_id=str(case.pk))
    assert event.username == "apply_retention"
    assert event.extra["values_removed"] > 10
    assert event.extra["by_field"]["cases.casenote.body"] == 1
    assert NAME not in repr(event.extra)
    assert "Hòa" not in repr(AuditEvent.objects.values_list("extra", flat=True))


def _raw_override(case: Case) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT override_reason FROM referrals_referral WHERE case_id = %s", [case.pk]
        )
        return cursor.fetchone()[0]


def test_a_second_run_finds_nothing_to_do(closed_case):
    run("--today", DUE)
    stored = encrypted_values_of(fresh(closed_case))
    version = fresh(closed_case).version
    out = run("--today", DUE)
    assert "Anonymised 0 case(s) of 0 survivor(s)" in out
    assert encrypted_values_of(fresh(closed_case)) == stored
    assert fresh(closed_case).version == version
    assert AuditEvent.objects.filter(action="anonymised").count() == 1


def test_a_case_is_kept_until_its_period_is_over(closed_case):
    out = run("--today", LAST_DAY_KEPT)
    assert "Anonymised 0 case(s)" in out
    assert fresh(closed_case).anonymised_at is None
    assert Survivor.objects.get(pk=closed_case.survivor_id).full_name == NAME


def test_the_period_is_a_setting(closed_case, settings):
    settings.ANTOAN_RETENTION_YEARS = 10
    assert "Anonymised 0 case(s)" in run("--today", DUE)
    assert "Anonymised 1 case(s)" in run("--today", "2036-03-17")


def test_a_dry_run_says_what_is_due_and_changes_nothing(closed_case):
    before = encrypted_values_of(closed_case)
    out = run("--dry-run", "--today", DUE)
    assert "1 survivor(s), 1 case(s) closed before 17/03/2026 would be anonymised" in out
    assert encrypted_values_of(fresh(closed_case)) == before
    assert fresh(closed_case).anonymised_at is None


def test_a_day_that_is_not_a_date_is_refused(closed_case):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--today", "17/03/2031")
    assert fresh(closed_case).anonymised_at is None


def test_a_case_on_legal_hold_is_kept(closed_case, cast):
    case_legal_hold_set(
        case=fresh(closed_case), actor=cast["supervisor1"], hold=True, reason="proceedings",
        reference="Công văn 12/CV-CSHS", version=fresh(closed_case).version,
    )  # fmt: skip
    assert "Anonymised 0 case(s)" in run("--today", DUE)
    assert Survivor.objects.get(pk=closed_case.survivor_id).full_name == NAME
    # Lifted: the next run anonymises it.
    case_legal_hold_set(
        case=fresh(closed_case), actor=cast["supervisor1"], hold=False,
        version=fresh(closed_case).version,
    )  # fmt: skip
    assert "Anonymised 1 case(s)" in run("--today", DUE)


def test_a_survivor_with_another_case_still_open_is_kept(closed_case, cast, clock):
    survivor = Survivor.objects.get(pk=closed_case.survivor_id)
    Case.objects.create(
        number="HY-2026-999999", survivor=survivor, agency=closed_case.agency, source="self",
        opened_at=clock(), created_by=cast["worker1"],
    )  # fmt: skip
    assert "Anonymised 0 case(s)" in run("--today", DUE)
    assert fresh(closed_case).anonymised_at is None
    assert Survivor.objects.get(pk=survivor.pk).full_name == NAME


def test_old_calls_that_opened_no_case_lose_their_summary(cast, clock):
    agency = Agency.objects.get(code="ctxh-tinh")
    call = Call.objects.create(
        received_at=clock(), channel="phone", operator=cast["hotline1"], agency=agency,
        caller_type="survivor", category="dv", summary=CALL_SUMMARY,
        outcome="information_given", status="closed", closed_at=clock(),
    )  # fmt: skip
    assert "0 old call summary(ies)" in run("--today", LAST_DAY_KEPT)
    assert Call.objects.get(pk=call.pk).summary == CALL_SUMMARY
    assert "1 old call summary(ies)" in run("--today", DUE)
    assert Call.objects.get(pk=call.pk).summary == ""


# --- What people see -------------------------------------------------------------------------


def test_the_case_page_of_an_anonymised_case_says_so_and_shows_no_identity(
    closed_case, client, cast
):
    run("--today", DUE)
    client.force_login(cast["supervisor1"])
    page = client.get(reverse("cases:detail", args=[closed_case.pk])).content.decode()
    assert "Đã ẩn danh theo thời hạn lưu trữ" in page
    for gone in (NAME, "Bãi Sậy", "Chị Hòa sợ chồng", "Trần Văn Dũng"):
        assert gone not in page
    # Nothing can be added to it, nor can it be reopened.
    assert reverse("cases:note_add", args=[closed_case.pk]) not in page
    assert reverse("cases:reopen", args=[closed_case.pk]) not in page
    response = client.get(reverse("cases:reopen", args=[closed_case.pk]), follow=True)
    assert "Hồ sơ đã được ẩn danh theo thời hạn lưu trữ" in response.content.decode()


def test_no_record_can_be_added_to_an_anonymised_case(closed_case, cast):
    run("--today", DUE)
    with pytest.raises(ValidationError, match="ẩn danh"):
        services.note_add(case=fresh(closed_case), actor=cast["worker1"], body="Ghi chú mới")
    with pytest.raises(ValidationError, match="ẩn danh"):
        services.case_reopen(
            case=fresh(closed_case), actor=cast["supervisor1"], reason="Mở lại",
            version=fresh(closed_case).version,
        )  # fmt: skip
    assert CaseNote.objects.filter(case=closed_case).count() == 1


def test_a_supervisor_puts_a_case_on_legal_hold_from_the_case_page(closed_case, client, cast):
    client.force_login(cast["supervisor1"])
    url = reverse("cases:legal_hold", args=[closed_case.pk])
    page = client.get(reverse("cases:detail", args=[closed_case.pk])).content.decode()
    assert url in page
    assert "Hồ sơ sẽ được ẩn danh từ ngày 17/03/2031" in page

    # Without a reason or a document, nothing changes.
    response = client.post(url, {"version": fresh(closed_case).version})
    assert response.status_code == 200
    assert "Chọn lý do lưu giữ." in response.content.decode()
    assert fresh(closed_case).legal_hold is False

    response = client.post(
        url,
        {
            "version": fresh(closed_case).version,
            "legal_hold_reason": "proceedings",
            "legal_hold_reference": "Công văn 12/CV-CSHS ngày 05/01/2031",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Đã lưu giữ hồ sơ theo yêu cầu pháp lý." in page
    assert "Lưu giữ theo yêu cầu pháp lý: Đang có vụ án, vụ việc được tố tụng" in page
    case = fresh(closed_case)
    assert (case.legal_hold, case.legal_hold_set_by) == (True, cast["supervisor1"])
    event = AuditEvent.objects.filter(action="update", object_id=str(case.pk)).first()
    assert "legal_hold" in event.changed_fields


def test_a_case_worker_may_not_set_a_legal_hold(closed_case, client, cast):
    client.force_login(cast["worker1"])
    url = reverse("cases:legal_hold", args=[closed_case.pk])
    assert url not in client.get(reverse("cases:detail", args=[closed_case.pk])).content.decode()
    response = client.post(
        url,
        {
            "version": fresh(closed_case).version,
            "legal_hold_reason": "proceedings",
            "legal_hold_reference": "CV 12",
        },
    )
    assert response.status_code == 403
    assert fresh(closed_case).legal_hold is False
    assert AuditEvent.objects.filter(action="permission_denied").exists()


def test_a_stale_legal_hold_is_refused(closed_case, cast):
    stale = fresh(closed_case).version
    case_legal_hold_set(
        case=fresh(closed_case), actor=cast["supervisor1"], hold=True,
        reason="proceedings", reference="CV 12", version=stale,
    )  # fmt: skip
    with pytest.raises(services.CaseConflict):
        case_legal_hold_set(
            case=fresh(closed_case), actor=cast["supervisor1"], hold=False, version=stale
        )
    assert fresh(closed_case).legal_hold is True


# --- Nothing else in the case tables can hold files or identifying text -----------------------


def test_no_model_of_a_case_holds_uploaded_files():
    """apply_retention deletes no files because case records have none: adding one must add
    its deletion to the command (docs/privacy/retention.md)."""
    from django.db.models import FileField

    case_apps = {"cases", "hotline", "referrals"}
    with_files = [
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        if model._meta.app_label in case_apps
        for f in model._meta.fields
        if isinstance(f, FileField)
    ]
    assert with_files == []


def test_every_encrypted_field_of_a_case_record_is_anonymised():
    """A new encrypted field on a case's records must be added to what the command blanks."""
    from antoan.cases.services.retention import SURVIVOR_CLEARED, case_text_fields

    handled = {(model, name) for model, _path, names in case_text_fields() for name in names}
    handled |= {(Survivor, name) for name in SURVIVOR_CLEARED}
    from antoan.hotline.models import ContactMessage
    from antoan.hotline.services import CONTACT_TEXT

    handled |= {(Call, name) for name in CONTACT_TEXT}
    handled |= {(ContactMessage, "body")}  # a contact's transcript, blanked with it
    handled |= {
        (Referral, name)
        for name in (
            "note",
            "decline_reason",
            "delivery_description",
            "revoke_reason",
            "override_reason",
        )
    }
    handled |= {(ServiceDelivery, "description")}
    missing = [
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        if model._meta.app_label in {"cases", "hotline", "referrals", "privacy"}
        and model._meta.model_name != "breach"  # the breach register names no survivor
        and model._meta.model_name != "provider"  # the directory: no survivor data
        for f in model._meta.fields
        if isinstance(f, EncryptedTextField) and (model, f.name) not in handled
    ]
    assert missing == []


def test_the_follow_up_and_safety_plan_texts_are_gone(closed_case):
    run("--today", DUE)
    assert FollowUp.objects.get(case=closed_case).notes == ""
    assert SafetyPlan.objects.get(case=closed_case).content == ""


def test_the_retention_period_ends_a_day_after_the_anniversary(closed_case):
    from antoan.cases.services.retention import retention_due_on

    assert retention_due_on(fresh(closed_case)) == dt.date(2031, 3, 17)


def test_who_may_open_the_legal_hold_page(closed_case, client, cast):
    url = reverse("cases:legal_hold", args=[closed_case.pk])
    answers = {}
    for username, user in cast.items():
        client.force_login(user)
        answers[username] = client.get(url).status_code
        client.logout()
    assert answers.pop("supervisor1") == 200
    # The assigned worker sees the case but may not hold it; nobody else learns it exists.
    assert answers.pop("worker1") == 403
    assert set(answers.values()) == {404}, answers
