"""The reporting pages as people use them: reporter1 writes and submits Phố Hiến's 2025 report,
coordinator1 follows the board, returns and accepts; the refusals others get."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from antoan.core.models import AuditEvent
from antoan.reports import services
from antoan.reports.forms import SubmissionForm
from antoan.reports.models import Submission

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def form_data(sub: Submission, action: str = "save", **changes) -> dict[str, str]:
    """What the page's form posts as it was rendered, with ``changes`` typed over it."""
    form = SubmissionForm(submission=sub)
    data = {name: "" if f.initial is None else str(f.initial) for name, f in form.fields.items()}
    data.update({k: str(v) for k, v in changes.items()})
    data["action"] = action
    return data


def written(sub: Submission, text: str = "Đã thực hiện theo kế hoạch.") -> dict[str, str]:
    return {f"n__{s['key']}": text for s in SubmissionForm(submission=sub).sections}


def html_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def text_of(response) -> str:
    """The page's text, without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(
        " :", ":"
    )


def test_the_reporter_writes_and_submits_the_report(
    cast, cycle2025, agencies, client_for, record, clock
):
    record()  # a community meeting of 40 people on 10/11/2025
    clock.at(2025, 12, 5)
    client = client_for(cast["reporter1"])
    page = text_of(client.get(f"/reports/cycles/{cycle2025.pk}/"))
    assert "Báo cáo năm 2025 – Kế hoạch 64/KH-UBND" in page
    assert "Số liệu từ 01/12/2024 đến 30/11/2025 · Hạn nộp 10/12/2025" in page
    assert "Bắt đầu báo cáo" in page

    response = client.post(
        f"/reports/cycles/{cycle2025.pk}/open/", {"agency": agencies["ubnd-pho-hien"].pk}
    )
    sub = Submission.objects.get(cycle=cycle2025, agency=agencies["ubnd-pho-hien"])
    assert response.status_code == 302 and response.url == f"/reports/submissions/{sub.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200
    html = html_of(page)
    # Pre-filled from the records: one communication activity, 40 people, 25 women.
    assert 'name="f__activities__communication__count" value="1"' in html
    assert 'name="f__activities__communication__participants" value="40"' in html
    assert 'name="f__activities__communication__female" value="25"' in html

    # Saving: the narratives and a number that is not the records'.
    data = form_data(sub, **written(sub), f__activities__communication__participants=55)
    response = client.post(response.url, data)
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.narratives["difficulties"] == "Đã thực hiện theo kế hoạch."
    assert sub.figures["activities"]["communication"]["participants"] == 55
    html = text_of(client.get(f"/reports/submissions/{sub.pk}/"))
    assert "Đã lưu bản báo cáo." in html
    assert "Đã ghi nhận 40, chênh +15" in html
    assert "Có 1 số khác với số liệu đã ghi nhận" in html

    # Submitting.
    response = client.post(f"/reports/submissions/{sub.pk}/", form_data(sub, "submit"))
    assert response.status_code == 302
    sub.refresh_from_db()
    assert (sub.status, sub.late) == ("submitted", False)
    response = client.get(f"/reports/submissions/{sub.pk}/")
    html = text_of(response)
    assert "Đã nộp báo cáo. Cơ quan chủ trì sẽ xem xét và tiếp nhận." in html
    assert 'data-testid="submission-form"' not in html_of(response)
    # The numbers stay visible, with their difference, read-only.
    assert "Đã ghi nhận 40, chênh +15" in html


def test_submitting_with_empty_sections_names_them(cast, draft, client_for):
    client = client_for(cast["reporter1"])
    response = client.post(f"/reports/submissions/{draft.pk}/", form_data(draft, "submit"))
    assert response.status_code == 400
    html = text_of(response)
    assert "Hãy viết các mục còn trống trước khi nộp" in html
    assert "Khó khăn, vướng mắc" in html
    assert Submission.objects.get(pk=draft.pk).status == "draft"


def test_a_late_submission_says_so(cast, draft, client_for):
    """Today (3/12/2026, real clock) is long past the due date 10/12/2025."""
    client = client_for(cast["reporter1"])
    html = text_of(client.get(f"/reports/submissions/{draft.pk}/"))
    assert "Đã quá hạn nộp." in html
    client.post(f"/reports/submissions/{draft.pk}/", form_data(draft, "submit", **written(draft)))
    draft.refresh_from_db()
    assert (draft.status, draft.late) == ("submitted", True)
    html = text_of(client.get(f"/reports/submissions/{draft.pk}/"))
    assert "Đã nộp báo cáo (nộp muộn so với hạn 10/12/2025)." in html


def test_a_concurrent_edit_is_refused_and_keeps_what_was_typed(cast, draft, client_for):
    client = client_for(cast["reporter1"])
    first = form_data(draft, **written(draft, "Bản của người thứ nhất"))
    second = form_data(draft, **written(draft, "Bản của người thứ hai, viết cùng lúc"))
    assert client.post(f"/reports/submissions/{draft.pk}/", first).status_code == 302
    response = client.post(f"/reports/submissions/{draft.pk}/", second)
    assert response.status_code == 409
    html = html_of(response)
    assert "Báo cáo này vừa được người khác lưu hoặc chuyển tình trạng." in html
    assert "Bản của người thứ hai, viết cùng lúc" in html
    # Against the newest version: posting the page again saves it.
    fresh = Submission.objects.get(pk=draft.pk)
    assert fresh.narratives["difficulties"] == "Bản của người thứ nhất"
    assert f'name="version" value="{fresh.version}"' in html


def test_the_coordinators_board(cast, cycle2025, agencies, client_for, reporter2, write_all, clock):
    clock.at(2025, 12, 5)
    pho_hien, _ = services.submission_open(
        actor=cast["reporter1"], cycle=cycle2025, agency=agencies["ubnd-pho-hien"]
    )
    pho_hien = write_all(pho_hien, cast["reporter1"])
    services.submission_submit(
        actor=cast["reporter1"], submission=pho_hien, version=pho_hien.version
    )
    thd, _ = services.submission_open(
        actor=reporter2, cycle=cycle2025, agency=agencies["ubnd-tran-hung-dao"]
    )
    thd = write_all(thd, reporter2)
    clock.at(2025, 12, 12)
    services.submission_submit(actor=reporter2, submission=thd, version=thd.version)
    expected = cycle2025.agencies.count()

    client = client_for(cast["coordinator1"])
    response = client.get(f"/reports/cycles/{cycle2025.pk}/")
    assert response.status_code == 200
    html = html_of(response)
    assert f"Tất cả ({expected})" in html
    assert "Nộp đúng hạn (1)" in html
    assert "Nộp muộn (1)" in html
    assert "Bị trả lại (0)" in html
    assert f"Chưa có báo cáo ({expected - 2})" in html
    assert html.count('<tr data-state="') == expected
    # Filtered by state.
    html = html_of(client.get(f"/reports/cycles/{cycle2025.pk}/?state=late"))
    assert html.count('<tr data-state="late"') == 1
    assert html.count('<tr data-state="') == 1
    assert "Ủy ban nhân dân phường Trần Hưng Đạo" in html
    html = html_of(client.get(f"/reports/cycles/{cycle2025.pk}/?state=missing"))
    assert html.count('<tr data-state="missing"') == expected - 2
    # An unknown state shows everything.
    html = html_of(client.get(f"/reports/cycles/{cycle2025.pk}/?state=<b>"))
    assert html.count('<tr data-state="') == expected
    assert AuditEvent.objects.filter(object_type="reports.cycle", action="list").exists()


def test_the_coordinator_returns_then_accepts(cast, submitted, client_for):
    client = client_for(cast["coordinator1"])
    url = f"/reports/submissions/{submitted.pk}/"
    html = html_of(client.get(url))
    assert 'data-testid="review"' in html
    empty = client.post(url, {"action": "return", "reason": "  ", "version": submitted.version})
    assert empty.status_code == 400
    assert "Trường này là bắt buộc." in text_of(empty) or "Hãy ghi lý do" in text_of(empty)
    assert Submission.objects.get(pk=submitted.pk).status == "submitted"

    response = client.post(
        url,
        {"action": "return", "reason": "Bổ sung số liệu tháng 11", "version": submitted.version},
    )
    assert response.status_code == 302
    sub = Submission.objects.get(pk=submitted.pk)
    assert (sub.status, sub.return_reason) == ("returned", "Bổ sung số liệu tháng 11")
    assert "Đã trả lại báo cáo cho Ủy ban nhân dân phường Phố Hiến." in text_of(client.get(url))

    # The reporter sees the reason and resubmits.
    reporter = client_for(cast["reporter1"])
    html = text_of(reporter.get(url))
    assert "Cơ quan chủ trì trả lại báo cáo: Bổ sung số liệu tháng 11" in html
    assert "Nộp lại báo cáo" in html
    assert reporter.post(url, form_data(sub, "submit")).status_code == 302
    sub.refresh_from_db()
    assert sub.status == "resubmitted"

    coordinator = client_for(cast["coordinator1"])
    response = coordinator.post(url, {"action": "accept", "version": sub.version})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "accepted"
    html = html_of(coordinator.get(url))
    assert "Đã tiếp nhận báo cáo." in html
    assert 'data-testid="review"' not in html


def test_an_empty_return_reason_is_explained(cast, submitted, client_for):
    """The form requires a reason; whitespace alone is refused with the service's message."""
    client = client_for(cast["coordinator1"])
    response = client.post(
        f"/reports/submissions/{submitted.pk}/",
        {"action": "return", "reason": "", "version": submitted.version},
    )
    assert response.status_code == 400
    assert 'data-testid="return-form"' in html_of(response)


def test_a_reporter_cannot_accept_through_the_page(cast, submitted, client_for):
    client = client_for(cast["reporter1"])
    response = client.post(
        f"/reports/submissions/{submitted.pk}/", {"action": "accept", "version": submitted.version}
    )
    assert response.status_code == 403
    assert Submission.objects.get(pk=submitted.pk).status == "submitted"


def test_another_agencys_reporter_gets_404(cast, draft, client_for, reporter2):
    client = client_for(reporter2)
    assert client.get(f"/reports/submissions/{draft.pk}/").status_code == 404
    response = client.post(f"/reports/submissions/{draft.pk}/", form_data(draft, **written(draft)))
    assert response.status_code == 404
    assert Submission.objects.get(pk=draft.pk).narratives == {}
    # Nor can they open Phố Hiến's report from the cycle page.
    response = client.post(f"/reports/cycles/{draft.cycle_id}/open/", {"agency": draft.agency_id})
    assert response.status_code == 403


def test_a_draft_is_hidden_from_leaders_and_analysts_until_submitted(cast, draft, client_for):
    assert client_for(cast["analyst1"]).get(f"/reports/submissions/{draft.pk}/").status_code == 404
    assert client_for(cast["worker1"]).get(f"/reports/submissions/{draft.pk}/").status_code == 403


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_attachments_are_checked_downloaded_with_an_audit_and_hidden_from_others(
    cast, draft, client_for, media, reporter2
):
    client = client_for(cast["reporter1"])
    url = f"/reports/submissions/{draft.pk}/"
    bad = client.post(
        url, {"action": "attach", "file": SimpleUploadedFile("bao-cao.pdf", b"khong phai pdf")}
    )
    assert bad.status_code == 400
    assert "Nội dung tệp không phải là loại được nhận" in text_of(bad)
    assert not draft.attachments.exists()

    good = client.post(
        url, {"action": "attach", "file": SimpleUploadedFile("Báo cáo.pdf", pdf_bytes())}
    )
    assert good.status_code == 302
    attachment = draft.attachments.get()
    response = client.get(f"/reports/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.filter(object_type="reports.attachment").get()
    assert (event.action, event.object_id, event.username) == (
        "export",
        str(attachment.pk),
        "reporter1",
    )
    other = client_for(reporter2).get(f"/reports/attachments/{attachment.pk}/")
    assert other.status_code == 404
    events = AuditEvent.objects.filter(object_type="reports.attachment", object_id=attachment.pk)
    assert sorted(events.values_list("action", "username")) == [
        ("export", "reporter1"),
        ("permission_denied", "reporter2"),
    ]
    assert client_for(reporter2).get("/reports/attachments/987654/").status_code == 404


def test_the_reports_home_lists_the_cycles(cast, cycles, client_for, draft):
    html = html_of(client_for(cast["reporter1"]).get("/reports/"))
    assert "Kế hoạch 64/KH-UBND (2021 - 2025)" in html
    for year in range(2021, 2026):
        assert f'data-year="{year}"' in html
    assert "Đang soạn" in html


def test_the_old_yearly_report_page_moved(cast, client_for):
    response = client_for(cast["reporter1"]).get("/programme/reports/")
    assert response.status_code == 302
    assert response.url == "/reports/"


def test_the_cycle_editor_refuses_removing_a_written_section(cast, draft, client_for):
    services.submission_save(
        actor=cast["reporter1"],
        submission=draft,
        version=draft.version,
        narratives={"difficulties": "Thiếu kinh phí"},
    )
    cycle = draft.cycle
    cycle.refresh_from_db()
    from antoan.reports.template import sections_of

    lines = [s["title"] for s in sections_of(cycle.template) if s["key"] != "difficulties"]
    client = client_for(cast["coordinator1"])
    assert client.get(f"/reports/cycles/{cycle.pk}/edit/").status_code == 200
    response = client.post(
        f"/reports/cycles/{cycle.pk}/edit/",
        {
            "period_start": "01/12/2024",
            "period_end": "30/11/2025",
            "due_date": "10/12/2025",
            "sections": "\n".join(lines),
            "version": cycle.version,
        },
    )
    assert response.status_code == 400
    assert "Không bỏ được mục đã có cơ quan viết nội dung: Khó khăn, vướng mắc." in text_of(
        response
    )
    assert client_for(cast["reporter1"]).get(f"/reports/cycles/{cycle.pk}/edit/").status_code == 403


def test_an_emptied_number_keeps_the_recorded_figure(cast, cycle2025, agencies, client_for, record):
    """Clearing a cell is no claim against the records: it takes their figure, no difference."""
    record()
    client = client_for(cast["reporter1"])
    client.post(f"/reports/cycles/{cycle2025.pk}/open/", {"agency": agencies["ubnd-pho-hien"].pk})
    sub = Submission.objects.get(cycle=cycle2025, agency=agencies["ubnd-pho-hien"])
    data = form_data(sub, f__activities__communication__participants="")
    assert client.post(f"/reports/submissions/{sub.pk}/", data).status_code == 302
    sub.refresh_from_db()
    assert sub.figures["activities"]["communication"]["participants"] == 40
    assert 'data-testid="difference"' not in html_of(client.get(f"/reports/submissions/{sub.pk}/"))


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"action": "accept", "version": "abc"}, 302),  # stale: a message, nothing changed
        ({"action": "refresh", "version": "1e9"}, 302),
        ({"action": "detach", "attachment": "x'"}, 404),
    ],
)
def test_a_tampered_form_is_refused_not_a_server_error(cast, submitted, client_for, data, status):
    before = Submission.objects.get(pk=submitted.pk)
    client = client_for(cast["coordinator1"] if data["action"] == "accept" else cast["reporter1"])
    response = client.post(f"/reports/submissions/{submitted.pk}/", data)
    assert response.status_code == status
    after = Submission.objects.get(pk=submitted.pk)
    assert (after.status, after.version) == (before.status, before.version)


def test_opening_a_report_for_a_tampered_agency_is_refused(cast, cycle2025, client_for):
    client = client_for(cast["reporter1"])
    response = client.post(f"/reports/cycles/{cycle2025.pk}/open/", {"agency": "1 OR 1=1"})
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_renaming_a_section_on_the_edit_page_keeps_what_was_written(
    cast, client_for, draft, write_all
):
    write_all(draft, cast["reporter1"], text="Nội dung đã viết.")
    cycle = draft.cycle
    client = client_for(cast["coordinator1"])
    titles = [s["title"] for s in cycle.template["sections"]]
    titles[-1] = "Nhiệm vụ trọng tâm năm sau"
    response = client.post(
        f"/reports/cycles/{cycle.pk}/edit/",
        {
            "period_start": cycle.period_start.strftime("%d/%m/%Y"),
            "period_end": cycle.period_end.strftime("%d/%m/%Y"),
            "due_date": cycle.due_date.strftime("%d/%m/%Y"),
            "sections": "\n".join(titles),
            "version": cycle.version,
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    last = cycle.template["sections"][-1]
    assert (last["key"], last["title"]) == ("next_year", "Nhiệm vụ trọng tâm năm sau")
    page = text_of(client.get(f"/reports/submissions/{draft.pk}/"))
    assert "Nhiệm vụ trọng tâm năm sau" in page
