"""The pure rules of case management, with their boundaries (no database)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from antoan.cases import rules

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
TODAY = dt.date(2026, 3, 15)
NOW = dt.datetime(2026, 3, 15, 10, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def _vietnamese():
    # Messages are compared in the source language, whatever another test left active.
    with translation.override("vi"):
        yield


def errors_of(call: Callable[[], object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


# --- classify_gbv ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("acts", "expected"),
    [
        (["psychological_abuse", "rape", "physical_assault"], "rape"),
        (["physical_assault", "sexual_assault"], "sexual_assault"),
        (["psychological_abuse", "physical_assault"], "physical_assault"),
        (["denial_of_resources", "forced_marriage"], "forced_marriage"),
        (["psychological_abuse", "denial_of_resources"], "denial_of_resources"),
        (["psychological_abuse"], "psychological_abuse"),
        ({"psychological_abuse"}, "psychological_abuse"),
        ([], "non_gbv"),
        ((), "non_gbv"),
    ],
)
def test_classify_gbv_takes_the_first_type_in_the_ordered_rule(acts, expected):
    assert rules.classify_gbv(acts) == expected


def test_classify_gbv_accepts_any_iterable():
    assert rules.classify_gbv(act for act in ["physical_assault", "rape"]) == "rape"


def test_classify_gbv_names_unknown_acts():
    errors = errors_of(lambda: rules.classify_gbv(["rape", "slap", "arson"]))
    assert errors == {"acts": ["Mã hành vi không hợp lệ: arson, slap."]}


def test_classify_gbv_refuses_non_gbv_as_an_act():
    # "non_gbv" is the absence of every act, not something that happened.
    assert errors_of(lambda: rules.classify_gbv(["non_gbv"])) == {
        "acts": ["Mã hành vi không hợp lệ: non_gbv."]
    }


def test_classify_gbv_cuts_a_long_junk_code_short_in_the_message():
    (message,) = errors_of(lambda: rules.classify_gbv(["x" * 10_000]))["acts"]
    assert len(message) < 100


def test_classify_gbv_reports_a_malformed_item_instead_of_crashing():
    assert "acts" in errors_of(lambda: rules.classify_gbv([["rape"]]))


def test_classify_gbv_refuses_a_bare_string():
    with pytest.raises(TypeError):
        rules.classify_gbv("rape")


# --- reporting_delay_band -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "0-3"),
        (3, "0-3"),
        (4, "4-5"),
        (5, "4-5"),
        (6, "6-14"),
        (14, "6-14"),
        (15, "15-30"),
        (30, "15-30"),
        (31, ">30"),
        (3650, ">30"),
    ],
)
def test_reporting_delay_band_boundaries(days, band):
    occurred = dt.date(2025, 12, 20)
    reported = occurred + dt.timedelta(days=days)
    assert rules.reporting_delay_band(occurred_on=occurred, reported_on=reported) == band


def test_reporting_delay_band_counts_calendar_days_across_a_leap_day():
    band = rules.reporting_delay_band(
        occurred_on=dt.date(2024, 2, 26), reported_on=dt.date(2024, 3, 1)
    )
    assert band == "4-5"  # 26/02 → 01/03 is 4 days in a leap year


def test_reporting_delay_band_refuses_a_report_before_the_incident():
    errors = errors_of(
        lambda: rules.reporting_delay_band(
            occurred_on=dt.date(2026, 1, 2), reported_on=dt.date(2026, 1, 1)
        )
    )
    assert errors == {"first_reported_on": ["Ngày báo tin không thể trước ngày xảy ra."]}


# --- Risk -----------------------------------------------------------------------------------


def test_risk_questions_have_the_agreed_codes_and_weights():
    weights = {code: weight for code, (weight, _label) in rules.RISK_QUESTIONS.items()}
    assert weights == {
        "threats_to_kill": 3,
        "weapon": 3,
        "strangulation": 3,
        "violence_escalating": 2,
        "perpetrator_has_access": 2,
        "fear_for_life": 2,
        "children_at_risk": 1,
        "pregnant": 1,
        "suicidal_thoughts": 2,
        "isolation": 1,
    }
    assert str(rules.RISK_QUESTIONS["threats_to_kill"][1]) == "Người gây bạo lực đã đe dọa giết?"
    assert all(str(label).endswith("?") for _weight, label in rules.RISK_QUESTIONS.values())


@pytest.mark.parametrize(
    ("yes", "score", "level"),
    [
        ([], 0, "low"),
        (["isolation"], 1, "low"),
        (["isolation", "pregnant"], 2, "medium"),
        (["fear_for_life"], 2, "medium"),
        (["weapon", "isolation"], 4, "medium"),
        (["weapon", "fear_for_life"], 5, "high"),
        (["weapon", "fear_for_life", "isolation"], 6, "high"),
        (["weapon", "strangulation", "isolation"], 7, "high"),
        (["weapon", "strangulation", "fear_for_life"], 8, "immediate"),
        (list(rules.RISK_QUESTIONS), 20, "immediate"),
    ],
)
def test_compute_risk_thresholds(yes, score, level):
    assert sum(rules.RISK_QUESTIONS[code][0] for code in yes) == score
    answers = dict.fromkeys(rules.RISK_QUESTIONS, False) | dict.fromkeys(yes, True)
    assert rules.compute_risk(answers=answers, immediate_danger=False) == level


def test_compute_risk_treats_unanswered_questions_as_no():
    assert rules.compute_risk(answers={"weapon": True}, immediate_danger=False) == "medium"


def test_immediate_danger_overrides_the_score():
    assert rules.compute_risk(answers={}, immediate_danger=True) == "immediate"
    assert rules.compute_risk(answers={"pregnant": False}, immediate_danger=True) == "immediate"


def test_compute_risk_refuses_unknown_questions():
    errors = errors_of(
        lambda: rules.compute_risk(answers={"weapon": True, "drunk": True}, immediate_danger=False)
    )
    assert errors == {"answers": ["Câu hỏi đánh giá nguy cơ không xác định: drunk."]}


@pytest.mark.parametrize("value", [1, 0, "true", "yes", None])
def test_compute_risk_refuses_answers_that_are_not_booleans(value):
    errors = errors_of(
        lambda: rules.compute_risk(answers={"weapon": value}, immediate_danger=False)
    )
    assert errors == {"answers": ["Câu trả lời phải là có hoặc không: weapon."]}


def test_compute_risk_validates_answers_even_in_immediate_danger():
    errors = errors_of(lambda: rules.compute_risk(answers={"drunk": True}, immediate_danger=True))
    assert list(errors) == ["answers"]


def test_compute_risk_refuses_answers_that_are_not_a_mapping():
    errors = errors_of(lambda: rules.compute_risk(answers=["weapon"], immediate_danger=False))
    assert errors == {"answers": ["Câu trả lời đánh giá nguy cơ không hợp lệ."]}


def test_risk_thresholds_are_configurable(monkeypatch):
    monkeypatch.setitem(rules.RISK_THRESHOLDS, "high", 3)
    assert rules.compute_risk(answers={"weapon": True}, immediate_danger=False) == "high"


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ((), "low"),
        (("low",), "low"),
        (("medium", "low"), "medium"),
        (("low", "high", "medium"), "high"),
        (("immediate", "high"), "immediate"),
    ],
)
def test_max_risk(levels, expected):
    assert rules.max_risk(*levels) == expected


def test_max_risk_refuses_an_unknown_level():
    with pytest.raises(ValueError, match="severe"):
        rules.max_risk("low", "severe")


# --- Age ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(2008, 3, 15), dt.date(2026, 3, 14), 17),
        (dt.date(2008, 3, 15), dt.date(2026, 3, 15), 18),
        (dt.date(2019, 6, 1), dt.date(2026, 5, 31), 6),
        (dt.date(2019, 6, 1), dt.date(2026, 6, 1), 7),
        (dt.date(2026, 3, 15), dt.date(2026, 3, 15), 0),
        # Born on 29/02: not yet a year older on 28/02 of a common year.
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), 17),
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), 18),
    ],
)
def test_age_from_date_of_birth_is_exact(born, on, age):
    assert rules.age_on(on=on, date_of_birth=born) == age


def test_date_of_birth_wins_over_birth_year_and_age_at_intake():
    age = rules.age_on(
        on=dt.date(2026, 6, 1),
        date_of_birth=dt.date(2000, 1, 1),
        birth_year=2010,
        age_at_intake=3,
        intake_on=dt.date(2026, 1, 1),
    )
    assert age == 26


@pytest.mark.parametrize(
    ("birth_year", "on", "age"),
    [
        # The lower of the two possible ages: a 17-or-18-year-old is taken to be 17.
        (2008, dt.date(2026, 1, 1), 17),
        (2008, dt.date(2026, 12, 30), 17),
        # On 31/12 everyone born in 2008 has had their birthday.
        (2008, dt.date(2026, 12, 31), 18),
        (2026, dt.date(2026, 6, 1), 0),
    ],
)
def test_age_from_birth_year_is_the_lowest_possible(birth_year, on, age):
    assert rules.age_on(on=on, birth_year=birth_year) == age


def test_birth_year_wins_over_age_at_intake():
    age = rules.age_on(
        on=dt.date(2026, 6, 1), birth_year=2000, age_at_intake=3, intake_on=dt.date(2026, 1, 1)
    )
    assert age == 25


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (dt.date(2026, 3, 10), 17),  # the intake day
        (dt.date(2027, 3, 9), 17),  # a day short of a whole year
        (dt.date(2027, 3, 10), 18),  # one whole year later
        (dt.date(2029, 3, 10), 20),
        (dt.date(2026, 1, 1), 16),  # before intake: may not have turned 17 yet
    ],
)
def test_age_from_age_at_intake_adds_whole_years(on, age):
    assert rules.age_on(on=on, age_at_intake=17, intake_on=dt.date(2026, 3, 10)) == age


def test_age_at_intake_on_a_leap_day():
    age = rules.age_on(on=dt.date(2025, 2, 28), age_at_intake=10, intake_on=dt.date(2024, 2, 29))
    assert age == 11


def test_age_at_intake_zero_stays_zero():
    assert rules.age_on(on=dt.date(2026, 1, 1), age_at_intake=0, intake_on=dt.date(2026, 1, 1)) == 0


def test_age_at_intake_without_the_intake_date_is_a_programming_error():
    with pytest.raises(ValueError, match="intake_on"):
        rules.age_on(on=TODAY, age_at_intake=17)


def test_age_is_none_when_nothing_is_known():
    assert rules.age_on(on=TODAY) is None
    assert rules.age_on(on=TODAY, intake_on=TODAY) is None


@pytest.mark.parametrize(
    ("age", "child"), [(0, True), (6, True), (7, True), (17, True), (18, False), (None, False)]
)
def test_is_child(age, child):
    assert rules.is_child(age) is child


# --- Consent --------------------------------------------------------------------------------

GUARDIAN_MESSAGE = "Với trẻ em dưới 18 tuổi, người giám hộ phải cho ý kiến đồng ý."
CHILD_MESSAGE = "Trẻ em từ đủ 7 tuổi phải đồng ý; hãy hỏi và ghi nhận ý kiến của trẻ."


@pytest.mark.parametrize("age", [0, 6, 7, 17])
def test_a_child_cannot_consent_alone(age):
    errors = errors_of(
        lambda: rules.check_consent_giver(
            age=age, given_by="survivor", child_agreed=True, granted=True
        )
    )
    assert errors == {"given_by": [GUARDIAN_MESSAGE]}


@pytest.mark.parametrize("child_agreed", [None, False])
@pytest.mark.parametrize("age", [7, 17])
def test_a_child_from_7_must_agree_too(age, child_agreed):
    errors = errors_of(
        lambda: rules.check_consent_giver(
            age=age, given_by="guardian", child_agreed=child_agreed, granted=True
        )
    )
    assert errors == {"child_agreed": [CHILD_MESSAGE]}


@pytest.mark.parametrize("age", [7, 17])
def test_a_guardian_with_the_childs_agreement_consents(age):
    rules.check_consent_giver(age=age, given_by="guardian", child_agreed=True, granted=True)


@pytest.mark.parametrize("child_agreed", [None, False, True])
def test_a_child_under_7_needs_only_the_guardian(child_agreed):
    rules.check_consent_giver(age=6, given_by="guardian", child_agreed=child_agreed, granted=True)


def test_a_refusal_does_not_need_the_childs_agreement():
    rules.check_consent_giver(age=12, given_by="guardian", child_agreed=None, granted=False)
    rules.check_consent_giver(age=12, given_by="guardian", child_agreed=False, granted=False)


def test_an_adult_consents_for_herself():
    rules.check_consent_giver(age=18, given_by="survivor", child_agreed=None, granted=True)


def test_a_guardian_cannot_consent_for_an_adult():
    errors = errors_of(
        lambda: rules.check_consent_giver(
            age=18, given_by="guardian", child_agreed=None, granted=True
        )
    )
    assert errors == {"given_by": ["Người từ đủ 18 tuổi phải tự cho ý kiến đồng ý."]}


@pytest.mark.parametrize("given_by", ["survivor", "guardian"])
def test_either_may_consent_when_the_age_is_unknown(given_by):
    rules.check_consent_giver(age=None, given_by=given_by, child_agreed=None, granted=True)


def test_an_unknown_consent_giver_is_refused():
    errors = errors_of(
        lambda: rules.check_consent_giver(
            age=None, given_by="husband", child_agreed=None, granted=True
        )
    )
    assert errors == {"given_by": ["Người cho ý kiến không hợp lệ."]}


# --- Person and incident dates --------------------------------------------------------------


def test_plausible_person_dates_pass():
    rules.check_person_dates(date_of_birth=dt.date(1990, 5, 1), birth_year=1990, today=TODAY)
    rules.check_person_dates(date_of_birth=TODAY, birth_year=None, today=TODAY)
    rules.check_person_dates(date_of_birth=None, birth_year=TODAY.year, today=TODAY)
    rules.check_person_dates(date_of_birth=dt.date(1900, 1, 1), birth_year=1900, today=TODAY)
    rules.check_person_dates(date_of_birth=None, birth_year=None, today=TODAY)


def test_birth_in_the_future_is_refused():
    errors = errors_of(
        lambda: rules.check_person_dates(
            date_of_birth=TODAY + dt.timedelta(days=1), birth_year=None, today=TODAY
        )
    )
    assert errors == {"date_of_birth": ["Ngày sinh không thể ở tương lai."]}


def test_birth_year_in_the_future_is_refused():
    errors = errors_of(
        lambda: rules.check_person_dates(date_of_birth=None, birth_year=TODAY.year + 1, today=TODAY)
    )
    assert errors == {"birth_year": ["Năm sinh không thể ở tương lai."]}


def test_birth_before_1900_is_refused():
    errors = errors_of(
        lambda: rules.check_person_dates(
            date_of_birth=dt.date(1899, 12, 31), birth_year=1899, today=TODAY
        )
    )
    assert errors == {
        "date_of_birth": ["Ngày sinh không hợp lệ: phải từ năm 1900."],
        "birth_year": ["Năm sinh không hợp lệ: phải từ năm 1900."],
    }


def test_birth_year_disagreeing_with_the_date_of_birth_is_refused():
    errors = errors_of(
        lambda: rules.check_person_dates(
            date_of_birth=dt.date(1990, 12, 31), birth_year=1991, today=TODAY
        )
    )
    assert errors == {"birth_year": ["Năm sinh không khớp với ngày sinh."]}


def test_plausible_incident_dates_pass():
    rules.check_incident_dates(occurred_on=TODAY, first_reported_on=TODAY, today=TODAY)
    rules.check_incident_dates(
        occurred_on=dt.date(2026, 1, 1), first_reported_on=dt.date(2026, 3, 1), today=TODAY
    )


def test_incident_in_the_future_is_refused():
    tomorrow = TODAY + dt.timedelta(days=1)
    errors = errors_of(
        lambda: rules.check_incident_dates(
            occurred_on=tomorrow, first_reported_on=tomorrow, today=TODAY
        )
    )
    assert errors == {
        "occurred_on": ["Ngày xảy ra không thể ở tương lai."],
        "first_reported_on": ["Ngày báo tin không thể ở tương lai."],
    }


def test_report_before_the_incident_is_refused():
    errors = errors_of(
        lambda: rules.check_incident_dates(
            occurred_on=dt.date(2026, 3, 2), first_reported_on=dt.date(2026, 3, 1), today=TODAY
        )
    )
    assert errors == {"first_reported_on": ["Ngày báo tin không thể trước ngày xảy ra."]}


BEFORE_BIRTH = {"occurred_on": ["Ngày xảy ra không thể trước ngày sinh của người bị bạo lực."]}


def test_incident_on_the_day_of_birth_is_allowed():
    born = dt.date(2020, 5, 10)
    rules.check_incident_dates(
        occurred_on=born, first_reported_on=TODAY, today=TODAY, date_of_birth=born
    )


def test_incident_the_day_before_birth_is_refused():
    born = dt.date(2020, 5, 10)
    errors = errors_of(
        lambda: rules.check_incident_dates(
            occurred_on=born - dt.timedelta(days=1),
            first_reported_on=TODAY,
            today=TODAY,
            date_of_birth=born,
        )
    )
    assert errors == BEFORE_BIRTH


def test_incident_before_birth_year_is_refused_and_within_it_allowed():
    rules.check_incident_dates(
        occurred_on=dt.date(2020, 1, 1), first_reported_on=TODAY, today=TODAY, birth_year=2020
    )
    errors = errors_of(
        lambda: rules.check_incident_dates(
            occurred_on=dt.date(2019, 12, 31),
            first_reported_on=TODAY,
            today=TODAY,
            birth_year=2020,
        )
    )
    assert errors == BEFORE_BIRTH


# --- clean_text -----------------------------------------------------------------------------

CONTROL = ["Nội dung chứa ký tự điều khiển không hợp lệ."]


def test_clean_text_strips_and_returns_nfc():
    nfd = unicodedata.normalize("NFD", "  Nguyễn Thị Hoà ")
    assert nfd != "Nguyễn Thị Hoà"
    cleaned = rules.clean_text(nfd, field="full_name", max_length=100)
    assert cleaned == "Nguyễn Thị Hoà"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_clean_text_keeps_markup_as_text():
    value = "<script>alert(1)</script>"
    assert rules.clean_text(value, field="full_name", max_length=100) == value


@pytest.mark.parametrize(
    "value", ["Hoa\x00", "\x00", "Ho\x07a", "Hoa\x1b[31m", "Ho\x7fa", "Ho\ud800a"]
)
def test_clean_text_refuses_control_characters(value):
    errors = errors_of(lambda: rules.clean_text(value, field="full_name", max_length=100))
    assert errors == {"full_name": CONTROL}


@pytest.mark.parametrize("value", ["dòng 1\ndòng 2", "cột\tcột"])
def test_single_line_text_refuses_line_breaks_and_tabs_inside(value):
    errors = errors_of(lambda: rules.clean_text(value, field="full_name", max_length=100))
    assert errors == {"full_name": CONTROL}


def test_multiline_text_keeps_line_breaks_and_tabs():
    value = "dòng 1\n\tdòng 2"
    assert rules.clean_text(value, field="notes", max_length=100, multiline=True) == value


def test_multiline_text_turns_browser_line_breaks_into_newlines():
    cleaned = rules.clean_text("a\r\nb\rc", field="notes", max_length=100, multiline=True)
    assert cleaned == "a\nb\nc"


def test_multiline_text_still_refuses_nul_and_bell():
    for value in ["a\n\x00", "a\n\x07b"]:
        errors = errors_of(
            lambda value=value: rules.clean_text(
                value, field="notes", max_length=100, multiline=True
            )
        )
        assert errors == {"notes": CONTROL}


def test_clean_text_length_boundary():
    assert rules.clean_text("a" * 100, field="full_name", max_length=100) == "a" * 100
    errors = errors_of(lambda: rules.clean_text("a" * 101, field="full_name", max_length=100))
    assert errors == {"full_name": ["Nội dung dài quá 100 ký tự (hiện có 101)."]}


def test_clean_text_refuses_a_ten_thousand_character_name():
    errors = errors_of(lambda: rules.clean_text("Hoà" * 3334, field="full_name", max_length=200))
    assert errors == {"full_name": ["Nội dung dài quá 200 ký tự (hiện có 10002)."]}


def test_clean_text_counts_characters_after_nfc_and_strip():
    # "Hoà" in NFD is 4 code points; as stored it is 3.
    nfd = "  " + unicodedata.normalize("NFD", "Hoà") + "  "
    assert rules.clean_text(nfd, field="full_name", max_length=3) == "Hoà"


def test_required_text_refuses_blank():
    errors = errors_of(
        lambda: rules.clean_text("  \n ", field="full_name", max_length=10, required=True)
    )
    assert errors == {"full_name": ["Trường này là bắt buộc."]}
    assert rules.clean_text("  ", field="other_names", max_length=10) == ""


# --- clean_phone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("(024) 3825-1234", "02438251234"),
        ("12345678", "12345678"),
        ("123456789012345", "123456789012345"),
        ("1900\u00a0969\u00a0680", "1900969680"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_clean_phone_normalises(value, stored):
    assert rules.clean_phone(value, field="phone") == stored


PHONE_ERROR = {
    "phone": [
        "Số điện thoại không hợp lệ: cần từ 8 đến 15 chữ số, ví dụ 0912 345 678 hoặc "
        "+84 912 345 678."
    ]
}


@pytest.mark.parametrize(
    "value",
    [
        "111",  # a hotline short code is not a survivor's number
        "1234567",
        "1234567890123456",
        "09123abc78",
        "0912+345678",
        "++84912345678",
        "\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width digits
        "09¹²345678",
        "0912345678\x00",
    ],
)
def test_clean_phone_refuses(value):
    assert errors_of(lambda: rules.clean_phone(value, field="phone")) == PHONE_ERROR


def test_clean_phone_names_the_field_it_checks():
    assert list(errors_of(lambda: rules.clean_phone("12", field="guardian_phone"))) == [
        "guardian_phone"
    ]


# --- Protection measures: arithmetic --------------------------------------------------------


def test_legal_numbers():
    assert rules.COMMUNE_NO_CONTACT_DECISION_HOURS == 12
    assert rules.COMMUNE_NO_CONTACT_MAX_DAYS == 3
    assert rules.COURT_NO_CONTACT_MAX_MONTHS == 4


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (
            dt.datetime(2025, 10, 31, 9, 30, tzinfo=VN),
            4,
            dt.datetime(2026, 2, 28, 9, 30, tzinfo=VN),
        ),
        (
            dt.datetime(2027, 10, 31, 9, 30, tzinfo=VN),
            4,
            dt.datetime(2028, 2, 29, 9, 30, tzinfo=VN),
        ),
        (dt.datetime(2026, 1, 15, 0, 0, tzinfo=VN), 4, dt.datetime(2026, 5, 15, 0, 0, tzinfo=VN)),
        (
            dt.datetime(2026, 9, 30, 23, 59, tzinfo=VN),
            4,
            dt.datetime(2027, 1, 30, 23, 59, tzinfo=VN),
        ),
        (dt.datetime(2026, 12, 31, 8, 0, tzinfo=VN), 14, dt.datetime(2028, 2, 29, 8, 0, tzinfo=VN)),
        (dt.datetime(2026, 3, 31, 8, 0, tzinfo=VN), -1, dt.datetime(2026, 2, 28, 8, 0, tzinfo=VN)),
        (dt.datetime(2026, 3, 31, 8, 0, tzinfo=VN), 0, dt.datetime(2026, 3, 31, 8, 0, tzinfo=VN)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_short_month(start, months, end):
    assert rules.add_months(start, months) == end


def test_add_months_counts_vietnamese_calendar_days_for_a_utc_moment():
    # 30/10 17:00 UTC is already 31/10 in Vietnam: four months later is 28/02 there.
    start = dt.datetime(2025, 10, 30, 17, 0, tzinfo=UTC)
    assert rules.add_months(start, 4) == dt.datetime(2026, 2, 28, 0, 0, tzinfo=VN)


def test_add_months_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="naive"):
        rules.add_months(dt.datetime(2026, 1, 1), 1)  # noqa: DTZ001


def test_decision_deadline_is_12_hours_for_a_commune_no_contact_order():
    deadline = rules.decision_deadline(measure_type="no_contact_commune", requested_at=NOW)
    assert deadline == NOW + dt.timedelta(hours=12)


@pytest.mark.parametrize("measure_type", ["no_contact_court", "shelter", "stop_violence"])
def test_other_measures_have_no_legal_decision_deadline(measure_type):
    assert rules.decision_deadline(measure_type=measure_type, requested_at=NOW) is None


def test_max_end_of_no_contact_orders():
    assert rules.max_end(measure_type="no_contact_commune", starts_at=NOW) == NOW + dt.timedelta(
        days=3
    )
    start = dt.datetime(2025, 10, 31, 14, 0, tzinfo=VN)
    assert rules.max_end(measure_type="no_contact_court", starts_at=start) == dt.datetime(
        2026, 2, 28, 14, 0, tzinfo=VN
    )
    assert rules.max_end(measure_type="shelter", starts_at=NOW) is None


# --- Protection measures: the decision ------------------------------------------------------

REQUESTED = dt.datetime(2026, 3, 14, 20, 0, tzinfo=VN)
LATE_MESSAGE = (
    "Quyết định cấm tiếp xúc phải được ban hành trong 12 giờ kể từ khi có đề nghị; "
    "ghi rõ lý do quyết định muộn."
)


def commune_order(**changes):
    """A valid granted commune no-contact order, with some fields changed."""
    decided = REQUESTED + dt.timedelta(hours=2)
    fields = {
        "measure_type": "no_contact_commune",
        "deciding_body": "commune_chair",
        "requested_at": REQUESTED,
        "decided_at": decided,
        "decision": "granted",
        "refusal_reason": "",
        "late_reason": "",
        "starts_at": decided,
        "ends_at": decided + dt.timedelta(days=3),
        "now": NOW,
    }
    return fields | changes


def court_order(**changes):
    decided = dt.datetime(2025, 10, 31, 9, 0, tzinfo=VN)
    fields = commune_order(
        measure_type="no_contact_court",
        deciding_body="court",
        requested_at=decided - dt.timedelta(days=20),
        decided_at=decided,
        starts_at=decided,
        ends_at=dt.datetime(2026, 2, 28, 9, 0, tzinfo=VN),
        now=dt.datetime(2025, 11, 1, tzinfo=VN),
    )
    return fields | changes


def test_a_valid_commune_order_passes():
    rules.check_measure_decision(**commune_order())


def test_a_valid_court_order_of_exactly_four_months_passes():
    rules.check_measure_decision(**court_order())


def test_a_court_order_ending_29_february_in_a_leap_year_passes():
    decided = dt.datetime(2027, 10, 31, 9, 0, tzinfo=VN)
    rules.check_measure_decision(
        **court_order(
            requested_at=decided - dt.timedelta(days=1),
            decided_at=decided,
            starts_at=decided,
            ends_at=dt.datetime(2028, 2, 29, 9, 0, tzinfo=VN),
            now=decided,
        )
    )


def test_a_court_order_a_second_over_four_months_is_refused():
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **court_order(ends_at=dt.datetime(2026, 2, 28, 9, 0, 1, tzinfo=VN))
        )
    )
    assert errors == {"ends_at": ["Cấm tiếp xúc do Tòa án quyết định tối đa 4 tháng."]}


@pytest.mark.parametrize(
    ("measure_type", "body", "message"),
    [
        ("no_contact_commune", "court", "Biện pháp này do Chủ tịch UBND xã quyết định."),
        ("no_contact_commune", "police", "Biện pháp này do Chủ tịch UBND xã quyết định."),
        ("no_contact_court", "commune_chair", "Biện pháp này do Tòa án quyết định."),
    ],
)
def test_no_contact_orders_are_decided_by_the_body_the_law_names(measure_type, body, message):
    fields = commune_order() if measure_type == "no_contact_commune" else court_order()
    errors = errors_of(lambda: rules.check_measure_decision(**fields | {"deciding_body": body}))
    assert errors == {"deciding_body": [message]}


@pytest.mark.parametrize("body", ["commune_chair", "court", "police", "other"])
def test_other_measures_may_be_decided_by_any_body(body):
    rules.check_measure_decision(
        **commune_order(measure_type="shelter", deciding_body=body, ends_at=None)
    )


def test_unknown_choices_are_refused_on_their_fields():
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **commune_order(measure_type="exile", deciding_body="mayor", decision="maybe")
        )
    )
    assert errors == {
        "type": ["Biện pháp không hợp lệ."],
        "deciding_body": ["Cơ quan quyết định không hợp lệ."],
        "decision": ["Quyết định không hợp lệ."],
    }


def test_a_decision_exactly_12_hours_after_the_request_is_on_time():
    decided = REQUESTED + dt.timedelta(hours=12)
    rules.check_measure_decision(
        **commune_order(
            decided_at=decided, starts_at=decided, ends_at=decided + dt.timedelta(days=3)
        )
    )


def test_a_decision_12_hours_and_1_second_after_needs_a_reason():
    decided = REQUESTED + dt.timedelta(hours=12, seconds=1)
    fields = commune_order(
        decided_at=decided, starts_at=decided, ends_at=decided + dt.timedelta(days=1)
    )
    assert errors_of(lambda: rules.check_measure_decision(**fields)) == {
        "late_reason": [LATE_MESSAGE]
    }
    assert errors_of(lambda: rules.check_measure_decision(**fields | {"late_reason": "   "})) == {
        "late_reason": [LATE_MESSAGE]
    }
    rules.check_measure_decision(**fields | {"late_reason": "Chủ tịch đi công tác."})


def test_a_late_refusal_needs_a_reason_for_the_delay_too():
    decided = REQUESTED + dt.timedelta(hours=13)
    fields = commune_order(
        decision="refused",
        decided_at=decided,
        refusal_reason="Không đủ căn cứ.",
        starts_at=None,
        ends_at=None,
    )
    assert errors_of(lambda: rules.check_measure_decision(**fields)) == {
        "late_reason": [LATE_MESSAGE]
    }


def test_a_late_court_decision_needs_no_reason():
    fields = court_order()
    assert fields["decided_at"] - fields["requested_at"] > dt.timedelta(hours=12)
    rules.check_measure_decision(**fields)


def test_a_refusal_needs_a_written_reason():
    fields = commune_order(decision="refused", starts_at=None, ends_at=None)
    assert errors_of(lambda: rules.check_measure_decision(**fields)) == {
        "refusal_reason": ["Từ chối phải có văn bản nêu rõ lý do; ghi lý do từ chối."]
    }
    rules.check_measure_decision(**fields | {"refusal_reason": "Người đề nghị rút đề nghị."})


def test_a_refusal_has_no_period():
    fields = commune_order(decision="refused", refusal_reason="Không đủ căn cứ.")
    assert errors_of(lambda: rules.check_measure_decision(**fields)) == {
        "starts_at": ["Quyết định từ chối không có thời hạn áp dụng."]
    }


def test_a_decision_needs_its_time():
    errors = errors_of(lambda: rules.check_measure_decision(**commune_order(decided_at=None)))
    assert errors == {"decided_at": ["Ghi thời điểm quyết định."]}


def test_a_decision_before_the_request_is_refused():
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **commune_order(decided_at=REQUESTED - dt.timedelta(seconds=1))
        )
    )
    assert errors == {"decided_at": ["Thời điểm quyết định không thể trước thời điểm đề nghị."]}


def test_a_decision_in_the_future_is_refused_beyond_five_minutes_of_clock_skew():
    decided = NOW + dt.timedelta(minutes=5)
    rules.check_measure_decision(
        **commune_order(
            decided_at=decided,
            starts_at=decided,
            ends_at=decided + dt.timedelta(days=1),
            late_reason="Họp muộn.",
        )
    )
    too_late = decided + dt.timedelta(seconds=1)
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **commune_order(
                decided_at=too_late, starts_at=too_late, ends_at=too_late + dt.timedelta(days=1)
            )
        )
    )
    assert errors == {"decided_at": ["Thời điểm quyết định không thể ở tương lai."]}


def test_a_request_in_the_future_is_refused():
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **commune_order(
                requested_at=NOW + dt.timedelta(minutes=6),
                decision="pending",
                decided_at=None,
                starts_at=None,
                ends_at=None,
            )
        )
    )
    assert errors == {"requested_at": ["Thời điểm đề nghị không thể ở tương lai."]}


def test_a_pending_request_has_no_decision_time_or_period():
    pending = commune_order(decision="pending", decided_at=None, starts_at=None, ends_at=None)
    rules.check_measure_decision(**pending)
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **pending | {"decided_at": NOW, "ends_at": NOW + dt.timedelta(days=1)}
        )
    )
    assert errors == {
        "decided_at": ["Chưa có quyết định thì không ghi thời điểm quyết định."],
        "starts_at": ["Chưa có quyết định thì chưa có thời hạn áp dụng."],
    }


def test_a_granted_no_contact_order_needs_its_period():
    errors = errors_of(
        lambda: rules.check_measure_decision(**commune_order(starts_at=None, ends_at=None))
    )
    assert errors == {
        "starts_at": ["Ghi thời điểm bắt đầu cấm tiếp xúc."],
        "ends_at": ["Ghi thời điểm kết thúc cấm tiếp xúc."],
    }


def test_other_granted_measures_may_have_no_period():
    rules.check_measure_decision(
        **commune_order(measure_type="medical", starts_at=None, ends_at=None)
    )


@pytest.mark.parametrize("after", [dt.timedelta(0), dt.timedelta(seconds=-1)])
def test_the_end_must_be_after_the_start(after):
    fields = commune_order()
    errors = errors_of(
        lambda: rules.check_measure_decision(**fields | {"ends_at": fields["starts_at"] + after})
    )
    assert errors == {"ends_at": ["Thời điểm kết thúc phải sau thời điểm bắt đầu."]}


def test_a_commune_order_of_exactly_3_days_passes_and_a_second_more_is_refused():
    fields = commune_order()
    three_days = fields["starts_at"] + dt.timedelta(days=3)
    rules.check_measure_decision(**fields | {"ends_at": three_days})
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **fields | {"ends_at": three_days + dt.timedelta(seconds=1)}
        )
    )
    assert errors == {
        "ends_at": ["Cấm tiếp xúc do Chủ tịch UBND xã quyết định tối đa 3 ngày mỗi lần."]
    }


def test_a_measure_cannot_start_before_its_decision():
    fields = commune_order()
    early = fields["decided_at"] - dt.timedelta(minutes=1)
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **fields | {"starts_at": early, "ends_at": early + dt.timedelta(days=1)}
        )
    )
    assert errors == {"starts_at": ["Biện pháp không thể bắt đầu trước thời điểm quyết định."]}


def test_a_start_typed_in_minutes_matches_a_decision_recorded_in_seconds():
    decided = REQUESTED + dt.timedelta(hours=2, seconds=37)
    start = REQUESTED + dt.timedelta(hours=2)
    rules.check_measure_decision(
        **commune_order(decided_at=decided, starts_at=start, ends_at=start + dt.timedelta(days=3))
    )


def test_all_problems_of_a_decision_are_reported_at_once():
    decided = REQUESTED + dt.timedelta(hours=20)
    errors = errors_of(
        lambda: rules.check_measure_decision(
            **commune_order(
                deciding_body="court",
                decided_at=decided,
                starts_at=decided - dt.timedelta(hours=1),
                ends_at=decided + dt.timedelta(days=4),
                now=decided + dt.timedelta(hours=1),
            )
        )
    )
    assert set(errors) == {"deciding_body", "late_reason", "starts_at", "ends_at"}


# --- Countdown ------------------------------------------------------------------------------

DEADLINE = dt.datetime(2026, 3, 15, 12, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("left", "seconds", "overdue", "label"),
    [
        (dt.timedelta(hours=3, minutes=20, seconds=59), 12059, False, "còn 3 giờ 20 phút"),
        (dt.timedelta(days=2, hours=4, minutes=30), 189000, False, "còn 2 ngày 4 giờ"),
        (dt.timedelta(days=3), 259200, False, "còn 3 ngày"),
        (dt.timedelta(hours=5), 18000, False, "còn 5 giờ"),
        (dt.timedelta(minutes=59, seconds=59), 3599, False, "còn 59 phút"),
        (dt.timedelta(seconds=59), 59, False, "còn dưới 1 phút"),
        (dt.timedelta(0), 0, False, "còn dưới 1 phút"),
        (dt.timedelta(microseconds=-1), -1, True, "quá hạn dưới 1 phút"),
        (dt.timedelta(seconds=-1), -1, True, "quá hạn dưới 1 phút"),
        (-dt.timedelta(hours=1, minutes=5, seconds=30), -3930, True, "quá hạn 1 giờ 5 phút"),
        (-dt.timedelta(days=1, minutes=10), -87000, True, "quá hạn 1 ngày"),
    ],
)
def test_countdown(left, seconds, overdue, label):
    result = rules.countdown(deadline=DEADLINE, now=DEADLINE - left)
    assert (result.seconds_left, result.overdue, result.label()) == (seconds, overdue, label)


def test_countdown_is_frozen():
    result = rules.countdown(deadline=DEADLINE, now=DEADLINE)
    with pytest.raises(AttributeError):
        result.overdue = True


def test_countdown_of_a_commune_order_decided_on_time():
    deadline = rules.decision_deadline(measure_type="no_contact_commune", requested_at=REQUESTED)
    at_deadline = rules.countdown(deadline=deadline, now=REQUESTED + dt.timedelta(hours=12))
    assert not at_deadline.overdue
    assert rules.countdown(deadline=deadline, now=REQUESTED).label() == "còn 12 giờ"


# --- Tasks and closure ----------------------------------------------------------------------


def test_task_deadlines():
    assert (rules.ASSESSMENT_DUE_DAYS, rules.CASE_PLAN_DUE_DAYS) == (3, 7)


ALL_DONE = dict.fromkeys(rules.CLOSURE_CHECKLIST, True)


def test_closure_checklist_items():
    assert {code: str(label) for code, label in rules.CLOSURE_CHECKLIST.items()} == {
        "goals_reviewed": "Đã rà soát mục tiêu kế hoạch hỗ trợ",
        "safety_reviewed": "Đã đánh giá lại nguy cơ và an toàn",
        "survivor_informed": "Người bị bạo lực đã được thông báo và đồng ý đóng ca",
        "referrals_closed": "Các dịch vụ chuyển gửi đã hoàn thành hoặc được đóng",
        "records_complete": "Hồ sơ đã được cập nhật đầy đủ",
    }


def test_a_complete_checklist_passes():
    rules.check_closure_checklist(ALL_DONE)


def test_the_checklist_lists_each_item_not_done():
    checklist = ALL_DONE | {"safety_reviewed": False}
    del checklist["records_complete"]
    errors = errors_of(lambda: rules.check_closure_checklist(checklist))
    assert errors == {
        "checklist": [
            "Chưa hoàn thành: Đã đánh giá lại nguy cơ và an toàn.",
            "Chưa hoàn thành: Hồ sơ đã được cập nhật đầy đủ.",
        ]
    }


def test_an_empty_checklist_lists_every_item():
    errors = errors_of(lambda: rules.check_closure_checklist({}))
    assert len(errors["checklist"]) == len(rules.CLOSURE_CHECKLIST)


@pytest.mark.parametrize("value", [1, "true", "yes", None])
def test_only_true_ticks_an_item(value):
    errors = errors_of(lambda: rules.check_closure_checklist(ALL_DONE | {"goals_reviewed": value}))
    assert errors == {"checklist": ["Chưa hoàn thành: Đã rà soát mục tiêu kế hoạch hỗ trợ."]}


def test_unknown_checklist_items_are_refused():
    errors = errors_of(lambda: rules.check_closure_checklist(ALL_DONE | {"cake_eaten": True}))
    assert errors == {"checklist": ["Mục kiểm tra không xác định: cake_eaten."]}


def test_a_checklist_that_is_not_a_mapping_is_refused():
    errors = errors_of(lambda: rules.check_closure_checklist(list(ALL_DONE)))
    assert errors == {"checklist": ["Danh mục kiểm tra không hợp lệ."]}
