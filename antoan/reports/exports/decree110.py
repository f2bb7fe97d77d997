"""Decree 110/2025/NĐ-CP: the national domestic-violence database's information groups, as
aggregate counts of the province's year (docs/interop/decree-110.md).

Counts, not personal records: nothing here gives a legal basis for sending survivors' or
perpetrators' personal data from this system to the national database, whose records are
entered through the ministry's own system. Every count comes from the Circular 07 tables
(``tables.py``), hidden there or here exactly as there; the groups this system does not hold
are listed with ``held: "no"`` and no counts.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from antoan.cases import choices as c
from antoan.indicators import suppression
from antoan.indicators.selectors.values import threshold
from antoan.indicators.suppression import TOTAL
from antoan.places.models import Place
from antoan.reports.exports.common import JSON, Export, calendar_year
from antoan.reports.exports.tables import Table, build_tables, victims

DECREE = "Nghị định 110/2025/NĐ-CP"
# (code, paraphrased name, held, where the counts come from: [(table, row, columns)] or a key)
# The names paraphrase the decree's groups and must be checked against the official text.
GROUPS: list[tuple[str, str, str, Any]] = [
    ("01_vu_viec", "Thông tin về vụ việc bạo lực gia đình", "yes", [("B1", "all", "all")]),
    (
        "02_nguoi_bi_bao_luc",
        "Thông tin về người bị bạo lực gia đình",
        "yes",
        [("B2", "all", "all")],
    ),
    (
        "03_nguoi_gay_bao_luc",
        "Thông tin về người có hành vi bạo lực gia đình",
        "yes",
        [("B3", "all", "all")],
    ),
    ("04_hanh_vi", "Hành vi, hình thức bạo lực gia đình", "yes", [("B1", "forms", "total")]),
    (
        "05_quan_he",
        "Quan hệ giữa người gây bạo lực và người bị bạo lực",
        "yes",
        [("B3", "rows", "total")],
    ),
    ("06_nguon_tin", "Tin báo, tố giác, nguồn phát hiện vụ việc", "partly", "sources"),
    (
        "07_bien_phap_ngan_chan",
        "Biện pháp ngăn chặn, bảo vệ (buộc chấm dứt hành vi, triệu tập, biện pháp ngăn chặn)",
        "partly",
        [
            ("B4", str(c.MeasureType.STOP_VIOLENCE), "total"),
            ("B4", str(c.MeasureType.SUMMON), "total"),
            ("B4", str(c.MeasureType.PREVENTIVE), "total"),
        ],
    ),
    (
        "08_cam_tiep_xuc",
        "Quyết định cấm tiếp xúc",
        "yes",
        [
            ("B4", str(c.MeasureType.NO_CONTACT_COMMUNE), "total"),
            ("B4", str(c.MeasureType.NO_CONTACT_COURT), "total"),
        ],
    ),
    (
        "09_y_te",
        "Chăm sóc y tế cho người bị bạo lực",
        "yes",
        [("B5", "service:health", "total"), ("B5", "measure:medical", "total")],
    ),
    ("10_tu_van", "Tư vấn, hỗ trợ tâm lý", "yes", [("B5", "service:psychosocial", "total")]),
    (
        "11_tro_giup_phap_ly",
        "Trợ giúp pháp lý",
        "yes",
        [("B5", "service:legal", "total"), ("B5", "measure:legal_aid", "total")],
    ),
    (
        "12_tam_lanh",
        "Bố trí nơi tạm lánh, hỗ trợ nhu cầu thiết yếu",
        "yes",
        [
            ("B5", "service:shelter", "total"),
            ("B5", "service:safety", "total"),
            ("B5", "service:social_assistance", "total"),
            ("B5", "measure:shelter", "total"),
        ],
    ),
    (
        "13_giao_duc_chuyen_doi",
        "Giáo dục, hỗ trợ chuyển đổi hành vi; góp ý, phê bình; công việc phục vụ cộng đồng",
        "yes",
        [
            ("B4", str(c.MeasureType.EDUCATION), "total"),
            ("B4", str(c.MeasureType.COMMUNITY_CRITICISM), "total"),
            ("B4", str(c.MeasureType.COMMUNITY_SERVICE), "total"),
        ],
    ),
    ("14_hoa_giai", "Hòa giải mâu thuẫn, tranh chấp giữa các thành viên gia đình", "no", None),
    (
        "15_xu_phat_hanh_chinh",
        "Xử phạt vi phạm hành chính về phòng, chống bạo lực gia đình",
        "no",
        None,
    ),
    ("16_truy_cuu_hinh_su", "Truy cứu trách nhiệm hình sự, kết quả xét xử", "no", None),
]


def _cell(table: Table, row: str, col: str, category: str, label: str) -> dict[str, Any]:
    value = table.value(row, col)
    return {"category": category, "label": label, "value": value, "suppressed": value is None}


def _counts(tables: dict[str, Table], spec: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for code, row, what in spec:
        table = tables[code]
        labels = dict(table.rows)
        if what == "all":  # one row, every column
            out += [
                _cell(table, row, col, "total" if col == TOTAL else col, str(label))
                for col, label in table.columns
            ]
        elif row in ("forms", "rows"):  # every row but the first, their totals
            out += [_cell(table, r, TOTAL, r, str(lab)) for r, lab in table.rows[1:]]
        else:
            out.append(_cell(table, row, TOTAL, row, str(labels[row])))
    return out


def _sources(province: Place, year: int, tables: dict[str, Table]) -> list[dict[str, Any]]:
    """Victims by how the case came in: a line adding up to B2's total, whose fate it keeps."""
    counts = dict.fromkeys(c.Source.values, 0)
    for unit in victims(province, year):
        counts[unit["source"]] = counts.get(unit["source"], 0) + 1
    total_hidden = tables["B2"].value("all") is None
    hidden = suppression.protect_line(
        {**counts, TOTAL: sum(counts.values())},
        threshold=threshold(),
        fixed={TOTAL: total_hidden},
    )
    labels = dict(c.Source.choices)
    return [
        {
            "category": key,
            "label": str(labels.get(key, key)),
            "value": None if key in hidden else value,
            "suppressed": key in hidden,
        }
        for key, value in counts.items()
    ]


def payload(province: Place, year: int) -> dict[str, Any]:
    tables = build_tables(province, year)
    period = calendar_year(year)
    groups = []
    for code, name, held, spec in GROUPS:
        if spec is None:
            counts: list[dict[str, Any]] | None = None
        elif spec == "sources":
            counts = _sources(province, year, tables)
        else:
            counts = _counts(tables, spec)
        groups.append({"code": code, "name": name, "held": held, "counts": counts})
    return {
        "standard": DECREE,
        "note": (
            "Số liệu tổng hợp, không phải dữ liệu cá nhân. Tên nhóm thông tin được diễn giải, "
            "cần đối chiếu với văn bản chính thức của Nghị định."
        ),
        "province": {"code": province.code, "name": province.name},
        "year": year,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "suppressed_below": threshold(),
        "groups": groups,
    }


def decree110_json(province: Place, year: int) -> Export:
    stamp = timezone.localdate().strftime("%Y%m%d")
    return Export(payload(province, year), f"nd110-{province.code}-{year}-{stamp}.json", JSON)
