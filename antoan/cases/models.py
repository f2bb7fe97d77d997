"""Case records: survivors, cases and everything that happens in them.

Identifying fields are ``EncryptedTextField`` (AES-GCM at rest) and searched through keyed
blind indexes (``antoan.core.crypto``). Workflow fields change only through ``services.py``;
every change of stage is written to ``CaseStageChange`` and every event to ``CaseEvent``.
Nothing here is deleted (``PROTECT``): records are closed, withdrawn or corrected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antoan.cases import choices as c
from antoan.core.crypto import EncryptedTextField, row_key_field

USER = settings.AUTH_USER_MODEL


class Survivor(models.Model):
    # Identifying: encrypted.
    row_key = row_key_field()  # binds the encrypted values below to this row
    full_name = EncryptedTextField(_("họ và tên"))
    other_names = EncryptedTextField(_("tên gọi khác"), blank=True)
    date_of_birth = EncryptedTextField(_("ngày sinh"), blank=True)  # ISO date, encrypted
    phone = EncryptedTextField(_("số điện thoại"), blank=True)
    national_id = EncryptedTextField(_("số định danh"), blank=True)
    address = EncryptedTextField(_("địa chỉ"), blank=True)
    guardian_name = EncryptedTextField(_("người giám hộ"), blank=True)
    guardian_phone = EncryptedTextField(_("điện thoại người giám hộ"), blank=True)
    # Blind indexes (keyed digests) for duplicate checks and search.
    name_index = models.CharField(max_length=40, db_index=True, editable=False)
    phone_index = models.CharField(max_length=40, db_index=True, blank=True, editable=False)
    # Not identifying on their own: in clear, for statistics.
    sex = models.CharField(_("giới tính"), max_length=10, choices=c.Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    age_at_intake = models.PositiveSmallIntegerField(_("tuổi khi tiếp nhận"), null=True, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=40, blank=True)
    disability = models.BooleanField(_("khuyết tật"), default=False)
    marital_status = models.CharField(
        _("tình trạng hôn nhân"), max_length=12, choices=c.MaritalStatus.choices, blank=True
    )
    occupation = models.CharField(_("nghề nghiệp"), max_length=80, blank=True)
    commune = models.ForeignKey(
        "places.Place",
        verbose_name=_("xã, phường cư trú"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người bị bạo lực")
        verbose_name_plural = _("người bị bạo lực")
        indexes = [models.Index(fields=["name_index", "birth_year"])]

    def __str__(self) -> str:
        return f"survivor #{self.pk}"  # never the name: this string reaches logs


class SearchToken(models.Model):
    """One blind-indexed word of a survivor's names, so any words of a name find the case."""

    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["digest", "survivor"], name="search_token_unique")
        ]

    def __str__(self) -> str:
        return self.digest[:8]


class Case(models.Model):
    number = models.CharField(_("số hồ sơ"), max_length=30, unique=True)
    survivor = models.ForeignKey(
        Survivor, verbose_name=_("người bị bạo lực"), on_delete=models.PROTECT, related_name="cases"
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("cơ quan quản lý"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assigned_to = models.ForeignKey(
        USER,
        verbose_name=_("cán bộ quản lý ca"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=c.Status.choices, default=c.Status.OPEN
    )
    stage = models.CharField(
        _("giai đoạn"), max_length=20, choices=c.Stage.choices, default=c.Stage.INTAKE
    )
    risk_level = models.CharField(
        _("mức độ nguy cơ"), max_length=10, choices=c.RiskLevel.choices, default=c.RiskLevel.LOW
    )
    immediate_danger = models.BooleanField(_("nguy hiểm tức thời"), default=False)
    source = models.CharField(_("nguồn tiếp nhận"), max_length=20, choices=c.Source.choices)
    needs = models.JSONField(_("nhu cầu"), default=list, blank=True)
    opened_at = models.DateTimeField(_("ngày tiếp nhận"))
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # Optimistic concurrency: every write names the version it was based on.
    version = models.PositiveIntegerField(default=1)
    # A client-chosen id that makes a retried creation return the first result.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    # Fictitious: made by ``seed_demo`` or ``generate_data``, which refuse a database holding
    # any case that is not.
    synthetic = models.BooleanField(default=False, editable=False)
    # Retention (docs/privacy/retention.md): a closed case is anonymised ANTOAN_RETENTION_YEARS
    # after closure by ``manage.py apply_retention``, unless a supervisor holds it for a legal
    # reason (a code and the reference of the document asking for it, never free text).
    legal_hold = models.BooleanField(_("lưu giữ theo yêu cầu pháp lý"), default=False)
    legal_hold_reason = models.CharField(
        _("lý do lưu giữ"), max_length=20, choices=c.LegalHoldReason.choices, blank=True
    )
    legal_hold_reference = models.CharField(_("văn bản yêu cầu"), max_length=100, blank=True)
    legal_hold_set_at = models.DateTimeField(null=True, blank=True)
    legal_hold_set_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    anonymised_at = models.DateTimeField(_("ẩn danh lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ ca")
        verbose_name_plural = _("hồ sơ ca")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["agency", "status", "stage"]),
            models.Index(fields=["assigned_to", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(stage="closed"))
                | (~Q(status="closed") & ~Q(stage="closed")),
                name="case_closed_status_matches_stage",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(status="closed"),
                name="case_closed_at_only_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(legal_hold=False) | ~Q(legal_hold_reason=""),
                name="case_legal_hold_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True) | Q(status="closed", legal_hold=False),
                name="case_anonymised_only_when_closed_and_not_held",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseSearchToken(models.Model):
    """One word of a case's survivor's names (the digest of a ``SearchToken``), per case, with
    what the case list filters and orders by: denormalised so that a name search walks one
    index, newest first, and stops at the page (docs/performance.md, "Case search").

    Derived data only, rebuilt by ``antoan.cases.search_index`` whenever the survivor's names
    or commune, or the case's agency, status or opening date change, and dropped with the
    survivor's tokens on anonymisation. ``case_search`` still checks every condition on the
    case itself: a stale row could hide a case, never show one outside the user's scope.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="search_tokens", db_index=False
    )
    digest = models.CharField(max_length=40)
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=10)
    commune = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    opened_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "digest"], name="case_search_token_unique")
        ]
        indexes = [
            # One word's cases in one agency, newest first; status and commune ride along so
            # the walk filters them without visiting the table.
            models.Index(
                fields=["digest", "agency", "-opened_at", "-case", "status", "commune"],
                name="case_search_walk",
            )
        ]

    def __str__(self) -> str:
        return self.digest[:8]


class CaseStageChange(models.Model):
    """The history of stages: every change, by whom, when and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=c.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=c.Stage.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    # A code ("closure"), never free text: free text goes into encrypted records.
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class CaseEvent(models.Model):
    """The case timeline: one row per thing that happened, with a non-identifying summary."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    # The case's version after this event: a stale write lists the events after its version.
    version = models.PositiveIntegerField(default=1)
    # Codes and numbers only (a stage, a risk level, a count): rendered in the viewer's language.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.kind


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="incidents")
    gbv_type = models.CharField(
        _("loại bạo lực (GBVIMS)"), max_length=30, choices=c.GbvType.choices
    )
    dv_forms = models.JSONField(_("hình thức bạo lực gia đình"), default=list, blank=True)
    contexts = models.JSONField(_("bối cảnh"), default=list, blank=True)
    occurred_on = models.DateField(_("ngày xảy ra"))
    commune = models.ForeignKey(
        "places.Place",
        verbose_name=_("nơi xảy ra"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_reported_on = models.DateField(_("ngày báo tin đầu tiên"))
    row_key = row_key_field()  # binds the encrypted values below to this row
    description = EncryptedTextField(_("mô tả"), blank=True)
    consent_statistics = models.BooleanField(_("đồng ý dùng cho thống kê"), default=False)
    # Where the statistics count the incident: its commune, else the survivor's, else the case
    # agency's place. Set by ``save``; refreshed by ``services.counted_place_refresh`` where the
    # survivor's commune or the case's agency changes (a transfer) and after bulk writes, so
    # that a province's incidents are an index range: the COALESCE over three tables it
    # replaces was worked out for every incident of the country (docs/performance.md,
    # "Dashboards at national scale").
    counted_place = models.ForeignKey(
        "places.Place",
        verbose_name=_("nơi tính vào thống kê"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        related_name="+",
    )
    # Whether this is the incident that counts its case's survivor: the case's first incident
    # recorded with statistics consent. Kept on the row by ``save`` and by
    # ``counted_first_refresh`` wherever consent changes, so that a province's survivors are
    # an index range: the anti-join it replaces ("no earlier consented incident of the case")
    # read every consented incident of the country to count one province
    # (docs/performance.md, "Dashboards' cohorts by index").
    counted_first = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["occurred_on", "pk"]
        indexes = [
            # A province's survivors: one row per case counted (the dashboards' cohorts).
            models.Index(
                fields=["counted_place", "case"],
                condition=Q(counted_first=True),
                name="incident_first_by_place",
            ),
            # A province's counted incidents (the dashboards, the reports, the export).
            models.Index(
                fields=["counted_place", "first_reported_on"],
                condition=Q(consent_statistics=True),
                name="incident_counted_by_place",
            ),
            # The GBVIMS export walks a year's consented incidents in this order, a chunk at a
            # time (docs/performance.md, "Streamed export"): each chunk is an index range, not a
            # sort of the whole year.
            models.Index(
                fields=["first_reported_on", "id"],
                condition=Q(consent_statistics=True),
                name="incident_counted_by_report",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_reported_on__gte=models.F("occurred_on")),
                name="incident_reported_after_it_happened",
            )
        ]

    def __str__(self) -> str:
        return f"{self.gbv_type} {self.occurred_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Where the statistics count the incident, on every save of the row itself; a change
        # of the survivor's commune or of the case's agency refreshes it through the services
        # (``counted_place_refresh``), and bulk writes (generate_data) likewise.
        if self.commune_id is not None:
            self.counted_place_id = self.commune_id
        else:
            survivor_commune, agency_place = (
                Case.objects.filter(pk=self.case_id)
                .values_list("survivor__commune_id", "agency__place_id")
                .get()
            )
            self.counted_place_id = survivor_commune or agency_place
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "counted_place"}
        super().save(*args, **kwargs)
        if fields is None or "consent_statistics" in fields:
            counted_first_refresh([self.case_id])
            self.refresh_from_db(fields=["counted_first"])


def counted_first_refresh(case_ids: Iterable[int]) -> int:
    """Work out again which incident counts each of these cases' survivor
    (``Incident.counted_first``): the case's first incident recorded with statistics consent,
    none when no incident has it. One UPDATE over the cases' incidents; called by every write
    that adds an incident or changes its consent, and after bulk writes (generate_data)."""
    earlier = Incident.objects.filter(
        case_id=models.OuterRef("case_id"), consent_statistics=True, pk__lt=models.OuterRef("pk")
    )
    first = Q(consent_statistics=True) & ~models.Exists(earlier)
    return (
        Incident.objects.filter(case_id__in=list(case_ids))
        .order_by()
        .update(counted_first=models.Case(models.When(first, then=True), default=False))
    )


class CaseFacts(models.Model):
    """Yes/no facts about a case's other records that the statistics count survivors and
    perpetrators by, kept on a row of their own (``antoan.cases.facts``): worked out again in
    the transaction of every write that can change them, so that a province's dashboard reads
    one row per case instead of probing four tables for each (docs/performance.md, "Dashboards:
    the cases' facts kept"). Only ``antoan.cases.facts`` writes them; a case without its row
    (never after ``facts.fill_missing``) counts as having none of them."""

    case = models.OneToOneField(
        Case, primary_key=True, on_delete=models.CASCADE, related_name="facts"
    )
    # A service delivered, of any kind; of the basic support of NQ 28/NQ-CP; legal or health.
    served = models.BooleanField(default=False, db_default=False)
    basic_service = models.BooleanField(default=False, db_default=False)
    legal_or_health_service = models.BooleanField(default=False, db_default=False)
    # A protection measure granted, of any type; a preventive one; an education one.
    measure_granted = models.BooleanField(default=False, db_default=False)
    preventive_granted = models.BooleanField(default=False, db_default=False)
    education_granted = models.BooleanField(default=False, db_default=False)
    # Needs recorded, on the case or in an assessment.
    needs_help = models.BooleanField(default=False, db_default=False)
    # An incident recorded with statistics consent names a form of domestic violence.
    dv = models.BooleanField(default=False, db_default=False)

    def __str__(self) -> str:
        return f"facts of case {self.case_id}"


class Perpetrator(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="perpetrators")
    sex = models.CharField(_("giới tính"), max_length=10, choices=c.Sex.choices)
    age_group = models.CharField(_("nhóm tuổi"), max_length=10, choices=c.AgeGroup.choices)
    relationship = models.CharField(
        _("quan hệ với người bị bạo lực"), max_length=20, choices=c.Relationship.choices
    )
    occupation = models.CharField(_("nghề nghiệp"), max_length=80, blank=True)
    row_key = row_key_field()  # binds the encrypted values below to this row
    details = EncryptedTextField(_("thông tin nhận dạng"), blank=True)

    def __str__(self) -> str:
        return f"{self.sex} {self.age_group} {self.relationship}"


class Consent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("mục đích"), max_length=12, choices=c.ConsentPurpose.choices)
    granted = models.BooleanField(_("đồng ý"))
    agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name=_("cơ quan được chia sẻ"), blank=True, related_name="+"
    )
    given_by = models.CharField(
        _("người cho ý kiến"), max_length=10, choices=c.ConsentGivenBy.choices
    )
    child_agreed = models.BooleanField(_("trẻ em đồng ý"), null=True, blank=True)
    method = models.CharField(_("hình thức"), max_length=12, choices=c.ConsentMethod.choices)
    given_at = models.DateTimeField(_("thời điểm"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the withdrawal changed, computed when it happened (codes, ids and counts only; see
    # ``consent_withdraw``). None for withdrawals recorded before this was kept.
    withdrawal_effects = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["given_at", "pk"]

    def __str__(self) -> str:
        return f"{self.purpose}={self.granted}"


class Assessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    needs = models.JSONField(_("nhu cầu"), default=list)
    answers = models.JSONField(_("câu trả lời đánh giá nguy cơ"), default=dict)
    immediate_danger = models.BooleanField(_("nguy hiểm tức thời"), default=False)
    risk_level = models.CharField(_("mức độ nguy cơ"), max_length=10, choices=c.RiskLevel.choices)
    row_key = row_key_field()  # binds the encrypted values below to this row
    notes = EncryptedTextField(_("ghi chú"), blank=True)
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["assessed_at", "pk"]

    def __str__(self) -> str:
        return f"assessment {self.risk_level}"


class SafetyPlan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="safety_plans")
    row_key = row_key_field()  # binds the encrypted values below to this row
    content = EncryptedTextField(_("kế hoạch an toàn"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"safety plan {self.pk}"


class CasePlan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_plans")
    row_key = row_key_field()  # binds the encrypted values below to this row
    goals = EncryptedTextField(_("mục tiêu"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"case plan {self.pk}"


class CasePlanItem(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.PROTECT, related_name="items")
    service = models.CharField(_("dịch vụ"), max_length=20, choices=c.Need.choices)
    responsible_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("cơ quan phụ trách"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("hạn"))
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=c.PlanItemStatus.choices,
        default=c.PlanItemStatus.PENDING,
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.service} {self.due_on}"


class FollowUp(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    done_on = models.DateField(_("ngày"))
    method = models.CharField(_("hình thức"), max_length=12, choices=c.FollowUpMethod.choices)
    row_key = row_key_field()  # binds the encrypted values below to this row
    notes = EncryptedTextField(_("ghi chú"), blank=True)
    next_due = models.DateField(_("lần theo dõi tiếp"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "pk"]

    def __str__(self) -> str:
        return f"follow-up {self.done_on}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    row_key = row_key_field()  # binds the encrypted values below to this row
    body = EncryptedTextField(_("nội dung"))
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class ProtectionMeasure(models.Model):
    """A measure of Law 13/2022 Art. 23, with the law's deadlines enforced by services."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    type = models.CharField(_("biện pháp"), max_length=24, choices=c.MeasureType.choices)
    deciding_body = models.CharField(
        _("cơ quan quyết định"), max_length=16, choices=c.DecidingBody.choices
    )
    requested_at = models.DateTimeField(_("thời điểm đề nghị"))
    decision = models.CharField(
        _("quyết định"),
        max_length=10,
        choices=c.MeasureDecision.choices,
        default=c.MeasureDecision.PENDING,
    )
    decided_at = models.DateTimeField(_("thời điểm quyết định"), null=True, blank=True)
    row_key = row_key_field()  # binds the encrypted values below to this row
    refusal_reason = EncryptedTextField(_("lý do từ chối"), blank=True)
    late_reason = EncryptedTextField(_("lý do quyết định muộn"), blank=True)
    starts_at = models.DateTimeField(_("bắt đầu"), null=True, blank=True)
    ends_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="measure_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.type


class ClosureRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closure_requests")
    row_key = row_key_field()  # binds the encrypted values below to this row
    reason = EncryptedTextField(_("lý do đóng ca"))
    checklist = models.JSONField(_("danh mục kiểm tra"), default=dict)
    # What was still missing when closure was asked (codes of ``rules.CLOSURE_GAPS``), and
    # the worker's written reason for closing anyway (required when anything was missing).
    missing = models.JSONField(_("còn thiếu khi đề nghị"), default=list, blank=True)
    missing_reason = EncryptedTextField(_("lý do đóng ca khi còn thiếu"), blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(
        max_length=10, choices=c.ClosureDecision.choices, default=c.ClosureDecision.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = EncryptedTextField(_("ý kiến"), blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"closure {self.decision}"


class CaseTransfer(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    from_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="incoming_transfers"
    )
    row_key = row_key_field()  # binds the encrypted values below to this row
    reason = EncryptedTextField(_("lý do chuyển"))
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=c.TransferStatus.choices, default=c.TransferStatus.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = EncryptedTextField(_("lý do từ chối"), blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_transfer"
            )
        ]

    def __str__(self) -> str:
        return f"transfer {self.status}"


class CaseNumberSequence(models.Model):
    """The last number given per prefix and year, incremented under a row lock."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_number_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class DuplicateReview(models.Model):
    """A new case that may be the same survivor as a case of another agency.

    Neither agency is told at intake (that would reveal a survivor to anyone typing a phone
    number); a provincial reviewer decides. "Same person" lets statistics count the survivor
    once; "in touch" also told both agencies' supervisors, which the survivor's sharing consent
    must allow on both sides.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("hồ sơ mới"), on_delete=models.PROTECT, related_name="+"
    )
    matched = models.ForeignKey(
        Case, verbose_name=_("hồ sơ có thể trùng"), on_delete=models.PROTECT, related_name="+"
    )
    match = models.CharField(_("trùng theo"), max_length=20, choices=c.DuplicateMatch.choices)
    status = models.CharField(
        _("kết luận"),
        max_length=12,
        choices=c.DuplicateStatus.choices,
        default=c.DuplicateStatus.OPEN,
    )
    found_at = models.DateTimeField(_("phát hiện lúc"))
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    row_key = row_key_field()  # binds the encrypted note below to this row
    note = EncryptedTextField(_("ghi chú"), blank=True)
    # Optimistic concurrency, as on cases: a decision names the version it was based on.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("hồ sơ có thể trùng")
        verbose_name_plural = _("hồ sơ có thể trùng")
        ordering = ["found_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "matched"], name="duplicate_review_unique"),
            models.CheckConstraint(
                condition=~Q(case=models.F("matched")), name="duplicate_review_two_cases"
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True)
                | (~Q(status="open") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="duplicate_review_decided_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["status", "found_at"])]

    def __str__(self) -> str:
        return f"{self.case_id}~{self.matched_id} {self.status}"
