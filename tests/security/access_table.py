"""The access matrix: what every user gets on every URL and API operation.

One entry per operation, keyed ``"METHOD /path"`` exactly as the test enumerates them:

- pages: the URL pattern from Django's resolver, ``"GET /cases/<int:pk>/"``; ``GET`` for every
  pattern, ``POST`` too when the view has a ``post`` method;
- API: the path and method from the OpenAPI schema, ``"POST /api/v1/cases/{case_id}/notes"``.

An entry says who gets a 2xx/3xx answer (``ok``), what everyone else gets (``refused``: 403 or
404), and the exceptions (``also``: user → status). ``ids`` fills the URL's parameters with
objects of the world built in ``world.py`` (``{"pk": "case_a"}``; ``"=csv"`` is a literal).
For a write (POST, PATCH, PUT, DELETE) only the refusals are requested: ``ok`` then lists who
is *not* probed, because the endpoint's own tests cover what they may do (with an empty body
some of them get a 400).
``skip`` keeps an operation listed without requesting it, and says why. ``sees`` names users
refused with a 403 although they see the object: for an id that does not exist they get 404.

Adding an endpoint: run the test, copy the key it names as missing, and write the entry:
who may use it, and what the others get. Users are named in ``world.py``; the groups below
are the usual audiences. Several entries for one key (a tuple) probe the same URL with
different objects (a case of each agency; an open and a closed referral).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# The users (world.py): the demo's users, and a holder of each role in another agency.
EVERYONE = frozenset(
    {
        "admin1",
        "admin2",
        "analyst1",
        "analyst2",
        "auditor1",
        "auditor2",
        "coordinator1",
        "coordinator2",
        "health1",
        "hotline1",
        "hotline2",
        "hotlinesup1",
        "leader1",
        "leader2",
        "manager1",
        "manager2",
        "nurse1",
        "nurse2",
        "police1",
        "reporter1",
        "reporter2",
        "reporter3",
        "supervisor1",
        "supervisor2",
        "worker1",
        "worker2",
    }
)
# Case A is worker1's case in ubnd-pho-hien (agency A); supervisor1 supervises agency A.
ON_CASE_A = frozenset({"worker1", "supervisor1"})
# Case B is worker2's case in ubnd-tran-hung-dao (agency B); supervisor2 supervises agency B.
ON_CASE_B = frozenset({"worker2", "supervisor2"})
CASE_SUPERVISORS = frozenset({"supervisor1", "supervisor2", "hotlinesup1"})
CASE_STAFF = CASE_SUPERVISORS | {"worker1", "worker2"}
HOTLINE_OPERATORS = frozenset({"hotline1", "hotline2"})
INTAKE = CASE_STAFF | HOTLINE_OPERATORS
PROVIDER_STAFF = frozenset({"health1", "police1"})
# Health workers of the Phố Hiến (nurse1) and Trần Hưng Đạo (nurse2) commune health stations:
# they record anonymous contacts and read their station's figures; they find providers to
# refer to in the directory, and see no case.
HEALTH_WORKERS = frozenset({"nurse1", "nurse2"})
DIRECTORY = INTAKE | PROVIDER_STAFF | HEALTH_WORKERS
# The call was taken by hotline1 at the provincial hotline (ctxh-tinh); hotlinesup1 supervises it.
ON_THE_CALL = frozenset({"hotline1", "hotlinesup1"})
HOTLINE_STAFF = HOTLINE_OPERATORS | CASE_SUPERVISORS
REPORTERS = frozenset({"reporter1", "reporter2", "reporter3"})
COORDINATORS = frozenset({"coordinator1", "coordinator2"})
ANALYSTS_AND_MANAGERS = frozenset({"analyst1", "analyst2", "manager1", "manager2"})
# Commune leaders approve their commune's local plan (leader1: Phố Hiến; leader2: Trần Hưng
# Đạo) and see the programme's totals.
LEADERS = frozenset({"leader1", "leader2"})
COMMUNE_LEADERS = LEADERS
# Totals without the activity list: analysts, managers and commune leaders.
TOTALS_ONLY = ANALYSTS_AND_MANAGERS | LEADERS
PROGRAMME = REPORTERS | COORDINATORS | TOTALS_ONLY
INDICATORS = COORDINATORS | ANALYSTS_AND_MANAGERS
AUDITORS = frozenset({"auditor1", "auditor2"})
# Activity A is reporter1's (ubnd-pho-hien); reporter2 and reporter3 report for other agencies.
ON_ACTIVITY_A = COORDINATORS | {"reporter1"}
# The breach register (no survivor data): auditors and administrators record, managers read.
BREACH_RECORDERS = AUDITORS | {"admin1", "admin2"}
BREACH_READERS = BREACH_RECORDERS | {"manager1", "manager2"}
# The review of possible duplicates: an analyst of a provincial agency (analyst1, Thống kê
# tỉnh); analyst2 holds the role in a commune's agency and is refused.
REVIEWERS = frozenset({"analyst1"})
NOBODY: frozenset[str] = frozenset()

# URL parameters → world objects.
CASE_A = {"pk": "case_a"}
CASE_B = {"pk": "case_b"}
API_CASE_A = {"case_id": "case_a"}
CALL = {"pk": "call"}
API_CALL = {"call_id": "call"}
ACTIVITY_A = {"pk": "activity_a"}
CAMPAIGN = {"pk": "campaign"}
CAMPAIGN_ITEM_A = {"pk": "campaign", "item_id": "campaign_item_a"}
API_PLAN = {"plan_id": "plan"}
# Reports (reports/demo.py): plan 64's 2025 cycle; Phố Hiến's report for it, accepted; Phố
# Hiến's draft for the next plan's first year, with an attachment.
CYCLE = {"pk": "cycle"}
SUBMISSION_A = {"pk": "submission_a"}
SUBMISSION_DRAFT = {"pk": "submission_draft"}
API_SUBMISSION_A = {"submission_id": "submission_a"}


@dataclass(frozen=True)
class Entry:
    ok: frozenset[str] = NOBODY
    refused: int = 403
    also: Mapping[str, int] = field(default_factory=dict)
    ids: Mapping[str, str] = field(default_factory=dict)
    skip: str = ""
    # Refused (403) although they see the object (worker1 may not assign her own case): an id
    # that does not exist is a 404 for them, as for those in ``ok``.
    sees: frozenset[str] = NOBODY

    def expected(self, username: str) -> int | None:
        """The status a user must get; None for "a 2xx or 3xx answer"."""
        if username in self.ok:
            return None
        return self.also.get(username, self.refused)


def e(
    ok: frozenset[str] | set[str] = NOBODY,
    refused: int = 403,
    also: Mapping[str, int] | None = None,
    ids: Mapping[str, str] | None = None,
    skip: str = "",
    sees: frozenset[str] | set[str] = NOBODY,
) -> Entry:
    return Entry(frozenset(ok), refused, dict(also or {}), dict(ids or {}), skip, frozenset(sees))


# Object-level refusals by users who hold the role: the other agency's twin, and so on.
_CASE_A_APPROVE = {"worker1": 403}  # on the case, but only a supervisor decides
_TRANSFER = {"supervisor1": 404, "hotlinesup1": 404}  # not the receiving agency
_REFERRAL_SENDERS = {"worker2": 404, "supervisor2": 404, "hotlinesup1": 404}
_REFERRAL_OTHERS = {**_REFERRAL_SENDERS, "police1": 404}
_CALL_OTHERS = {"hotline2": 404, "supervisor1": 404, "supervisor2": 404}
_ACTIVITY_OTHERS = {"reporter2": 404, "reporter3": 404}
# An agency's report is seen by its reporters and its commune's leader, by the reviewers
# (coordinators), and once submitted by leaders and analysts (indicators.view); the other
# programme users get 404, as for a report that does not exist.
SEES_REPORT_A = COORDINATORS | ANALYSTS_AND_MANAGERS | {"reporter1", "leader1"}
SEES_DRAFT_A = COORDINATORS | {"reporter1", "leader1"}
_REPORT_A_HIDDEN = dict.fromkeys(PROGRAMME - SEES_REPORT_A, 404)
_DRAFT_A_HIDDEN = dict.fromkeys(PROGRAMME - SEES_DRAFT_A, 404)
# Programme roles that see plan 64 but may not change or publish it.
_SEES_PLAN = dict.fromkeys(PROGRAMME - COORDINATORS, 403)
# A data subject's request is seen by whoever sees its case; other case staff get 404, as
# for a request that does not exist; those without case access at all get 403.
_NOT_ON_CASE_A = dict.fromkeys(CASE_STAFF - ON_CASE_A, 404)
_NOT_ON_CASE_B = dict.fromkeys(CASE_STAFF - ON_CASE_B, 404)
REQUEST_A = {"pk": "request_a"}
# Trần Hưng Đạo's local plan is a draft: reporter2 builds it, the coordinators may help,
# leader2 sees it (refused: only a submitted plan is approved); to everyone else in the
# programme it does not exist.
LOCAL_B = {"pk": "local_b"}
LOCAL_B_BUILDERS = COORDINATORS | {"reporter2"}
_LOCAL_B_HIDDEN = dict.fromkeys(PROGRAMME - LOCAL_B_BUILDERS - {"leader2"}, 404)

MATRIX: dict[str, Entry | tuple[Entry, ...]] = {
    # --- Home, audit, health, accounts ---------------------------------------------------------
    "GET /": e(EVERYONE),
    "GET /audit/": e(AUDITORS),
    "GET /healthz": e(EVERYONE),
    "GET /readyz": e(EVERYONE),
    # Prometheus: by client address only (ANTOAN_METRICS_ALLOWED_IPS), the same for everyone.
    "GET /metrics": e(EVERYONE),
    "GET /favicon.ico": e(EVERYONE),
    "GET /places/search": e(EVERYONE),
    # A draft of the intake (docs/forms.md): those who may open a case; for the others the
    # form does not exist. Drafts of one case's forms are probed in the cases' draft tests.
    "GET /drafts/<str:key>/": e(INTAKE, refused=404, ids={"key": "=cases:intake"}),
    "POST /drafts/<str:key>/": e(INTAKE, refused=404, ids={"key": "=cases:intake"}),
    "GET /accounts/login/": e(EVERYONE),
    "POST /accounts/login/": e(EVERYONE, skip="public: a login form (accounts tests)"),
    "GET /accounts/login/otp/": e(EVERYONE),
    "POST /accounts/login/otp/": e(EVERYONE, skip="public: a login form (accounts tests)"),
    "GET /accounts/logout/": e(EVERYONE),
    "POST /accounts/logout/": e(EVERYONE, skip="would end the session the matrix uses"),
    "GET /accounts/security/": e(EVERYONE),
    "GET /accounts/security/otp/": e(EVERYONE),
    "POST /accounts/security/otp/": e(EVERYONE),
    "GET /accounts/security/logout-everywhere/": e(refused=405),
    "POST /accounts/security/logout-everywhere/": e(
        EVERYONE, skip="one's own sessions only; would end the session the matrix uses"
    ),
    "GET /accounts/security/tokens/<int:pk>/revoke/": e(refused=405, ids={"pk": "token_worker1"}),
    "POST /accounts/security/tokens/<int:pk>/revoke/": e(
        {"worker1"}, refused=404, ids={"pk": "token_worker1"}
    ),
    "GET /i18n/setlang/": e(EVERYONE),
    # The public "Tìm hỗ trợ" page: no login, the public directory only (antoan/public).
    "GET /tim-ho-tro/": e(EVERYONE),
    # Its web chat: the page shows the chat or the 24/7 numbers, the same to everyone.
    "GET /tim-ho-tro/tro-chuyen/": e(EVERYONE),
    # One's own password and the step-up confirmation (accounts tests cover the forms).
    "GET /accounts/security/password/": e(EVERYONE),
    "POST /accounts/security/password/": e(EVERYONE),
    "GET /accounts/reauth/": e(EVERYONE),
    "POST /accounts/reauth/": e(EVERYONE),
    # --- Cases ---------------------------------------------------------------------------------
    "GET /cases/mine/": e(CASE_STAFF),
    # The search form posts (terms never in a URL).
    "POST /cases/mine/": e(CASE_STAFF),
    "GET /cases/team/": e(CASE_SUPERVISORS),
    "POST /cases/team/": e(CASE_SUPERVISORS),
    "GET /cases/tasks/": e(CASE_STAFF),
    "GET /cases/new/": e(INTAKE),
    "POST /cases/new/": e(INTAKE),
    "GET /cases/transfers/": e(CASE_SUPERVISORS),
    "GET /cases/transfers/<int:transfer_id>/": e(
        {"supervisor2"}, also=_TRANSFER, ids={"transfer_id": "transfer_a2"}
    ),
    "POST /cases/transfers/<int:transfer_id>/": e(
        {"supervisor2"}, also=_TRANSFER, ids={"transfer_id": "transfer_a2"}
    ),
    "GET /cases/<int:pk>/": (
        e(ON_CASE_A, refused=404, ids=CASE_A),
        e(ON_CASE_B, refused=404, ids=CASE_B),
    ),
    "GET /cases/<int:pk>/print/": (
        e(ON_CASE_A, refused=404, ids=CASE_A),
        e(ON_CASE_B, refused=404, ids=CASE_B),
    ),
    **{
        f"{method} /cases/<int:pk>/{tail}": e(ON_CASE_A, refused=404, ids=CASE_A)
        for method in ("GET", "POST")
        for tail in (
            "incidents/new/",
            "assessments/new/",
            "safety-plans/new/",
            "case-plans/new/",
            "follow-ups/new/",
            "notes/new/",
            "consents/new/",
            "measures/new/",
            "closure/request/",
        )
    },
    **{
        f"{method} /cases/<int:pk>/consents/<str:purpose>/withdraw/": e(
            ON_CASE_A, refused=404, ids={**CASE_A, "purpose": "purpose"}
        )
        for method in ("GET", "POST")
    },
    **{
        f"{method} /cases/<int:pk>/measures/<int:measure_id>/decide/": e(
            ON_CASE_A, refused=404, ids={**CASE_A, "measure_id": "measure_a"}
        )
        for method in ("GET", "POST")
    },
    **{
        f"{method} /cases/<int:pk>/{tail}": e(
            {"supervisor1"}, refused=404, also=_CASE_A_APPROVE, ids=CASE_A, sees={"worker1"}
        )
        for method in ("GET", "POST")
        for tail in ("closure/decide/", "reopen/", "transfer/", "assign/")
    },
    **{
        f"{method} /cases/<int:pk>/legal-hold/": e(
            {"supervisor1"}, refused=404, also=_CASE_A_APPROVE, ids=CASE_A, sees={"worker1"}
        )
        for method in ("GET", "POST")
    },
    # The review between case A (agency A) and case B (agency B): provincial reviewers only.
    "GET /cases/duplicates/": e(REVIEWERS),
    "GET /cases/duplicates/<int:review_id>/": e(REVIEWERS, ids={"review_id": "review"}),
    "POST /cases/duplicates/<int:review_id>/": e(REVIEWERS, ids={"review_id": "review"}),
    # --- Privacy: data subjects' requests, consent ledger, breach register ---------------------
    "GET /privacy/requests/": e(CASE_SUPERVISORS),
    "GET /privacy/requests/<int:pk>/": (
        e(ON_CASE_A, also=_NOT_ON_CASE_A, ids=REQUEST_A),
        e(ON_CASE_B, also=_NOT_ON_CASE_B, ids={"pk": "request_b"}),
    ),
    # Without an action a POST is no operation at all: 404 even on one's own case.
    "POST /privacy/requests/<int:pk>/": e(also=dict.fromkeys(CASE_STAFF, 404), ids=REQUEST_A),
    # Actions are posted; a GET is no page.
    "GET /privacy/requests/<int:pk>/<str:action>/": e(
        also=dict.fromkeys(CASE_STAFF, 404), ids={**REQUEST_A, "action": "=acknowledge"}
    ),
    # Acknowledging is the supervisor's: the worker on the case is refused, whatever she posts.
    "POST /privacy/requests/<int:pk>/<str:action>/": e(
        {"supervisor1"},
        also={**_NOT_ON_CASE_A, "worker1": 403},
        ids={**REQUEST_A, "action": "=acknowledge"},
        sees={"worker1"},
    ),
    # The approved package: the worker who prepared it or a supervisor gives it (step-up: the
    # matrix's sessions have just logged in).
    "GET /privacy/requests/<int:pk>/packages/<int:package_id>/download/": e(
        ON_CASE_A, also=_NOT_ON_CASE_A, ids={**REQUEST_A, "package_id": "package_a"}
    ),
    **{
        f"{method} /privacy/cases/<int:case_id>/requests/": e(
            ON_CASE_A, also=_NOT_ON_CASE_A, ids=API_CASE_A
        )
        for method in ("GET", "POST")
    },
    "GET /privacy/cases/<int:case_id>/consents/": e(ON_CASE_A, also=_NOT_ON_CASE_A, ids=API_CASE_A),
    "GET /privacy/breaches/": e(BREACH_READERS),
    "GET /privacy/breaches/new/": e(BREACH_RECORDERS),
    "POST /privacy/breaches/new/": e(BREACH_RECORDERS),
    "GET /privacy/breaches/<int:pk>/": e(BREACH_READERS, ids={"pk": "breach"}),
    "GET /privacy/breaches/<int:pk>/edit/": e(BREACH_RECORDERS, ids={"pk": "breach"}),
    "POST /privacy/breaches/<int:pk>/edit/": e(BREACH_RECORDERS, ids={"pk": "breach"}),
    # --- Health facilities: recording is write-only (no list); figures are suppressed ----------
    "GET /health/contacts/new/": e(HEALTH_WORKERS),
    "POST /health/contacts/new/": e(HEALTH_WORKERS),
    "GET /health/contacts/recorded/": e(HEALTH_WORKERS),
    "GET /health/report/": e(HEALTH_WORKERS | ANALYSTS_AND_MANAGERS),
    "GET /health/report/export.xlsx": e(HEALTH_WORKERS | ANALYSTS_AND_MANAGERS),
    # --- Referrals -----------------------------------------------------------------------------
    "GET /referrals/providers/": e(DIRECTORY),
    "GET /referrals/providers/<int:pk>/": e(DIRECTORY, ids={"pk": "provider"}),
    # The hospital's page takes no shelter update: only a shelter's staff post there.
    "POST /referrals/providers/<int:pk>/": e(
        refused=403, also=dict.fromkeys(DIRECTORY, 404), ids={"pk": "provider"}
    ),
    "GET /referrals/pathway/<str:code>/": e(DIRECTORY, ids={"code": "pathway"}),
    "GET /referrals/inbox/": e(PROVIDER_STAFF),
    "GET /referrals/outbox/": e(CASE_STAFF),
    "GET /referrals/notifications/": e(EVERYONE),
    # A job (docs/jobs.md): its owner only; anyone else gets the audited 404 of a job that
    # does not exist.
    "GET /jobs/": e(EVERYONE),  # "Việc của tôi": one's own jobs only (none for most)
    "GET /jobs/<int:pk>/": e({"reporter1"}, refused=404, ids={"pk": "job"}),
    "GET /jobs/<int:pk>/progress/": e({"reporter1"}, refused=404, ids={"pk": "job"}),
    "GET /jobs/<int:pk>/result/": e({"reporter1"}, refused=404, ids={"pk": "job"}),
    "POST /referrals/notifications/": e(EVERYONE),
    "GET /referrals/<int:pk>/": (
        e(ON_CASE_A | {"health1"}, refused=404, ids={"pk": "referral_open"}),
        # Closed: the hospital no longer sees it; the sender still does.
        e(ON_CASE_A, refused=404, ids={"pk": "referral_closed"}),
    ),
    "POST /referrals/<int:pk>/": (
        e(ON_CASE_A | {"health1"}, refused=404, ids={"pk": "referral_open"}),
        e(ON_CASE_A, refused=404, ids={"pk": "referral_closed"}),
    ),
    **{
        f"{method} /referrals/cases/<int:case_id>/{tail}": e(
            ON_CASE_A, also=_REFERRAL_SENDERS, ids=API_CASE_A
        )
        for method in ("GET", "POST")
        for tail in ("new/", "services/new/")
    },
    # The referral form's preview of what the chosen provider would see (issue 12).
    "GET /referrals/cases/<int:case_id>/preview/": e(
        ON_CASE_A, also=_REFERRAL_SENDERS, ids=API_CASE_A
    ),
    # The provider's history: answered referrals of its own agency only, never open ones.
    "GET /referrals/history/": e(PROVIDER_STAFF),
    "GET /referrals/history/<int:pk>/": (
        e({"health1"}, also={"police1": 404}, ids={"pk": "referral_closed"}),
        e(also={"health1": 404, "police1": 404}, ids={"pk": "referral_open"}),
    ),
    # --- Hotline -------------------------------------------------------------------------------
    "GET /hotline/": e(HOTLINE_STAFF),
    "GET /hotline/new/": e(HOTLINE_OPERATORS),
    "POST /hotline/new/": e(HOTLINE_OPERATORS),
    "GET /hotline/<int:pk>/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    # GET only sends back to the call's page, without looking the call up.
    "GET /hotline/<int:pk>/notifications/": e(HOTLINE_STAFF, ids=CALL),
    "POST /hotline/<int:pk>/notifications/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    "GET /hotline/<int:pk>/close/": e(HOTLINE_STAFF, ids=CALL),
    "POST /hotline/<int:pk>/close/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    "GET /hotline/<int:pk>/open-case/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    "POST /hotline/<int:pk>/open-case/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    # Written conversations (web chat): the world's call is a phone call, whose conversation
    # page sends its operators on to the call page (302).
    "GET /hotline/conversations/": e(HOTLINE_STAFF),
    "GET /hotline/<int:pk>/conversation/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    "POST /hotline/<int:pk>/conversation/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    "GET /hotline/<int:pk>/conversation/messages/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    # The live queue (operators), the record form of a contact, the live board (supervisors).
    "GET /hotline/queue/": e(HOTLINE_OPERATORS),
    "GET /hotline/presence/": e(HOTLINE_OPERATORS),
    "POST /hotline/presence/": e(HOTLINE_OPERATORS),
    "GET /hotline/board/": e(CASE_SUPERVISORS),
    "GET /hotline/<int:pk>/record/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    "POST /hotline/<int:pk>/record/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    # GET only sends back to the queue or the record form, without looking the contact up.
    "GET /hotline/<int:pk>/take/": e(HOTLINE_STAFF, ids=CALL),
    "POST /hotline/<int:pk>/take/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    "GET /hotline/<int:pk>/end/": e(HOTLINE_STAFF, ids=CALL),
    "POST /hotline/<int:pk>/end/": e(ON_THE_CALL, also=_CALL_OTHERS, ids=CALL),
    # --- Programme -----------------------------------------------------------------------------
    "GET /programme/": e(PROGRAMME),
    "GET /programme/plans/<int:pk>/": e(PROGRAMME, ids={"pk": "plan"}),
    "GET /programme/plans/<int:pk>/tasks/<int:task_id>/": e(
        PROGRAMME, ids={"pk": "plan", "task_id": "task"}
    ),
    "POST /programme/plans/<int:pk>/tasks/<int:task_id>/": e(
        COORDINATORS, ids={"pk": "plan", "task_id": "task"}
    ),
    # Building plans (issue 10).
    "GET /programme/plans/new/": e(COORDINATORS),
    "POST /programme/plans/new/": e(COORDINATORS),
    "GET /programme/plans/<int:pk>/edit/": e(LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN),
    "POST /programme/plans/<int:pk>/edit/": e(LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN),
    "GET /programme/plans/<int:pk>/tasks/new/": e(
        LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/tasks/new/": e(
        LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN
    ),
    "GET /programme/plans/<int:pk>/tasks/<int:task_id>/edit/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "task_id": "local_b_task"}, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/tasks/<int:task_id>/edit/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "task_id": "local_b_task"}, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/tasks/<int:task_id>/delete/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "task_id": "local_b_task"}, also=_LOCAL_B_HIDDEN
    ),
    # Assignments belong to provincial plans: a local plan's builders get 404 too (not probed).
    "POST /programme/plans/<int:pk>/tasks/<int:task_id>/assignments/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "task_id": "local_b_task"}, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/assignments/<int:assignment_id>/delete/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "assignment_id": "=999999"}, also=_LOCAL_B_HIDDEN
    ),
    "GET /programme/plans/<int:pk>/objectives/new/": e(
        LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/objectives/new/": e(
        LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN
    ),
    "GET /programme/plans/<int:pk>/objectives/<int:objective_id>/edit/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "objective_id": "local_b_objective"}, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/objectives/<int:objective_id>/edit/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "objective_id": "local_b_objective"}, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/objectives/<int:objective_id>/delete/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "objective_id": "local_b_objective"}, also=_LOCAL_B_HIDDEN
    ),
    "GET /programme/plans/<int:pk>/budget/": e(LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN),
    "POST /programme/plans/<int:pk>/budget/": e(
        LOCAL_B_BUILDERS, ids=LOCAL_B, also=_LOCAL_B_HIDDEN
    ),
    "POST /programme/plans/<int:pk>/<slug:action>/": e(
        LOCAL_B_BUILDERS, ids={**LOCAL_B, "action": "=submit"}, also=_LOCAL_B_HIDDEN
    ),
    # Actions answer POST only; a programme user's GET is 405.
    **{
        f"GET /programme/plans/<int:pk>/{path}": e(
            also=dict.fromkeys(PROGRAMME, 405), ids={**LOCAL_B, **ids}
        )
        for path, ids in (
            ("<slug:action>/", {"action": "=submit"}),
            ("assignments/<int:assignment_id>/delete/", {"assignment_id": "=999999"}),
            ("objectives/<int:objective_id>/delete/", {"objective_id": "local_b_objective"}),
            ("tasks/<int:task_id>/assignments/", {"task_id": "local_b_task"}),
            ("tasks/<int:task_id>/delete/", {"task_id": "local_b_task"}),
        )
    },
    "GET /programme/plans/<int:pk>/plan.yaml": e(PROGRAMME, ids={"pk": "next_plan"}),
    "GET /programme/plans/<int:pk>/coverage/": e(PROGRAMME, ids={"pk": "next_plan"}),
    "GET /programme/activities/": e(REPORTERS | COORDINATORS),
    "GET /programme/activities/new/": e(REPORTERS),
    "POST /programme/activities/new/": e(REPORTERS),
    "GET /programme/activities/<int:pk>/": e(
        ON_ACTIVITY_A,
        also={**_ACTIVITY_OTHERS, **dict.fromkeys(ANALYSTS_AND_MANAGERS | LEADERS, 404)},
        ids=ACTIVITY_A,
    ),
    "GET /programme/activities/<int:pk>/edit/": e(
        {"reporter1"}, also=_ACTIVITY_OTHERS, ids=ACTIVITY_A
    ),
    "POST /programme/activities/<int:pk>/edit/": e(
        {"reporter1"}, also=_ACTIVITY_OTHERS, ids=ACTIVITY_A
    ),
    "GET /programme/activities/<int:pk>/comments/": e(
        also=dict.fromkeys(COORDINATORS, 405), ids=ACTIVITY_A
    ),
    "POST /programme/activities/<int:pk>/comments/": e(COORDINATORS, ids=ACTIVITY_A),
    # The recommendation belongs to Sở Nội vụ's inspection, reported by reporter3.
    "GET /programme/activities/<int:pk>/recommendations/<int:rec_id>/": e(
        also=dict.fromkeys(REPORTERS, 405),
        ids={"pk": "activity_inspection", "rec_id": "recommendation"},
    ),
    "POST /programme/activities/<int:pk>/recommendations/<int:rec_id>/": e(
        {"reporter3"},
        also={"reporter1": 404, "reporter2": 404},
        ids={"pk": "activity_inspection", "rec_id": "recommendation"},
    ),
    "GET /programme/activities/<int:pk>/evidence/": e(
        also=dict.fromkeys(REPORTERS, 405), ids=ACTIVITY_A
    ),
    "POST /programme/activities/<int:pk>/evidence/": e(
        {"reporter1"}, also=_ACTIVITY_OTHERS, ids=ACTIVITY_A
    ),
    "GET /programme/activities/<int:pk>/evidence/<int:evidence_id>/": e(
        ON_ACTIVITY_A,
        also={**_ACTIVITY_OTHERS, **dict.fromkeys(ANALYSTS_AND_MANAGERS | LEADERS, 404)},
        ids={**ACTIVITY_A, "evidence_id": "evidence_a"},
    ),
    "GET /programme/models/": e(PROGRAMME),
    "GET /programme/models/new/": e(REPORTERS | COORDINATORS),
    "POST /programme/models/new/": e(REPORTERS | COORDINATORS),
    "GET /programme/models/<int:pk>/": e(PROGRAMME, ids={"pk": "model_a"}),
    "GET /programme/models/<int:pk>/edit/": e(ON_ACTIVITY_A, ids={"pk": "model_a"}),
    "POST /programme/models/<int:pk>/edit/": e(ON_ACTIVITY_A, ids={"pk": "model_a"}),
    # Standards and reviews (plan IV.1.b, II.4.a-1): every programme role reads them, the
    # coordinator records them.
    "GET /programme/models/<int:pk>/assessments/new/": e(COORDINATORS, ids={"pk": "model_a"}),
    "POST /programme/models/<int:pk>/assessments/new/": e(COORDINATORS, ids={"pk": "model_a"}),
    "GET /programme/models/<int:pk>/reviews/new/": e(COORDINATORS, ids={"pk": "model_a"}),
    "POST /programme/models/<int:pk>/reviews/new/": e(COORDINATORS, ids={"pk": "model_a"}),
    "GET /programme/assessments/<int:pk>/": e(PROGRAMME, ids={"pk": "assessment_a"}),
    "GET /programme/assessments/<int:pk>/edit/": e(COORDINATORS, ids={"pk": "assessment_a"}),
    "POST /programme/assessments/<int:pk>/edit/": e(COORDINATORS, ids={"pk": "assessment_a"}),
    "GET /programme/facilities/": e(PROGRAMME),
    "GET /programme/facilities/<int:pk>/": e(PROGRAMME, ids={"pk": "facility"}),
    "GET /programme/facilities/<int:pk>/assessments/new/": e(COORDINATORS, ids={"pk": "facility"}),
    "POST /programme/facilities/<int:pk>/assessments/new/": e(COORDINATORS, ids={"pk": "facility"}),
    "GET /programme/influencers/": e(PROGRAMME),
    "GET /programme/influencers/new/": e(REPORTERS | COORDINATORS),
    "POST /programme/influencers/new/": e(REPORTERS | COORDINATORS),
    "GET /programme/influencers/<int:pk>/edit/": e(
        ON_ACTIVITY_A, also=_ACTIVITY_OTHERS, ids={"pk": "influencer_a"}
    ),
    "POST /programme/influencers/<int:pk>/edit/": e(
        ON_ACTIVITY_A, also=_ACTIVITY_OTHERS, ids={"pk": "influencer_a"}
    ),
    "GET /programme/budget/": e(PROGRAMME),
    "POST /programme/budget/": e(REPORTERS | COORDINATORS),
    # Moved to /reports/: a redirect.
    "GET /programme/reports/": e(PROGRAMME),
    "GET /programme/toolkit/": e(REPORTERS | COORDINATORS),
    "GET /programme/toolkit/templates/<slug:kind>.xlsx": e(
        REPORTERS, ids={"kind": "template_kind"}
    ),
    "GET /programme/toolkit/import/": e(REPORTERS),
    "POST /programme/toolkit/import/": e(REPORTERS),
    "GET /programme/toolkit/export.xlsx": e(REPORTERS | COORDINATORS),
    "GET /programme/toolkit/models.xlsx": e(PROGRAMME),
    "GET /programme/toolkit/influencers.xlsx": e(PROGRAMME),
    "GET /programme/toolkit/budget.xlsx": e(PROGRAMME),
    "GET /programme/campaigns/": e(PROGRAMME),
    "GET /programme/campaigns/new/": e(COORDINATORS),
    "POST /programme/campaigns/new/": e(COORDINATORS),
    "GET /programme/campaigns/<int:pk>/": e(PROGRAMME, ids=CAMPAIGN),
    "GET /programme/campaigns/<int:pk>/edit/": e(COORDINATORS, ids=CAMPAIGN),
    "POST /programme/campaigns/<int:pk>/edit/": e(COORDINATORS, ids=CAMPAIGN),
    "GET /programme/campaigns/<int:pk>/items/new/": e(REPORTERS, ids=CAMPAIGN),
    "POST /programme/campaigns/<int:pk>/items/new/": e(REPORTERS, ids=CAMPAIGN),
    # The plan item is reporter1's agency's (ubnd-pho-hien); other reporters get 404.
    "GET /programme/campaigns/<int:pk>/items/<int:item_id>/edit/": e(
        {"reporter1"}, also=_ACTIVITY_OTHERS, ids=CAMPAIGN_ITEM_A
    ),
    "POST /programme/campaigns/<int:pk>/items/<int:item_id>/edit/": e(
        {"reporter1"}, also=_ACTIVITY_OTHERS, ids=CAMPAIGN_ITEM_A
    ),
    "GET /programme/campaigns/<int:pk>/report.xlsx": e(PROGRAMME, ids=CAMPAIGN),
    "GET /programme/campaigns/<int:pk>/report.docx": e(PROGRAMME, ids=CAMPAIGN),
    # --- Reports: the annual reporting cycle -----------------------------------------------------
    "GET /reports/": e(PROGRAMME),
    "GET /reports/cycles/<int:pk>/": e(PROGRAMME, ids=CYCLE),
    # Opening a report is a POST; without an agency of one's own it is refused (403).
    "GET /reports/cycles/<int:pk>/open/": e(also=dict.fromkeys(REPORTERS, 405), ids=CYCLE),
    "POST /reports/cycles/<int:pk>/open/": e(ids=CYCLE),
    "GET /reports/cycles/<int:pk>/edit/": e(COORDINATORS, ids=CYCLE),
    "POST /reports/cycles/<int:pk>/edit/": e(COORDINATORS, ids=CYCLE),
    "GET /reports/cycles/<int:pk>/consolidated.<str:fmt>": e(
        COORDINATORS | ANALYSTS_AND_MANAGERS, ids={**CYCLE, "fmt": "=xlsx"}
    ),
    # The same report made by the worker (docs/jobs.md): a POST queues it; the GET (back from
    # the password prompt) goes to the cycle's page.
    "GET /reports/cycles/<int:pk>/consolidated-job.<str:fmt>": e(
        COORDINATORS | ANALYSTS_AND_MANAGERS, ids={**CYCLE, "fmt": "=docx"}
    ),
    "POST /reports/cycles/<int:pk>/consolidated-job.<str:fmt>": e(
        COORDINATORS | ANALYSTS_AND_MANAGERS, ids={**CYCLE, "fmt": "=docx"}
    ),
    "GET /reports/plans/<int:pk>/final-review.<str:fmt>": e(
        COORDINATORS | ANALYSTS_AND_MANAGERS, ids={"pk": "plan", "fmt": "=docx"}
    ),
    # Statistical exports: without a year the download goes back to the page with a message.
    "GET /reports/exports/": e(INDICATORS),
    # The incident workbook made by the worker: analysts queue it (POST); GET goes to the page.
    "GET /reports/exports/gbvims/job": e({"analyst1", "analyst2"}),
    "POST /reports/exports/gbvims/job": e({"analyst1", "analyst2"}),
    "GET /reports/exports/<str:kind>": (
        e(INDICATORS, ids={"kind": "=dhis2"}),
        e({"analyst1", "analyst2"}, ids={"kind": "=gbvims"}),
    ),
    "GET /reports/submissions/<int:pk>/": (
        e(SEES_REPORT_A, also=_REPORT_A_HIDDEN, ids=SUBMISSION_A),
        e(SEES_DRAFT_A, also=_DRAFT_A_HIDDEN, ids=SUBMISSION_DRAFT),
    ),
    # Every change names its action; a POST without one is no operation (404) for those who
    # see the report, as for those who do not.
    "POST /reports/submissions/<int:pk>/": (
        e(also=dict.fromkeys(PROGRAMME, 404), ids=SUBMISSION_A),
        e(also=dict.fromkeys(PROGRAMME, 404), ids=SUBMISSION_DRAFT),
    ),
    "GET /reports/attachments/<int:pk>/": e(
        SEES_DRAFT_A, also=_DRAFT_A_HIDDEN, ids={"pk": "attachment_draft"}
    ),
    # --- Indicators ----------------------------------------------------------------------------
    "GET /indicators/": e(INDICATORS),
    # "Compute again": drops the cached figures of the user's own province.
    "POST /indicators/": e(INDICATORS),
    # Nobody by default: only agencies listed in ANTOAN_NATIONAL_AGENCIES (none in the world);
    # antoan/indicators/tests/test_national.py covers a listed one.
    "GET /indicators/national/": e(),
    "POST /indicators/national/": e(),
    r"GET /indicators/^export\.(?P<file_format>xlsx|csv)$": e(
        INDICATORS, ids={"file_format": "=csv"}
    ),
    "GET /indicators/estimates/": e(INDICATORS),
    "POST /indicators/estimates/": e(INDICATORS - {"manager1", "manager2"}),
    "GET /indicators/agency/": e(CASE_SUPERVISORS),
    "GET /indicators/hotline/": e(CASE_SUPERVISORS),
    "GET /indicators/<str:code>/": e(INDICATORS, ids={"code": "indicator"}),
    # --- API: accounts, reference data ---------------------------------------------------------
    "POST /api/v1/auth/token": e(EVERYONE, skip="public: credentials (api tests)"),
    "DELETE /api/v1/auth/token": e(EVERYONE, skip="public: revokes the bearer token sent"),
    "POST /api/v1/hotline/telephony/events": e(
        EVERYONE, skip="public: signed by the PBX (antoan/api/tests/test_hotline_webhooks.py)"
    ),
    "POST /api/v1/hotline/messages/inbound": e(
        EVERYONE, skip="public: signed by the gateway (antoan/api/tests/test_hotline_webhooks.py)"
    ),
    "GET /api/v1/me": e(EVERYONE),
    "GET /api/v1/agencies": e(EVERYONE),
    "GET /api/v1/places": e(EVERYONE),
    # Not in the schema they serve: listed from the URL patterns.
    "GET /api/v1/schema": e(EVERYONE),
    # The browsable docs: the roles that build on the API (Perm.API_DOCS).
    "GET /api/v1/docs": e(frozenset({"admin1", "admin2", "analyst1", "analyst2"})),
    # --- API: cases ----------------------------------------------------------------------------
    "GET /api/v1/cases": e(CASE_STAFF),
    "POST /api/v1/cases/search": e(CASE_STAFF),
    "POST /api/v1/cases": e(INTAKE),
    "GET /api/v1/cases/{case_id}": (
        e(ON_CASE_A, refused=404, ids=API_CASE_A),
        e(ON_CASE_B, refused=404, ids={"case_id": "case_b"}),
    ),
    "PATCH /api/v1/cases/{case_id}": e(ON_CASE_A, refused=404, ids=API_CASE_A),
    **{
        f"POST /api/v1/cases/{{case_id}}/{tail}": e(ON_CASE_A, refused=404, ids=API_CASE_A)
        for tail in (
            "incidents",
            "assessments",
            "safety-plans",
            "case-plans",
            "follow-ups",
            "notes",
            "consents",
            "consents/withdraw",
            "measures",
            "closure-request",
            # An empty body is a 400 for worker1 before the supervisor check (api tests).
            "closure-decision",
            "reopen",
            "transfer",
            "referrals",
            "services",
        )
    },
    "POST /api/v1/cases/{case_id}/measures/{measure_id}/decision": e(
        ON_CASE_A, refused=404, ids={**API_CASE_A, "measure_id": "measure_a"}
    ),
    "GET /api/v1/case-transfers": e(CASE_SUPERVISORS),
    "GET /api/v1/cases/duplicate-reviews": e(REVIEWERS),
    "POST /api/v1/case-transfers/{transfer_id}/decision": e(
        {"supervisor2"}, also=_TRANSFER, ids={"transfer_id": "transfer_a2"}
    ),
    # --- API: referrals ------------------------------------------------------------------------
    "GET /api/v1/providers": e(DIRECTORY),
    "GET /api/v1/referrals": e(CASE_STAFF | PROVIDER_STAFF),
    "GET /api/v1/referrals/{referral_id}": (
        e(ON_CASE_A | {"health1"}, also=_REFERRAL_OTHERS, ids={"referral_id": "referral_open"}),
        e(
            ON_CASE_A,
            also={**_REFERRAL_OTHERS, "health1": 404},
            ids={"referral_id": "referral_closed"},
        ),
    ),
    **{
        f"POST /api/v1/referrals/{{referral_id}}/{action}": e(
            ON_CASE_A | {"health1"}, also=_REFERRAL_OTHERS, ids={"referral_id": "referral_open"}
        )
        for action in ("accept", "decline", "deliver", "close", "revoke")
    },
    # --- API: hotline --------------------------------------------------------------------------
    # The public web chat: anyone opens one; its messages need the chat's token (X-Chat-Token),
    # which no user of the matrix holds: 404 for all, like a chat that does not exist. The
    # world's call is not a web chat either.
    "POST /api/v1/hotline/chats": e(EVERYONE, skip="public: opens an anonymous chat (api tests)"),
    "GET /api/v1/hotline/chats/{chat_id}/messages": e(refused=404, ids={"chat_id": "call"}),
    "POST /api/v1/hotline/chats/{chat_id}/messages": e(refused=404, ids={"chat_id": "call"}),
    "POST /api/v1/hotline/chats/{chat_id}/end": e(refused=404, ids={"chat_id": "call"}),
    "GET /api/v1/hotline/calls": e(HOTLINE_STAFF),
    "POST /api/v1/hotline/calls": e(HOTLINE_OPERATORS),
    "GET /api/v1/hotline/calls/{call_id}": e(ON_THE_CALL, also=_CALL_OTHERS, ids=API_CALL),
    "POST /api/v1/hotline/calls/{call_id}/notifications": e(
        ON_THE_CALL, also=_CALL_OTHERS, ids=API_CALL
    ),
    "POST /api/v1/hotline/calls/{call_id}/open-case": e(
        ON_THE_CALL, also=_CALL_OTHERS, ids=API_CALL
    ),
    "GET /api/v1/hotline/queue": e(HOTLINE_OPERATORS),
    "PUT /api/v1/hotline/presence": e(HOTLINE_OPERATORS),
    "POST /api/v1/hotline/contacts/{contact_id}/take": e(
        ON_THE_CALL, also=_CALL_OTHERS, ids={"contact_id": "call"}
    ),
    "POST /api/v1/hotline/contacts/{contact_id}/end": e(
        ON_THE_CALL, also=_CALL_OTHERS, ids={"contact_id": "call"}
    ),
    # --- API: health facilities ---------------------------------------------------------------
    "POST /api/v1/health/contacts": e(HEALTH_WORKERS),
    "GET /api/v1/health/contacts/summary": e(HEALTH_WORKERS | ANALYSTS_AND_MANAGERS),
    # --- API: programme and indicators ---------------------------------------------------------
    "GET /api/v1/programme/plans": e(PROGRAMME),
    # Reporters start local plans, the coordinator provincial ones (an empty body is a 400).
    "POST /api/v1/programme/plans": e(REPORTERS | COORDINATORS),
    "GET /api/v1/programme/plans/{plan_id}": e(PROGRAMME, refused=404, ids=API_PLAN),
    "GET /api/v1/programme/plans/{plan_id}/tasks": e(PROGRAMME, refused=404, ids=API_PLAN),
    "GET /api/v1/programme/plans/{plan_id}/coverage": e(PROGRAMME, refused=404, ids=API_PLAN),
    # Plan 64 is a published provincial plan: the coordinator builds and publishes provincial
    # plans (the services then refuse: not a draft); the other programme roles see it, 403.
    **{
        key: e(COORDINATORS, refused=404, also=_SEES_PLAN, ids=API_PLAN)
        for key in (
            "PATCH /api/v1/programme/plans/{plan_id}",
            "POST /api/v1/programme/plans/{plan_id}/publish",
            "POST /api/v1/programme/plans/{plan_id}/submit",
            "POST /api/v1/programme/plans/{plan_id}/tasks",
            "POST /api/v1/programme/plans/{plan_id}/objectives",
            "PUT /api/v1/programme/plans/{plan_id}/budget",
        )
    },
    "DELETE /api/v1/programme/plans/{plan_id}/tasks/{task_id}": e(
        COORDINATORS, refused=404, also=_SEES_PLAN, ids={**API_PLAN, "task_id": "task"}
    ),
    # Only a commune's leader returns a submitted local plan: nobody returns plan 64.
    "POST /api/v1/programme/plans/{plan_id}/return": e(
        refused=404, also=dict.fromkeys(PROGRAMME, 403), ids=API_PLAN
    ),
    "GET /api/v1/programme/activities": e(REPORTERS | COORDINATORS),
    "POST /api/v1/programme/activities": e(REPORTERS),
    "GET /api/v1/programme/activities/{activity_id}": e(
        ON_ACTIVITY_A, refused=404, ids={"activity_id": "activity_a"}
    ),
    "PATCH /api/v1/programme/activities/{activity_id}": e(
        {"reporter1"},
        refused=404,
        also=dict.fromkeys(COORDINATORS, 403),
        ids={"activity_id": "activity_a"},
    ),
    "GET /api/v1/programme/models": e(PROGRAMME),
    "GET /api/v1/programme/budget": e(PROGRAMME),
    "GET /api/v1/programme/campaigns": e(PROGRAMME),
    "POST /api/v1/programme/campaigns": e(COORDINATORS),
    "GET /api/v1/programme/campaigns/{campaign_id}": e(
        PROGRAMME, refused=404, ids={"campaign_id": "campaign"}
    ),
    "GET /api/v1/programme/checklists": e(PROGRAMME),
    "GET /api/v1/programme/models/{model_id}/assessments": e(
        PROGRAMME, refused=404, ids={"model_id": "model_a"}
    ),
    "POST /api/v1/programme/models/{model_id}/assessments": e(
        COORDINATORS,
        refused=404,
        also=dict.fromkeys(REPORTERS | ANALYSTS_AND_MANAGERS | LEADERS, 403),
        ids={"model_id": "model_a"},
    ),
    "GET /api/v1/programme/models/{model_id}/reviews": e(
        PROGRAMME, refused=404, ids={"model_id": "model_a"}
    ),
    "POST /api/v1/programme/models/{model_id}/reviews": e(
        COORDINATORS,
        refused=404,
        also=dict.fromkeys(REPORTERS | ANALYSTS_AND_MANAGERS | LEADERS, 403),
        ids={"model_id": "model_a"},
    ),
    # --- API: reports ---------------------------------------------------------------------------
    "GET /api/v1/reports/cycles": e(PROGRAMME),
    "GET /api/v1/reports/submissions/{submission_id}": e(
        SEES_REPORT_A, refused=404, ids=API_SUBMISSION_A
    ),
    # Those who see it get a 400 for the empty body (api tests cover what they may do).
    **{
        key: e(SEES_REPORT_A, refused=404, ids=API_SUBMISSION_A)
        for key in (
            "PATCH /api/v1/reports/submissions/{submission_id}",
            "POST /api/v1/reports/submissions/{submission_id}/submit",
            "POST /api/v1/reports/submissions/{submission_id}/return",
            "POST /api/v1/reports/submissions/{submission_id}/accept",
            "POST /api/v1/reports/submissions/{submission_id}/correct",
        )
    },
    **{
        f"GET /api/v1/reports/cycles/{{cycle_id}}/consolidated.{fmt}": e(
            COORDINATORS | ANALYSTS_AND_MANAGERS,
            refused=404,
            also=dict.fromkeys(REPORTERS | LEADERS, 403),
            ids={"cycle_id": "cycle"},
        )
        for fmt in ("docx", "pdf", "xlsx")
    },
    # Probed without ``plan``: those who may read it get its 400.
    "GET /api/v1/reports/final-review.docx": e(
        also=dict.fromkeys(COORDINATORS | ANALYSTS_AND_MANAGERS, 400)
    ),
    "GET /api/v1/indicators": e(INDICATORS),
    "GET /api/v1/indicators/values": e(INDICATORS),
    "GET /api/v1/indicators/estimates": e(INDICATORS),
    "POST /api/v1/indicators/estimates": e(INDICATORS - {"manager1", "manager2"}),
    # Statistical exports: probed without ``year``, so those who may export get its 400. The
    # GBVIMS workbook (rows) is for analysts only.
    **{
        f"GET /api/v1/exports/{kind}": e(also=dict.fromkeys(INDICATORS, 400))
        for kind in ("dhis2", "circular07", "decree110")
    },
    "GET /api/v1/exports/gbvims": e(also=dict.fromkeys({"analyst1", "analyst2"}, 400)),
}
