"""What every case endpoint shares: the permission gate, the case lookup and error mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers

from antoan.accounts.roles import Perm
from antoan.api.cases.fields import dotted
from antoan.api.views import ProtectedAPIView
from antoan.cases import selectors
from antoan.cases.models import Case


class CaseAPIView(ProtectedAPIView):
    """Base of the case endpoints.

    The gate is ``cases.view_assigned``, which every role that can be on a case holds (case
    workers and supervisors). Behind the gate ``case_get_for_user`` answers 404 to everyone
    not on the case, so ids cannot be probed. Signed-in roles without the gate (hotline
    operators, providers, reporters...) get 403 on the collection and 404 on every case id,
    the same answer as for a case that does not exist. ``method_permissions`` overrides the
    gate for one method where a collection URL serves two operations (GET list, POST create).
    """

    permission = Perm.CASE_VIEW_ASSIGNED
    method_permissions: dict[str, Perm] = {}

    def initial(self, request, *args, **kwargs):
        # Before super().initial(), which checks permissions against ``self.permission``.
        self.permission = self.method_permissions.get(request.method, type(self).permission)
        super().initial(request, *args, **kwargs)

    def permission_denied(self, request, message=None, code=None):
        if request.user and request.user.is_authenticated and "case_id" in self.kwargs:
            raise exceptions.NotFound
        super().permission_denied(request, message=message, code=code)

    def get_case(self, case_id: Any, *, audit: bool = False) -> Case:
        """The case if the caller is on it, else 404. Writes are audited by their service."""
        return selectors.case_get_for_user(
            self.request.user, case_id, request=self.request, audit=audit
        )


def parse(serializer_class: type[serializers.Serializer], data: Any, **context: Any) -> Any:
    """Validated input, or a 400 whose field errors have dotted names."""
    serializer = serializer_class(data=data, context=context)
    if not serializer.is_valid():
        raise exceptions.ValidationError(dotted(serializer.errors))
    return serializer.validated_data


def same(key: str) -> str:
    return key


@contextmanager
def fields_under(route: Callable[[str], str] = same) -> Iterator[None]:
    """Turn a service's ValidationError into a 400 naming the fields as the request did.

    Services name fields as their own arguments ("full_name"); ``route`` places them in the
    request's structure ("survivor.full_name").
    """
    try:
        yield
    except DjangoValidationError as exc:
        raise service_error(exc, route) from exc


def service_error(
    exc: DjangoValidationError, route: Callable[[str], str] = same
) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        fields: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            name = "non_field_errors" if key == "__all__" else route(key)
            fields.setdefault(name, []).extend(messages)
    else:
        fields = {"non_field_errors": list(exc.messages)}
    return exceptions.ValidationError(fields)


def active_user(user_id: int | None) -> Any:
    """An active user by id, or None; whether they may hold the case is the service's rule.

    Unknown ids and ineligible users get the same refusal from the service, so the answer
    does not tell which user ids exist.
    """
    from antoan.accounts.models import User

    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


# --- OpenAPI: the error bodies the case endpoints answer with --------------------------------


class CaseErrorDetail(serializers.Serializer):
    code = serializers.CharField(help_text="`invalid`, `not_found`, `permission_denied`, ...")
    message = serializers.CharField(help_text="In the caller's language (Vietnamese by default).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text='Messages per field, nested names dotted: `"survivor.full_name"`.',
    )


class CaseError(serializers.Serializer):
    error = CaseErrorDetail()


class CaseConflictChange(serializers.Serializer):
    version = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField()


class CaseConflictDetail(CaseErrorDetail):
    current_version = serializers.IntegerField()
    changes = CaseConflictChange(many=True, help_text="What happened since your version.")


class CaseConflictError(serializers.Serializer):
    error = CaseConflictDetail()


_ERRORS = {
    400: OpenApiResponse(CaseError, description="`invalid`: see `fields`; nothing was saved."),
    401: OpenApiResponse(CaseError, description="`not_authenticated`, `authentication_failed`"),
    403: OpenApiResponse(
        CaseError,
        description="`permission_denied`: your role may not do this (or this to a case you see).",
    ),
    404: OpenApiResponse(CaseError, description="`not_found`: missing, or not a case of yours."),
    409: OpenApiResponse(
        CaseConflictError,
        description="`conflict`: the `version` you sent is stale; `changes` lists what happened.",
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses: 401 and 403 always, plus ``codes``."""
    return {code: _ERRORS[code] for code in sorted({401, 403, *codes})}
