"""The role → permission matrix: the one place that says who may do what.

Review changes here like code that guards survivors' data. A view or endpoint declares the
permission it needs (see ``antoan.core.permissions``); a user holds a permission through a
valid membership (user × agency × role), and the membership's agency scopes what it reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HOTLINE_OPERATOR = "hotline_operator", _("Điện thoại viên đường dây nóng")
    CASE_WORKER = "case_worker", _("Cán bộ quản lý ca")
    CASE_SUPERVISOR = "case_supervisor", _("Giám sát quản lý ca")
    PROVIDER_STAFF = "provider_staff", _("Nhân viên cơ sở cung cấp dịch vụ")
    HEALTH_WORKER = "health_worker", _("Nhân viên y tế")
    PROGRAMME_REPORTER = "programme_reporter", _("Cán bộ báo cáo chương trình")
    PROGRAMME_COORDINATOR = "programme_coordinator", _("Điều phối chương trình")
    ANALYST = "analyst", _("Cán bộ thống kê, phân tích")
    MANAGER = "manager", _("Lãnh đạo")
    COMMUNE_LEADER = "commune_leader", _("Lãnh đạo UBND xã, phường")
    AUDITOR = "auditor", _("Thanh tra, kiểm toán")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class Perm(StrEnum):
    """Permissions. Later features add theirs here, never inline in a view."""

    # Any valid membership: the home page, one's own account.
    USE_SYSTEM = "core.use"
    # The interactive API documentation (/api/v1/docs) and its menu link: for the roles that
    # build on the API (administrators connecting systems, analysts pulling figures). The API
    # itself and its schema stay open to every role, each endpoint guarded by its own
    # permission; this only keeps a page most users cannot use out of their way.
    API_DOCS = "api.docs"
    # Reference data anyone signed in may read.
    PLACES_VIEW = "places.view"
    AGENCIES_VIEW = "agencies.view"
    # Users, memberships, agencies, places and the service directory, in the admin site:
    # administrators only. It reaches no case or programme data (core/tests/test_admin_registry).
    ADMIN_MANAGE = "admin.manage"
    # The audit log (who did what, when; never case content).
    AUDIT_VIEW = "audit.view"
    # Case data. "assigned" reaches cases assigned to the user; "agency" every case of the
    # membership's agency.
    CASE_CREATE = "cases.create"
    CASE_VIEW_ASSIGNED = "cases.view_assigned"
    CASE_VIEW_AGENCY = "cases.view_agency"
    CASE_EDIT = "cases.edit"
    CASE_APPROVE = "cases.approve"
    # Possible duplicates across agencies: decide whether two cases are one survivor (for
    # statistics) and, where consent allows, put the agencies in touch. Only a membership in a
    # provincial agency reviews (see cases.selectors.reconciling_membership); it shows case
    # numbers, agencies, sex and birth year, never a name.
    CASES_RECONCILE = "cases.reconcile"
    # Keep a closed case past its retention period (a court, police or inspection asks).
    CASE_LEGAL_HOLD = "cases.legal_hold"
    # Hotline calls.
    CALL_LOG = "hotline.log_call"
    CALL_VIEW_ALL = "hotline.view_all"
    # Referral network.
    PROVIDERS_VIEW = "referrals.view_providers"
    REFERRAL_SEND = "referrals.send"
    REFERRAL_RECEIVE = "referrals.receive"
    # Staff of a shelter or trusted address update its occupancy.
    SHELTER_UPDATE = "referrals.shelter_update"
    # Health facilities (plan 64, IV.2): an anonymous count of each survivor a hospital or
    # commune health station received, in the membership's facility; write-only (no list of
    # contacts exists). Its monthly report: a facility's own staff see their facility, analysts
    # and managers (whose membership also grants INDICATORS_VIEW) every facility of their
    # province. Suppressed like every aggregate (docs/health.md).
    HEALTH_CONTACT_RECORD = "health.contact_record"
    HEALTH_STATS_VIEW = "health.stats_view"
    # Programme monitoring (holds no survivor data).
    PROGRAMME_VIEW = "programme.view"
    PROGRAMME_REPORT = "programme.report"
    PROGRAMME_COORDINATE = "programme.coordinate"
    # A commune's leader approves (or returns) the commune's local plan, in their own commune.
    LOCAL_PLAN_APPROVE = "programme.local_plan_approve"
    # De-identified aggregates and reports.
    INDICATORS_VIEW = "indicators.view"
    # Entering the estimates some denominators need (GBV-01's survivors, DV-04's staff).
    INDICATORS_ESTIMATE = "indicators.estimate"
    # A supervisor's own agency in figures: caseload, overdue work, referrals. Unsuppressed:
    # they may open every one of those cases anyway.
    INDICATORS_AGENCY = "indicators.agency"
    REPORTS_SUBMIT = "reports.submit"
    REPORTS_REVIEW = "reports.review"
    # Personal data protection (Law 91/2025/QH15, Decree 356/2025/NĐ-CP). Registering a data
    # subject's request needs only the right to edit the case; acknowledging, extending,
    # deciding it and approving an access package (the second person) need this, in the
    # case's agency.
    PRIVACY_DSR_MANAGE = "privacy.dsr_manage"
    # The breach register holds no survivor data: auditors and administrators record breaches,
    # managers read the register.
    PRIVACY_BREACH_RECORD = "privacy.breach_record"
    PRIVACY_BREACH_VIEW = "privacy.breach_view"


@dataclass(frozen=True)
class RoleSpec:
    permissions: frozenset[Perm]
    # Roles that can reach identifying survivor data must use two-factor login.
    sees_case_data: bool
    # Roles with power over accounts or the evidence (administrators grant any role; auditors
    # read who did what to whom) must use it too, although they see no case content.
    privileged: bool = False


_EVERYONE = {Perm.USE_SYSTEM, Perm.PLACES_VIEW, Perm.AGENCIES_VIEW}

ROLES: dict[Role, RoleSpec] = {
    Role.HOTLINE_OPERATOR: RoleSpec(
        frozenset(_EVERYONE | {Perm.CALL_LOG, Perm.CASE_CREATE, Perm.PROVIDERS_VIEW}),
        sees_case_data=True,
    ),
    Role.CASE_WORKER: RoleSpec(
        frozenset(
            _EVERYONE
            | {
                Perm.CASE_CREATE,
                Perm.CASE_VIEW_ASSIGNED,
                Perm.CASE_EDIT,
                Perm.PROVIDERS_VIEW,
                Perm.REFERRAL_SEND,
            }
        ),
        sees_case_data=True,
    ),
    Role.CASE_SUPERVISOR: RoleSpec(
        frozenset(
            _EVERYONE
            | {
                Perm.CASE_CREATE,
                Perm.CASE_VIEW_ASSIGNED,
                Perm.CASE_VIEW_AGENCY,
                Perm.CASE_EDIT,
                Perm.CASE_APPROVE,
                Perm.CASE_LEGAL_HOLD,
                Perm.CALL_VIEW_ALL,
                Perm.INDICATORS_AGENCY,
                Perm.PROVIDERS_VIEW,
                Perm.REFERRAL_SEND,
                Perm.PRIVACY_DSR_MANAGE,
            }
        ),
        sees_case_data=True,
    ),
    Role.PROVIDER_STAFF: RoleSpec(
        frozenset(_EVERYONE | {Perm.PROVIDERS_VIEW, Perm.REFERRAL_RECEIVE, Perm.SHELTER_UPDATE}),
        sees_case_data=True,
    ),
    # Records anonymous contacts (no name, phone, address or free text) and reads suppressed
    # figures: no survivor data, hence no second factor required (docs/health.md).
    Role.HEALTH_WORKER: RoleSpec(
        frozenset(
            _EVERYONE | {Perm.PROVIDERS_VIEW, Perm.HEALTH_CONTACT_RECORD, Perm.HEALTH_STATS_VIEW}
        ),
        sees_case_data=False,
    ),
    Role.PROGRAMME_REPORTER: RoleSpec(
        frozenset(_EVERYONE | {Perm.PROGRAMME_VIEW, Perm.PROGRAMME_REPORT, Perm.REPORTS_SUBMIT}),
        sees_case_data=False,
    ),
    Role.PROGRAMME_COORDINATOR: RoleSpec(
        frozenset(
            _EVERYONE
            | {
                Perm.PROGRAMME_VIEW,
                Perm.PROGRAMME_COORDINATE,
                Perm.INDICATORS_VIEW,
                Perm.INDICATORS_ESTIMATE,
                Perm.REPORTS_REVIEW,
            }
        ),
        sees_case_data=False,
    ),
    Role.ANALYST: RoleSpec(
        frozenset(
            _EVERYONE
            | {
                Perm.INDICATORS_VIEW,
                Perm.INDICATORS_ESTIMATE,
                Perm.PROGRAMME_VIEW,
                Perm.CASES_RECONCILE,
                Perm.HEALTH_STATS_VIEW,
                Perm.API_DOCS,
            }
        ),
        sees_case_data=False,
    ),
    Role.MANAGER: RoleSpec(
        frozenset(
            _EVERYONE
            | {
                Perm.INDICATORS_VIEW,
                Perm.PROGRAMME_VIEW,
                Perm.PRIVACY_BREACH_VIEW,
                Perm.HEALTH_STATS_VIEW,
            }
        ),
        sees_case_data=False,
    ),
    Role.COMMUNE_LEADER: RoleSpec(
        frozenset(_EVERYONE | {Perm.PROGRAMME_VIEW, Perm.LOCAL_PLAN_APPROVE}),
        sees_case_data=False,
    ),
    Role.AUDITOR: RoleSpec(
        frozenset(
            _EVERYONE | {Perm.AUDIT_VIEW, Perm.PRIVACY_BREACH_RECORD, Perm.PRIVACY_BREACH_VIEW}
        ),
        sees_case_data=False,
        privileged=True,
    ),
    Role.ADMINISTRATOR: RoleSpec(
        frozenset(
            _EVERYONE
            | {
                Perm.ADMIN_MANAGE,
                Perm.PRIVACY_BREACH_RECORD,
                Perm.PRIVACY_BREACH_VIEW,
                Perm.API_DOCS,
            }
        ),
        sees_case_data=False,
        privileged=True,
    ),
}


def role_permissions(role: str) -> frozenset[Perm]:
    """Permissions of a role; an unknown role (e.g. removed from code) has none."""
    spec = ROLES.get(Role(role)) if role in Role.values else None
    return spec.permissions if spec else frozenset()


def role_sees_case_data(role: str) -> bool:
    spec = ROLES.get(Role(role)) if role in Role.values else None
    return bool(spec and spec.sees_case_data)


def role_needs_two_factor(role: str) -> bool:
    """Roles that see case data, and the privileged ones, log in with a second factor."""
    spec = ROLES.get(Role(role)) if role in Role.values else None
    return bool(spec and (spec.sees_case_data or spec.privileged))
