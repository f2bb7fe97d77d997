"""Report work that runs as a job (docs/jobs.md): the reminders of ``send_report_reminders``,
the row-level GBVIMS export and the consolidated annual report (.docx, PDF)."""

from __future__ import annotations

import datetime as dt
import tempfile

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from antoan.core.routers import replica_reads
from antoan.jobs.kinds import JobContext, register
from antoan.jobs.models import Job, JobStatus

REMINDERS = "reports.reminders"


@register(REMINDERS, _("Nhắc hạn báo cáo năm"))
def send_reminders(ctx: JobContext) -> dict:
    from antoan.reports.reminders import reminders_send

    today = ctx.params.get("today")
    run = reminders_send(today=dt.date.fromisoformat(today) if today else None)
    return {"reminders": run.reminders, "cycles": run.cycles, "emails": run.emails}


# --- Big exports and documents as jobs (docs/jobs.md) -----------------------------------------
#
# Started by their pages (``GbvimsExportJobView``, ``ConsolidatedJobView``) after the same
# checks as the synchronous download; checked again here, when the worker runs, because the
# owner may have lost the role or the province in between. The file, the ``export`` audit event
# and the job's "done" are committed together, once per job.

GBVIMS_EXPORT = "reports.gbvims_export"
CONSOLIDATED = "reports.consolidated"


def _owner(ctx: JobContext):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=ctx.job.owner_id).first()


def _refuse_scope(ctx: JobContext, actor, *, object_type: str, object_id, perm) -> None:
    """The owner may no longer read what the job reads: an audited refusal, nothing made."""
    from antoan.core.audit import audit_record
    from antoan.core.models import AuditAction

    with transaction.atomic():
        if not ctx.unfinished_locked():
            return
        audit_record(
            action=AuditAction.PERMISSION_DENIED,
            user=actor,
            username="" if actor else "job",
            object_type=object_type,
            object_id=object_id,
            extra={"permission": str(perm), "job": ctx.job.pk, "when": "job_run"},
        )
        ctx.refuse("scope")


def _made_before(ctx: JobContext, actor) -> bool:
    """Did a run of this job already deliver its file? Its ``export`` event says so: the file,
    the event and the job's "done" commit together, so a run forced again after that (a job
    reset to running by hand) finds the event and marks the job done without making anything.
    Read by the owner's events since the job was created (index ``user, occurred_at``)."""
    from django.utils import timezone

    from antoan.core.models import AuditAction, AuditEvent

    made = AuditEvent.objects.filter(
        user=actor,
        action=AuditAction.EXPORT,
        occurred_at__gte=ctx.job.created_at,
        extra__job=ctx.job.pk,
    ).exists()
    if made:
        Job.objects.filter(pk=ctx.job.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
        ctx.job.status = JobStatus.DONE
        ctx.finished = True
    return made


@register(GBVIMS_EXPORT, _("Xuất sổ ghi vụ việc kiểu GBVIMS (Excel)"))
def export_gbvims(ctx: JobContext) -> None:
    from antoan.accounts.roles import Perm
    from antoan.core.audit import audit_record
    from antoan.core.models import AuditAction
    from antoan.core.permissions import grant
    from antoan.indicators.selectors.values import user_province
    from antoan.reports.exports import gbvims
    from antoan.reports.exports.common import may_export_rows

    actor = _owner(ctx)
    code, year = ctx.params["province"], int(ctx.params["year"])
    province = user_province(actor) if actor is not None else None
    if province is None or province.code != code or not may_export_rows(actor):
        _refuse_scope(
            ctx,
            actor,
            object_type="statistics_export",
            object_id=gbvims_kind(),
            perm=f"{Perm.INDICATORS_VIEW}:row_level",
        )
        return

    if _made_before(ctx, actor):
        return
    with replica_reads():  # a second-old copy is as good: docs/operations/scaling.md
        total = gbvims.incidents_of_year(province, year).count()
    ctx.progress(0, total)

    def counted():
        for n, row in enumerate(gbvims.iter_rows(province, year), 1):
            yield row
            ctx.progress(n, total)

    filename = gbvims.filename(province, year)
    with tempfile.TemporaryFile() as spool:
        with replica_reads():
            rows = gbvims.write_gbvims(spool, province, year, table=counted())
        spool.seek(0)
        with transaction.atomic():
            if not ctx.unfinished_locked() or _made_before(ctx, actor):
                return
            # As the page's download (``export_record``), with the job it came from.
            audit_record(
                action=AuditAction.EXPORT,
                user=actor,
                membership=grant(actor, Perm.INDICATORS_VIEW),
                object_type="statistics_export",
                object_id=gbvims_kind(),
                place_code=province.code,
                extra={"year": year, "rows": rows, "job": ctx.job.pk},
            )
            ctx.finish(
                {"rows": rows, "year": year, "result_filename": filename},
                result_file=(filename, spool),
            )


def gbvims_kind() -> str:
    from antoan.reports.exports import ROW_LEVEL

    return ROW_LEVEL


# The steps of a document: gather the figures and texts, write the .docx, (make the PDF).
def _document_steps(fmt: str) -> int:
    return 3 if fmt == "pdf" else 2


@register(
    CONSOLIDATED,
    _("Tạo báo cáo tổng hợp năm"),
    progress_text=_("bước %(done)s / %(total)s"),
)
def make_consolidated(ctx: JobContext) -> None:
    from django.conf import settings
    from django.http import Http404
    from django.utils import translation

    from antoan.accounts.roles import Perm
    from antoan.core.audit import audit_record
    from antoan.core.documents import decree30
    from antoan.core.models import AuditAction
    from antoan.core.permissions import grant
    from antoan.reports import selectors
    from antoan.reports.documents import consolidated as doc
    from antoan.reports.documents.pdf import PdfUnavailable, docx_to_pdf

    actor = _owner(ctx)
    cycle_id, fmt = ctx.params["cycle"], ctx.params["fmt"]
    options = ctx.params.get("options") or {}
    cycle = None
    if actor is not None and selectors.may_read_documents(actor):
        try:
            cycle = selectors.cycle_get(actor, cycle_id)
        except Http404:
            cycle = None
    if cycle is None:
        _refuse_scope(
            ctx, actor, object_type="reports.cycle", object_id=cycle_id, perm=Perm.REPORTS_REVIEW
        )
        return

    if _made_before(ctx, actor):
        return
    steps = _document_steps(fmt)
    ctx.progress(0, steps)
    # What ``consolidated_docx`` does, a step at a time for the bar.
    with translation.override(settings.LANGUAGE_CODE):
        data = doc.consolidated_data(cycle, user=actor)
        ctx.progress(1, steps)
        content = decree30.build_docx(doc.build_consolidated_document(data, **options))
        ctx.progress(2, steps)
    if fmt == "pdf":
        try:
            content = docx_to_pdf(content)
        except PdfUnavailable:
            with transaction.atomic():
                if ctx.unfinished_locked():
                    ctx.refuse("pdf")
            return
        ctx.progress(3, steps)
    filename = doc.consolidated_filename(cycle, fmt)
    with transaction.atomic():
        if not ctx.unfinished_locked() or _made_before(ctx, actor):
            return
        # As the page's download (``ConsolidatedView``), with the job it came from.
        audit_record(
            action=AuditAction.EXPORT,
            user=actor,
            membership=grant(actor, Perm.REPORTS_REVIEW) or grant(actor, Perm.INDICATORS_VIEW),
            object_type="reports.cycle",
            object_id=cycle.pk,
            extra={"format": fmt, "document": "consolidated", "job": ctx.job.pk},
        )
        ctx.finish(
            {"format": fmt, "cycle": cycle.pk, "result_filename": filename},
            result_file=(filename, content),
        )
