# ruff: noqa: F811 - pytest fixtures imported from the case tests are parameters
"""The auditor searches the log as people speak of things: a case by the number on its page,
objects by their Vietnamese names; rows say what happened in words, and fit a phone."""

from __future__ import annotations

import pytest

from antoan.cases.tests.conftest import clock, open_case, open_result  # noqa: F401
from antoan.core.audit import audit_record
from antoan.core.audit_labels import object_type_label, object_types_matching
from antoan.core.models import AuditEvent

URL = "/audit/"


@pytest.fixture
def auditor(client_for, cast):
    return client_for(cast["auditor1"])


def results(response) -> str:
    page = response.content.decode()
    assert 'data-testid="audit-results"' in page, page[-3000:]
    return page.split('data-testid="audit-results"', 1)[1].split("</table>", 1)[0]


def test_search_by_the_case_number_people_see(auditor, cast, open_case):
    case = open_case(cast["worker1"])
    other = open_case(cast["worker1"], full_name="Trần Thị Lan", phone="0987 111 222")
    audit_record(action="view", user=cast["supervisor1"], object_type="case", object_id=case.pk)
    audit_record(action="view", user=cast["worker2"], object_type="case", object_id=other.pk)

    table = results(auditor.get(URL, {"case_number": case.number.lower()}))
    assert case.number in table  # the row names the case by its number, not its id
    assert "supervisor1" in table
    assert "worker2" not in table and other.number not in table
    assert AuditEvent.objects.latest("seq").extra["filters"] == ["case_number"]


def test_an_unknown_case_number_is_said_on_its_field(auditor, db):
    page = auditor.get(URL, {"case_number": "HY-2026-999999"}).content.decode()
    assert "Không có hồ sơ số HY-2026-999999." in page
    assert 'data-testid="audit-results"' not in page


@pytest.mark.parametrize(
    ("typed", "found", "not_found"),
    [
        ("hồ sơ", "case", "referral"),
        ("ho so", "case", "referral"),
        ("Chuyển gửi", "referral", "case"),
        ("chuyen gui", "referral", "case"),
        ("cuộc gọi", "call", "case"),
        ("referral", "referral", "case"),  # the stored code still works
    ],
)
def test_search_by_the_vietnamese_name_of_the_object(auditor, cast, typed, found, not_found):
    for object_type, object_id in (("case", 7), ("referral", 8), ("call", 9)):
        audit_record(
            action="view", user=cast["worker1"], object_type=object_type, object_id=object_id
        )
    auditor.get(URL)  # the auditor's own listing is one more event, of the log itself
    table = results(auditor.get(URL, {"object_type": typed}))
    assert f'title="{found}"' in table
    assert f'title="{not_found}"' not in table


def test_a_word_finds_every_type_named_with_it():
    assert set(object_types_matching("chuyển")) == {"referral", "case_transfer"}
    assert {"duplicate_check", "duplicate_review"} <= set(object_types_matching("ho so trung"))
    assert object_types_matching("hồ sơ") == ["case"]  # a whole label: just that type
    assert object_types_matching("không có gì như thế") == ["không có gì như thế"]


def test_rows_show_labels_not_internal_codes(auditor, cast):
    audit_record(action="permission_denied", user=cast["worker1"], object_type="referral")
    audit_record(action="update", user=cast["worker1"], object_type="programme.activity")
    audit_record(action="update", user=cast["admin1"], object_type="accounts.membership")
    table = results(auditor.get(URL))
    assert ">Chuyển gửi<" in table and ">Hoạt động<" in table
    assert ">Vai trò của người dùng tại cơ quan<" in table
    assert "Bị từ chối truy cập" in table and "Cập nhật" in table
    for code in (">referral<", ">programme.activity<", ">permission_denied<", ">update<"):
        assert code not in table


def test_an_unlisted_model_type_falls_back_to_its_verbose_name():
    assert object_type_label("places.place") == "Đơn vị hành chính"
    assert object_type_label("accounts.agency").lower().startswith("cơ quan")
    assert object_type_label("something_new") == "something_new"
    assert object_type_label("") == ""


def test_the_table_scrolls_with_the_keyboard_and_names_its_cells(auditor, cast):
    audit_record(action="view", user=cast["worker1"], object_type="case", object_id=1)
    page = auditor.get(URL).content.decode()
    region = page.split('class="table-responsive audit-scroll"', 1)[1].split(">", 1)[0]
    assert 'tabindex="0"' in region and 'role="region"' in region
    assert 'aria-label="Bảng kết quả nhật ký (cuộn ngang được)"' in region
    assert 'data-label="Loại đối tượng"' in page  # a phone shows each cell with its name


def test_the_place_is_named_as_it_was_on_the_events_day(auditor, cast):
    audit_record(action="view", user=cast["worker1"], object_type="case", place_code="11953")
    table = results(auditor.get(URL, {"object_type": "case"}))
    assert 'title="11953">Phường Phố Hiến<' in table
