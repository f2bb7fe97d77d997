"""Pages of the reporting cycle: the list of cycles, a cycle's board, an agency's report, the
consolidated documents and the statistical exports."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View

from antoan.accounts.reauth import RecentAuthRequiredMixin, SensitiveExportMixin
from antoan.accounts.roles import Perm
from antoan.core.audit import audit_record
from antoan.core.models import AuditAction
from antoan.core.permissions import PermissionRequiredMixin, deny, has_perm
from antoan.indicators.periods import FIRST_YEAR
from antoan.indicators.selectors.values import user_province
from antoan.programme.selectors import communes_missing_local_plan, plan_get_for_user
from antoan.programme.views.common import add_errors, programme_nav
from antoan.reports import documents, exports, prefill, selectors, services
from antoan.reports.choices import EDITABLE, IN_HAND, SubmissionStatus
from antoan.reports.forms import AttachmentForm, CycleForm, ReasonForm, SubmissionForm, cell_name
from antoan.reports.models import Attachment, Cycle, Submission
from antoan.reports.template import TABLES, sections_of, tables_of


def state_labels() -> dict[str, str]:
    return {
        selectors.ON_TIME: _("Nộp đúng hạn"),
        selectors.LATE: _("Nộp muộn"),
        selectors.RETURNED: _("Bị trả lại"),
        selectors.IN_PROGRESS: _("Đang soạn"),
        selectors.MISSING: _("Chưa có báo cáo"),
    }


def posted_id(request: Any, name: str) -> int:
    """A number a form posts (an id, a version); 0 for anything else, which matches nothing
    and is stale for every record, so a tampered form is refused, never a server error."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else 0


def _nav(request: Any) -> dict[str, Any]:
    return programme_nav(request, "reports")


class HomeView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request):
        user = request.user
        cycles = list(selectors.cycle_list(user).order_by("-year", "plan__number"))
        own = selectors.submitting_agency_ids(user)
        mine = {
            (s.cycle_id, s.agency_id): s
            for s in selectors.submission_list(user)
            .filter(agency_id__in=own)
            .exclude(status=SubmissionStatus.SUPERSEDED)
        }
        current = selectors.current_cycle(user)
        today = timezone.localdate()
        readers = selectors.may_read_documents(user)
        received = (
            dict(
                Submission.objects.filter(status__in=IN_HAND)
                .values_list("cycle_id")
                .annotate(n=Count("pk"))
            )
            if readers
            else {}
        )
        expected = (
            dict(Cycle.agencies.through.objects.values_list("cycle_id").annotate(n=Count("pk")))
            if readers
            else {}
        )
        owed_by_cycle: dict[int, list[Any]] = {}
        for link in Cycle.agencies.through.objects.filter(agency_id__in=own).select_related(
            "agency"
        ):
            owed_by_cycle.setdefault(link.cycle_id, []).append(link.agency)
        rows = []
        # Cycles whose period has not begun are not shown: nothing can be reported on yet.
        for cycle in (c for c in cycles if c.period_start <= today):
            owed = sorted(owed_by_cycle.get(cycle.pk, []), key=lambda a: a.name)
            rows.append(
                {
                    "cycle": cycle,
                    "mine": [(a, mine.get((cycle.pk, a.pk))) for a in owed],
                    "received": received.get(cycle.pk, 0),
                    "expected": expected.get(cycle.pk, 0),
                    "overdue": cycle.due_date < today,
                }
            )
        plans = {}
        for row in rows:
            plans.setdefault(row["cycle"].plan, []).append(row)
        context = {
            "plans": list(plans.items()),
            "current": current,
            "reminders": selectors.my_reminders(user),
            "reviewer": selectors.may_review(user),
            "reads_all": readers,
            "own": bool(own),
            "exports": has_perm(user, Perm.INDICATORS_VIEW),
            "today": today,
            **_nav(request),
        }
        return render(request, "reports/home.html", context)


class CycleView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        user = request.user
        cycle = selectors.cycle_get(user, pk)
        own = selectors.submitting_agency_ids(user)
        owed = list(cycle.agencies.filter(pk__in=own).order_by("name")) if own else []
        live = {
            s.agency_id: s
            for s in Submission.objects.filter(cycle=cycle, agency__in=owed).exclude(
                status=SubmissionStatus.SUPERSEDED
            )
        }
        context: dict[str, Any] = {
            "cycle": cycle,
            "owed": [(a, live.get(a.pk)) for a in owed],
            "reviewer": selectors.may_review(user),
            "reads_all": selectors.may_read_documents(user),
            "labels": state_labels(),
            **_nav(request),
        }
        if context["reads_all"]:
            board = selectors.board(user, cycle)
            state = request.GET.get("state", "")
            state = state if state in state_labels() else ""
            context["board"] = board
            context["state"] = state
            context["rows"] = [r for r in board.rows if not state or r.state == state]
            if context["reviewer"]:
                try:
                    context["missing_plans"] = communes_missing_local_plan(
                        user, cycle.plan, cycle.year
                    )
                except Http404:
                    context["missing_plans"] = []
            audit_record(
                action=AuditAction.LIST,
                request=request,
                object_type="reports.cycle",
                object_id=cycle.pk,
            )
        return render(request, "reports/cycle.html", context)


class CycleOpenView(PermissionRequiredMixin, View):
    """A reporter opens (or creates, pre-filled) the agency's report for the cycle."""

    permission = Perm.REPORTS_SUBMIT

    def post(self, request, pk):
        cycle = selectors.cycle_get(request.user, pk)
        agency = cycle.agencies.filter(pk=posted_id(request, "agency")).first()
        if agency is None or not services.may_submit_for(request.user, cycle, agency):
            deny(request, self.permission)
        sub, _created = services.submission_open(
            actor=request.user, cycle=cycle, agency=agency, request=request
        )
        return redirect("reports:submission", pk=sub.pk)


class CycleEditView(PermissionRequiredMixin, View):
    permission = Perm.REPORTS_REVIEW

    def _form(self, cycle: Cycle, data: Any = None) -> CycleForm:
        return CycleForm(
            data,
            initial={
                "period_start": cycle.period_start,
                "period_end": cycle.period_end,
                "due_date": cycle.due_date,
                "sections": "\n".join(s["title"] for s in sections_of(cycle.template)),
                "version": cycle.version,
            },
        )

    def _render(self, request, cycle, form, status=200):
        context = {"cycle": cycle, "form": form, **_nav(request)}
        return render(request, "reports/cycle_edit.html", context, status=status)

    def get(self, request, pk):
        cycle = selectors.cycle_get(request.user, pk)
        return self._render(request, cycle, self._form(cycle))

    def post(self, request, pk):
        cycle = selectors.cycle_get(request.user, pk)
        if request.POST.get("action") in ("close", "reopen"):
            services.cycle_close(
                actor=request.user,
                cycle=cycle,
                close=request.POST["action"] == "close",
                request=request,
            )
            messages.success(
                request,
                _("Đã khóa kỳ báo cáo.")
                if request.POST["action"] == "close"
                else _("Đã mở lại kỳ báo cáo."),
            )
            return redirect("reports:cycle", pk=cycle.pk)
        form = self._form(cycle, request.POST)
        if form.is_valid():
            try:
                services.cycle_update(
                    actor=request.user,
                    cycle=cycle,
                    data=services.CycleInput(
                        period_start=form.cleaned_data["period_start"],
                        period_end=form.cleaned_data["period_end"],
                        due_date=form.cleaned_data["due_date"],
                        sections=form.sections_input(sections_of(cycle.template)),
                        version=form.cleaned_data["version"],
                    ),
                    request=request,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu kỳ báo cáo."))
                return redirect("reports:cycle", pk=cycle.pk)
        return self._render(request, cycle, form, status=400)


# --- An agency's report ----------------------------------------------------------------------


def figure_rows(sub: Submission, form: SubmissionForm | None) -> list[dict[str, Any]]:
    """The tables of the report: per row, each column's typed value (an input when the form
    is editable), the recorded value and the difference."""
    diffs = {
        (d["table"], d["row"], d["column"]): d
        for d in prefill.differences(sub.figures, sub.recorded)
    }
    tables = []
    for name in tables_of(sub.cycle.template):
        spec = TABLES[name]
        if name == "cases" and not prefill.has_case_work(sub.recorded):
            continue
        rows = []
        for row, row_label in spec["rows"]:
            cells = []
            for col, col_label in spec["columns"]:
                editable = col in spec["editable"]
                field = (
                    form[cell_name(name, row, col)]
                    if form is not None and editable and cell_name(name, row, col) in form.fields
                    else None
                )
                recorded = sub.recorded.get(name, {}).get(row, {}).get(col)
                typed = sub.figures.get(name, {}).get(row, {}).get(col) if editable else recorded
                cells.append(
                    {
                        "label": col_label,
                        "field": field,
                        "value": typed,
                        "recorded": recorded,
                        "diff": diffs.get((name, row, col)),
                        "suppressed": name == "cases" and recorded is None,
                    }
                )
            rows.append({"label": row_label, "cells": cells})
        tables.append(
            {
                "key": name,
                "title": spec["title"],
                "columns": [label for _c, label in spec["columns"]],
                "rows": rows,
            }
        )
    return tables


def narrative_aliases(exc: ValidationError) -> dict[str, str]:
    """A service's ``narratives.<key>`` or ``figures.<table>.<row>.<col>`` error shown on
    the form's field."""
    if not hasattr(exc, "error_dict"):
        return {}
    aliases = {}
    for name in exc.error_dict:
        parts = name.split(".")
        if parts[0] == "narratives" and len(parts) == 2:
            aliases[name] = f"n__{parts[1]}"
        elif parts[0] == "figures" and len(parts) == 4:
            aliases[name] = cell_name(*parts[1:])
    return aliases


class SubmissionView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def _render(self, request, sub, *, form=None, reason_form=None, file_form=None, status=200):
        user = request.user
        editor = (
            has_perm(user, Perm.REPORTS_SUBMIT, agency_id=sub.agency_id) and sub.status in EDITABLE
        )
        if editor and form is None:
            form = SubmissionForm(submission=sub)
        reviewer = selectors.may_review(user) and sub.status in (
            SubmissionStatus.SUBMITTED,
            SubmissionStatus.RESUBMITTED,
        )
        context = {
            "sub": sub,
            "cycle": sub.cycle,
            "form": form if editor else None,
            "editor": editor,
            "reviewer": reviewer,
            "may_correct": has_perm(user, Perm.REPORTS_SUBMIT, agency_id=sub.agency_id)
            and sub.status == SubmissionStatus.ACCEPTED,
            "sections": [
                {"title": s["title"], "text": sub.narratives.get(s["key"], "")}
                for s in sections_of(sub.cycle.template)
            ],
            "tables": figure_rows(sub, form if editor else None),
            "differences": prefill.differences(sub.figures, sub.recorded),
            "reason_form": reason_form or ReasonForm(initial={"version": sub.version}),
            "file_form": file_form or AttachmentForm(),
            "attachments": list(sub.attachments.all()),
            "versions": selectors.versions(sub),
            "history": [
                (v, list(v.events.select_related("actor").order_by("at", "pk")))
                for v in selectors.versions(sub)
            ],
            "overdue": timezone.localdate() > sub.cycle.due_date,
            "in_hand": sub.status in IN_HAND,
            **_nav(request),
        }
        return render(request, "reports/submission.html", context, status=status)

    def get(self, request, pk):
        sub = selectors.submission_get(request.user, pk)
        audit_record(
            action=AuditAction.VIEW,
            request=request,
            object_type="reports.submission",
            object_id=sub.pk,
        )
        return self._render(request, sub)

    def post(self, request, pk):
        user = request.user
        sub = selectors.submission_get(user, pk)
        action = request.POST.get("action", "")
        back = redirect("reports:submission", pk=sub.pk)
        try:
            if action in ("save", "submit"):
                form = SubmissionForm(request.POST, submission=sub)
                if not form.is_valid():
                    return self._render(request, sub, form=form, status=400)
                try:
                    sub = services.submission_save(
                        actor=user,
                        submission=sub,
                        version=form.cleaned_data["version"],
                        narratives=form.narratives(),
                        figures=form.figures(),
                        request=request,
                    )
                    if action == "submit":
                        sub = services.submission_submit(
                            actor=user, submission=sub, version=sub.version, request=request
                        )
                except ValidationError as exc:
                    # Keep what was typed on the page, against the newest version (a refused
                    # submission's narratives were saved just before).
                    fresh = Submission.objects.get(pk=sub.pk)
                    data = request.POST.copy()
                    data["version"] = str(fresh.version)
                    form = SubmissionForm(data, submission=fresh)
                    form.is_valid()
                    add_errors(form, exc, aliases=narrative_aliases(exc))
                    stale = getattr(exc, "code", "") == services.STALE
                    return self._render(request, fresh, form=form, status=409 if stale else 400)
                if action == "submit":
                    messages.success(
                        request,
                        _("Đã nộp báo cáo (nộp muộn so với hạn %(due)s).")
                        % {"due": date_format(sub.cycle.due_date, "d/m/Y")}
                        if sub.late
                        else _("Đã nộp báo cáo. Cơ quan chủ trì sẽ xem xét và tiếp nhận."),
                    )
                else:
                    messages.success(request, _("Đã lưu bản báo cáo."))
                return back
            if action == "refresh":
                services.submission_refresh(
                    actor=user,
                    submission=sub,
                    version=posted_id(request, "version"),
                    request=request,
                )
                messages.success(request, _("Đã cập nhật số liệu đã ghi nhận."))
                return back
            if action in ("return", "correct"):
                reason_form = ReasonForm(request.POST)
                if not reason_form.is_valid():
                    return self._render(request, sub, reason_form=reason_form, status=400)
                call = (
                    services.submission_return
                    if action == "return"
                    else services.submission_correct
                )
                try:
                    result = call(
                        actor=user,
                        submission=sub,
                        version=reason_form.cleaned_data["version"],
                        reason=reason_form.cleaned_data["reason"],
                        request=request,
                    )
                except ValidationError as exc:
                    add_errors(reason_form, exc)
                    return self._render(request, sub, reason_form=reason_form, status=400)
                messages.success(
                    request,
                    _("Đã trả lại báo cáo cho %(agency)s.") % {"agency": sub.agency.name}
                    if action == "return"
                    else _("Đã mở bản đính chính số %(n)s.") % {"n": result.number},
                )
                return redirect("reports:submission", pk=result.pk)
            if action == "accept":
                services.submission_accept(
                    actor=user,
                    submission=sub,
                    version=posted_id(request, "version"),
                    request=request,
                )
                messages.success(request, _("Đã tiếp nhận báo cáo."))
                return back
            if action == "attach":
                file_form = AttachmentForm(request.POST, request.FILES)
                if not file_form.is_valid():
                    return self._render(request, sub, file_form=file_form, status=400)
                try:
                    services.attachment_add(
                        actor=user,
                        submission=sub,
                        upload=file_form.cleaned_data["file"],
                        request=request,
                    )
                except ValidationError as exc:
                    add_errors(file_form, exc)
                    return self._render(request, sub, file_form=file_form, status=400)
                messages.success(request, _("Đã đính kèm tệp."))
                return back
            if action == "detach":
                attachment = sub.attachments.filter(pk=posted_id(request, "attachment")).first()
                if attachment is None:
                    raise Http404
                services.attachment_remove(actor=user, attachment=attachment, request=request)
                messages.success(request, _("Đã gỡ tệp đính kèm."))
                return back
        except PermissionDenied:
            deny(request, Perm.REPORTS_SUBMIT if action != "accept" else Perm.REPORTS_REVIEW)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return back
        raise Http404


class AttachmentView(PermissionRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW

    def get(self, request, pk):
        attachment = Attachment.objects.filter(pk=pk).select_related("submission").first()
        if attachment is None:
            raise Http404
        # Visible only with its submission (the same 404 otherwise).
        selectors.submission_get(request.user, attachment.submission_id)
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            object_type="reports.attachment",
            object_id=attachment.pk,
            extra={"submission": attachment.submission_id},
        )
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


# --- Documents and exports -------------------------------------------------------------------


def _file(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ConsolidatedView(PermissionRequiredMixin, RecentAuthRequiredMixin, View):
    """The provincial report of a cycle. The DOCX and PDF carry the agencies' narratives
    (free text), so they ask for the password or a code again; the XLSX annex holds tables
    of suppressed aggregates only."""

    permission = Perm.PROGRAMME_VIEW
    reauth_download = True

    def needs_recent_auth(self, request) -> bool:
        return self.kwargs.get("fmt") in documents.WITH_TEXT

    def get(self, request, pk, fmt):
        if not selectors.may_read_documents(request.user):
            deny(request, Perm.REPORTS_REVIEW)
        cycle = selectors.cycle_get(request.user, pk)
        if fmt not in documents.CONTENT_TYPES:
            raise Http404
        try:
            options = documents.document_options(request.GET) if fmt != "xlsx" else {}
            found = documents.consolidated_file(cycle, fmt, user=request.user, **options)
        except (ValidationError, documents.PdfUnavailable) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("reports:cycle", pk=cycle.pk)
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            object_type="reports.cycle",
            object_id=cycle.pk,
            extra={"format": fmt, "document": "consolidated"},
        )
        return _file(found.data, found.filename, found.content_type)


class FinalReviewView(PermissionRequiredMixin, RecentAuthRequiredMixin, View):
    permission = Perm.PROGRAMME_VIEW
    reauth_download = True

    def get(self, request, pk, fmt):
        if not selectors.may_read_documents(request.user):
            deny(request, Perm.REPORTS_REVIEW)
        plan = plan_get_for_user(request.user, pk)
        if plan.parent_id is not None or not plan.is_published or fmt not in documents.WITH_TEXT:
            raise Http404
        try:
            found = documents.final_review_file(plan, fmt, user=request.user)
        except documents.PdfUnavailable as exc:
            messages.error(request, str(exc))
            return redirect("reports:home")
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            object_type="programme.plan",
            object_id=plan.pk,
            extra={"format": fmt, "document": "final_review"},
        )
        return _file(found.data, found.filename, found.content_type)


class ExportsView(PermissionRequiredMixin, View):
    """The statistical exports for partner systems, from suppressed aggregates."""

    permission = Perm.INDICATORS_VIEW

    def get(self, request):
        today = timezone.localdate()
        context = {
            "years": list(range(today.year, FIRST_YEAR - 1, -1)),
            "year": today.year,
            "rows_allowed": exports.may_export_rows(request.user),
            **_nav(request),
        }
        return render(request, "reports/exports.html", context)


class ExportDownloadView(PermissionRequiredMixin, SensitiveExportMixin, View):
    """The same files as ``/api/v1/exports/<kind>``, audited the same way."""

    permission = Perm.INDICATORS_VIEW

    def needs_recent_auth(self, request) -> bool:
        # Only the incident workbook holds rows (de-identified); the rest are aggregates.
        return self.kwargs.get("kind") == exports.ROW_LEVEL

    def dispatch(self, request, *args, **kwargs):
        kind = kwargs.get("kind")
        if kind not in exports.BUILDERS:
            raise Http404
        if (
            kind == exports.ROW_LEVEL
            and request.user.is_authenticated
            and not exports.may_export_rows(request.user)
        ):
            deny(request, f"{Perm.INDICATORS_VIEW}:row_level")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, kind):
        province = user_province(request.user)
        if province is None:
            deny(request, self.permission)
        try:
            year = exports.parse_year(request.GET.get("year"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("reports:exports")
        export = exports.BUILDERS[kind](province, year)
        exports.export_record(request, kind, province, export, year)
        content = export.content
        if hasattr(content, "read"):  # streamed into a temporary file (the incident workbook)
            return FileResponse(
                content,
                as_attachment=True,
                filename=export.filename,
                content_type=export.content_type,
            )
        if isinstance(content, dict):
            content = json.dumps(content, ensure_ascii=False, indent=1).encode()
        return _file(content, export.filename, export.content_type)


# --- The same files made by the worker (docs/jobs.md) -----------------------------------------


def _start_job(request, kind: str, params: dict):
    """Queue the job, or go to the same one already waiting or running (a second click)."""
    from antoan.jobs import services as jobs

    job = jobs.enqueue_once(owner=request.user, kind=kind, params=params)
    return redirect("jobs:job", job.pk)


class GbvimsExportJobView(PermissionRequiredMixin, SensitiveExportMixin, View):
    """The incident workbook made by the worker, with a progress bar, downloaded from the job's
    page by its owner only. The same checks as the download (analysts, step-up, the export
    volume check); the worker checks the role and the province again when it runs."""

    permission = Perm.INDICATORS_VIEW
    reauth_download = False  # a form's POST: come back to this path (GET: the exports page)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not exports.may_export_rows(request.user):
            deny(request, f"{Perm.INDICATORS_VIEW}:row_level")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return redirect("reports:exports")

    def post(self, request):
        from antoan.reports.jobs import GBVIMS_EXPORT

        province = user_province(request.user)
        if province is None:
            deny(request, self.permission)
        try:
            year = exports.parse_year(request.POST.get("year"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("reports:exports")
        return _start_job(request, GBVIMS_EXPORT, {"province": province.code, "year": year})


class ConsolidatedJobView(PermissionRequiredMixin, RecentAuthRequiredMixin, View):
    """The consolidated report (.docx or PDF) made by the worker: the same checks as
    ``ConsolidatedView``, again when the worker runs; the file is its owner's only."""

    permission = Perm.PROGRAMME_VIEW

    def dispatch(self, request, *args, **kwargs):
        # Refused before the password prompt: it is not theirs to make.
        if request.user.is_authenticated and not selectors.may_read_documents(request.user):
            deny(request, Perm.REPORTS_REVIEW)
        return super().dispatch(request, *args, **kwargs)

    def _cycle(self, request, pk, fmt) -> Cycle:
        cycle = selectors.cycle_get(request.user, pk)
        if fmt not in documents.WITH_TEXT:
            raise Http404
        return cycle

    def get(self, request, pk, fmt):
        # Back from the password prompt (a GET of this address): the cycle's page.
        return redirect("reports:cycle", pk=self._cycle(request, pk, fmt).pk)

    def post(self, request, pk, fmt):
        from antoan.reports.jobs import CONSOLIDATED

        cycle = self._cycle(request, pk, fmt)
        try:
            options = documents.document_options(request.POST)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("reports:cycle", pk=cycle.pk)
        params = {"cycle": cycle.pk, "fmt": fmt, "options": options}
        return _start_job(request, CONSOLIDATED, params)
