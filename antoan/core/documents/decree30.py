"""Administrative documents in the layout of Decree 30/2020/NĐ-CP (Phụ lục I), as .docx.

A report, plan or letter of a Vietnamese state body has a fixed form: A4 paper; margins top
and bottom 20-25 mm, left 30-35 mm, right 15-20 mm; Times New Roman; a two-column header
without borders holding, on the left, the parent body (upper case), the issuing body (upper
case, bold) and "Số: …/BC-…", and on the right the national title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA
VIỆT NAM" (upper case, bold), the motto "Độc lập - Tự do - Hạnh phúc" (bold, underlined) and
the place and date in italics ("Hưng Yên, ngày 03 tháng 12 năm 2026"); then the kind of
document ("BÁO CÁO", bold, centred) and its subject; the body in 14 pt; and at the foot, side
by side, "Nơi nhận:" (bold italic, 12 pt) with its list (11 pt) and the signer's block (title
upper case bold, space to sign, name bold).

The decree's rules under the header lines are approximated: the motto's full-length rule is an
underline of the motto; the short rule under the issuing body (1/3 to 1/2 of its width) is not
drawn, the agency adds it when it finalises the draft.

The file is WordprocessingML written with the standard library (no third-party package), one
``word/document.xml`` with its styles and no metadata (no author, no company). Word,
LibreOffice and python-docx open it. ``build_docx`` takes a :class:`Document`; the body is a
list of :class:`Paragraph`, :class:`Heading` and :class:`Table` blocks. Used by the campaign
report (``antoan.programme``) and meant for the yearly reports.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FONT = "Times New Roman"
# Sizes in points.
BODY_PT = 14
HEADER_PT = 13
NATIONAL_TITLE_PT = 12  # 12-13 pt; at 13 pt bold it does not fit the header's column
TABLE_PT = 12
RECIPIENTS_TITLE_PT = 12
RECIPIENTS_PT = 11
# Paper and margins, in millimetres (Decree 30: top/bottom 20-25, left 30-35, right 15-20).
A4_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TWIPS_PER_MM = 1440 / 25.4

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NO_NUMBER = "Số: …/BC-…"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def date_line(place: str, day: dt.date) -> str:
    """ "Hưng Yên, ngày 03 tháng 12 năm 2026": days below 10 and January and February take a
    leading zero (Decree 30, Phụ lục I, on the date of issue)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False
    align: str = "both"  # left, center, right, both (justified)
    indent: bool = True  # first-line indent of the body (1 cm)


@dataclass
class Heading:
    text: str


@dataclass
class Table:
    """A table with borders; the first row is the header (bold, centred). Cells that are
    numbers are right-aligned."""

    rows: list[list[str]]
    widths_mm: list[float] | None = None
    numeric_from: int = 1  # columns from this index hold numbers


Block = Paragraph | Heading | Table


@dataclass
class Document:
    issuing_body: str
    subject: str
    day: dt.date
    place: str
    body: list[Block] = field(default_factory=list)
    parent_body: str = ""
    number: str = NO_NUMBER
    kind: str = "BÁO CÁO"
    signer_authority: str = ""  # "KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN"
    signer_title: str = ""
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)
    # The page number, centred in the top margin, from the second page on (Decree 30, Phụ lục
    # I, on page numbering).
    page_numbers: bool = False


# --- WordprocessingML pieces -------------------------------------------------------------------


def _run(
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
) -> str:
    props = []
    if bold:
        props.append("<w:b/><w:bCs/>")
    if italic:
        props.append("<w:i/><w:iCs/>")
    if underline:
        props.append('<w:u w:val="single"/>')
    if size:
        half = round(size * 2)
        props.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para(
    runs: str,
    *,
    align: str = "left",
    before: int = 0,
    after: int = 0,
    first_line_mm: float = 0,
    keep_next: bool = False,
) -> str:
    props = []
    if keep_next:
        props.append("<w:keepNext/>")
    props.append(f'<w:spacing w:before="{before}" w:after="{after}"/>')
    if first_line_mm:
        props.append(f'<w:ind w:firstLine="{twips(first_line_mm)}"/>')
    props.append(f'<w:jc w:val="{align}"/>')
    return f"<w:p><w:pPr>{''.join(props)}</w:pPr>{runs}</w:p>"


def _text_para(text: str, *, align: str = "center", size: float, **run: bool) -> str:
    return _para(_run(text, size=size, **run), align=align)


def _cell(content: str, width_mm: float, *, borders: bool) -> str:
    border = (
        ""
        if borders
        else (
            "<w:tcBorders>"
            + "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right"))
            + "</w:tcBorders>"
        )
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{twips(width_mm)}" w:type="dxa"/>{border}</w:tcPr>'
        f"{content or '<w:p/>'}</w:tc>"
    )


def _table(rows: list[list[str]], widths_mm: list[float], *, borders: bool) -> str:
    kind = "single" if borders else "nil"
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    border_xml = "".join(
        f'<w:{s} w:val="{kind}" w:sz="4" w:space="0" w:color="000000"/>'
        if borders
        else f'<w:{s} w:val="nil"/>'
        for s in sides
    )
    grid = "".join(f'<w:gridCol w:w="{twips(w)}"/>' for w in widths_mm)
    body = "".join(
        "<w:tr>"
        # A bordered table's first row is its header: repeated at the top of every page.
        + ("<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if borders and i == 0 else "")
        + "".join(_cell(c, w, borders=borders) for c, w in zip(row, widths_mm, strict=True))
        + "</w:tr>"
        for i, row in enumerate(rows)
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{twips(sum(widths_mm))}" w:type="dxa"/>'
        f'<w:tblBorders>{border_xml}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"
    )


def text_width_mm() -> float:
    return A4_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]


def _header(doc: Document) -> str:
    left = ""
    if doc.parent_body:
        left += _text_para(doc.parent_body.upper(), size=HEADER_PT)
    left += _text_para(doc.issuing_body.upper(), size=HEADER_PT, bold=True)
    left += _text_para(doc.number, size=HEADER_PT)
    right = (
        _text_para(NATIONAL_TITLE, size=NATIONAL_TITLE_PT, bold=True)
        + _text_para(MOTTO, size=BODY_PT, bold=True, underline=True)
        + _para("", align="center")
        + _text_para(date_line(doc.place, doc.day), size=BODY_PT, italic=True)
    )
    width = text_width_mm()
    return _table([[left, right]], [width * 0.4, width * 0.6], borders=False)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return _para(
            _run(block.text, bold=True, size=BODY_PT),
            align="both",
            before=120,
            after=60,
            first_line_mm=10,
            keep_next=True,
        )
    if isinstance(block, Paragraph):
        return _para(
            _run(block.text, bold=block.bold, italic=block.italic, size=BODY_PT),
            align=block.align,
            after=60,
            first_line_mm=10 if block.indent else 0,
        )
    width = text_width_mm()
    columns = len(block.rows[0]) if block.rows else 1
    widths = block.widths_mm or [width / columns] * columns
    rows = []
    for index, row in enumerate(block.rows):
        cells = []
        for col, value in enumerate(row):
            align = "center" if index == 0 else ("right" if col >= block.numeric_from else "left")
            cells.append(_text_para(value, align=align, size=TABLE_PT, bold=index == 0))
        rows.append(cells)
    return _table(rows, widths, borders=True) + _para("", after=60)


def _footer(doc: Document) -> str:
    left = _para(
        _run("Nơi nhận:", bold=True, italic=True, size=RECIPIENTS_TITLE_PT), align="left"
    ) + "".join(_para(_run(r, size=RECIPIENTS_PT), align="left") for r in doc.recipients)
    right = ""
    if doc.signer_authority:
        right += _text_para(doc.signer_authority.upper(), size=BODY_PT, bold=True)
    if doc.signer_title:
        right += _text_para(doc.signer_title.upper(), size=BODY_PT, bold=True)
    right += "".join(_para("", align="center") for _ in range(4))
    if doc.signer_name:
        right += _text_para(doc.signer_name, size=BODY_PT, bold=True)
    width = text_width_mm()
    return _table([[left, right]], [width * 0.5, width * 0.5], borders=False)


def document_xml(doc: Document) -> str:
    parts = [
        _header(doc),
        _para("", after=120),
        _para(_run(doc.kind.upper(), bold=True, size=BODY_PT), align="center", keep_next=True),
        _para(_run(doc.subject, bold=True, size=BODY_PT), align="center", after=240),
        *(_block(b) for b in doc.body),
        _para("", after=120),
        _footer(doc),
    ]
    w, h = (twips(v) for v in A4_MM)
    m = {k: twips(v) for k, v in MARGINS_MM.items()}
    # With page numbers: the default header holds the number; the first page has its own,
    # empty, header (titlePg).
    headers = (
        '<w:headerReference w:type="default" r:id="rId2"/>'
        '<w:headerReference w:type="first" r:id="rId3"/>'
        if doc.page_numbers
        else ""
    )
    section = (
        f'<w:sectPr>{headers}<w:pgSz w:w="{w}" w:h="{h}"/>'
        f'<w:pgMar w:top="{m["top"]}" w:right="{m["right"]}" w:bottom="{m["bottom"]}" '
        f'w:left="{m["left"]}" w:header="567" w:footer="567" w:gutter="0"/>'
        + ("<w:titlePg/>" if doc.page_numbers else "")
        + "</w:sectPr>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
        + "".join(parts)
        + section
        + "</w:body></w:document>"
    )


STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr>
<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>
<w:sz w:val="{BODY_PT * 2}"/><w:szCs w:val="{BODY_PT * 2}"/><w:lang w:val="vi-VN"/>
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="276"
 w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>
<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>
<w:sz w:val="{BODY_PT * 2}"/><w:szCs w:val="{BODY_PT * 2}"/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>
<w:tblPr><w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
</w:tblCellMar></w:tblPr></w:style></w:styles>"""

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="word/document.xml"/></Relationships>"""

DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
 Target="styles.xml"/></Relationships>"""

HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
HEADER_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"


def _header_part(content: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:hdr xmlns:w="{W_NS}" xmlns:r="{R_NS}">{content}</w:hdr>'
    )


def _page_number_header() -> str:
    """A centred PAGE field, 14 pt."""
    size = f'<w:rPr><w:sz w:val="{BODY_PT * 2}"/><w:szCs w:val="{BODY_PT * 2}"/></w:rPr>'
    runs = (
        f'<w:r>{size}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{size}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r>{size}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{size}<w:t>2</w:t></w:r>"
        f'<w:r>{size}<w:fldChar w:fldCharType="end"/></w:r>'
    )
    return _header_part(_para(runs, align="center"))


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def build_docx(doc: Document) -> bytes:
    """The .docx of ``doc``."""
    content_types, document_rels = CONTENT_TYPES, DOCUMENT_RELS
    if doc.page_numbers:
        content_types = content_types.replace(
            "</Types>",
            "".join(
                f'<Override PartName="/word/{name}" ContentType="{HEADER_TYPE}"/>'
                for name in ("header1.xml", "header2.xml")
            )
            + "</Types>",
        )
        document_rels = document_rels.replace(
            "</Relationships>",
            f'<Relationship Id="rId2" Type="{HEADER_REL}" Target="header1.xml"/>'
            f'<Relationship Id="rId3" Type="{HEADER_REL}" Target="header2.xml"/>'
            "</Relationships>",
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("word/document.xml", document_xml(doc))
        z.writestr("word/styles.xml", STYLES)
        z.writestr("word/_rels/document.xml.rels", document_rels)
        if doc.page_numbers:
            z.writestr("word/header1.xml", _page_number_header())
            z.writestr("word/header2.xml", _header_part(_para("", align="center")))
    return out.getvalue()
