"""Opening a case: numbers, retried submissions, duplicate warnings, who consents for a child."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from antoan.cases import services
from antoan.cases.models import Case, CaseEvent, Consent, Incident
from antoan.cases.selectors import consent_current
from antoan.cases.tests.conftest import VN, counts, fresh, incident_input
from antoan.core.models import AuditEvent

pytestmark = pytest.mark.usefixtures("vietnamese")


def years_ago(today: dt.date, years: int) -> dt.date:
    return today.replace(year=today.year - years)


# --- What a new case looks like ----------------------------------------------------------------


def test_a_new_case_is_open_at_intake_assigned_to_the_worker_in_their_agency(
    cast, open_result, agencies, clock
):
    result = open_result(cast["worker1"], needs=["health", "safety", "health"])
    case = fresh(result.case)
    assert result.created is True
    assert result.duplicates.visible == []
    assert (case.status, case.stage, case.risk_level) == ("open", "intake", "low")
    assert case.agency == agencies["a"]
    assert case.assigned_to == cast["worker1"]
    assert case.created_by == cast["worker1"]
    assert case.opened_at == clock.now()
    assert case.needs == ["health", "safety"]
    assert case.survivor.commune.code == "11953"
    assert [e.kind for e in CaseEvent.objects.filter(case=case)] == [
        "opened",
        "consent_recorded",
        "incident_added",
    ]
    # The version handed back is the current one: the worker may edit the new case at once.
    assert result.case.version == case.version
    services.case_update(
        case=result.case,
        actor=cast["worker1"],
        version=result.case.version,
        changes={"risk_level": "medium"},
    )
    assert consent_current(case, "services") is True
    assert consent_current(case, "reporting") is True
    incident = Incident.objects.get(case=case)
    assert (incident.gbv_type, incident.consent_statistics) == ("physical_assault", True)


def test_immediate_danger_makes_the_risk_immediate(cast, open_case):
    case = open_case(cast["worker1"], risk_level="medium", immediate_danger=True)
    assert (case.risk_level, case.immediate_danger) == ("immediate", True)


def test_a_case_can_be_opened_without_an_incident(cast, open_case):
    case = open_case(cast["worker1"], incident=None)
    assert not Incident.objects.filter(case=case).exists()


def test_a_worker_cannot_open_a_case_in_another_agency(cast, open_case, agencies):
    before = counts()
    with pytest.raises(PermissionDenied):
        open_case(cast["worker1"], agency=agencies["b"])
    assert counts() == before


@pytest.mark.parametrize("username", ["health1", "reporter1", "analyst1", "auditor1", "admin1"])
def test_roles_that_do_not_take_cases_cannot_open_one(cast, open_case, username):
    before = counts()
    with pytest.raises(PermissionDenied):
        open_case(cast[username])
    assert counts() == before


# --- Case numbers ---------------------------------------------------------------------------


def test_case_numbers_run_per_year_in_vietnamese_time(cast, open_case, clock):
    w1 = cast["worker1"]
    first = open_case(w1, full_name="Người Một")
    second = open_case(w1, full_name="Người Hai")
    assert (first.number, second.number) == ("HY-2026-000001", "HY-2026-000002")

    clock.set(dt.datetime(2026, 12, 31, 23, 59, tzinfo=VN))
    assert open_case(w1, full_name="Người Ba", incident=None).number == "HY-2026-000003"
    # 00:00:30 on 1 January in Hưng Yên is still 31 December in UTC: the year is Vietnam's.
    clock.set(dt.datetime(2027, 1, 1, 0, 0, 30, tzinfo=VN))
    assert clock.now().astimezone(dt.UTC).year == 2026
    assert open_case(w1, full_name="Người Bốn", incident=None).number == "HY-2027-000001"
    assert open_case(w1, full_name="Người Năm", incident=None).number == "HY-2027-000002"


def test_a_failed_intake_does_not_use_up_a_number(cast, open_case):
    w1 = cast["worker1"]
    assert open_case(w1).number == "HY-2026-000001"
    with pytest.raises(ValidationError):
        open_case(w1, consent=services.ConsentInput(services=True, reporting=True, method="fax"))
    assert open_case(w1).number == "HY-2026-000002"


# --- Retried submissions (client_uuid) ------------------------------------------------------


def test_a_retried_submission_returns_the_first_case(cast, open_result):
    key = uuid.uuid4()
    first = open_result(cast["worker1"], client_uuid=key)
    before = counts()
    again = open_result(cast["worker1"], client_uuid=key, full_name="Tên Khác Hẳn")
    # Nothing new is stored; the replay hands the case out again, so it is audited as a view.
    after = counts()
    assert after.pop("AuditEvent") == before.pop("AuditEvent") + 1
    assert after == before
    assert AuditEvent.objects.latest("seq").action == "view"
    assert (first.created, again.created) == (True, False)
    assert again.case.pk == first.case.pk
    assert again.case.number == first.case.number
    assert Case.objects.filter(client_uuid=key).count() == 1


def test_someone_elses_client_uuid_is_refused_without_revealing_their_case(cast, open_result):
    key = uuid.uuid4()
    theirs = open_result(cast["worker1"], client_uuid=key).case
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_result(cast["worker2"], client_uuid=key)
    assert list(info.value.message_dict) == ["client_uuid"]
    shown = " ".join(info.value.messages)
    assert theirs.number not in shown
    assert "Hòa" not in shown
    assert counts() == before


def test_a_supervisor_retrying_a_workers_uuid_is_refused_too(cast, open_result):
    key = uuid.uuid4()
    open_result(cast["worker1"], client_uuid=key)
    with pytest.raises(ValidationError):
        open_result(cast["supervisor1"], client_uuid=key)


# --- Possible duplicates --------------------------------------------------------------------


def test_same_name_and_birth_year_is_a_possible_duplicate(cast, open_result):
    first = open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990).case
    # Typed without diacritics, other spacing, tone mark on the other vowel.
    second = open_result(cast["worker1"], full_name="nguyen  thi HOÀ", birth_year=1990)
    assert second.created is True
    assert second.duplicates.visible == [first.number]
    assert second.duplicates.hidden == []


def test_same_name_another_birth_year_is_not_a_duplicate(cast, open_result):
    open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990)
    other = open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1991)
    assert (other.duplicates.visible, other.duplicates.hidden) == ([], [])


def test_same_phone_is_a_possible_duplicate_however_typed(cast, open_result):
    first = open_result(cast["worker1"], full_name="Lý Thị Sen", phone="0912 345 678").case
    second = open_result(cast["worker1"], full_name="Khác Tên", phone="+84 912.345.678")
    assert second.duplicates.visible == [first.number]


def test_a_duplicate_the_user_may_not_see_goes_to_the_review_only(cast, open_result):
    from antoan.cases.models import DuplicateReview

    first = open_result(
        cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990, phone="0912345678"
    ).case
    result = open_result(cast["worker2"], full_name="Nguyễn Thị Hòa", birth_year=1990)
    assert result.duplicates.visible == []
    by_phone = open_result(cast["worker2"], full_name="Ai Đó", phone="0912 345 678")
    assert by_phone.duplicates.visible == []
    reviews = DuplicateReview.objects.order_by("pk")
    assert [(r.case, r.matched, r.match, r.status) for r in reviews] == [
        (result.case, first, "name_birth_year", "open"),
        (by_phone.case, first, "phone", "open"),
    ]


def test_a_supervisor_sees_the_numbers_of_duplicates_in_their_agency(cast, open_result):
    first = open_result(cast["worker1"], full_name="Nguyễn Thị Hòa", birth_year=1990).case
    b_case = open_result(cast["worker2"], full_name="Nguyễn Thị Hòa", birth_year=1990).case
    result = open_result(cast["supervisor1"], full_name="Nguyễn Thị Hòa", birth_year=1990)
    assert result.duplicates.visible == [first.number]
    assert b_case.number not in result.duplicates.visible
    assert [hit.case_id for hit in result.duplicates.hidden] == [b_case.pk]


def test_a_retry_reports_no_duplicate_of_itself(cast, open_result):
    key = uuid.uuid4()
    open_result(cast["worker1"], client_uuid=key, birth_year=1990)
    again = open_result(cast["worker1"], client_uuid=key, birth_year=1990)
    assert (again.created, again.duplicates.visible, again.duplicates.hidden) == (False, [], [])


# --- Consent: adults, children, guardians ---------------------------------------------------


def test_a_child_cannot_consent_alone_and_nothing_is_saved(cast, open_case, clock):
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(
            cast["worker1"],
            date_of_birth=years_ago(clock.today(), 10),
            birth_year=None,
            consent=services.ConsentInput(services=True, reporting=True, given_by="survivor"),
        )
    assert "given_by" in info.value.message_dict
    assert "người giám hộ" in " ".join(info.value.message_dict["given_by"])
    assert counts() == before


def test_a_child_of_ten_needs_their_own_agreement_besides_the_guardians(cast, open_case, clock):
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(
            cast["worker1"],
            age_at_intake=10,
            birth_year=None,
            consent=services.ConsentInput(services=True, reporting=False, given_by="guardian"),
        )
    assert "child_agreed" in info.value.message_dict
    assert counts() == before


def test_guardian_with_the_childs_agreement_is_accepted(cast, open_case, clock):
    case = open_case(
        cast["worker1"],
        date_of_birth=years_ago(clock.today(), 10),
        birth_year=None,
        guardian_name="Nguyễn Văn Bố",
        consent=services.ConsentInput(
            services=True, reporting=True, given_by="guardian", child_agreed=True
        ),
    )
    consents = Consent.objects.filter(case=case)
    assert {(c.purpose, c.granted, c.given_by, c.child_agreed) for c in consents} == {
        ("services", True, "guardian", True),
        ("reporting", True, "guardian", True),
    }


def test_a_child_under_seven_is_consented_for_by_the_guardian_alone(cast, open_case, clock):
    case = open_case(
        cast["worker1"],
        date_of_birth=years_ago(clock.today(), 5),
        birth_year=None,
        consent=services.ConsentInput(services=True, reporting=False, given_by="guardian"),
    )
    assert consent_current(case, "services") is True
    assert consent_current(case, "reporting") is False


def test_a_guardian_cannot_consent_for_an_adult(cast, open_case):
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(
            cast["worker1"],
            birth_year=1990,
            consent=services.ConsentInput(services=True, reporting=True, given_by="guardian"),
        )
    assert "given_by" in info.value.message_dict
    assert counts() == before


def test_a_survivor_of_unknown_age_may_consent_for_themself(cast, open_case):
    case = open_case(cast["worker1"], birth_year=None)
    assert consent_current(case, "services") is True


def test_a_birth_year_alone_counts_the_survivor_as_the_younger_age(cast, open_case, clock):
    # Born in 2008: 18 only from some day in 2026; on 16/03/2026 assume still 17, a child.
    assert clock.today() == dt.date(2026, 3, 16)
    with pytest.raises(ValidationError) as info:
        open_case(cast["worker1"], birth_year=2008)
    assert "given_by" in info.value.message_dict


# --- Bad input: a clear error on the field, nothing saved -----------------------------------


FUTURE = dt.date(2026, 3, 17)
BAD_INPUT = [
    pytest.param(
        {"date_of_birth": FUTURE, "birth_year": None}, "date_of_birth", id="born-tomorrow"
    ),
    pytest.param({"birth_year": 2027}, "birth_year", id="born-next-year"),
    pytest.param({"birth_year": 1850}, "birth_year", id="born-1850"),
    pytest.param(
        {"date_of_birth": dt.date(1990, 5, 1), "birth_year": 1991}, "birth_year", id="years-differ"
    ),
    pytest.param({"age_at_intake": 200, "birth_year": None}, "age_at_intake", id="age-200"),
    pytest.param({"full_name": ""}, "full_name", id="no-name"),
    pytest.param({"full_name": "   "}, "full_name", id="blank-name"),
    pytest.param({"full_name": "H" * 10_000}, "full_name", id="10000-char-name"),
    pytest.param({"other_names": "H" * 10_000}, "other_names", id="10000-char-other-names"),
    pytest.param({"full_name": "Nguyễn\x00Thị Hòa"}, "full_name", id="nul-in-name"),
    pytest.param({"full_name": "Nguyễn Thị Hòa\x1b[2J"}, "full_name", id="escape-in-name"),
    pytest.param({"full_name": "Nguyễn\nThị Hòa"}, "full_name", id="newline-in-name"),
    pytest.param({"address": "Số 5\x07 ngõ 12"}, "address", id="bell-in-address"),
    pytest.param({"address": "x" * 501}, "address", id="long-address"),
    pytest.param({"guardian_name": "Bố\x00"}, "guardian_name", id="nul-in-guardian"),
    pytest.param({"phone": "0912 abc 678"}, "phone", id="letters-in-phone"),
    pytest.param({"phone": "0912\x00345678"}, "phone", id="nul-in-phone"),
    pytest.param({"phone": "123"}, "phone", id="short-phone"),
    pytest.param({"phone": "٠٩١٢٣٤٥٦٧٨"}, "phone", id="arabic-indic-digits"),
    pytest.param({"guardian_phone": "12"}, "guardian_phone", id="bad-guardian-phone"),
    pytest.param({"sex": "woman"}, "sex", id="unknown-sex"),
    pytest.param({"marital_status": "engaged"}, "marital_status", id="unknown-marital-status"),
    pytest.param({"source": "facebook"}, "source", id="unknown-source"),
    pytest.param({"needs": ["health", "money"]}, "needs", id="unknown-need"),
    pytest.param({"risk_level": "extreme"}, "risk_level", id="unknown-risk"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INPUT)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(cast, open_case, overrides, field):
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(cast["worker1"], **overrides)
    assert field in info.value.message_dict, info.value
    assert all(info.value.message_dict[field])
    assert counts() == before


BAD_INCIDENTS = [
    pytest.param({"occurred_on": dt.date(2026, 3, 17)}, "occurred_on", id="incident-tomorrow"),
    pytest.param(
        {"first_reported_on": dt.date(2026, 3, 17)}, "first_reported_on", id="reported-tomorrow"
    ),
    pytest.param(
        {"occurred_on": dt.date(2026, 3, 10), "first_reported_on": dt.date(2026, 3, 9)},
        "first_reported_on",
        id="reported-before-it-happened",
    ),
    pytest.param(
        {"occurred_on": dt.date(1989, 6, 1), "first_reported_on": dt.date(2026, 3, 1)},
        "occurred_on",
        id="before-birth-year",
    ),
    pytest.param({"gbv_type": "bullying", "acts": ()}, "gbv_type", id="unknown-gbv-type"),
    pytest.param({"gbv_type": None, "acts": ()}, "gbv_type", id="no-type-no-acts"),
    pytest.param({"acts": ["slapping"]}, "acts", id="unknown-act"),
    pytest.param(
        {"acts": ["rape"], "gbv_type": "physical_assault"}, "gbv_type", id="type-contradicts-acts"
    ),
    pytest.param({"dv_forms": ["spiritual"]}, "dv_forms", id="unknown-dv-form"),
    pytest.param({"contexts": ["online"]}, "contexts", id="unknown-context"),
    pytest.param({"description": "Bị đánh\x00"}, "description", id="nul-in-description"),
    pytest.param({"description": "x" * 10_001}, "description", id="long-description"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_INCIDENTS)
def test_a_bad_incident_at_intake_saves_nothing(cast, open_case, clock, overrides, field):
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(cast["worker1"], incident=incident_input(clock.today(), **overrides))
    assert field in info.value.message_dict, info.value
    assert counts() == before


def test_an_incident_before_the_date_of_birth_is_refused(cast, open_case, clock):
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(
            cast["worker1"],
            date_of_birth=dt.date(2000, 6, 15),
            birth_year=None,
            incident=incident_input(
                clock.today(), occurred_on=dt.date(2000, 6, 14), first_reported_on=clock.today()
            ),
        )
    assert "occurred_on" in info.value.message_dict
    assert "ngày sinh" in " ".join(info.value.message_dict["occurred_on"])
    assert counts() == before


@pytest.mark.parametrize(
    ("perpetrator", "field"),
    [
        ({"sex": "x"}, "perpetrators.0.sex"),
        ({"age_group": "0-100"}, "perpetrators.0.age_group"),
        ({"relationship": "landlord"}, "perpetrators.0.relationship"),
        ({"details": "Dũng\x00"}, "perpetrators.0.details"),
        ({"occupation": "x" * 81}, "perpetrators.0.occupation"),
    ],
)
def test_a_bad_perpetrator_at_intake_saves_nothing(cast, open_case, clock, perpetrator, field):
    values = {"sex": "male", "age_group": "26-40", "relationship": "husband", **perpetrator}
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(
            cast["worker1"],
            incident=incident_input(
                clock.today(), perpetrators=[services.PerpetratorInput(**values)]
            ),
        )
    assert field in info.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("consent", "field"),
    [
        ({"given_by": "neighbour"}, "given_by"),
        ({"method": "fax"}, "method"),
    ],
)
def test_bad_consent_at_intake_saves_nothing(cast, open_case, consent, field):
    before = counts()
    with pytest.raises(ValidationError) as info:
        open_case(
            cast["worker1"],
            consent=services.ConsentInput(services=True, reporting=True, **consent),
        )
    assert field in info.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("code", ["99999", "119\x0053"], ids=["unknown", "nul"])
@pytest.mark.parametrize("where", ["survivor", "incident"])
def test_a_bad_commune_is_refused_on_the_commune_field(cast, open_case, clock, where, code):
    overrides = (
        {"commune": code}
        if where == "survivor"
        else {"incident": incident_input(clock.today(), commune=code)}
    )
    before = counts()
    # A savepoint, so that a database error cannot abort the test's transaction.
    with pytest.raises(Exception) as info, transaction.atomic():
        open_case(cast["worker1"], **overrides)
    assert counts() == before
    assert isinstance(info.value, ValidationError), repr(info.value)
    assert "commune" in getattr(info.value, "error_dict", {})


def test_an_unknown_commune_is_refused_and_nothing_is_saved(cast, open_case):
    before = counts()
    with pytest.raises(ValidationError):
        open_case(cast["worker1"], commune="99999")
    assert counts() == before


def test_markup_in_text_is_kept_as_typed(cast, open_case, clock):
    # Escaping is the page's job: the record keeps what the survivor said, character for character.
    text = "<script>alert('x')</script> chồng nói \"đừng báo\""
    case = open_case(cast["worker1"], incident=incident_input(clock.today(), description=text))
    assert Incident.objects.get(case=case).description == text


def test_text_is_stored_trimmed_and_with_one_kind_of_line_break(cast, open_case, clock):
    case = open_case(
        cast["worker1"],
        full_name="  Nguyễn Thị Hòa  ",
        address="Số 5\r\nngõ 12",
        incident=None,
    )
    survivor = fresh(case).survivor
    assert survivor.full_name == "Nguyễn Thị Hòa"
    assert survivor.address == "Số 5\nngõ 12"
