"""The API does what its OpenAPI schema says, and the schema says what the API does.

Schemathesis generates requests from the schema the app serves at ``/api/v1/schema`` and runs
every one of its checks on each answer: no server error, only documented status codes and
content types, bodies that match their schemas, requests the schema allows are accepted and
those it forbids are refused, authentication is not ignored. It runs as three roles with bearer
tokens, in-process through the WSGI application, against the test database seeded with the
demo cast, the plan and the indicator catalogue, so the answers cover what each role may and
may not do.

``ANTOAN_SCHEMATHESIS_EXAMPLES`` sets how many examples Hypothesis tries per operation (default
5, a few minutes for the whole API and three roles on two cores); ``ANTOAN_SCHEMATHESIS_ROLES``
picks other demo users (comma-separated). See docs/security/testing.md.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from antoan.wsgi import application
from conftest import make_mini_places

EXAMPLES = int(os.environ.get("ANTOAN_SCHEMATHESIS_EXAMPLES", "5"))
ROLES = os.environ.get("ANTOAN_SCHEMATHESIS_ROLES", "worker1,hotline1,coordinator1").split(",")
DATA = Path(__file__).resolve().parents[2] / "data"


def served_schema() -> dict:
    """The schema exactly as ``/api/v1/schema`` serves it (``test_schema_is_the_served_one``)."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))


schema = schemathesis.openapi.from_dict(served_schema())
schema.app = application

# What a schema cannot say. A request can match the schema and still name an agency that does
# not exist, a date outside the plan's period, a cursor this server never handed out, or break
# a rule that depends on stored records. The server refuses those with 400 and names the field,
# and that is right. Schemathesis's ``positive_data_acceptance`` would count it as "valid data
# rejected", so it is replaced by the same check that lets a 400 through only when every
# refused field is one of these; any other 400 on schema-valid data (a field the schema should
# have marked required, a type it should have narrowed) still fails.
RECORD_RULES = frozenset(
    {
        # References to stored records: whether the id or code exists (and is current).
        "agency",
        "assigned_to",
        "carries",
        "commune",
        "copy_from",
        "community_model",
        "expected_agencies",
        "indicator",
        "parent",
        "partners",
        "place",
        "plan",
        "provider",
        "tasks",
        # A cursor is valid only if this server handed it out.
        "cursor",
    }
)
# Rules across parameters or against the clock, per operation: OpenAPI 3.0 cannot say that
# two parameters exclude each other, nor that a year may be at most next year.
OPERATION_RULES = {
    # One breakdown or filter at a time, breakdowns yearly only, and only those the indicator
    # has (the catalogue's records).
    # Years: from 2000 to this year.
    "GET /api/v1/indicators/values": frozenset(
        {"sex", "age_band", "gbv_type", "by", "code", "period", "year"}
    ),
    # Statistical exports: years from 2000 to this year.
    **{
        f"GET /api/v1/exports/{kind}": frozenset({"year"})
        for kind in ("dhis2", "circular07", "gbvims", "decree110")
    },
    # Years: from 2000 to next year. Text without control characters (the services' rule
    # for every text; a schema pattern for it would be refused by most client generators).
    "POST /api/v1/indicators/estimates": frozenset({"year", "source"}),
    # Health-facility contacts: the date against today and the facility's opening, accepted
    # only when offered, a referral number only of a referral sent to this facility.
    "POST /api/v1/health/contacts": frozenset(
        {"contact_date", "referral_accepted", "referral_number"}
    ),
    # A month that has not started; a facility or commune outside the caller's scope.
    "GET /api/v1/health/contacts/summary": frozenset({"year", "month", "facility", "commune"}),
    # `close: true` needs an `outcome`.
    "POST /api/v1/hotline/calls": frozenset({"outcome"}),
    # Checked against today and against the date of birth and age given with it.
    "POST /api/v1/cases": frozenset({"birth_year", "date_of_birth", "age_at_intake"}),
    "POST /api/v1/hotline/calls/{call_id}/open-case": frozenset(
        {"birth_year", "date_of_birth", "age_at_intake"}
    ),
    # A plan changes while it is a draft and is published once (plan 64 is published: the
    # services refuse, naming no field); a local plan is ready when its budget adds up.
    **dict.fromkeys(
        (
            "PATCH /api/v1/programme/plans/{plan_id}",
            "POST /api/v1/programme/plans/{plan_id}/publish",
            "POST /api/v1/programme/plans/{plan_id}/submit",
            "POST /api/v1/programme/plans/{plan_id}/return",
            "DELETE /api/v1/programme/plans/{plan_id}/tasks/{task_id}",
        ),
        frozenset({"non_field_errors"}),
    ),
    # Codes unique in the plan; a title or a text; a target's year inside the plan's period.
    "POST /api/v1/programme/plans/{plan_id}/tasks": frozenset(
        {"non_field_errors", "code", "title"}
    ),
    "POST /api/v1/programme/plans/{plan_id}/objectives": frozenset(
        {"non_field_errors", "code", "year"}
    ),
    # Lines inside the plan's period, each year and source once, adding up to the total.
    "PUT /api/v1/programme/plans/{plan_id}/budget": frozenset(
        {"non_field_errors", "lines", "total"}
    ),
    # A year of the plan's period.
    "GET /api/v1/programme/plans/{plan_id}/coverage": frozenset({"year"}),
}


# Every date and moment is bounded to 01/01/1900 → today + 10 years (``antoan.core.dates``): a
# bound that moves with the clock, which OpenAPI 3.0 cannot state. A 400 naming a field that was
# sent a date is that rule.
_DATE = re.compile(r"^[+-]?\d{4,}-\d{2}-\d{2}")


def _dated_fields(*sources) -> set[str]:
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if isinstance(value, str) and _DATE.match(value):
                    found.add(name)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for source in sources:
        walk(source)
    return found


def _refused_fields(response) -> set[str] | None:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return None
    fields = error.get("fields") or {}
    # "incident.perpetrators.0.relationship" → "relationship"
    return {
        next((p for p in reversed(name.split(".")) if not p.isdigit()), name) for name in fields
    }


@schemathesis.check
def positive_data_acceptance_beyond_records(ctx, response, case):
    meta = case.meta
    if response.status_code == 400 and meta is not None and meta.generation.mode.is_positive:
        refused = _refused_fields(response)
        allowed = RECORD_RULES | OPERATION_RULES.get(f"{case.method} {case.path}", frozenset())
        allowed |= _dated_fields(case.body, case.query)
        if refused and refused <= allowed:
            return None
        # Text without control characters is the services' rule for every text, and no
        # schema pattern says it (most client generators refuse such patterns).
        if _only_control_characters(response):
            return None
    return positive_data_acceptance(ctx, response, case)


def _only_control_characters(response) -> bool:
    from django.utils import translation

    from antoan.api.cases.fields import CONTROL_CHARACTER

    try:
        fields = response.json()["error"].get("fields") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    messages = {m for found in fields.values() for m in found}
    with translation.override("vi"):
        expected = {str(CONTROL_CHARACTER)}
    return bool(messages) and messages <= expected


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo cast, plan 64 and the indicator catalogue, once for the module."""
    from antoan.accounts.demo import DEMO_PASSWORD, build_demo_world
    from antoan.indicators.loader import load_indicators
    from antoan.indicators.selectors.places import forget
    from antoan.programme.loader import load_plan

    with django_db_blocker.unblock(), transaction.atomic():
        make_mini_places()
        cast = build_demo_world(password=DEMO_PASSWORD)
        load_plan(DATA / "plans" / "64-KH-UBND-2021.yaml")
        forget()
        load_indicators(DATA / "indicators.yaml")
        yield cast
        forget()
        transaction.set_rollback(True)


@pytest.fixture
def in_process(db):
    """The app is called through WSGI in this thread, inside the test's transaction.

    Django's test client does the same: the handler's signals would otherwise close the
    connection (and with it the transaction holding the seeded data) after each request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def bearer(request, world, in_process):
    """Headers with the role's token; ``fresh=True`` for a call that may revoke it."""
    from antoan.accounts import services

    user = world[request.param]
    kept: list[str] = []

    def headers(*, fresh: bool = False) -> dict[str, str]:
        if fresh or not kept:
            raw, _token = services.api_token_issue(request=None, user=user)
            kept[:] = [] if fresh else [raw]
        else:
            raw = kept[0]
        return {"Authorization": f"Bearer {raw}"}

    return headers


def test_schema_is_the_served_one(bearer):
    """What the tests below generate from is what clients download."""
    from django.test import Client

    response = Client().get("/api/v1/schema?format=json", headers=bearer())
    assert response.status_code == 200
    assert response.json() == served_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_schema(case, bearer):
    # DELETE /auth/token revokes the token it is sent with: give it one of its own.
    revokes = case.method == "DELETE" and case.path == "/api/v1/auth/token"
    case.call_and_validate(
        headers=bearer(fresh=revokes),
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_acceptance_beyond_records],
    )
