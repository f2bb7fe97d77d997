"""Indicator work that runs as a job (docs/jobs.md): ``generate_data --enqueue``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from antoan.jobs.kinds import JobContext, register

GENERATE_DATA = "indicators.generate_data"


@register(GENERATE_DATA, _("Tạo dữ liệu mô phỏng"))
def generate_data(ctx: JobContext) -> dict:
    from antoan.indicators.synthetic import generate

    p = ctx.params
    summary = generate(p["scale"], p.get("seed", 1), p.get("cases"), on_progress=ctx.progress)
    return {
        "created": summary.created,
        "message": summary.message,
        "cases": summary.cases,
        "counts": summary.counts,
        "seconds": round(summary.seconds, 1),
    }
