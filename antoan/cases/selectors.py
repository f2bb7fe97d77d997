"""Reads of case data, always scoped to the acting user, audited when case data is shown.

A case worker reaches the cases assigned to them in an agency where they hold
``cases.view_assigned``; a supervisor every case of an agency where they hold
``cases.view_agency``. Anyone else gets 404, the same as for a missing case.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.utils import timezone

from antoan.accounts.roles import Perm, role_permissions
from antoan.cases import choices as c
from antoan.cases import rules
from antoan.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CasePlan,
    CasePlanItem,
    CaseSearchToken,
    CaseTransfer,
    ClosureRequest,
    Consent,
    DuplicateReview,
    FollowUp,
    Incident,
    Perpetrator,
    ProtectionMeasure,
)
from antoan.core import prepared
from antoan.core.audit import audit_record
from antoan.core.crypto import blind_index, phone_index
from antoan.core.permissions import agency_ids_with, memberships
from antoan.core.text import search_key
from antoan.places.models import Place

_NUMBER = re.compile(r"^[A-Za-z]{1,10}-\d{4}-\d{1,6}$")


@dataclass(frozen=True)
class Reach:
    """Where a user sees cases: every case of the agencies ``wide``, and in the agencies
    ``assigned`` those assigned to them (``user_id``)."""

    user_id: int
    wide: tuple[int, ...]
    assigned: tuple[int, ...]

    @classmethod
    def of(cls, user: Any) -> Reach:
        wide = agency_ids_with(user, Perm.CASE_VIEW_AGENCY)
        # Where the user sees every case anyway, "assigned to me" adds nothing (and a shorter
        # condition is a cheaper query to build and to plan).
        assigned = agency_ids_with(user, Perm.CASE_VIEW_ASSIGNED) - wide
        return cls(user.pk, tuple(sorted(wide)), tuple(sorted(assigned)))

    @property
    def agencies(self) -> list[int]:
        return sorted({*self.wide, *self.assigned})

    def condition(self) -> Q:
        """The condition selecting these cases (nothing, for most roles)."""
        condition = Q(pk__in=[])
        if self.wide:
            condition |= Q(agency_id__in=self.wide)
        if self.assigned:
            condition |= Q(agency_id__in=self.assigned, assigned_to_id=self.user_id)
        return condition


def case_scope(user: Any) -> Q:
    """The condition selecting the cases ``user`` may see (nothing, for most roles)."""
    return Reach.of(user).condition()


def cases_for_user(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(case_scope(user))


def case_get_for_user(user: Any, case_id: Any, *, request: Any = None, audit: bool = True) -> Case:
    """The case if ``user`` may see it, else Http404; the read is audited."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise Http404 from None
    case = (
        cases_for_user(user)
        .select_related("survivor", "survivor__commune", "agency", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    if audit:
        audit_record(
            action="view",
            request=request,
            user=user,
            object_type="case",
            object_id=case.pk,
            place_code=case.survivor.commune.code if case.survivor.commune else "",
        )
    return case


def timeline_page(
    case: Case, *, limit: int, before: int | None = None
) -> tuple[list[CaseEvent], int | None]:
    """A page of the case's timeline, newest first: the ``limit`` events before the event
    ``before`` (an id of this case's timeline; the newest when None), by keyset on (time, id),
    one query whatever the timeline's length. Returns the events and the id to pass as
    ``before`` for the older ones (None when there are none)."""
    qs = CaseEvent.objects.filter(case=case).select_related("actor").order_by("-at", "-pk")
    if before is not None:
        anchor = Subquery(CaseEvent.objects.filter(case=case, pk=before).values("at")[:1])
        qs = qs.filter(Q(at__lt=anchor) | Q(at=anchor, pk__lt=before))
    page = list(qs[: limit + 1])
    older = page[limit - 1].pk if len(page) > limit else None
    return page[:limit], older


def case_detail(
    case: Case, *, events_limit: int | None = None, events_before: int | None = None
) -> dict[str, Any]:
    """Everything the case page shows, in a constant number of queries.

    ``events`` is the whole timeline unless ``events_limit`` is given: then a page of it,
    newest first (:func:`timeline_page`), and ``older_events`` the id to ask the next one with.
    """
    if events_limit is None:
        events = list(CaseEvent.objects.filter(case=case).select_related("actor"))
        older = None
    else:
        events, older = timeline_page(case, limit=events_limit, before=events_before)
    incidents = list(
        Incident.objects.filter(case=case)
        .select_related("commune")
        .prefetch_related(Prefetch("perpetrators", queryset=Perpetrator.objects.order_by("pk")))
    )
    plans = list(
        CasePlan.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("items", queryset=CasePlanItem.objects.select_related("responsible_agency"))
        )
    )
    return {
        "incidents": incidents,
        "consents": list(
            Consent.objects.filter(case=case)
            .select_related("recorded_by")
            .prefetch_related("agencies")
        ),
        "assessments": list(Assessment.objects.filter(case=case).select_related("assessed_by")),
        "safety_plans": list(case.safety_plans.select_related("created_by")),
        "case_plans": plans,
        "follow_ups": list(FollowUp.objects.filter(case=case).select_related("created_by")),
        "notes": list(case.notes.select_related("created_by")),
        "measures": list(ProtectionMeasure.objects.filter(case=case)),
        "closure_requests": list(
            ClosureRequest.objects.filter(case=case).select_related("requested_by", "decided_by")
        ),
        "transfers": list(
            CaseTransfer.objects.filter(case=case).select_related(
                "from_agency", "to_agency", "requested_by", "decided_by"
            )
        ),
        "events": events,
        "older_events": older,
        "duplicate_contacts": duplicate_contacts(case),
    }


def consent_current(case: Case, purpose: str) -> bool:
    latest = (
        Consent.objects.filter(case=case, purpose=purpose, withdrawn_at__isnull=True)
        .order_by("-given_at", "-pk")
        .first()
    )
    return bool(latest and latest.granted)


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    stage: str = ""
    risk_level: str = ""
    commune: str = ""
    mine: bool = False


@dataclass(frozen=True)
class Position:
    """Where a page of the case list starts: after (older than) or before (newer than) the
    case ``pk``, whose opening date ``anchor`` is read in the same query, among the cases the
    user may see (another id reads NULL, which matches nothing)."""

    pk: int
    anchor: Subquery
    newer: bool

    @classmethod
    def of(cls, reach: Reach, pk: int, *, newer: bool) -> Position:
        anchor = Subquery(
            Case.objects.filter(reach.condition(), pk=pk).order_by().values("opened_at")[:1]
        )
        return cls(pk, anchor, newer)

    @property
    def bound(self) -> str:
        """A plain range on the opening date too, which an index can start from."""
        return "opened_at__gte" if self.newer else "opened_at__lte"

    def condition(self, prefix: str = "", pk: str = "pk") -> Q:
        """The keyset condition, on the case (or, with ``prefix="hit__", pk="case_id"``, on
        the walked search rows)."""
        when, at, key = f"{prefix}opened_at", f"{prefix}opened_at", f"{prefix}{pk}"
        if self.newer:
            return Q(**{f"{when}__gt": self.anchor}) | Q(**{at: self.anchor, f"{key}__gt": self.pk})
        return Q(**{f"{when}__lt": self.anchor}) | Q(**{at: self.anchor, f"{key}__lt": self.pk})


def case_search(user: Any, filters: CaseFilters, *, request: Any = None) -> QuerySet[Case]:
    """Cases the user may see matching the filters; the search itself is audited."""
    names = _name_digests(filters.q) if filters.q else None
    qs = _search_queryset(Reach.of(user), filters, names)
    if not _filters_valid(filters) or (names is not None and not names):
        # Forms and the API report bad values; here they simply match nothing.
        qs = qs.none()
    _audit_search(user, filters, request)
    return qs


def _audit_search(user: Any, filters: CaseFilters, request: Any) -> None:
    audit_record(
        action="search" if filters.q else "list",
        request=request,
        user=user,
        object_type="case",
        # Which filters were used, never their values: a query may be a survivor's name.
        extra={"filters": sorted(k for k, v in vars(filters).items() if v)},
    )


def _search_queryset(
    reach: Reach,
    filters: CaseFilters,
    names: list[str] | None,
    *,
    position: Position | None = None,
    related: tuple[str, ...] = ("survivor", "survivor__commune", "agency", "assigned_to"),
) -> QuerySet[Case]:
    """The matching cases newest first (not audited, filters not checked): by the name-token
    digests ``names`` when given, else by ``filters.q`` as a case or phone number; with
    ``position``, only those after (older than) or before (newer than) it, the bound applied
    to the walked word's rows too."""
    # One filter() for every condition: each call copies the query, and the list is asked for
    # at every page (docs/performance.md, "Case search: the fixed cost").
    conditions: list[Any] = [reach.condition()]
    on_case: dict[str, Any] = {}
    if filters.mine:
        on_case["assigned_to_id"] = reach.user_id
    if filters.status:
        on_case["status"] = filters.status
    if filters.stage:
        on_case["stage"] = filters.stage
    if filters.risk_level:
        on_case["risk_level"] = filters.risk_level
    if filters.commune:
        conditions.append(_AnyOf(F("survivor__commune_id"), _commune_ids(filters.commune)))
    if position is not None:
        conditions.append(position.condition())
        on_case[position.bound] = position.anchor
    if filters.q and names is None:
        conditions.append(_text_condition(filters.q))
    qs = Case.objects.select_related(*related).filter(*conditions, **on_case)
    if names:
        return _name_search(qs, reach, filters, names, position=position)
    return qs.order_by("-opened_at", "-pk")


# What a row of the case list shows (templates/cases/list.html), and nothing else: no other
# encrypted field of the survivor is read or decrypted, no agency joined. The commune's and the
# worker's names come from ``_list_names``.
CASE_LIST_COLUMNS = (
    "number",
    "status",
    "stage",
    "risk_level",
    "opened_at",
    "survivor__full_name",
    "survivor__row_key",  # the name is sealed for its row: checked when it is decrypted
)


def _list_names() -> dict[str, Subquery]:
    """The commune's and the worker's names of a row (``commune_name``, ``worker_first_name``,
    ``worker_last_name``; None where there is none), each read by its primary key in the
    select list: joining the two tables instead doubled the time PostgreSQL spends planning
    the page (docs/performance.md, "Case search: the kept page")."""
    from antoan.accounts.models import User

    def worker(column: str) -> Subquery:
        return Subquery(
            User.objects.filter(pk=OuterRef("assigned_to_id")).order_by().values(column)
        )

    return {
        "commune_name": Subquery(
            Place.objects.filter(pk=OuterRef("survivor__commune_id")).order_by().values("name")
        ),
        "worker_first_name": worker("first_name"),
        "worker_last_name": worker("last_name"),
    }


@dataclass(frozen=True)
class CasePage:
    """A page of the case list, newest first: ``older`` is the id to pass as ``after`` for the
    next page, ``newer`` the id to pass as ``before`` for the previous one (None: no such
    page)."""

    cases: list[Case]
    older: int | None
    newer: int | None


def case_page(
    user: Any,
    filters: CaseFilters,
    *,
    limit: int,
    after: int | None = None,
    before: int | None = None,
    request: Any = None,
) -> CasePage:
    """A page of :func:`case_search` (newest first, by keyset on (opening date, id), no count):
    the ``limit`` cases after the case ``after``, or before the case ``before``, or the first
    ``limit``. The position is looked up among the cases the user may see (a subquery of the
    same query): any other id, or a page left empty, gives the first page. Audited once, as
    :func:`case_search`. Reads only the columns the list shows (``CASE_LIST_COLUMNS``, and the
    names of :func:`_list_names` as attributes of each case).

    The list and the name search are sent as SQL kept per shape of the query
    (``antoan.core.prepared``): building and compiling the queryset cost more than the
    database's answer (docs/performance.md, "Case search: the kept page")."""
    _audit_search(user, filters, request)
    reach = Reach.of(user)
    names = _name_digests(filters.q) if filters.q else None
    if not _filters_valid(filters) or (names is not None and not names):
        # Forms report bad values; here they simply match nothing.
        return CasePage([], older=None, newer=None)

    def page_of(position: int | None, newer: bool) -> list[Case]:
        return _list_rows(reach, filters, names, limit + 1, position, newer)

    if before is not None:
        rows = page_of(before, True)
        if len(rows) > limit:
            cases = rows[:limit][::-1]
            return CasePage(cases, older=cases[-1].pk, newer=cases[0].pk)
        if len(rows) == limit:  # the newest cases: the first page
            cases = rows[::-1]
            return CasePage(cases, older=cases[-1].pk, newer=None)
    elif after is not None:
        rows = page_of(after, False)
        if rows:
            cases = rows[:limit]
            return CasePage(
                cases, older=cases[-1].pk if len(rows) > limit else None, newer=cases[0].pk
            )
    rows = page_of(None, False)
    cases = rows[:limit]
    return CasePage(cases, older=cases[-1].pk if len(rows) > limit else None, newer=None)


_LIST_FILTERS = ("status", "stage", "risk_level", "commune")


def _list_rows(
    reach: Reach,
    filters: CaseFilters,
    names: list[str] | None,
    size: int,
    position: int | None,
    newer: bool,
) -> list[Case]:
    """Up to ``size`` cases of the list from ``position`` (newest first; oldest first when
    ``newer``), with the list's columns only."""
    values: dict[str, Any] = {"wide": list(reach.wide), "assigned": list(reach.assigned)}
    if reach.assigned or filters.mine:
        values["user"] = reach.user_id
    values.update(
        {name: getattr(filters, name) for name in _LIST_FILTERS if getattr(filters, name)}
    )
    if names:
        values["names"] = names
    if position is not None:
        values["position"] = position

    def build(v: Any) -> QuerySet[Case]:
        """The queryset, every value read from ``v`` (real values or stand-ins)."""
        scope = Reach(v.get("user", reach.user_id), tuple(v["wide"]), tuple(v["assigned"]))
        shown = CaseFilters(
            q="" if names is not None else filters.q,
            mine=filters.mine,
            **{name: v.get(name, "") for name in _LIST_FILTERS},
        )
        at = Position.of(scope, v["position"], newer=newer) if "position" in v else None
        qs = _search_queryset(scope, shown, v.get("names"), position=at, related=("survivor",))
        order = ("opened_at", "pk") if newer else ("-opened_at", "-pk")
        return qs.only(*CASE_LIST_COLUMNS).annotate(**_list_names()).order_by(*order)[:size]

    if filters.q and names is None:
        # A case or phone number: an exact lookup, built each time (rarely asked).
        return list(build(values))
    # Which filters are set, how many agencies and words: the values tell (prepared.run keys
    # on them); the rest of what changes the query is named here.
    shape = ("case_page", filters.mine, position is not None and newer, size)
    return prepared.run(shape, build, values)


def _name_search(
    qs: QuerySet[Case],
    reach: Reach,
    filters: CaseFilters,
    digests: list[str],
    *,
    position: Position | None = None,
) -> Any:
    """Cases whose survivor's names contain every word, newest first, walked from one word.

    The case search's own index (``CaseSearchToken``: a word per case, with its agency, status,
    commune and opening date) lets PostgreSQL read one word's cases in the user's agency newest
    first, check status and commune in the index, probe the other words through the
    ``(case, digest)`` unique index and stop at the page: the cost follows how rare a match is,
    not how many cases there are. Every condition above (scope, filters) still applies to the
    case itself; the rows only narrow and order the walk. The walk starts from the last word
    typed (a Vietnamese given name, usually the rarest).
    """
    agencies = reach.agencies
    if not agencies:
        return qs.none().order_by("-opened_at", "-pk")
    driver, *others = digests
    # Joined on the case's own agency, status and opening date as well: PostgreSQL then knows
    # that ordering by the case's opening date (here, or a caller's cursor) is the index's
    # order, and a stale row can only hide a case, never show it.
    qs = qs.annotate(
        hit=FilteredRelation(
            "search_tokens",
            condition=Q(
                search_tokens__digest=driver,
                search_tokens__agency_id=F("agency_id"),
                search_tokens__status=F("status"),
                search_tokens__opened_at=F("opened_at"),
            ),
        )
    )
    # One agency (most users) as an equality, so the walk can follow the index's order. All
    # conditions on ``hit`` in one filter(): each filter() on a reverse relation is a new join.
    on_hit: dict[str, Any] = (
        {"hit__agency_id": agencies[0]} if len(agencies) == 1 else {"hit__agency_id__in": agencies}
    )
    conditions: list[Any] = []
    if filters.status:
        on_hit["hit__status"] = filters.status
    if filters.commune:
        # The commune's ids (a code may name several versions of a place) in the same query,
        # as values: the walk checks them in the index before probing any word.
        conditions.append(_AnyOf(F("hit__commune_id"), _commune_ids(filters.commune)))
    if position is not None:
        # The page's position on the walked rows too: a later page skips the rows before it
        # in the index, without probing their other words.
        on_hit[f"hit__{position.bound}"] = position.anchor
        conditions.append(position.condition(prefix="hit__", pk="case_id"))
    qs = qs.filter(*conditions, **on_hit)
    if others:
        # The other words, counted per case through the (case, digest) unique index. A
        # correlated count (not EXISTS, which PostgreSQL turns into a join of whole word lists)
        # keeps the check per row, so the walk stops at the page.
        found = (
            CaseSearchToken.objects.filter(case_id=OuterRef("hit__case_id"), digest__in=others)
            .order_by()
            .values("case_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.alias(other_words=Subquery(found)).filter(other_words__gte=len(others))
    return qs.order_by("-opened_at", "-pk")


def _commune_ids(code: str) -> Subquery:
    """The ids of the places with this code (a code may name several versions of a place)."""
    return Subquery(Place.objects.filter(code=code).order_by().values("pk"))


class _AnyOf(Func):
    """``column = ANY(ARRAY(subquery))`` on PostgreSQL, which runs the subquery once and checks
    its ids as values (in an index, where the column is in it); ``IN (subquery)`` elsewhere.
    ``IN (subquery)`` on PostgreSQL becomes a join, which loops over the ids and sorts, and
    takes twice as long to plan (docs/performance.md, "Case search: the kept page")."""

    output_field = BooleanField()
    arity = 2

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        column, subquery = self.get_source_expressions()
        lhs, lhs_params = compiler.compile(column)
        rhs, rhs_params = compiler.compile(subquery)  # "(SELECT ...)"
        template = "%s = ANY(ARRAY%s)" if connection.vendor == "postgresql" else "%s IN %s"
        return template % (lhs, rhs), [*lhs_params, *rhs_params]


def _filters_valid(filters: CaseFilters) -> bool:
    return (
        (not filters.status or filters.status in c.Status.values)
        and (not filters.stage or filters.stage in c.Stage.values)
        and (not filters.risk_level or filters.risk_level in c.RiskLevel.values)
        and (not filters.commune or re.fullmatch(r"\d{5}", filters.commune) is not None)
        and "\x00" not in filters.q
    )


def _text_condition(q: str) -> Q:
    """A case number or a phone number (a name goes through ``_name_search``)."""
    text = q.strip()
    if _NUMBER.match(text):
        return Q(number__iexact=text)
    return Q(survivor__phone_index=phone_index(text)) | Q(number__endswith=_digits(text))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _name_digests(q: str) -> list[str] | None:
    """The name-token digests of a name query, the last word typed first (at most 8 words);
    None when the query is a case number or a phone number."""
    text = q.strip()
    if _NUMBER.match(text):
        return None
    digits = _digits(text)
    if digits and len(digits) >= 6 and len(digits) == len(re.sub(r"[\s.+()-]", "", text)):
        return None
    words = list(dict.fromkeys(reversed(search_key(text).split())))[:8]
    return [blind_index(word, purpose="name-token") for word in words]


@dataclass(frozen=True)
class HiddenMatch:
    """A possible duplicate the user may not open: for the provincial review, never shown."""

    case_id: int
    match: str  # c.DuplicateMatch


@dataclass
class DuplicateReport:
    """Possible duplicates of a new intake. ``visible`` (numbers of cases the user may open
    already) is all a user is ever told; ``hidden`` goes to the review queue only."""

    visible: list[str] = field(default_factory=list)
    hidden: list[HiddenMatch] = field(default_factory=list)


def duplicates_for(
    user: Any,
    *,
    name_index: str,
    birth_year: int | None,
    phone_index: str,
    exclude: int | None = None,
) -> DuplicateReport:
    """Cases that may be the same survivor (same name and birth year, or same phone).

    Not audited here: ``services.case_open`` runs it once the intake is otherwise valid and
    records the check with its outcome.
    """
    by_name = Q(pk__in=[])
    if name_index and birth_year:
        by_name = Q(survivor__name_index=name_index, survivor__birth_year=birth_year)
    by_phone = Q(survivor__phone_index=phone_index) if phone_index else Q(pk__in=[])
    matches = Case.objects.filter(by_name | by_phone).annotate(
        by_name=ExpressionWrapper(by_name, output_field=BooleanField()),
        by_phone=ExpressionWrapper(by_phone, output_field=BooleanField()),
    )
    if exclude is not None:
        matches = matches.exclude(pk=exclude)
    scope = case_scope(user)
    visible = list(
        matches.filter(scope).order_by("-opened_at", "-pk").values_list("number", flat=True)[:20]
    )
    hidden = [
        HiddenMatch(case_id=pk, match=_match_kind(name, phone))
        for pk, name, phone in matches.exclude(scope)
        .order_by("-opened_at", "-pk")
        .values_list("pk", "by_name", "by_phone")[:20]
    ]
    return DuplicateReport(visible=visible, hidden=hidden)


def _match_kind(by_name: bool, by_phone: bool) -> str:
    if by_name and by_phone:
        return c.DuplicateMatch.BOTH
    return c.DuplicateMatch.NAME_BIRTH_YEAR if by_name else c.DuplicateMatch.PHONE


@dataclass(frozen=True)
class Task:
    case: Case
    kind: str  # assessment, case_plan, follow_up, measure_decision, closure_approval, transfer
    due: dt.datetime
    countdown: Any
    # Tasks from other apps (a data subject's request) name their own page and label.
    url: str = ""
    label: str = ""


# Apps above ``cases`` add their kinds of task here (from their AppConfig.ready), so the one
# task list shows them without ``cases`` importing those apps.
TaskSource = Callable[[Any, dt.datetime], list[Task]]
_TASK_SOURCES: list[TaskSource] = []


def register_task_source(source: TaskSource) -> None:
    if source not in _TASK_SOURCES:
        _TASK_SOURCES.append(source)


def tasks_for_user(user: Any, *, now: dt.datetime | None = None) -> list[Task]:
    """What is due or overdue on the cases the user works on, soonest first."""
    from antoan.cases.services import common  # the services' clock, which tests move

    moment = now or common.now()
    open_cases = cases_for_user(user).filter(status=c.Status.OPEN)
    if not agency_ids_with(user, Perm.CASE_VIEW_AGENCY):
        open_cases = open_cases.filter(assigned_to=user)
    open_cases = open_cases.annotate(
        has_assessment=Exists(Assessment.objects.filter(case=OuterRef("pk"))),
        has_plan=Exists(CasePlan.objects.filter(case=OuterRef("pk"))),
    ).select_related("survivor")
    tasks: list[Task] = []
    cases = list(open_cases)
    for case in cases:
        if not case.has_assessment:
            due = case.opened_at + dt.timedelta(days=rules.ASSESSMENT_DUE_DAYS)
            tasks.append(Task(case, "assessment", due, rules.countdown(deadline=due, now=moment)))
        if not case.has_plan:
            due = case.opened_at + dt.timedelta(days=rules.CASE_PLAN_DUE_DAYS)
            tasks.append(Task(case, "case_plan", due, rules.countdown(deadline=due, now=moment)))
    by_id = {case.pk: case for case in cases}
    latest_follow_up: dict[int, FollowUp] = {}
    for follow_up in FollowUp.objects.filter(case_id__in=by_id).order_by("done_on", "pk"):
        latest_follow_up[follow_up.case_id] = follow_up
    for case_id, follow_up in latest_follow_up.items():
        if follow_up.next_due:
            due = timezone.make_aware(dt.datetime.combine(follow_up.next_due, dt.time(17, 0)))
            tasks.append(
                Task(by_id[case_id], "follow_up", due, rules.countdown(deadline=due, now=moment))
            )
    for measure in ProtectionMeasure.objects.filter(
        case_id__in=by_id, decision=c.MeasureDecision.PENDING
    ):
        deadline = rules.decision_deadline(
            measure_type=measure.type, requested_at=measure.requested_at
        )
        if deadline is not None:
            tasks.append(
                Task(
                    by_id[measure.case_id],
                    "measure_decision",
                    deadline,
                    rules.countdown(deadline=deadline, now=moment),
                )
            )
    approving = agency_ids_with(user, Perm.CASE_APPROVE)
    tasks.extend(
        Task(case, "closure_approval", moment, rules.countdown(deadline=moment, now=moment))
        for case in cases
        if case.stage == c.Stage.CLOSURE_REQUESTED and case.agency_id in approving
    )
    for source in _TASK_SOURCES:
        tasks.extend(source(user, moment))
    return sorted(tasks, key=lambda task: task.due)


def transfers_incoming(user: Any) -> QuerySet[CaseTransfer]:
    """Pending transfers addressed to agencies where the user approves cases.

    The receiving supervisor sees the request (number, agencies, reason, risk), not the case.
    """
    return (
        CaseTransfer.objects.filter(
            status=c.TransferStatus.PENDING,
            to_agency_id__in=agency_ids_with(user, Perm.CASE_APPROVE),
        )
        .select_related("case", "from_agency", "to_agency")
        .order_by("requested_at")
    )


def transfer_get_incoming(user: Any, transfer_id: Any) -> CaseTransfer:
    try:
        pk = int(transfer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    transfer = transfers_incoming(user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


def measure_get(case: Case, measure_id: Any) -> ProtectionMeasure:
    try:
        return ProtectionMeasure.objects.get(case=case, pk=int(measure_id))
    except (ProtectionMeasure.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


# --- The provincial review of possible duplicates --------------------------------------------


def reconciling_membership(user: Any) -> Any:
    """The membership through which ``user`` reviews possible duplicates: ``cases.reconcile``
    in an agency of the province itself (a commune's agency never sees other communes' cases)."""
    for membership in memberships(user):
        if (
            Perm.CASES_RECONCILE in role_permissions(membership.role)
            and membership.agency.place.level == "province"
        ):
            return membership
    return None


def duplicate_reviews_for(user: Any, *, status: str = "", request: Any = None) -> QuerySet:
    """The review queue (open reviews first, oldest first); nothing for anyone but a reviewer.
    The list shows numbers, agencies, dates, sex and birth year: no name. Audited."""
    reviewer = reconciling_membership(user)
    if reviewer is None:
        return DuplicateReview.objects.none()
    rows = DuplicateReview.objects.select_related(
        "case__agency", "case__survivor", "matched__agency", "matched__survivor", "decided_by"
    ).order_by("found_at", "pk")
    if status:
        rows = rows.filter(status=status) if status in c.DuplicateStatus.values else rows.none()
    audit_record(
        action="list",
        request=request,
        user=user,
        membership=reviewer,
        object_type="duplicate_review",
        extra={"filters": ["status"] if status else []},
    )
    return rows


def duplicate_review_get(user: Any, review_id: Any, *, request: Any = None) -> DuplicateReview:
    """One review for a reviewer, else Http404; the read is audited."""
    reviewer = reconciling_membership(user)
    try:
        pk = int(review_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if reviewer is None:
        raise Http404
    review = (
        DuplicateReview.objects.select_related(
            "case__agency", "case__survivor", "matched__agency", "matched__survivor"
        )
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404
    audit_record(
        action="view",
        request=request,
        user=user,
        membership=reviewer,
        object_type="duplicate_review",
        object_id=review.pk,
    )
    return review


def sharing_allows(case: Case, agency_id: int) -> bool:
    """Whether the survivor's current sharing consent names ``agency_id``."""
    latest = (
        Consent.objects.filter(
            case=case, purpose=c.ConsentPurpose.SHARING, withdrawn_at__isnull=True
        )
        .order_by("-given_at", "-pk")
        .first()
    )
    return bool(latest and latest.granted and latest.agencies.filter(pk=agency_id).exists())


def contact_allowed(review: DuplicateReview) -> bool:
    """Both survivors' records allow telling the other agency: the only case for "in touch"."""
    return sharing_allows(review.case, review.matched.agency_id) and sharing_allows(
        review.matched, review.case.agency_id
    )


def duplicate_contacts(case: Case) -> list[dict[str, Any]]:
    """For the case page: cases of other agencies a reviewer put this one in touch with."""
    rows = DuplicateReview.objects.filter(
        Q(case=case) | Q(matched=case), status=c.DuplicateStatus.IN_TOUCH
    ).values_list(
        "case_id",
        "case__number",
        "case__agency__name",
        "matched__number",
        "matched__agency__name",
        "decided_at",
    )
    # The other case's number and agency only: not both cases and agencies as model instances
    # (every column of each), on every view of every case.
    return [
        {"number": m_number, "agency": m_agency, "on": on}
        if case_id == case.pk
        else {"number": c_number, "agency": c_agency, "on": on}
        for case_id, c_number, c_agency, m_number, m_agency, on in rows
    ]


# --- What a case still lacks before closure ----------------------------------------------------


@dataclass(frozen=True)
class ClosureGap:
    code: str  # a key of ``rules.CLOSURE_GAPS``
    label: str
    # What exactly: the needs not met, the measures still running, the referrals still open.
    items: tuple[str, ...] = ()


def closure_gaps(case: Case, *, now: dt.datetime | None = None) -> list[ClosureGap]:
    """What the case still lacks before closure: no assessment or plan, open referrals, needs
    not met, protection measures pending or in force (empty when nothing is missing).

    The caller has the case through a scoped selector. Referrals and services belong to the
    ``referrals`` app, above this one: they are read through the case's reverse relations so
    that ``cases`` does not import it.
    """
    from antoan.cases.services import common  # the services' clock, which tests move

    moment = now or common.now()
    gaps: list[ClosureGap] = []

    def add(code: str, items: Any = ()) -> None:
        gaps.append(ClosureGap(code, str(rules.CLOSURE_GAPS[code]), tuple(str(i) for i in items)))

    if not Assessment.objects.filter(case=case).exists():
        add("no_assessment")
    plans = CasePlanItem.objects.filter(plan__case=case)
    if not CasePlan.objects.filter(case=case).exists():
        add("no_case_plan")
    open_referrals = [r for r in case.referrals.all() if r.is_open]
    if open_referrals:
        add(
            "open_referrals",
            (f"{r.number} · {r.get_service_display()}" for r in open_referrals),
        )
    delivered = set(case.deliveries.values_list("service", flat=True))
    done = set(plans.filter(status=c.PlanItemStatus.DONE).values_list("service", flat=True))
    unmet = [need for need in case.needs if need not in delivered and need not in done]
    if unmet:
        labels = dict(c.Need.choices)
        add("unmet_needs", (labels.get(need, need) for need in unmet))
    measures = list(ProtectionMeasure.objects.filter(case=case))
    pending = [m for m in measures if m.decision == c.MeasureDecision.PENDING]
    if pending:
        add("measures_pending", (m.get_type_display() for m in pending))
    running = [
        m
        for m in measures
        # Granted and not yet ended (one that starts later is still the survivor's protection).
        if m.decision == c.MeasureDecision.GRANTED and (m.ends_at is None or m.ends_at > moment)
    ]
    if running:
        add(
            "measures_in_force",
            (
                f"{m.get_type_display()} ({timezone.localtime(m.ends_at):%d/%m/%Y %H:%M})"
                if m.ends_at
                else m.get_type_display()
                for m in running
            ),
        )
    return gaps


def assessed_needs(case: Case) -> list[str]:
    """The needs of the latest assessment (those recorded at intake if none), in form order."""
    latest = Assessment.objects.filter(case=case).order_by("-assessed_at", "-pk").first()
    needs = set(latest.needs if latest is not None else case.needs)
    return [need for need in c.Need.values if need in needs]
