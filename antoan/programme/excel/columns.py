"""The columns of the activity spreadsheets: one definition read by the template, the import
and the export, so the three cannot drift apart.

Sheet names, headers and the labels in drop-down lists are the file format: they are always
Vietnamese, whatever language the page is shown in, so a file filled in by one person uploads
for anyone. Only the instructions sheet and the validation report follow the page's language.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from antoan.cases.choices import Sex
from antoan.programme.choices import (
    AGE_BANDS,
    ActivityKind,
    Channel,
    ConferenceFormat,
    FundingSource,
    RecommendationStatus,
    TargetGroup,
    TrainingTopic,
)
from antoan.programme.models import text_limit
from antoan.programme.services import KIND_FIELDS, KIND_REQUIRED

FORMAT_LANGUAGE = "vi"
# Written into every template as a defined name (and on the instructions sheet), so an upload
# knows which kind of template it is: "antoan-activity:<kind>:<version>".
MARKER_NAME = "AnToanMau"
MARKER_PREFIX = "antoan-activity"
MARKER_VERSION = "1"
EXPORT_KIND = "export"
# The template that holds every kind: each row names its kind in the "Loại hoạt động" column.
ALL_KINDS = "all"

SHEET_DATA = "Hoạt động"
SHEET_TRAINEES = "Học viên"
SHEET_RECOMMENDATIONS = "Kiến nghị"
SHEET_LISTS = "Danh mục"
SHEET_HELP = "Hướng dẫn"

YES, NO = "Có", "Không"
LIST_SEPARATOR = ";"
# Cell lengths (issue 9): a text cell takes what its model field takes, as on the form and in
# the API (``cell_limits``); "Mã dòng" is a short code; any other cell holds a number, a date,
# a code or a short list of codes, and 1,000 characters is far beyond any of them.
REF_MAX = 50
CELL_MAX = 1_000


@dataclass(frozen=True)
class Column:
    """One column: the parsed row's ``key``, its header, how its cells are read."""

    key: str
    header: Any  # lazy Vietnamese text
    datatype: str  # text, int, money, date, choice, choices, bool, score, tasks, place, model
    help: Any = ""
    required: bool = False
    choices: type[TextChoices] | None = None
    width: int = 18
    # Headers of earlier templates still read as this column.
    aliases: tuple[Any, ...] = ()


def _spending_header_text(source: FundingSource) -> str:
    return gettext("Kinh phí: %(source)s (đồng)") % {"source": source.label}


_spending_header = lazy(_spending_header_text, str)


def cell_limits(columns: list[Column], model: Any) -> dict[str, int]:
    """Column key -> most characters a cell may hold, text columns taken from ``model``."""
    limits: dict[str, int] = {}
    for column in columns:
        if column.key == REF.key:
            limits[column.key] = REF_MAX
        elif column.datatype == "text":
            limits[column.key] = text_limit(model, column.key)
        else:
            limits[column.key] = CELL_MAX
    return limits


def marker(kind: str) -> str:
    return f"{MARKER_PREFIX}:{kind}:{MARKER_VERSION}"


def normalise_header(text: Any) -> str:
    """Headers match whatever the spreadsheet did to spaces, case and composed accents."""
    return " ".join(unicodedata.normalize("NFC", str(text or "")).casefold().split())


def in_format_language(text: Any) -> str:
    with translation.override(FORMAT_LANGUAGE):
        return str(text)


REF = Column(
    "ref",
    _("Mã dòng"),
    "text",
    _(
        "Không bắt buộc. Một số hoặc mã ngắn bạn tự đặt cho dòng (1, 2, 3...), dùng để nối "
        "với các dòng của trang Học viên hoặc Kiến nghị."
    ),
    width=10,
)
COMMON = [
    Column("title", _("Tên hoạt động"), "text", _("Tên ngắn gọn của hoạt động."), True, width=36),
    Column(
        "tasks",
        _("Mã nhiệm vụ"),
        "tasks",
        _(
            "Mục của kế hoạch mà hoạt động thực hiện, đúng như kế hoạch đánh số, ví dụ II.3.a. "
            "Nhiều nhiệm vụ thì cách nhau bằng dấu chấm phẩy: II.2.a; II.3.b."
        ),
        True,
        width=14,
    ),
    Column(
        "place",
        _("Địa bàn (tên hoặc mã)"),
        "place",
        _(
            "Tên tỉnh, xã, phường nơi tổ chức, có dấu hay không dấu đều được (ví dụ Phố Hiến), "
            "hoặc mã thống kê (ví dụ 11953). Tên trùng ở nhiều tỉnh thì ghi kèm tỉnh: Tân Tiến, "
            "Hưng Yên. Hoạt động trước 01/07/2025 dùng tên hoặc mã xã, huyện khi đó."
        ),
        True,
        width=22,
        aliases=(_("Mã địa bàn"),),
    ),
    Column(
        "start_date",
        _("Từ ngày"),
        "date",
        _("Ngày bắt đầu, dạng ngày/tháng/năm, ví dụ 10/11/2025."),
        True,
        width=12,
    ),
    Column(
        "end_date",
        _("Đến ngày"),
        "date",
        _("Ngày kết thúc, dạng ngày/tháng/năm. Bỏ trống nếu hoạt động diễn ra trong một ngày."),
        width=12,
    ),
    Column(
        "target_groups",
        _("Nhóm đối tượng"),
        "choices",
        _("Chọn trong danh sách; nhiều nhóm thì gõ cách nhau bằng dấu chấm phẩy."),
        choices=TargetGroup,
        width=30,
    ),
    Column(
        "participants_total",
        _("Tổng số người tham gia"),
        "int",
        _(
            "Số nguyên. Phải bằng nữ + nam + khác. Với tập huấn có danh sách học viên, có thể "
            "bỏ trống: hệ thống đếm từ danh sách."
        ),
        True,
        width=12,
    ),
    Column("participants_female", _("Nữ"), "int", _("Số người tham gia là nữ."), width=8),
    Column("participants_male", _("Nam"), "int", _("Số người tham gia là nam."), width=8),
    Column(
        "participants_other",
        _("Khác, không rõ giới tính"),
        "int",
        _("Số người tham gia giới tính khác hoặc không rõ."),
        width=10,
    ),
    *[
        Column(
            name,
            label,
            "int",
            _("Không bắt buộc. Nếu nhập thì nhập đủ bốn nhóm tuổi, cộng lại bằng tổng số."),
            width=10,
        )
        for name, label in AGE_BANDS
    ],
    *[
        Column(
            f"spending:{source.value}",
            _spending_header(source),
            "money",
            _("Số tiền đã chi từ nguồn này, tính bằng đồng, không âm. Bỏ trống nếu không chi."),
            width=16,
        )
        for source in FundingSource
    ],
    Column(
        "partners_other",
        _("Cơ quan phối hợp"),
        "text",
        _("Các cơ quan, đơn vị cùng tổ chức (ghi tên)."),
        width=28,
    ),
    Column("description", _("Mô tả"), "text", _("Nội dung, kết quả chính."), width=40),
]

# The kind's own fields (services.KIND_FIELDS), one column each.
KIND_COLUMNS: dict[str, Column] = {
    c.key: c
    for c in [
        Column(
            "channel",
            _("Hình thức truyền thông"),
            "choice",
            _("Chọn trong danh sách."),
            choices=Channel,
            width=26,
        ),
        Column(
            "materials_produced",
            _("Số sản phẩm truyền thông sản xuất"),
            "int",
            _("Tờ rơi, pa nô, video... đã làm ra."),
        ),
        Column(
            "materials_distributed",
            _("Số sản phẩm truyền thông phát hành"),
            "int",
            _("Số bản đã phát, đã đăng."),
        ),
        Column(
            "topic",
            _("Chủ đề tập huấn"),
            "choice",
            _("Chọn trong danh sách (các nội dung tập huấn ở mục II.3.a của kế hoạch)."),
            choices=TrainingTopic,
            width=36,
        ),
        Column(
            "training_of_trainers",
            _("Tập huấn giảng viên nguồn"),
            "bool",
            _("Có hoặc Không. Bỏ trống là Không."),
            width=12,
        ),
        Column(
            "pre_test_score",
            _("Điểm kiểm tra đầu khóa (%)"),
            "score",
            _("Không bắt buộc. Điểm trung bình của lớp, từ 0 đến 100."),
            width=12,
        ),
        Column(
            "post_test_score",
            _("Điểm kiểm tra cuối khóa (%)"),
            "score",
            _("Không bắt buộc. Điểm trung bình của lớp, từ 0 đến 100."),
            width=12,
        ),
        Column(
            "conference_format",
            _("Hình thức hội nghị"),
            "choice",
            _("Chọn trong danh sách."),
            choices=ConferenceFormat,
            width=20,
        ),
        Column("destination", _("Nơi đến"), "text", _("Địa phương, cơ sở đến học tập."), width=28),
        Column(
            "units_inspected",
            _("Đơn vị được kiểm tra"),
            "text",
            _("Tên các đơn vị, cơ sở được kiểm tra."),
            width=30,
        ),
        Column("findings", _("Kết quả kiểm tra"), "text", _("Những điều phát hiện."), width=40),
        Column(
            "recipient",
            _("Tập thể, cá nhân được khen"),
            "text",
            _("Tên tập thể hoặc cá nhân."),
            width=30,
        ),
        Column("reason", _("Thành tích"), "text", _("Thành tích được khen."), width=36),
        Column("decision_number", _("Số quyết định"), "text", _("Ví dụ 123/QĐ-UBND."), width=14),
        Column("decision_date", _("Ngày quyết định"), "date", _("Dạng ngày/tháng/năm."), width=12),
        Column(
            "decided_by", _("Cấp quyết định"), "text", _("Cơ quan ra quyết định khen."), width=24
        ),
        Column(
            "community_model",
            _("Mô hình"),
            "model",
            _("Chọn mô hình trong danh sách (số ở đầu là mã mô hình trong sổ mô hình)."),
            width=36,
        ),
    ]
}


def activity_columns(kind: str) -> list[Column]:
    """The columns of the "Hoạt động" sheet for one kind, in order."""
    required = set(KIND_REQUIRED.get(kind, []))
    own = [
        Column(**{**vars(KIND_COLUMNS[name]), "required": name in required})
        for name in KIND_FIELDS.get(kind, {})
    ]
    return [REF, *COMMON[:5], *own, *COMMON[5:]]


def all_kind_columns() -> list[Column]:
    """Every kind's own columns once, for the export of all kinds together."""
    return list(KIND_COLUMNS.values())


KIND = Column(
    "kind",
    _("Loại hoạt động"),
    "choice",
    _(
        "Chọn trong danh sách. Mỗi loại chỉ điền các cột của loại đó (xem trang Hướng dẫn); "
        "các cột của loại khác để trống."
    ),
    True,
    choices=ActivityKind,
    width=26,
)


def kinds_of_column() -> dict[str, list[str]]:
    """A kind's own column key -> the kinds that use it."""
    out: dict[str, list[str]] = {}
    for kind, names in KIND_FIELDS.items():
        for name in names:
            out.setdefault(name, []).append(kind)
    return out


def template_columns(kind: str) -> list[Column]:
    """The "Hoạt động" sheet of a template: one kind's, or every kind's with a kind column."""
    if kind != ALL_KINDS:
        return activity_columns(kind)
    return [REF, KIND, *COMMON[:5], *all_kind_columns(), *COMMON[5:]]


def import_columns(kind: str | None) -> list[Column]:
    """The columns an upload may have: a one-kind template's, which may also carry the kind
    column (optional: the template says its kind), or every kind's, with the kind required."""
    if kind in ActivityKind.values:
        return [*activity_columns(kind), Column(**{**vars(KIND), "required": False})]
    return template_columns(ALL_KINDS)


def child_sheets(kind: str) -> list[tuple[str, list[Column]]]:
    """The sheets of rows that belong to an activity row, in a template of ``kind``."""
    if kind == ALL_KINDS:
        return list(CHILD_SHEETS.values())
    return [CHILD_SHEETS[kind]] if kind in CHILD_SHEETS else []


TRAINEE_COLUMNS = [
    Column(
        "ref",
        _("Mã dòng hoạt động"),
        "text",
        _("Mã dòng của khóa tập huấn ở trang Hoạt động."),
        True,
        width=10,
    ),
    Column("full_name", _("Họ và tên"), "text", _("Họ tên học viên."), True, width=28),
    Column("sex", _("Giới tính"), "choice", _("Chọn trong danh sách."), True, Sex, width=12),
    Column("position", _("Chức vụ, vai trò"), "text", width=24),
    Column("agency_name", _("Cơ quan, đơn vị"), "text", width=30),
    Column("pre_score", _("Điểm đầu khóa"), "score", _("Không bắt buộc, từ 0 đến 100."), width=10),
    Column(
        "post_score", _("Điểm cuối khóa"), "score", _("Không bắt buộc, từ 0 đến 100."), width=10
    ),
]

RECOMMENDATION_COLUMNS = [
    Column(
        "ref",
        _("Mã dòng hoạt động"),
        "text",
        _("Mã dòng của cuộc kiểm tra ở trang Hoạt động."),
        True,
        width=10,
    ),
    Column("text", _("Kiến nghị"), "text", _("Nội dung kiến nghị."), True, width=40),
    Column("responsible", _("Đơn vị thực hiện"), "text", width=28),
    Column("due_date", _("Thời hạn"), "date", _("Dạng ngày/tháng/năm."), width=12),
    Column(
        "status",
        _("Tình trạng"),
        "choice",
        _("Chọn trong danh sách. Bỏ trống là Chưa thực hiện."),
        choices=RecommendationStatus,
        width=20,
    ),
    Column("follow_up", _("Kết quả theo dõi"), "text", width=30),
]

# Sheets of rows that belong to an activity row, by kind.
CHILD_SHEETS: dict[str, tuple[str, list[Column]]] = {
    ActivityKind.TRAINING: (SHEET_TRAINEES, TRAINEE_COLUMNS),
    ActivityKind.INSPECTION: (SHEET_RECOMMENDATIONS, RECOMMENDATION_COLUMNS),
}

KIND_PURPOSE = {
    ActivityKind.COMMUNICATION: _(
        "Buổi truyền thông, chiến dịch, phát thanh, mạng xã hội, hội thi, tài liệu in."
    ),
    ActivityKind.TRAINING: _(
        "Khóa tập huấn, bồi dưỡng; kèm trang Học viên để nhập danh sách học viên."
    ),
    ActivityKind.CONFERENCE: _("Hội nghị, hội thảo, tọa đàm, đối thoại chính sách."),
    ActivityKind.STUDY_VISIT: _("Chuyến tham quan, học tập kinh nghiệm."),
    ActivityKind.INSPECTION: _(
        "Cuộc kiểm tra liên ngành; kèm trang Kiến nghị để theo dõi kiến nghị."
    ),
    ActivityKind.COMMENDATION: _("Biểu dương, khen thưởng tập thể, cá nhân."),
    ActivityKind.MODEL_ACTIVITY: _("Hoạt động của một mô hình đã có trong sổ mô hình."),
    ActivityKind.OTHER: _("Hoạt động khác thực hiện kế hoạch."),
}


def export_columns() -> list[Column]:
    """The export's one sheet: every kind together, in the template's columns, plus what the
    template leaves to the upload page (kind, plan, organising agency) and the warnings."""
    ref = Column(**{**vars(REF), "help": _("Mã số của hoạt động trong hệ thống.")})
    return [
        ref,
        Column("kind", _("Loại hoạt động"), "choice", choices=ActivityKind, width=24),
        Column("plan", _("Kế hoạch"), "text", width=14),
        Column("agency", _("Cơ quan tổ chức"), "text", width=30),
        *COMMON[:5],
        *all_kind_columns(),
        *COMMON[5:],
        Column("flags", _("Cảnh báo"), "text", width=30),
    ]
