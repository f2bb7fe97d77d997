"""Every refused request is an audit event, named after the object its URL points at.

Two kinds of refusal reach a user:

- a **403** from the permission engine (``deny``, the DRF permission class), recorded where it
  happens, as before;
- a **404** from an object lookup (``case_get_for_user`` and its kin), which answers the same for
  a case that does not exist and for a case of another agency, so ids cannot be probed. The
  lookups themselves record nothing; :class:`~antoan.core.middleware.RefusalAuditMiddleware`
  records the refusal once the view has answered, for pages and API alike.

Either way the event is ``permission_denied`` with the object from the URL: ``object_type``
and ``object_id`` from the first id in the route (``/cases/5/measures/7/decide/`` → ``case``
5), the other ids in ``extra`` (``{"measure_id": 7}``), and the answer's status in
``extra["status"]``. A request's refusal is recorded once: :func:`mark_audited` is called by
``audit_record`` for every ``permission_denied`` event, and the middleware skips marked
requests. See docs/audit.md.

A new URL with an id needs an entry in :data:`OBJECT_TYPES` (the access-matrix test in
``tests/security/test_access_matrix.py`` fails until it has one).
"""

from __future__ import annotations

from typing import Any

# What the id in a URL names. Keys are tried from the most to the least specific:
# "namespace:url_name:kwarg", then "namespace:kwarg", then the kwarg alone. The names are the
# audit log's object types (the ones services already write for the same objects).
OBJECT_TYPES: dict[str, str] = {
    # Ids named after their object, wherever they appear (pages and API).
    "case_id": "case",
    "referral_id": "referral",
    "call_id": "call",
    "chat_id": "call",  # a web chat is a contact (Call row)
    "contact_id": "call",  # a hotline contact is a call row (docs/hotline.md)
    "transfer_id": "case_transfer",
    "measure_id": "protection_measure",
    "plan_id": "programme.plan",
    "task_id": "programme.task",
    "activity_id": "programme.activity",
    "rec_id": "programme.recommendation",
    "evidence_id": "programme.evidence",
    "objective_id": "programme.objective",
    "assignment_id": "programme.assignment",
    "programme:item_id": "programme.campaign_item",
    "campaign_id": "programme.campaign",
    "model_id": "programme.model",
    "review_id": "duplicate_review",
    "cycle_id": "reports.cycle",
    "submission_id": "reports.submission",
    "package_id": "access_package",
    # ``pk`` means what the app's pages are about.
    "cases:pk": "case",
    "jobs:pk": "job",
    "hotline:pk": "call",
    "referrals:detail:pk": "referral",
    "referrals:history_item:pk": "referral",
    "referrals:provider:pk": "provider",
    "accounts:token_revoke:pk": "api_token",
    "programme:plan:pk": "programme.plan",
    "programme:task:pk": "programme.plan",
    **{
        f"programme:{name}:pk": "programme.plan"
        for name in (
            "plan_edit",
            "plan_task_new",
            "plan_task_edit",
            "plan_task_delete",
            "plan_assignment_add",
            "plan_assignment_remove",
            "plan_objective_new",
            "plan_objective_edit",
            "plan_objective_delete",
            "plan_budget",
            "plan_file",
            "plan_coverage",
            "plan_action",
        )
    },
    "programme:activity:pk": "programme.activity",
    "programme:activity_edit:pk": "programme.activity",
    "programme:activity_comment:pk": "programme.activity",
    "programme:recommendation:pk": "programme.activity",
    "programme:evidence_upload:pk": "programme.activity",
    "programme:evidence_download:pk": "programme.activity",
    "programme:campaign:pk": "programme.campaign",
    "programme:campaign_edit:pk": "programme.campaign",
    "programme:campaign_item_new:pk": "programme.campaign",
    "programme:campaign_item_edit:pk": "programme.campaign",
    "programme:campaign_xlsx:pk": "programme.campaign",
    "programme:campaign_docx:pk": "programme.campaign",
    "programme:model:pk": "programme.model",
    "programme:model_edit:pk": "programme.model",
    "programme:influencer_edit:pk": "programme.influencer",
    "programme:model_assessment_new:pk": "programme.model",
    "programme:review_new:pk": "programme.model",
    "programme:assessment:pk": "programme.assessment",
    "programme:assessment_edit:pk": "programme.assessment",
    "programme:facility:pk": "agency",
    "programme:facility_assessment_new:pk": "agency",
    "reports:pk": "reports.cycle",
    "reports:submission:pk": "reports.submission",
    "reports:attachment:pk": "reports.attachment",
    "reports:final_review:pk": "programme.plan",
    "privacy:request_detail:pk": "data_request",
    "privacy:request_action:pk": "data_request",
    "privacy:package_download:pk": "data_request",
    "privacy:breach_detail:pk": "breach",
    "privacy:breach_edit:pk": "breach",
}

_AUDITED = "_antoan_refusal_audited"


def _http_request(request: Any) -> Any:
    return getattr(request, "_request", request)


def object_type_for(namespace: str, url_name: str, kwarg: str) -> str:
    """The audit object type of a URL's id, or "" when the table does not know it."""
    for key in (f"{namespace}:{url_name}:{kwarg}", f"{namespace}:{kwarg}", kwarg):
        if key in OBJECT_TYPES:
            return OBJECT_TYPES[key]
    return ""


def url_ids(request: Any) -> dict[str, int]:
    """The integer ids in the resolved URL, in the route's order (outer objects first)."""
    match = getattr(_http_request(request), "resolver_match", None)
    if match is None:
        return {}
    return {name: value for name, value in match.kwargs.items() if isinstance(value, int)}


def refused_object(request: Any) -> tuple[str, str, dict[str, int]]:
    """(object type, object id, other ids) of the object the request's URL points at.

    ("", "", {}) for a URL without an id (a list page, a form for something new).
    """
    ids = url_ids(request)
    if not ids:
        return "", "", {}
    match = _http_request(request).resolver_match
    (first, value), *rest = ids.items()
    object_type = object_type_for(match.namespace, match.url_name or "", first)
    return object_type, str(value), dict(rest)


def mark_audited(request: Any, event_pk: int) -> None:
    """Remember that this request's refusal is in the log (the middleware adds no second)."""
    http_request = _http_request(request)
    if http_request is not None:
        setattr(http_request, _AUDITED, event_pk)


def is_audited(request: Any) -> bool:
    """Whether the refusal recorded during this request is still in the log.

    An event recorded inside a transaction that the error then rolled back is gone; the
    middleware records the refusal again rather than trust the mark.
    """
    from antoan.core.models import AuditEvent

    event_pk = getattr(_http_request(request), _AUDITED, None)
    return event_pk is not None and AuditEvent.objects.filter(pk=event_pk).exists()


def audit_refusal(request: Any, *, status: int) -> None:
    """Record a refused request (403 or 404) that nothing recorded on the way."""
    from antoan.core.audit import audit_record

    if is_audited(request):
        return
    audit_record(action="permission_denied", request=request, extra={"status": status})
