"""``/api/v1/cases``: open a case, list and search cases, read one, change its own fields."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import (
    CaseAPIView,
    active_user,
    errors,
    fields_under,
    parse,
    service_error,
)
from antoan.api.cases.inputs import (
    CaseOpenIn,
    CaseQuery,
    CaseSearchIn,
    CaseUpdateIn,
    incident_input,
    survivor_input,
)
from antoan.api.cases.outputs import (
    CaseCreatedOut,
    CaseDetailOut,
    CaseListItemOut,
    CaseOut,
    CasePageOut,
    CaseReplayedOut,
    CaseSearchPageOut,
    consents_summary,
)
from antoan.api.errors import ApiError
from antoan.api.pagination import CURSOR_PARAMETER, LIMIT_PARAMETER, PAGE_SIZE, Cursor
from antoan.api.query import given_params
from antoan.cases import choices as c
from antoan.cases import selectors, services
from antoan.cases.services import ConsentInput, IncidentInput, SurvivorInput

# Where a field named by case_open's services sits in the request body.
_TOP_LEVEL = {"source", "needs", "risk_level", "immediate_danger", "agency", "client_uuid"}
_SURVIVOR = {f.name for f in dataclasses.fields(SurvivorInput)}
_INCIDENT = {f.name for f in dataclasses.fields(IncidentInput)}
_CONSENT = {f.name for f in dataclasses.fields(ConsentInput)}


def open_route(key: str) -> str:
    """``full_name`` → ``survivor.full_name``, ``perpetrators.0.sex`` → ``incident.…``."""
    head = key.split(".", 1)[0]
    if head in _TOP_LEVEL:
        return key
    # "commune" is in both survivor and incident: the incident's is checked by the serializer.
    for prefix, names in (("survivor", _SURVIVOR), ("incident", _INCIDENT), ("consent", _CONSENT)):
        if head in names:
            return f"{prefix}.{key}"
    return key


class CaseCursor(Cursor):
    ordering = ("-opened_at", "-pk")


class CaseCollectionView(CaseAPIView):
    """GET lists the caller's cases (case workers, supervisors); POST opens a case (every role
    that takes reports, hotline operators included, who then see nothing of it)."""

    method_permissions = {"POST": Perm.CASE_CREATE}

    @extend_schema(
        operation_id="cases_list",
        summary="Cases you work on: filter",
        description=(
            "A case worker sees the cases assigned to them, a supervisor every case of their "
            "agency. Only filters that identify no one are taken here; to find a case by "
            "number, phone or name use `POST /api/v1/cases/search`, which keeps the terms out "
            "of URLs and so out of access logs. A `q` parameter is refused (400). Every list is "
            "audited (which filters, never their values)."
        ),
        parameters=[
            OpenApiParameter("status", str, enum=c.Status.values),
            OpenApiParameter("stage", str, enum=c.Stage.values),
            OpenApiParameter("risk_level", str, enum=c.RiskLevel.values),
            OpenApiParameter("commune", str, description="Code of the survivor's commune."),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only cases assigned to you."),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
        responses={200: CasePageOut, **errors(400)},
    )
    def get(self, request):
        if "q" in request.query_params:
            raise exceptions.ValidationError(
                {
                    "q": [
                        _(
                            "Không tìm kiếm qua địa chỉ (URL): hãy gửi điều kiện tìm kiếm trong "
                            "nội dung yêu cầu POST /api/v1/cases/search."
                        )
                    ]
                }
            )
        params = parse(CaseQuery, given_params(request, CaseQuery))
        cases = selectors.case_search(
            request.user, selectors.CaseFilters(**params), request=request
        )
        paginator = CaseCursor()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(CaseListItemOut(page, many=True).data)

    @extend_schema(
        summary="Open a case",
        description=(
            "Records the survivor (identifying fields encrypted), the consent given, and "
            "optionally the first incident. Once the request is otherwise valid it is checked "
            "for possible duplicates (audited, at most `ANTOAN_DUPLICATE_CHECKS_PER_HOUR` a "
            "user; beyond that 429 `rate_limited` and nothing is created). "
            "`possible_duplicates` lists the numbers of cases you may open already that look "
            "like the same person; cases you may not open are never mentioned. "
            "A retry with the same `client_uuid` returns the first case (201, header "
            "`Idempotent-Replayed: true`): in full if you may still open it, otherwise only "
            "`id` and `number` (after a transfer or reassignment). Another user's `client_uuid` "
            "is refused with 409 `duplicate`. Unknown keys are refused (400), so a typo cannot "
            "be dropped silently."
        ),
        request=CaseOpenIn,
        responses={
            201: PolymorphicProxySerializer(
                component_name="CaseOpened",
                serializers=[CaseCreatedOut, CaseReplayedOut],
                resource_type_field_name=None,
            ),
            **errors(400),
            409: OpenApiResponse(description="`duplicate`: this `client_uuid` is taken."),
            429: OpenApiResponse(description="`rate_limited`: too many duplicate checks."),
        },
    )
    def post(self, request):
        data = parse(CaseOpenIn, request.data, user=request.user)
        incident = data.get("incident")
        try:
            result = services.case_open(
                actor=request.user,
                source=data["source"],
                survivor=survivor_input(data["survivor"]),
                consent=ConsentInput(**data["consent"]),
                incident=incident_input(incident) if incident else None,
                needs=data.get("needs", []),
                risk_level=data.get("risk_level"),
                immediate_danger=data.get("immediate_danger", False),
                agency=data.get("agency"),
                client_uuid=data.get("client_uuid"),
                request=request,
            )
        except services.DuplicateChecksExceeded as exc:
            raise ApiError("rate_limited", str(exc.message), 429) from exc
        except DjangoValidationError as exc:
            if "client_uuid" in getattr(exc, "error_dict", {}):
                # Someone else's id: say no more than that it is taken.
                raise ApiError(
                    "duplicate", _("Mã client_uuid này đã được dùng; hãy tạo mã mới."), 409
                ) from exc
            raise service_error(exc, open_route) from exc
        case = result.case
        case.duplicates = result.duplicates
        body = CaseCreatedOut(case).data if result.in_scope else CaseReplayedOut(case).data
        response = Response(body, status=status.HTTP_201_CREATED)
        if not result.created:
            response["Idempotent-Replayed"] = "true"
        return response


class CaseDetailView(CaseAPIView):
    @extend_schema(
        summary="A case with everything recorded in it",
        description=(
            "For the case's worker and their supervisors only (404 for everyone else, as for a "
            "missing case). Every read is audited. Measures carry a countdown: to the legal "
            "deadline of a pending decision, or to the end of an order in force."
        ),
        responses={200: CaseDetailOut, **errors(404)},
    )
    def get(self, request, case_id: int):
        case = self.get_case(case_id, audit=True)
        detail = selectors.case_detail(case)
        detail["consent_summary"] = consents_summary(detail["consents"])
        case.detail = detail
        return Response(CaseDetailOut(case, context={"now": services.now()}).data)

    @extend_schema(
        summary="Change the case's own fields",
        description=(
            "Send the `version` you loaded and only the fields to change. A stale version is "
            "refused with 409 listing what changed since; nothing is overwritten. Only a "
            "supervisor assigns (`assigned_to`)."
        ),
        request=CaseUpdateIn,
        responses={200: CaseOut, **errors(400, 404, 409)},
    )
    def patch(self, request, case_id: int):
        case = self.get_case(case_id)
        changes = dict(parse(CaseUpdateIn, request.data, user=request.user))
        version = changes.pop("version")
        if not changes:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Không có trường nào cần thay đổi.")]}
            )
        if "assigned_to" in changes:
            changes["assigned_to"] = active_user(changes["assigned_to"])
        with fields_under():
            case = services.case_update(
                case=case, actor=request.user, version=version, changes=changes, request=request
            )
        return Response(CaseOut(case).data)


class CaseSearchCursor(CaseCursor):
    """The case list's cursor, read from and handed back in JSON bodies instead of URLs."""

    def __init__(self, cursor: str | None, limit: int) -> None:
        self.raw_cursor = cursor
        self.limit = limit

    def get_page_size(self, request):
        return self.limit

    def decode_cursor(self, request):
        if self.raw_cursor is None:
            return None
        return super().decode_cursor(SimpleNamespace(query_params={"cursor": self.raw_cursor}))

    def encode_cursor(self, cursor):
        url = super().encode_cursor(cursor)
        return parse_qs(urlsplit(url).query)[self.cursor_query_param][0]


class CaseSearchView(CaseAPIView):
    """Search by number, phone or name with the terms in the body, never in the URL."""

    @extend_schema(
        operation_id="cases_search",
        summary="Find cases by number, phone or name",
        description=(
            "The same cases and filters as `GET /api/v1/cases`, with `q` (a case number, a "
            "phone number, or words of the name typed with or without diacritics), all in the "
            "JSON body so that no name or phone number appears in a URL, where web servers and "
            "proxies would log it. Pages: send the answer's `next_cursor` back as `cursor` with "
            "the same filters. Unknown keys are refused (400). Every search is audited (which "
            "filters, never their values)."
        ),
        request=CaseSearchIn,
        responses={200: CaseSearchPageOut, **errors(400)},
    )
    def post(self, request):
        params = dict(parse(CaseSearchIn, request.data))
        cursor = params.pop("cursor", None)
        limit = params.pop("limit", PAGE_SIZE)
        cases = selectors.case_search(
            request.user, selectors.CaseFilters(**params), request=request
        )
        paginator = CaseSearchCursor(cursor, limit)
        page = paginator.paginate_queryset(cases, request, view=self)
        return Response(
            {
                "results": CaseListItemOut(page, many=True).data,
                "next_cursor": paginator.get_next_link(),
            }
        )
