"""Fixtures for the case services' and selectors' tests: a movable clock, open cases, agencies.

``open_case(actor, **overrides)`` opens a case through ``services.case_open`` as a worker would;
overrides naming a ``SurvivorInput`` field change the survivor, the others are passed to
``case_open`` (``consent``, ``incident``, ``source``, ``needs``, ``client_uuid``...).
``clock`` is the services' clock, standing still until a test moves it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import itertools
import pkgutil
from contextlib import ExitStack
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A Monday morning in Hưng Yên, well after the 2025 reorganisation the demo places start with.
START = dt.datetime(2026, 3, 16, 9, 0, tzinfo=VN)
NAME = "Nguyễn Thị Hòa"


class Clock:
    """The services' ``now()``: a moment that moves only when a test says so."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def __call__(self) -> dt.datetime:
        # In UTC, as django.utils.timezone.now() gives it: code taking .date() of it must
        # get the UTC date here too, or the tests would hide the bug.
        return self.moment.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self()

    def today(self) -> dt.date:
        return self.moment.astimezone(VN).date()

    def set(self, moment: dt.datetime) -> None:
        assert moment.tzinfo is not None, "the services' clock is timezone-aware"
        self.moment = moment

    def advance(self, **delta: float) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


def _modules_using_the_clock():
    """Every module holding the services' clock by name (``from ...common import now``)."""
    import antoan.cases.services as package
    from antoan.cases.services import common

    names = [package.__name__, "antoan.cases.selectors"]
    names += [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]
    for name in names:
        module = importlib.import_module(name)
        if getattr(module, "now", None) is common.now:
            yield name


@pytest.fixture
def clock():
    """The services' clock, stopped at ``START`` (09:00 on 16/03/2026 in Hưng Yên)."""
    fake = Clock(START)
    targets = list(_modules_using_the_clock())
    assert "antoan.cases.services.common" in targets
    with ExitStack() as stack:
        for target in targets:
            stack.enter_context(mock.patch(f"{target}.now", fake))
        yield fake


@pytest.fixture
def vietnamese():
    """Messages in the source language, whatever another test left active."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture
def agencies(cast):
    from antoan.accounts.models import Agency

    return {
        "a": Agency.objects.get(code="ubnd-pho-hien"),
        "b": Agency.objects.get(code="ubnd-tran-hung-dao"),
    }


@pytest.fixture
def supervisor2(agencies):
    """A case supervisor of agency B (UBND phường Trần Hưng Đạo), who receives transfers."""
    from antoan.accounts.models import Membership, User
    from antoan.accounts.roles import Role

    user = User.objects.create(username="supervisor2", first_name="Hùng", last_name="Phạm Văn")
    Membership.objects.create(
        user=user,
        agency=agencies["b"],
        role=Role.CASE_SUPERVISOR,
        valid_from=dt.date(2025, 7, 1),
    )
    return user


_phones = itertools.count(1)


def survivor_input(**overrides):
    from antoan.cases.services import SurvivorInput

    values = {
        "full_name": NAME,
        "sex": "female",
        "birth_year": 1990,
        # A different phone each time: tests about duplicates give theirs explicitly.
        "phone": f"0912 {next(_phones):06d}",
        "address": "Số 5 ngõ 12 phố Bãi Sậy",
        "commune": "11953",
    }
    values.update(overrides)
    return SurvivorInput(**values)


def incident_input(today: dt.date, **overrides):
    from antoan.cases.services import IncidentInput, PerpetratorInput

    values = {
        "occurred_on": today - dt.timedelta(days=2),
        "first_reported_on": today - dt.timedelta(days=1),
        "acts": ["physical_assault"],
        "dv_forms": ["physical"],
        "contexts": ["intimate_partner"],
        "commune": "11953",
        "description": "Bị chồng đánh vào mặt tại nhà",
        "perpetrators": [
            PerpetratorInput(
                sex="male",
                age_group="26-40",
                relationship="husband",
                details="Trần Văn Dũng, lái xe tải",
            )
        ],
    }
    values.update(overrides)
    return IncidentInput(**values)


@pytest.fixture
def open_result(cast, clock):
    """Open a case through the service and return its ``OpenResult``."""
    from antoan.cases import services

    survivor_fields = {f.name for f in dataclasses.fields(services.SurvivorInput)}

    def open_(actor, **overrides):
        survivor = {k: overrides.pop(k) for k in list(overrides) if k in survivor_fields}
        kwargs = {
            "source": "self",
            "consent": services.ConsentInput(services=True, reporting=True),
            "incident": incident_input(clock.today()),
            "needs": ["health"],
        }
        kwargs.update(overrides)
        return services.case_open(actor=actor, survivor=survivor_input(**survivor), **kwargs)

    return open_


@pytest.fixture
def open_case(open_result):
    """Open a case through the service and return it: ``open_case(cast["worker1"], ...)``."""

    def open_(actor, **overrides):
        return open_result(actor, **overrides).case

    return open_


def fresh(case):
    """The case as another request would load it now."""
    from antoan.cases.models import Case

    return Case.objects.get(pk=case.pk)


def counts():
    """Row counts of what a case is made of: an aborted write must leave them unchanged."""
    from antoan.cases import models as m
    from antoan.core.models import AuditEvent

    tables = [
        m.Survivor,
        m.SearchToken,
        m.Case,
        m.CaseEvent,
        m.CaseStageChange,
        m.Incident,
        m.Perpetrator,
        m.Consent,
        m.CaseNumberSequence,
        AuditEvent,
    ]
    found = {model.__name__: model.objects.count() for model in tables}
    # A number given and rolled back must be given again: the sequence's counters too.
    found["numbers_given"] = sum(m.CaseNumberSequence.objects.values_list("last", flat=True))
    return found


# Tests about something other than what a case lacks close a bare case: they say why.
MISSING_REASON = "Người bị bạo lực đã chuyển đến tỉnh khác"


def full_checklist() -> dict[str, bool]:
    from antoan.cases import rules

    return dict.fromkeys(rules.CLOSURE_CHECKLIST, True)


def close_case(case, *, worker, supervisor):
    """Close a case the way the programme does: the worker asks, the supervisor approves."""
    from antoan.cases import services

    services.closure_request(
        case=fresh(case),
        actor=worker,
        reason="Đã hoàn thành kế hoạch hỗ trợ",
        checklist=full_checklist(),
        version=fresh(case).version,
        missing_reason=MISSING_REASON,
    )
    services.closure_decide(case=fresh(case), actor=supervisor, approve=True)
    return fresh(case)
