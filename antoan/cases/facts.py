"""The cases' facts the statistics count by (``CaseFacts``), kept as records change.

A dashboard counts each survivor by facts about the case's other records: a service delivered
(of any kind, a basic one, a legal or health one), a protection measure granted (of any type,
a preventive one, an education one), needs recorded, a consented incident of domestic
violence. Worked out for each counted row, they were six probes into four tables per survivor
and two per perpetrator: on the million cases most of the first dashboard of a province
(docs/performance.md, "Dashboards: the cases' facts kept"). They are kept on a row per case
instead, worked out again in the same transaction as every write that can change them:

- a case saved (created, or its needs changed);
- an incident, an assessment, a protection measure or a service delivery saved or deleted
  (``post_save``/``post_delete``, whatever the caller: services, API, admin);
- writes that bypass the models' ``save`` call :func:`refresh` themselves (consent recorded
  or withdrawn for a whole case, needs edited through ``services.common.advance``), or
  :func:`fill_missing` after a bulk load (``generate_data``); migration ``cases/0012`` filled
  the cases that existed before.

Concurrent writes to one case do not lose a fact: :func:`refresh` first locks the case's facts
row, then works the facts out in a statement of its own, whose snapshot (READ COMMITTED) sees
what the writer it waited for committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.apps import apps
from django.db import connections, models, router, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.db.models.sql import UpdateQuery

from antoan.cases import choices as c
from antoan.cases.models import Assessment, Case, CaseFacts, Incident, ProtectionMeasure


def non_empty(field: str) -> Q:
    """A JSON list field that holds something."""
    return ~Q(**{field: []}) & Q(**{f"{field}__isnull": False})


def _any(model: type[models.Model], condition: Q = Q()) -> Exists:  # noqa: B008
    return Exists(model._default_manager.filter(condition, case_id=OuterRef("case_id")))


def _either(*conditions: Q) -> models.Case:
    either = Q()
    for condition in conditions:
        either |= condition
    return models.Case(
        models.When(either, then=True), default=False, output_field=models.BooleanField()
    )


def expressions() -> dict[str, Any]:
    """Each fact as an expression of the facts' row (its ``case_id``)."""
    delivery = apps.get_model("referrals", "ServiceDelivery")
    granted = Q(decision=c.MeasureDecision.GRANTED)
    return {
        "served": _any(delivery),
        "basic_service": _any(delivery, Q(service__in=c.BASIC_SERVICES)),
        "legal_or_health_service": _any(delivery, Q(service__in=c.PROTECTIVE_SERVICES)),
        "measure_granted": _any(ProtectionMeasure, granted),
        "preventive_granted": _any(ProtectionMeasure, granted & Q(type=c.MeasureType.PREVENTIVE)),
        "education_granted": _any(ProtectionMeasure, granted & Q(type=c.MeasureType.EDUCATION)),
        "needs_help": _either(
            Q(Exists(Case.objects.filter(non_empty("needs"), pk=OuterRef("case_id")))),
            Q(_any(Assessment, non_empty("needs"))),
        ),
        "dv": _any(Incident, Q(consent_statistics=True) & non_empty("dv_forms")),
    }


def refresh(case_ids: Iterable[int]) -> None:
    """Work out again the facts of these cases (their rows made if missing)."""
    ids = sorted({int(i) for i in case_ids if i is not None})
    if not ids:
        return
    alias = router.db_for_write(CaseFacts)
    with transaction.atomic(using=alias):
        rows = CaseFacts.objects.using(alias)
        rows.bulk_create([CaseFacts(case_id=i) for i in ids], ignore_conflicts=True)
        # Locked first, worked out after: a concurrent writer's facts are seen once it commits.
        list(rows.select_for_update().filter(case_id__in=ids).values_list("pk"))
        sql, params = _update_sql(alias, ids)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)


# The UPDATE of ``refresh`` for one to four cases, compiled once per database and number of
# cases: Django takes 4.6 ms of CPU to build and compile its eight subqueries, the database
# 1 ms to run it. Only the cases' ids change, and they are its last parameters (the WHERE).
_KEPT: dict[tuple[str, int], tuple[str, tuple[Any, ...]]] = {}
_KEPT_UP_TO = 4


def _update_sql(alias: str, ids: list[int]) -> tuple[str, list[Any]]:
    kept = _KEPT.get((alias, len(ids)))
    if kept is not None:
        return kept[0], [*kept[1], *ids]
    query = cast(UpdateQuery, CaseFacts.objects.filter(case_id__in=ids).query.chain(UpdateQuery))
    query.add_update_values(expressions())
    sql, params = query.get_compiler(alias).as_sql()
    head, tail = tuple(params[: -len(ids)]), list(params[-len(ids) :])
    if len(ids) <= _KEPT_UP_TO and tail == ids:
        _KEPT[(alias, len(ids))] = (sql, head)
    return sql, list(params)


def fill_missing() -> int:
    """The facts of every case that has none yet, after a bulk load (``generate_data``), with
    nobody else writing: one INSERT of the missing rows, then one UPDATE working their facts
    out over the range of their case ids (on PostgreSQL with the memory to hash each table
    once rather than probe it per case: 17.7 s for a million cases, where a refresh per batch
    took 83 s). How many cases got theirs."""
    missing = Case.objects.filter(facts__isnull=True)
    span = missing.aggregate(count=Count("pk"), low=Min("pk"), high=Max("pk"))
    if not span["count"]:
        return 0
    connection = connections[CaseFacts.objects.db]
    quote = connection.ops.quote_name
    facts_table, cases_table = quote(CaseFacts._meta.db_table), quote(Case._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            f"INSERT INTO {facts_table} (case_id) SELECT c.id FROM {cases_table} c"  # noqa: S608
            f" WHERE NOT EXISTS (SELECT 1 FROM {facts_table} f WHERE f.case_id = c.id)"
        )
        # Rows of the range that had their facts are worked out again, to the same values.
        CaseFacts.objects.filter(pk__gte=span["low"], pk__lte=span["high"]).update(**expressions())
    return span["count"]


# --- Kept as records change -------------------------------------------------------------------


def _case_saved(sender: Any, instance: Case, created: bool, update_fields: Any, **_: Any) -> None:
    if created or update_fields is None or "needs" in update_fields:
        refresh([instance.pk])


def _incident_saved(sender: Any, instance: Incident, update_fields: Any, **_: Any) -> None:
    if update_fields is None or {"consent_statistics", "dv_forms"} & set(update_fields):
        refresh([instance.case_id])


def _record_changed(sender: Any, instance: Any, **_: Any) -> None:
    refresh([instance.case_id])


def connect() -> None:
    """Keep the facts as records change (``CasesConfig.ready``)."""
    post_save.connect(_case_saved, sender=Case, dispatch_uid="case_facts_case")
    post_save.connect(_incident_saved, sender=Incident, dispatch_uid="case_facts_incident")
    post_delete.connect(_record_changed, sender=Incident, dispatch_uid="case_facts_incident_del")
    for label in ("cases.Assessment", "cases.ProtectionMeasure", "referrals.ServiceDelivery"):
        uid = f"case_facts_{label}"
        post_save.connect(_record_changed, sender=label, dispatch_uid=f"{uid}_saved")
        post_delete.connect(_record_changed, sender=label, dispatch_uid=f"{uid}_deleted")
