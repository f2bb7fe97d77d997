"""What every programme endpoint shares: the gate, error mapping and documented errors.

Gate: anyone working on the programme (``programme.view``, ``programme.report`` or
``programme.coordinate``) passes; everyone else gets 403. Behind the gate the selectors scope:
plans, tasks, the models registry and budget figures are for all programme roles; activities
only for reporters (their agencies') and the coordinator (all). An activity id the caller may
not see answers 404, as for a missing one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import CaseConflictError, CaseError, service_error
from antoan.api.cases.fields import dotted
from antoan.api.errors import ApiError, error_body
from antoan.api.views import ProtectedAPIView
from antoan.core.permissions import has_perm
from antoan.programme import selectors
from antoan.programme.services import ActivityConflict

_GATE = (Perm.PROGRAMME_VIEW, Perm.PROGRAMME_REPORT, Perm.PROGRAMME_COORDINATE)


class ProgrammeAPIView(ProtectedAPIView):
    """Base of the programme endpoints: ``selectors.may_view_programme`` as the gate."""

    permission = Perm.PROGRAMME_VIEW

    def initial(self, request, *args, **kwargs):
        # Before super().initial(), which checks ``self.permission``: whichever of the three
        # programme permissions the caller holds opens the gate.
        user = request.user
        if getattr(user, "is_authenticated", False):
            held = next((p for p in _GATE if has_perm(user, p)), None)
            self.permission = held or type(self).permission
        super().initial(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        # Outside the programme no plan or activity is visible: an id answers 404, as a
        # missing one does, so ids cannot be probed.
        if request.user and request.user.is_authenticated and self.kwargs:
            raise exceptions.NotFound
        super().permission_denied(request, message=message, code=code)


def forbidden() -> ApiError:
    return ApiError("permission_denied", _("Bạn không có quyền thực hiện thao tác này."), 403)


def require_activity_role(user: Any) -> None:
    """Activities are for reporters and the coordinator; analysts and managers see totals."""
    if not (has_perm(user, Perm.PROGRAMME_REPORT) or selectors.sees_all_activities(user)):
        raise forbidden()


def parse(
    serializer_class: type[serializers.Serializer], data: Any, *, partial: bool = False, **ctx: Any
) -> Any:
    """Validated input, or a 400 whose field errors have dotted names."""
    serializer = serializer_class(data=data, context=ctx, partial=partial)
    if not serializer.is_valid():
        raise exceptions.ValidationError(dotted(serializer.errors))
    return serializer.validated_data


def invalid(fields: dict[str, list[str]]) -> exceptions.ValidationError:
    return exceptions.ValidationError(fields)


# Where a field named by the activity services sits in the request body.
_ROUTES = {
    "participants_total": "participants",
    "participants_female": "participants.female",
    "participants_male": "participants.male",
    "participants_other": "participants.other",
    "ages": "participants.ages",
    "age_under_16": "participants.ages.under_16",
    "age_16_29": "participants.ages.16_29",
    "age_30_59": "participants.ages.30_59",
    "age_60_plus": "participants.ages.60_plus",
    "spending": "spent",
    "place_id": "place",
    "agency_id": "agency",
}


def route(key: str) -> str:
    return _ROUTES.get(key, key)


def conflict_response(exc: ActivityConflict) -> Response:
    """409 in the house shape of the case endpoints: what happened since your version."""
    current = exc.activity
    body = error_body(
        "conflict",
        _(
            "Hoạt động đã được người khác cập nhật sau khi bạn mở (phiên bản %(loaded)s, hiện "
            "là %(current)s). Hãy tải lại và nhập lại thay đổi của bạn."
        )
        % {"loaded": exc.loaded_version, "current": current.version},
    )
    by = current.updated_by
    body["error"]["current_version"] = current.version
    body["error"]["changes"] = [
        {
            "version": current.version,
            "kind": "updated",
            "at": current.updated_at.isoformat(),
            "by": by.get_full_name() or by.get_username(),
        }
    ]
    return Response(body, status=status.HTTP_409_CONFLICT)


@contextmanager
def refusals() -> Iterator[None]:
    """Service refusals as 400s naming the request's fields (PermissionDenied → 403 by the
    exception handler; ActivityConflict is answered by the view)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise service_error(exc, route) from exc


# --- OpenAPI: the error bodies --------------------------------------------------------------

_ERRORS = {
    400: OpenApiResponse(CaseError, description="`invalid`: see `fields`; nothing was saved."),
    401: OpenApiResponse(CaseError, description="`not_authenticated`, `authentication_failed`"),
    403: OpenApiResponse(
        CaseError,
        description=(
            "`permission_denied`: you do not work on the programme, or your role may not do "
            "this (e.g. record an activity for an agency you do not report for)."
        ),
    ),
    404: OpenApiResponse(CaseError, description="`not_found`: missing, or not visible to you."),
    409: OpenApiResponse(
        CaseConflictError,
        description="`conflict`: the `version` you sent is stale; `changes` says what happened.",
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses: 401 and 403 always, plus ``codes``."""
    return {code: _ERRORS[code] for code in sorted({401, 403, *codes})}
