"""The access matrix: every URL and API operation × every demo user × another agency's user.

The expectations are in ``access_table.py`` (how to add an entry: its docstring and
docs/security/testing.md). For every entry, with real ids of objects of the demo world:

- each user gets what the table says: a 2xx/3xx answer, or the refusal (403, 404, 405);
- every 403 and 404 is in the audit log as ``permission_denied`` by that user, naming the
  object the URL points at (type and id) when the URL has an id;
- every answer carries ``Cache-Control: no-store``;
- asking for an id that does not exist answers exactly as for an object one may not see, and
  is audited the same way (ids cannot be probed, yet the probing is on record);
- a refused write (POST, PATCH, ...) changes nothing.

One test walks the whole table and reports every mismatch at once, so a failure reads as a
list of "GET /cases/<int:pk>/ as worker2: expected 404, got 200".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from antoan.core.models import AuditEvent
from tests.security.access_table import MATRIX, Entry
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

# Django's own machinery that carries no data of ours; the admin site is checked separately
# (tests/test_url_permissions.py: administrators only) and registers no case data.
_SKIPPED_PREFIXES = ("/admin/",)
_FRAMEWORK_MODULES = ("django.views.static", "django.contrib.staticfiles")
_WRITE_METHODS = ("post", "put", "patch", "delete")
MISSING_ID = 987654


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + str(entry.pattern), entry.callback


def _schema_path(route: str) -> str:
    """``/api/v1/cases/<int:case_id>`` → ``/api/v1/cases/{case_id}`` (the schema's spelling)."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def operations() -> set[str]:
    """Every page operation from the URL resolver and every API operation from the schema."""
    found: set[str] = set()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, ops in schema["paths"].items():
        found |= {f"{method.upper()} {path}" for method in ops}
    schema_paths = set(schema["paths"])
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(_SKIPPED_PREFIXES):
            continue
        if getattr(callback, "__module__", "").startswith(_FRAMEWORK_MODULES):
            continue
        if route.startswith("/api/"):
            if _schema_path(route) not in schema_paths:
                found.add(f"GET {route}")  # outside the schema (the schema itself, its docs)
            continue
        found.add(f"GET {route}")
        view_class = getattr(callback, "view_class", None)
        if view_class is not None and hasattr(view_class, "post"):
            found.add(f"POST {route}")
    return found


def test_every_url_and_api_operation_has_an_entry():
    found = operations()
    missing = sorted(found - set(MATRIX))
    stale = sorted(set(MATRIX) - found)
    assert not missing and not stale, (
        "Every URL and API operation needs an entry in tests/security/access_table.py "
        "(see docs/security/testing.md).\n"
        + "".join(f"  missing: {key!r}\n" for key in missing)
        + "".join(f"  no such operation any more: {key!r}\n" for key in stale)
    )


# --- Walking the table ---------------------------------------------------------------------------


def _value(name: str, ids: dict) -> str:
    return name[1:] if name.startswith("=") else str(ids[name])


def _url(route: str, entry: Entry, ids: dict, *, missing: bool = False) -> str:
    def fill(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if missing and converter == "int":
            return str(MISSING_ID)
        return _value(entry.ids[name], ids)

    if "(?P<" in route:  # a re_path: substitute the groups, drop the anchors
        url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: _value(entry.ids[m.group(1)], ids), route)
        return url.replace("^", "").replace("$", "").replace("\\.", ".")
    url = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return re.sub(
        r"\{(\w+)\}",
        lambda m: str(MISSING_ID) if missing else _value(entry.ids[m.group(1)], ids),
        url,
    )


def _first_id(route: str, entry: Entry, ids: dict) -> str | None:
    """The id the audit event must name: the route's first integer parameter."""
    match = re.search(r"<int:(\w+)>|\{(\w+)\}", route)
    if match is None:
        return None
    return _value(entry.ids[match.group(1) or match.group(2)], ids)


def _has_int_id(route: str) -> bool:
    return bool(re.search(r"<int:\w+>|\{\w+_id\}", route))


# Rows of these models are compared whole before and after a refused write; the others are
# counted. Small tables in this world, so the comparison is cheap and misses nothing.
_COMPARED = (
    "cases.Case",
    "cases.CaseTransfer",
    "cases.ProtectionMeasure",
    "referrals.Referral",
    "hotline.Call",
    "programme.Activity",
    "programme.Recommendation",
    "programme.CommunityModel",
    "programme.Influencer",
    "accounts.ApiToken",
    "cases.DuplicateReview",
    "privacy.DataRequest",
    "privacy.AccessPackage",
    "privacy.Breach",
    "health.ServiceContact",
    "reports.Cycle",
    "reports.Submission",
)
_COUNTED_APPS = (
    "cases",
    "health",
    "referrals",
    "hotline",
    "programme",
    "indicators",
    "accounts",
    "privacy",
    "reports",
)


def _count_sql() -> str:
    tables = [
        connection.ops.quote_name(model._meta.db_table)
        for app in _COUNTED_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    # Table names from our own models, quoted by the backend: nothing from outside.
    counts = ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables)  # noqa: S608
    return f"SELECT {counts}"


def _state(count_sql: str) -> str:
    """A digest of the data a refused write must leave alone."""
    digest = hashlib.sha256()
    for label in _COMPARED:
        model = apps.get_model(label)
        names = [f.attname for f in model._meta.concrete_fields]
        digest.update(repr(list(model.objects.order_by("pk").values_list(*names))).encode())
    with connection.cursor() as cursor:  # every table's row count in one query
        cursor.execute(count_sql)
        digest.update(repr(cursor.fetchone()).encode())
    return digest.hexdigest()


def _request(client: Client, method: str, url: str, *, api: bool):
    if method == "GET":
        return client.get(url)
    if api:
        return getattr(client, method.lower())(url, "{}", content_type="application/json")
    return client.post(url, {})


def _probes(entry: Entry, method: str, roles: dict[str, str]) -> list[str]:
    """Who is requested: on a GET everyone in ``ok``; on any method everyone in ``also`` and
    one user of each role among the others who share a status (a demo user and its twin in
    another agency hold the same role; when they answer alike, one of them is enough)."""
    chosen: list[str] = []
    seen: set[tuple[int, str]] = set()
    for username in sorted(roles):
        expected = entry.expected(username)
        if expected is None:
            if method == "GET":
                chosen.append(username)
            continue
        kind = (expected, roles[username])
        if username in entry.also or kind not in seen:
            chosen.append(username)
            seen.add(kind)
    return chosen


def test_access_matrix(mini_places, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # Every client signs in once, at the start; on a slow machine the run outlasts the
    # step-up window, which its own tests check (antoan/accounts/tests): here it must not
    # turn an allowed download into a 403.
    settings.ANTOAN_REAUTH_MINUTES = 24 * 60
    users, ids = build_world()
    roles = {
        username: ",".join(sorted(user.memberships.values_list("role", flat=True)))
        for username, user in users.items()
    }
    clients = {}
    for username in sorted(users):
        clients[username] = Client()
        clients[username].force_login(users[username])
    failures: list[str] = []
    count_sql = _count_sql()
    state = _state(count_sql)  # refused writes leave it as it is; checked after each of them
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def check(key: str, entry: Entry, username: str, *, missing: bool = False) -> int:
        nonlocal last_seq, state
        method, route = key.split(" ", 1)
        api = route.startswith("/api/")
        url = _url(route, entry, ids, missing=missing)
        who = f"{method} {url} ({route}) as {username}"
        if missing:
            who += " [an id that does not exist: must answer as for one not yours]"
        response = _request(clients[username], method, url, api=api)
        status = response.status_code
        expected = entry.expected(username)
        if missing and (expected is None or username in entry.sees):
            expected = 404  # an object that does not exist cannot be shown
        if expected is None and status >= 400:
            failures.append(f"{who}: expected 2xx/3xx, got {status}")
        elif expected is not None and status != expected:
            failures.append(f"{who}: expected {expected}, got {status}")
        if "no-store" not in response.get("Cache-Control", ""):
            failures.append(
                f"{who}: no 'Cache-Control: no-store' ({response.get('Cache-Control')})"
            )
        events = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq"))
        if events:
            last_seq = events[-1].seq
        if status in (403, 404):
            refusals = [
                ev
                for ev in events
                if ev.action == "permission_denied" and ev.user_id == users[username].pk
            ]
            first = None if missing else _first_id(route, entry, ids)
            if not refusals:
                failures.append(f"{who}: refused ({status}) but not audited")
            elif _has_int_id(route) and not any(
                ev.object_type and (first is None or ev.object_id == first) for ev in refusals
            ):
                got = [(ev.object_type, ev.object_id) for ev in refusals]
                failures.append(f"{who}: refusal audited without its object ({got})")
        if method != "GET" and status >= 400:
            after = _state(count_sql)
            if after != state:
                failures.append(f"{who}: refused ({status}) but something changed")
                state = after
        return status

    for key, entries in MATRIX.items():
        method, route = key.split(" ", 1)
        for entry in entries if isinstance(entries, tuple) else (entries,):
            if entry.skip:
                continue
            probes = _probes(entry, method, roles)
            answers = {username: check(key, entry, username) for username in probes}
            if method != "GET" or not _has_int_id(route):
                continue
            # An id that exists nowhere: a 404 for those who see the real one, and the same
            # answer as for the real one for everybody else (one user of each answer).
            shown = {u for u, status in answers.items() if 200 <= status < 300}
            refused = {status: u for u, status in sorted(answers.items()) if status >= 400}
            for username in sorted(shown) + sorted(refused.values()):
                check(key, entry, username, missing=True)

    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures)
