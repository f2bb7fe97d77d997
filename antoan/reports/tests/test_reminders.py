"""Reminders of the due date (10/12/2025 for plan 64's 2025 cycle): 14, 7, 3 and 1 days before
and once overdue, each once per reporter, none once the agency has submitted; in the app and
by email after the transaction commits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from antoan.reports import reminders, services
from antoan.reports.models import Reminder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]

DUE = dt.date(2025, 12, 10)


@pytest.fixture
def reporters(cast, reporter2):
    """The reporters of Phố Hiến and Trần Hưng Đạo, with email addresses."""
    for user, email in ((cast["reporter1"], "mai@phohien.example"), (reporter2, "duc@thd.example")):
        user.email = email
        user.save(update_fields=["email"])
    return cast["reporter1"], reporter2


def run(day: dt.date, capture):
    with capture(execute=True):
        return reminders.reminders_send(today=day)


@pytest.mark.parametrize(
    ("days_before", "kind"), [(14, "d14"), (7, "d7"), (3, "d3"), (1, "d1"), (-1, "overdue")]
)
def test_each_reminder_goes_once_to_each_reporter(
    cycle2025,
    reporters,
    mailoutbox,
    django_capture_on_commit_callbacks,
    days_before,
    kind,
):
    day = DUE - dt.timedelta(days=days_before)
    first = run(day, django_capture_on_commit_callbacks)
    assert first.reminders == 2 and first.emails == 2
    sent = Reminder.objects.filter(cycle=cycle2025)
    assert {(r.user.username, r.kind) for r in sent} == {
        ("reporter1", kind),
        ("reporter2", kind),
    }
    # One message each: agencies do not see each other's addresses.
    assert sorted(m.to[0] for m in mailoutbox) == ["duc@thd.example", "mai@phohien.example"]
    assert all(len(m.to) == 1 for m in mailoutbox)
    mail = next(m for m in mailoutbox if m.to == ["mai@phohien.example"])
    assert "Ủy ban nhân dân phường Phố Hiến" in mail.body
    assert "10/12/2025" in mail.body
    assert f"/reports/cycles/{cycle2025.pk}/" in mail.body
    if kind == "overdue":
        assert "đã quá hạn" in mail.subject
    else:
        assert "hạn nộp 10/12/2025" in mail.subject
    # The hourly job runs again the same day (and the next): nothing more.
    for _hour in range(3):
        again = run(day, django_capture_on_commit_callbacks)
        assert (again.reminders, again.emails) == (0, 0)
    assert Reminder.objects.filter(cycle=cycle2025).count() == 2
    assert len(mailoutbox) == 2


def test_days_between_reminders_send_nothing(cycle2025, reporters):
    for days_before in (20, 15, 12, 10, 9, 8, 5, 4):
        assert reminders.reminders_send(today=DUE - dt.timedelta(days=days_before)).reminders == 0
    assert not Reminder.objects.exists()
    # Long after the due date the coordinator chases by hand.
    assert reminders.reminders_send(today=DUE + dt.timedelta(days=61)).reminders == 0


def test_a_day_the_job_missed_is_caught_up_the_day_after(cycle2025, reporters):
    reminders.reminders_send(today=DUE - dt.timedelta(days=13))
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"d14"}


def test_a_cycle_starting_ten_days_ahead_sends_one_reminder_the_seven_day_one(
    cycle2025, reporters, mailoutbox, django_capture_on_commit_callbacks
):
    """From 10 days before the due date to 7 days before, one message: the 7-day one (not a
    late "14 days left" on the first run)."""
    for days_before in (10, 9, 8, 7):
        run(DUE - dt.timedelta(days=days_before), django_capture_on_commit_callbacks)
    reporter1_mails = [m for m in mailoutbox if m.to == ["mai@phohien.example"]]
    assert len(reporter1_mails) == 1
    assert set(Reminder.objects.filter(user=reporters[0]).values_list("kind", flat=True)) == {"d7"}


def test_the_whole_run_up_to_the_due_date(cycle2025, reporters):
    for days_before in range(20, -3, -1):
        reminders.reminders_send(today=DUE - dt.timedelta(days=days_before))
    kinds = list(
        Reminder.objects.filter(user=reporters[0]).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["d14", "d7", "d3", "d1", "overdue"]


def test_no_reminder_once_submitted_but_one_when_returned(
    cast, cycle2025, reporters, draft, write_all, clock
):
    clock.at(2025, 11, 20)
    sub = write_all(draft, cast["reporter1"])
    sub = services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    reminders.reminders_send(today=DUE - dt.timedelta(days=14))
    assert set(Reminder.objects.values_list("user__username", flat=True)) == {"reporter2"}
    services.submission_return(
        actor=cast["coordinator1"], submission=sub, version=sub.version, reason="Bổ sung"
    )
    reminders.reminders_send(today=DUE - dt.timedelta(days=7))
    assert set(Reminder.objects.filter(kind="d7").values_list("user__username", flat=True)) == {
        "reporter1",
        "reporter2",
    }


def test_a_draft_is_still_reminded(cast, cycle2025, reporters, draft):
    reminders.reminders_send(today=DUE - dt.timedelta(days=3))
    assert Reminder.objects.filter(user=cast["reporter1"], kind="d3").exists()


def test_no_email_before_the_commit(
    cycle2025, reporters, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.reminders_send(today=DUE - dt.timedelta(days=1))
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert Reminder.objects.count() == 2


def test_the_reminder_is_shown_on_the_reports_page_until_submitted(
    cast, cycle2025, reporters, client_for, write_all, clock
):
    reminders.reminders_send(today=DUE - dt.timedelta(days=7))
    client = client_for(cast["reporter1"])
    page = client.get("/reports/").content.decode()
    assert 'data-testid="report-reminders"' in page
    assert "Báo cáo năm 2025 của Ủy ban nhân dân phường Phố Hiến: hạn nộp 10/12/2025." in page
    # Not someone else's reminder.
    assert "Trần Hưng Đạo: hạn nộp" not in page

    clock.at(2025, 12, 5)
    sub, _ = services.submission_open(
        actor=cast["reporter1"],
        cycle=cycle2025,
        agency=cycle2025.agencies.get(code="ubnd-pho-hien"),
    )
    sub = write_all(sub, cast["reporter1"])
    services.submission_submit(actor=cast["reporter1"], submission=sub, version=sub.version)
    page = client.get("/reports/").content.decode()
    assert 'data-testid="report-reminders"' not in page


def test_the_board_names_the_reminders_sent(cast, cycle2025, reporters, client_for):
    reminders.reminders_send(today=DUE - dt.timedelta(days=14))
    page = client_for(cast["coordinator1"]).get(f"/reports/cycles/{cycle2025.pk}/")
    assert "Còn 14 ngày" in page.content.decode()


def test_the_command(cycle2025, reporters, mailoutbox, django_capture_on_commit_callbacks):
    from io import StringIO

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_report_reminders", "--now", "--today", "2025-12-09", stdout=out)
    assert "Report reminders: 2 for 1 cycle(s), 2 email(s)." in out.getvalue()
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"d1"}
    assert len(mailoutbox) == 2
    out = StringIO()
    call_command("send_report_reminders", "--now", "--today", "2025-12-09", stdout=out)
    assert "Report reminders: 0 for 0 cycle(s), 0 email(s)." in out.getvalue()
