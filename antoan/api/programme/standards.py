"""``/api/v1/programme``: checklists of standards, models' assessments and reviews.

Every programme role reads them (the registry is the programme's, and neither holds personal
data: a review counts the survivors a model supported, never names them, and a count from 1 to
``ANTOAN_SUPPRESS_BELOW - 1`` is suppressed as the indicators' are); only the coordinator
records them (403 for the others). A model id answers 404 outside the programme.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from antoan.accounts.roles import Perm
from antoan.api.cases.common import service_error
from antoan.api.cases.fields import Code, Day, StrictSerializer, Text, Whole
from antoan.api.cases.outputs import PageOut
from antoan.api.health.views import CountOut
from antoan.api.pagination import Cursor
from antoan.api.programme.build import nfc
from antoan.api.programme.common import ProgrammeAPIView, errors, forbidden, parse
from antoan.api.programme.plans import CURSOR, LIMIT, query
from antoan.core.permissions import has_perm
from antoan.programme import selectors, services
from antoan.programme.choices import AssessmentStatus, ModelKind, ModelStatus, ReviewDecision
from antoan.programme.models import (
    Assessment,
    AssessmentScore,
    CommunityModel,
    ModelReview,
    text_limit,
)
from antoan.programme.selectors import standards
from antoan.programme.services.standards import MAX_COUNT

MAX_CRITERIA = 200

# --- Bodies -----------------------------------------------------------------------------------


class ChecklistQuery(serializers.Serializer):
    include_superseded = serializers.BooleanField(
        required=False,
        default=False,
        error_messages={"invalid": gettext_lazy("Cần true hoặc false.")},
    )


class ChecklistBandOut(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    min = serializers.FloatField(help_text="A total (per cent) at or above this is in the band.")


class ChecklistCriterionOut(serializers.Serializer):
    code = serializers.CharField()
    group = serializers.CharField()
    text = serializers.CharField()
    weight = serializers.FloatField()
    max_score = serializers.IntegerField(help_text="Scores go from 0 to this.")


class ChecklistOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="The id of this version; send it to assess.")
    code = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    model_kinds = serializers.ListField(child=Code(ModelKind, name="ModelKind"))
    agency_kinds = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateField()
    basis = serializers.CharField(help_text="The legal or guidance document it follows.")
    basis_note = serializers.CharField()
    is_sample = serializers.BooleanField(
        help_text="A sample to be replaced by the department's own criteria."
    )
    active = serializers.BooleanField()
    bands = ChecklistBandOut(many=True)
    criteria = ChecklistCriterionOut(many=True)


class ChecklistPageOut(PageOut):
    results = ChecklistOut(many=True)


class StandardScoreIn(StrictSerializer):
    score = Whole(allow_null=True, help_text="From 0 to the criterion's `max_score`.")
    note = Text(
        required=False,
        allow_blank=True,
        max_length=text_limit(AssessmentScore, "note"),
        help_text="Evidence seen.",
    )


class ScoresField(serializers.DictField):
    default_error_messages = {
        "not_a_dict": gettext_lazy("Cần một đối tượng {{mã tiêu chí: {{score, note}}}}."),
        "too_many": gettext_lazy("Nhiều hơn {n} tiêu chí."),
        "key": gettext_lazy("Mã tiêu chí dài quá 20 ký tự."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=StandardScoreIn(), **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            if len(data) > MAX_CRITERIA:
                self.fail("too_many", n=MAX_CRITERIA)
            if any(len(str(k)) > 20 for k in data):
                self.fail("key")
        return super().to_internal_value(data)


class StandardAssessmentIn(StrictSerializer):
    checklist = Whole(
        min_value=1, help_text="A checklist version's id (`GET .../checklists`), in force today."
    )
    assessed_on = Day()
    status = Code(
        AssessmentStatus,
        name="AssessmentStatus",
        required=False,
        help_text="Default `draft`. A `final` assessment has every criterion scored.",
    )
    note = Text(required=False, allow_blank=True, max_length=text_limit(Assessment, "note"))
    scores = ScoresField(required=False, help_text="Criterion code → its score and evidence note.")


class StandardScoreOut(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    score = serializers.IntegerField()
    max_score = serializers.IntegerField(source="criterion.max_score")
    note = serializers.CharField()


class StandardAssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    community_model = serializers.IntegerField(source="community_model_id")
    checklist = serializers.IntegerField(source="checklist_id")
    checklist_code = serializers.CharField(source="checklist.code")
    checklist_version = serializers.IntegerField(source="checklist.version")
    assessed_on = serializers.DateField()
    assessor = serializers.SerializerMethodField()
    status = Code(AssessmentStatus, name="AssessmentStatus")
    total_percent = serializers.FloatField(
        help_text="Σ weight × score / max over Σ weight, in per cent (unscored criteria of a "
        "draft count 0)."
    )
    band = serializers.CharField(help_text='The band\'s code, e.g. "met"; "" for none.')
    band_label = serializers.CharField()
    note = serializers.CharField()
    scores = StandardScoreOut(many=True)
    version = serializers.IntegerField()

    def get_assessor(self, obj: Assessment) -> str:
        return obj.assessor.get_full_name() or obj.assessor.get_username()


class StandardAssessmentPageOut(PageOut):
    results = StandardAssessmentOut(many=True)


class ModelReviewIn(StrictSerializer):
    period_start = Day()
    period_end = Day(help_text="Not before `period_start`, not after today.")
    members_total = Whole(
        required=False, min_value=0, max_value=MAX_COUNT, help_text="Default: the model's."
    )
    members_female = Whole(
        required=False, min_value=0, max_value=MAX_COUNT, help_text="Default: the model's."
    )
    people_served = Whole(min_value=0, max_value=MAX_COUNT)
    survivors_supported = Whole(
        min_value=0, max_value=MAX_COUNT, help_text="A number only: never names."
    )
    decision = Code(
        ReviewDecision, name="ReviewDecision", help_text="`stop` closes the model as well."
    )
    reasons = Text(max_length=text_limit(ModelReview, "reasons"))
    decided_on = Day(required=False, help_text="Default today.")


class ModelReviewOut(serializers.Serializer):
    id = serializers.IntegerField()
    community_model = serializers.IntegerField(source="community_model_id")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    members_total = serializers.IntegerField()
    members_female = serializers.IntegerField()
    activities_count = serializers.IntegerField(
        help_text="The model's activities that started in the period, counted when recorded."
    )
    activity_participants = serializers.IntegerField()
    activity_participants_female = serializers.IntegerField()
    people_served = serializers.IntegerField()
    survivors_supported = serializers.SerializerMethodField(
        help_text="As recorded, but from 1 to `ANTOAN_SUPPRESS_BELOW - 1` (default 4) "
        "`suppressed: true` with a null `value`, as the indicators hide small counts."
    )
    decision = Code(ReviewDecision, name="ReviewDecision")
    reasons = serializers.CharField()
    decided_by = serializers.SerializerMethodField()
    decided_on = serializers.DateField()
    model_status = Code(ModelStatus, name="ModelStatus", source="community_model.status")

    def get_decided_by(self, obj: ModelReview) -> str:
        return obj.decided_by.get_full_name() or obj.decided_by.get_username()

    @extend_schema_field(CountOut)
    def get_survivors_supported(self, obj: ModelReview) -> dict[str, Any]:
        hidden = standards.survivors_hidden(obj)
        return {"value": None if hidden else obj.survivors_supported, "suppressed": hidden}


class ModelReviewPageOut(PageOut):
    results = ModelReviewOut(many=True)


# --- Views ------------------------------------------------------------------------------------


def _model(user: Any, model_id: int) -> CommunityModel:
    return selectors.community_model_get_for_user(user, model_id)


def _require_coordinator(user: Any) -> None:
    if not has_perm(user, Perm.PROGRAMME_COORDINATE):
        raise forbidden()


class ChecklistListView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_checklists_list",
        summary="Checklists of standards for models and service facilities",
        description=(
            "The version in force today of each checklist (one page: `next` is always null); "
            "`include_superseded=true` lists every stored version, newest first for each code. "
            "A checklist applies to the model kinds and agency kinds it names."
        ),
        parameters=[OpenApiParameter("include_superseded", bool)],
        responses={200: ChecklistPageOut, **errors(400)},
    )
    def get(self, request):
        params = query(ChecklistQuery, request)
        rows = standards.checklist_list(
            request.user, include_superseded=params.get("include_superseded", False)
        )
        return Response({"results": ChecklistOut(rows, many=True).data, "next": None})


class AssessmentCursor(Cursor):
    ordering = ("-assessed_on", "-pk")


class ModelAssessmentView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_model_assessments_list",
        summary="A model's assessments against checklists, latest first",
        parameters=[CURSOR, LIMIT],
        responses={200: StandardAssessmentPageOut, **errors(400, 404)},
    )
    def get(self, request, model_id: int):
        model = _model(request.user, model_id)
        qs = (
            standards.assessment_list(request.user)
            .filter(community_model=model)
            .prefetch_related("scores__criterion")
        )
        paginator = AssessmentCursor()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(StandardAssessmentOut(page, many=True).data)

    @extend_schema(
        operation_id="programme_model_assessments_create",
        summary="Assess a model against a checklist (coordinator)",
        description=(
            "The checklist must apply to the model's kind and be the version in force. Each "
            "score is from 0 to its criterion's `max_score`; a `final` assessment scores every "
            "criterion. Errors about one criterion are under `scores.<code>`. The total and "
            "the band are computed. Nothing is saved when anything is refused."
        ),
        request=StandardAssessmentIn,
        responses={201: StandardAssessmentOut, **errors(400, 404)},
    )
    def post(self, request, model_id: int):
        user = request.user
        _require_coordinator(user)
        model = _model(user, model_id)
        data = nfc(parse(StandardAssessmentIn, request.data))
        try:
            checklist = standards.checklist_get_for_user(user, data["checklist"])
        except Http404:
            raise exceptions.ValidationError(
                {
                    "checklist": [
                        _("Không có bộ tiêu chí với mã số %(id)s.") % {"id": data["checklist"]}
                    ]
                }
            ) from None
        value = services.AssessmentInput(
            checklist=checklist,
            assessed_on=data["assessed_on"],
            status=data.get("status") or AssessmentStatus.DRAFT,
            note=data.get("note", ""),
            scores={
                code: services.ScoreInput(score=s.get("score"), note=s.get("note", ""))
                for code, s in (data.get("scores") or {}).items()
            },
        )
        try:
            assessment = services.assessment_save(
                actor=user, data=value, model=model, request=request
            )
        except DjangoValidationError as exc:
            raise service_error(exc) from exc
        assessment = standards.assessment_get_for_user(user, assessment.pk)
        return Response(StandardAssessmentOut(assessment).data, status=status.HTTP_201_CREATED)


class ReviewCursor(Cursor):
    ordering = ("-period_end", "-pk")


class ModelReviewView(ProgrammeAPIView):
    @extend_schema(
        operation_id="programme_model_reviews_list",
        summary="A model's reviews and the decisions taken, latest first",
        parameters=[CURSOR, LIMIT],
        responses={200: ModelReviewPageOut, **errors(400, 404)},
    )
    def get(self, request, model_id: int):
        model = _model(request.user, model_id)
        qs = standards.review_list(request.user).filter(community_model=model)
        paginator = ReviewCursor()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ModelReviewOut(page, many=True).data)

    @extend_schema(
        operation_id="programme_model_reviews_create",
        summary="Review a model's results and decide on it (coordinator)",
        description=(
            "The activities of the model in the period are counted and kept with the review. "
            "The period must have ended (not after today) and not end before it starts. "
            "`stop` closes the model in the same transaction. Nothing is saved when anything "
            "is refused."
        ),
        request=ModelReviewIn,
        responses={201: ModelReviewOut, **errors(400, 404)},
    )
    def post(self, request, model_id: int):
        user = request.user
        _require_coordinator(user)
        model = _model(user, model_id)
        data = nfc(parse(ModelReviewIn, request.data))
        value = services.ReviewInput(
            period_start=data["period_start"],
            period_end=data["period_end"],
            members_total=data.get("members_total", model.members_total),
            members_female=data.get("members_female", model.members_female),
            people_served=data["people_served"],
            survivors_supported=data["survivors_supported"],
            decision=data["decision"],
            reasons=data["reasons"],
            decided_on=data.get("decided_on"),
        )
        try:
            review = services.model_review_create(
                actor=user, model=model, data=value, request=request
            )
        except DjangoValidationError as exc:
            raise service_error(exc) from exc
        review = standards.review_list(user).get(pk=review.pk)
        return Response(ModelReviewOut(review).data, status=status.HTTP_201_CREATED)
