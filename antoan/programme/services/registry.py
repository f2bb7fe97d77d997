"""The models registry, the influencer network and inspection follow-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antoan.accounts.models import Agency
from antoan.accounts.roles import Perm
from antoan.cases.choices import Sex
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import grant
from antoan.places.models import Place
from antoan.programme.choices import (
    InfluencerGroup,
    ModelKind,
    ModelStatus,
    RecommendationStatus,
)
from antoan.programme.models import (
    CommunityModel,
    Influencer,
    Recommendation,
)
from antoan.programme.services.checks import require_reporter


@dataclass
class ModelInput:
    kind: str
    name: str
    place: Place
    agency: Agency
    founded_on: dt.date | None = None
    status: str = ModelStatus.ACTIVE
    members_total: int = 0
    members_female: int = 0
    note: str = ""


@transaction.atomic
def community_model_save(
    *,
    actor: Any,
    data: ModelInput,
    instance: CommunityModel | None = None,
    version: int | None = None,
    request: Any = None,
) -> CommunityModel:
    """Register a model or change its entry (host agency's reporters, or the coordinator)."""
    coordinator = grant(actor, Perm.PROGRAMME_COORDINATE) is not None
    if not coordinator:
        require_reporter(actor, data.agency)
        if instance is not None:
            require_reporter(actor, instance.agency)
    errors: dict[str, list[str]] = {}
    if data.kind not in ModelKind.values:
        errors["kind"] = [_("Loại mô hình không hợp lệ.")]
    if data.status not in ModelStatus.values:
        errors["status"] = [_("Tình trạng không hợp lệ.")]
    if not data.name.strip():
        errors["name"] = [_("Hãy nhập tên mô hình.")]
    if data.members_total < 0 or data.members_female < 0:
        errors["members_total"] = [_("Số thành viên không được âm.")]
    elif data.members_female > data.members_total:
        errors["members_female"] = [_("Số thành viên nữ lớn hơn tổng số thành viên.")]
    if data.founded_on and data.founded_on > timezone.localdate():
        errors["founded_on"] = [_("Ngày thành lập ở tương lai.")]
    if errors:
        raise ValidationError(errors)
    if instance is not None:
        instance = CommunityModel.objects.select_for_update().get(pk=instance.pk)
        if version is not None and instance.version != version:
            raise ValidationError(
                _("Người khác vừa sửa mô hình này. Hãy tải lại trang rồi sửa lại.")
            )
        instance.version += 1
    model = instance or CommunityModel()
    for name, value in vars(data).items():
        setattr(model, name, value.strip() if isinstance(value, str) else value)
    model.full_clean()
    model.save()
    audit_record(
        action=AuditAction.UPDATE if instance else AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.model",
        object_id=model.pk,
        place_code=model.place.code,
    )
    return model


@transaction.atomic
def influencer_save(
    *,
    actor: Any,
    name: str,
    group: str,
    place: Place,
    agency: Agency,
    title: str = "",
    sex: str = Sex.UNKNOWN,
    active: bool = True,
    note: str = "",
    instance: Influencer | None = None,
    version: int | None = None,
    request: Any = None,
) -> Influencer:
    """Add a person of standing to the network, or change their entry (at ``version``)."""
    if grant(actor, Perm.PROGRAMME_COORDINATE) is None:
        require_reporter(actor, agency)
        if instance is not None:
            require_reporter(actor, instance.agency)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Hãy nhập họ tên.")]
    if group not in InfluencerGroup.values:
        errors["group"] = [_("Nhóm không hợp lệ.")]
    if sex not in Sex.values:
        errors["sex"] = [_("Giới tính không hợp lệ.")]
    if place.level != "commune":
        errors["place"] = [_("Hãy chọn xã, phường.")]
    if errors:
        raise ValidationError(errors)
    if instance is not None:
        instance = Influencer.objects.select_for_update().get(pk=instance.pk)
        if version is not None and instance.version != version:
            raise ValidationError(
                _("Người khác vừa sửa thông tin này. Hãy tải lại trang rồi sửa lại.")
            )
        instance.version += 1
    person = instance or Influencer()
    person.name, person.group, person.title = name.strip(), group, title.strip()
    person.sex, person.place, person.agency = sex, place, agency
    person.active, person.note = active, note.strip()
    person.full_clean()
    person.save()
    audit_record(
        action=AuditAction.UPDATE if instance else AuditAction.CREATE,
        request=request,
        user=actor,
        object_type="programme.influencer",
        object_id=person.pk,
        place_code=place.code,
    )
    return person


@transaction.atomic
def recommendation_update(
    *,
    actor: Any,
    recommendation: Recommendation,
    status: str,
    follow_up: str,
    request: Any = None,
) -> Recommendation:
    """The organising agency records how an inspection's recommendation was followed up.

    Allowed after the year's report is submitted: follow-up goes on long after the inspection,
    and it changes no figure of the report (participants, spending)."""
    require_reporter(actor, recommendation.activity.agency)
    if status not in RecommendationStatus.values:
        raise ValidationError({"status": [_("Tình trạng không hợp lệ.")]})
    current = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    changed = [
        name
        for name, value in (("status", status), ("follow_up", follow_up.strip()))
        if getattr(current, name) != value
    ]
    current.status, current.follow_up = status, follow_up.strip()
    current.full_clean()
    current.save()
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        user=actor,
        object_type="programme.recommendation",
        object_id=current.pk,
        changed_fields=changed,
        extra={"activity": current.activity_id},
    )
    return current
