"""Programme work that runs as a job (docs/jobs.md): the Excel import."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antoan.accounts.models import Agency
from antoan.jobs.kinds import JobContext, register
from antoan.jobs.models import Job
from antoan.programme import selectors
from antoan.programme.excel.importer import FileImport, ImportResult, Outcome
from antoan.programme.excel.reader import Problem

IMPORT = "programme.import"
# The rows listed on the finished job's page; the count says how many were imported in all.
MAX_OUTCOMES_SHOWN = 1000


@dataclass
class StoredImport:
    """A finished import job read back for its page: what ``ImportResult`` showed."""

    ok: bool
    created: int
    skipped: int
    total_problems: int
    rows: int
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def problems_xlsx(problems: list[Problem]) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(_("Vấn đề"))
    ws.append([_("Trang tính"), _("Dòng"), _("Cột"), _("Vấn đề")])
    for p in problems:
        ws.append([p.sheet, p.row, p.column, p.message])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_of(result: ImportResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "created": result.created,
        "skipped": result.skipped,
        "rows": len(result.outcomes),
        "total_problems": result.total_problems,
        "outcomes": [
            [o.row, o.title, o.status, o.activity_id, o.same_as]
            for o in result.outcomes[:MAX_OUTCOMES_SHOWN]
        ],
    }


def import_context(job: Job) -> dict:
    s = job.summary
    return {
        "result": StoredImport(
            ok=bool(s.get("ok")),
            created=s.get("created", 0),
            skipped=s.get("skipped", 0),
            total_problems=s.get("total_problems", 0),
            rows=s.get("rows", 0),
            outcomes=[Outcome(*o) for o in s.get("outcomes", [])],
            problems=[Problem(**p) for p in job.error_rows],
        ),
        "outcomes_cut": s.get("rows", 0) > len(s.get("outcomes", [])),
    }


@register(
    IMPORT,
    gettext_lazy("Nhập hoạt động từ Excel"),
    result_template="programme/_import_job_result.html",
    result_context=import_context,
)
def import_activities(ctx: JobContext) -> None:
    from antoan.programme.excel.views import models_for

    actor = get_user_model().objects.get(pk=ctx.job.owner_id)
    params = ctx.params
    # The owner's scope is checked again here: a role may have changed since the upload.
    plan = selectors.plan_get_for_user(actor, params["plan"])
    agency = Agency.objects.get(pk=params["agency"])

    def saved(result: ImportResult) -> None:
        # Inside the import's transaction: the rows and the job's "done" commit together.
        ctx.finish(summary_of(result))

    result = FileImport(
        actor=actor,
        plan=plan,
        agency=agency,
        models=models_for(actor),
        max_rows=settings.ANTOAN_IMPORT_MAX_ROWS,
        kind=params.get("kind"),
        progress=ctx.progress,
        on_saved=saved,
    ).run(ctx.input_bytes())
    if not result.ok:
        ctx.finish(
            {**summary_of(result), "result_filename": problem_filename()},
            error_rows=[p.__dict__ for p in result.problems],
            error_count=result.total_problems,
            result_file=("van-de.xlsx", problems_xlsx(result.problems)),
        )


def problem_filename() -> str:
    return f"van-de-nhap-{timezone.localdate():%Y%m%d}.xlsx"


CAMPAIGN_REMINDERS = "programme.campaign_reminders"


@register(CAMPAIGN_REMINDERS, gettext_lazy("Nhắc lịch chiến dịch truyền thông"))
def campaign_reminders(ctx: JobContext) -> dict:
    from antoan.programme.services import campaigns

    run = campaigns.reminders_send()
    return {"reminders": run.reminders, "campaigns": run.campaigns, "emails": run.emails}
