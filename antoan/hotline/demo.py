"""Demo data of the hotline: a supervisor for the provincial hotline (ctxh-tinh).

The demo's hotline has an operator (hotline1) but nobody who sees all of its calls; the
supervisor's role is ``case_supervisor``, the role that holds ``hotline.view_all``.
"""

from __future__ import annotations

from django.db import transaction

from antoan.accounts.demo import demo_user
from antoan.accounts.models import Agency, User
from antoan.accounts.roles import Role

SUPERVISOR = ("hotlinesup1", "Phan Thị Ngọc", "ctxh-tinh")


@transaction.atomic
def build_demo_hotline(*, password: str) -> User:
    """Create (or bring back to shape) the hotline's supervisor. Safe to run again."""
    username, full_name, agency_code = SUPERVISOR
    user = demo_user(
        username,
        full_name,
        Agency.objects.get(code=agency_code),
        Role.CASE_SUPERVISOR,
        password=password,
    )
    return user
