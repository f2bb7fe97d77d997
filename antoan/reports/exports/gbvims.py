"""A GBVIMS Incident Recorder-style workbook: one row per incident, codes only.

Row-level data, de-identified: every value is a code, a count or a month. The incident's code
is a keyed digest of its database id (``blind_index`` under ``ANTOAN_INDEX_KEY``): stable from
one export to the next, so a second export updates rather than duplicates, but it cannot be
turned back into the id, the case number or anything else without the key. Dates are months;
ages are bands; places are today's commune codes. Never a name, phone, address, birth date,
description or any other free text. Only incidents whose survivor consented to statistics.

It is restricted (analysts, step-up re-authentication, audited, counted by the export volume
check): row-level data can single a person out by combining a commune, a month and an age band,
which is why it is not suppressed like the tables but kept away from everyone else.
"""

from __future__ import annotations

import io
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from django.db.models import F, IntegerField, Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from antoan.cases import choices as c
from antoan.cases.models import Incident, Perpetrator, ProtectionMeasure
from antoan.core.crypto import blind_index
from antoan.core.routers import replica_reads
from antoan.indicators.selectors.places import UNKNOWN, rollup
from antoan.places.models import Place
from antoan.referrals.models import Referral, ReferralStatus, ServiceDelivery
from antoan.reports.exports.common import XLSX, Export, calendar_year

COLUMNS = [
    ("incident_code", "Mã vụ việc (bí danh, không truy ngược được)"),
    ("report_month", "Tháng báo tin lần đầu (YYYY-MM)"),
    ("incident_month", "Tháng xảy ra (YYYY-MM)"),
    ("intake_month", "Tháng tiếp nhận hồ sơ (YYYY-MM)"),
    ("commune_code", "Mã xã, phường nơi xảy ra (bản đồ hiện nay)"),
    ("survivor_sex", "Giới tính người bị bạo lực (mã)"),
    ("survivor_age_band", "Nhóm tuổi người bị bạo lực"),
    ("gbv_type", "Loại bạo lực GBVIMS (mã)"),
    ("dv_forms", "Hình thức bạo lực gia đình (mã)"),
    ("contexts", "Bối cảnh (mã)"),
    ("intake_source", "Nguồn tiếp nhận (mã)"),
    ("perpetrator_count", "Số người gây bạo lực"),
    ("perpetrator_relationship", "Quan hệ với người bị bạo lực (mã)"),
    ("perpetrator_sex", "Giới tính người gây bạo lực (mã)"),
    ("perpetrator_age_group", "Nhóm tuổi người gây bạo lực"),
    ("services_referred", "Dịch vụ đã chuyển gửi (mã)"),
    ("services_delivered", "Dịch vụ đã cung cấp (mã)"),
    ("measures_granted", "Biện pháp đã quyết định áp dụng (mã)"),
]
SEP = ";"
_BANDS = [(11, "0-11"), (17, "12-17"), (25, "18-25"), (40, "26-40"), (60, "41-60")]


def incident_code(pk: int) -> str:
    return "IR-" + blind_index(str(pk), purpose="gbvims-incident")[:12].upper()


def age_band(age: int | None) -> str:
    """The engine's bands (``measures._age_band``)."""
    if age is None:
        return c.AgeGroup.UNKNOWN
    for top, code in _BANDS:
        if age <= top:
            return code
    return "61+"


def _join(values: Any) -> str:
    return SEP.join(sorted({str(v) for v in values if v}))


# Incidents read per chunk: each chunk is one query, plus one per related table (perpetrators,
# referrals, deliveries, measures) for its incidents and cases only. Memory stays that of one
# chunk whatever the year holds.
CHUNK = 2000
_FIELDS = (
    "pk",
    "case_id",
    "first_reported_on",
    "occurred_on",
    "case__opened_at",
    "commune_id",
    "counted_place",
    "age",
    "case__survivor__sex",
    "gbv_type",
    "dv_forms",
    "contexts",
    "case__source",
)


def province_incidents(province: Place):
    """Every incident the export may hold for the province, of any year: consented to
    statistics, counted in the province (``Incident.counted_place``: the incident's commune,
    else the survivor's, else the case agency's)."""
    return (
        Incident.objects.filter(consent_statistics=True)
        .annotate(
            age=Coalesce(
                "case__survivor__age_at_intake",
                ExtractYear("case__opened_at") - F("case__survivor__birth_year"),
                output_field=IntegerField(),
            ),
        )
        .filter(counted_place__in=rollup().ids_by_province.get(province.code, []))
    )


def incidents_of_year(province: Place, year: int):
    """The export's incidents: the province's first reported in ``year``, in the export's
    order."""
    period = calendar_year(year)
    return (
        province_incidents(province)
        .filter(first_reported_on__gte=period.start, first_reported_on__lte=period.end)
        .order_by("first_reported_on", "pk")
    )


def _chunks(province: Place, year: int, size: int) -> Iterator[list[dict[str, Any]]]:
    """The year's incidents in the export's order, ``size`` at a time, by keyset (the last
    row's first report date and id), never an OFFSET or the whole year in memory. Named columns
    only: the encrypted description and the survivor's identifying fields are never read."""
    base = incidents_of_year(province, year)
    after: tuple[Any, int] | None = None
    while True:
        qs = base
        if after is not None:
            day, pk = after
            qs = qs.filter(Q(first_reported_on__gt=day) | Q(first_reported_on=day, pk__gt=pk))
        chunk = list(qs.values(*_FIELDS)[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        after = (chunk[-1]["first_reported_on"], chunk[-1]["pk"])


def _by(pairs: Iterable[tuple[int, str]]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    for key, value in pairs:
        out[key].add(value)
    return out


def iter_rows(province: Place, year: int, *, chunk: int = CHUNK) -> Iterator[dict[str, Any]]:
    """The workbook's rows, one per consented incident first reported in the year, in order of
    first report: streamed a chunk at a time (a constant number of queries per chunk)."""
    roll = rollup()
    for incidents in _chunks(province, year, chunk):
        incident_ids = [i["pk"] for i in incidents]
        case_ids = {i["case_id"] for i in incidents}
        perpetrators: dict[int, list[dict[str, str]]] = defaultdict(list)
        for p in (
            Perpetrator.objects.filter(incident_id__in=incident_ids)
            .order_by()
            .values("incident_id", "relationship", "sex", "age_group")
        ):
            perpetrators[p["incident_id"]].append(p)
        referred = _by(
            Referral.objects.filter(case_id__in=case_ids)
            .exclude(status=ReferralStatus.REVOKED)
            .order_by()
            .values_list("case_id", "service")
        )
        delivered = _by(
            ServiceDelivery.objects.filter(case_id__in=case_ids)
            .order_by()
            .values_list("case_id", "service")
        )
        measures = _by(
            ProtectionMeasure.objects.filter(
                case_id__in=case_ids, decision=c.MeasureDecision.GRANTED
            )
            .order_by()
            .values_list("case_id", "type")
        )
        for i in incidents:
            people = perpetrators.get(i["pk"], [])
            commune = roll.commune_of.get(i["counted_place"], UNKNOWN)
            yield {
                "incident_code": incident_code(i["pk"]),
                "report_month": i["first_reported_on"].strftime("%Y-%m"),
                "incident_month": i["occurred_on"].strftime("%Y-%m"),
                "intake_month": timezone.localtime(i["case__opened_at"]).strftime("%Y-%m"),
                "commune_code": "" if commune == UNKNOWN else commune,
                "survivor_sex": i["case__survivor__sex"],
                "survivor_age_band": str(age_band(i["age"])),
                "gbv_type": i["gbv_type"],
                "dv_forms": _join(i["dv_forms"] or []),
                "contexts": _join(i["contexts"] or []),
                "intake_source": i["case__source"],
                "perpetrator_count": len(people),
                "perpetrator_relationship": _join(p["relationship"] for p in people),
                "perpetrator_sex": _join(p["sex"] for p in people),
                "perpetrator_age_group": _join(p["age_group"] for p in people),
                "services_referred": _join(referred.get(i["case_id"], ())),
                "services_delivered": _join(delivered.get(i["case_id"], ())),
                "measures_granted": _join(measures.get(i["case_id"], ())),
            }


def rows(province: Place, year: int) -> list[dict[str, Any]]:
    """Every row at once (small years, tests); the workbook itself streams them."""
    return list(iter_rows(province, year))


def write_gbvims(
    fileobj: BinaryIO, province: Place, year: int, *, table: Iterable[dict[str, Any]] | None = None
) -> int:
    """Write the workbook to ``fileobj`` (a file open for binary writing, or a path) and return
    the number of incident rows. Streamed: a write-only workbook (each row goes to a temporary
    file as it is appended) fed by :func:`iter_rows`, so memory does not grow with the year. A
    plain function a background job can call as well as a view."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Incidents")
    bold = Font(bold=True)
    header = []
    for key, _label in COLUMNS:
        cell = WriteOnlyCell(ws, value=key)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for row in iter_rows(province, year) if table is None else table:
        ws.append([row[key] for key, _label in COLUMNS])
        count += 1
    notes = wb.create_sheet("Ghi chú")
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 60
    notes.append([f"{province.name} – vụ việc báo tin lần đầu trong năm {year}."])
    notes.append(
        [
            "Dữ liệu từng vụ việc, đã khử định danh: chỉ có mã, số đếm và tháng; không có họ tên, "
            "số điện thoại, địa chỉ, ngày sinh hay nội dung mô tả. Chỉ gồm vụ việc mà người bị "
            "bạo lực đồng ý dùng cho thống kê. Chỉ dành cho cán bộ thống kê, phân tích; không "
            "công bố, không chuyển tiếp."
        ]
    )
    notes.append(["Mã các cột (mã tiếng Anh theo GBVIMS, giá trị theo docs/api.md):"])
    for key, label in COLUMNS:
        notes.append([key, label])
    wb.save(fileobj)
    return count


def workbook(province: Place, year: int, table: list[dict[str, Any]]) -> bytes:
    """The workbook of rows already at hand, as bytes."""
    out = io.BytesIO()
    write_gbvims(out, province, year, table=table)
    return out.getvalue()


def filename(province: Place, year: int) -> str:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return f"gbvims-ir-{province.code}-{year}-{stamp}.xlsx"


def gbvims_file(province: Place, year: int) -> Export:
    """The workbook in a temporary file (deleted when closed), rewound: what the page and the
    API send with ``FileResponse`` without holding it in memory."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    try:
        with replica_reads():  # a second-old copy is as good: docs/operations/scaling.md
            count = write_gbvims(spool, province, year)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return Export(spool, filename(province, year), XLSX, rows=count)


def gbvims_xlsx(province: Place, year: int) -> Export:
    """The same workbook as bytes (callers that want it in memory: small years, tests)."""
    out = io.BytesIO()
    count = write_gbvims(out, province, year)
    return Export(out.getvalue(), filename(province, year), XLSX, rows=count)
