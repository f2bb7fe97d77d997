"""Load checklists of standards from ``data/standards/*.yaml`` (format in docs/standards.md).

A checklist is stored per version and a stored version is never rewritten: assessments were
scored on its criteria. Loading compares the file with the latest stored version of its code:
- the same content: nothing happens (loading twice changes nothing);
- different content: it is stored as a new version, numbered as the file says when that is
  higher than the latest stored one, otherwise the next number (the result says so, so the
  file can be brought in line). Assessments keep the version they were scored on.
Codes that are in none of the files loaded (when the whole folder is loaded) are marked
inactive: no longer offered for new assessments, kept for the old ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from antoan.accounts.models import Agency
from antoan.programme.choices import ModelKind
from antoan.programme.models import Checklist, Criterion


class StandardsFileError(Exception):
    """The checklist file is malformed; the message says where."""


@dataclass
class StandardsResult:
    created: list[str] = field(default_factory=list)  # "code v2"
    unchanged: list[str] = field(default_factory=list)
    renumbered: list[str] = field(default_factory=list)  # "code: file says v1, stored as v2"
    deactivated: list[str] = field(default_factory=list)


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise StandardsFileError(f"{where}: not a date: {value!r}") from None


def _number(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise StandardsFileError(f"{where}: not a number: {value!r}") from None
    if not number.is_finite() or number <= 0 or number >= 1000:
        raise StandardsFileError(f"{where}: must be more than 0 and less than 1000: {value!r}")
    return number.quantize(Decimal("0.01"))


def read_checklists(path: Path) -> list[dict[str, Any]]:
    """The checklists in one file (``checklist:`` or ``checklists: [...]``), checked."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise StandardsFileError(f"{path}: {exc}") from exc
    if isinstance(data, dict) and "checklist" in data:
        specs = [data["checklist"]]
    elif isinstance(data, dict) and isinstance(data.get("checklists"), list):
        specs = data["checklists"]
    else:
        raise StandardsFileError(f"{path}: expected the key checklist (or checklists)")
    return [_check(_nfc(spec), f"{path.name}") for spec in specs]


def _check(spec: Any, where: str) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise StandardsFileError(f"{where}: a checklist must be a mapping")
    for key in ("code", "version", "title", "applies_to", "valid_from", "basis", "bands"):
        if key not in spec:
            raise StandardsFileError(f"{where}: missing {key}")
    code = str(spec["code"])
    where = f"{where} {code}"
    if not isinstance(spec["version"], int) or spec["version"] < 1:
        raise StandardsFileError(f"{where}: version must be a whole number from 1")
    applies = spec["applies_to"] or {}
    model_kinds = list(applies.get("model_kinds") or [])
    agency_kinds = list(applies.get("agency_kinds") or [])
    for kind in model_kinds:
        if kind not in ModelKind.values:
            raise StandardsFileError(f"{where}: unknown model kind {kind!r}")
    for kind in agency_kinds:
        if kind not in Agency.Kind.values:
            raise StandardsFileError(f"{where}: unknown agency kind {kind!r}")
    if not model_kinds and not agency_kinds:
        raise StandardsFileError(f"{where}: applies_to names no model kind and no agency kind")
    basis = spec["basis"]
    if not isinstance(basis, dict) or not basis.get("document"):
        raise StandardsFileError(f"{where}: basis needs a document")
    bands = []
    for band in spec["bands"] or []:
        if not {"code", "label", "min"} <= set(band):
            raise StandardsFileError(f"{where}: a band needs code, label and min")
        if not 0 <= band["min"] <= 100:
            raise StandardsFileError(f"{where}: band {band['code']}: min must be 0 to 100")
        bands.append({"code": str(band["code"]), "label": str(band["label"]), "min": band["min"]})
    bands.sort(key=lambda b: b["min"], reverse=True)
    if not bands or bands[-1]["min"] != 0:
        raise StandardsFileError(f"{where}: the lowest band must start at 0")
    criteria = []
    seen: set[str] = set()
    for n, item in enumerate(spec.get("criteria") or []):
        if not {"code", "text", "weight", "max_score"} <= set(item):
            raise StandardsFileError(
                f"{where}: criterion {n + 1} needs code, text, weight and max_score"
            )
        ccode = str(item["code"])
        if ccode in seen:
            raise StandardsFileError(f"{where}: criterion {ccode} twice")
        seen.add(ccode)
        if not isinstance(item["max_score"], int) or not 1 <= item["max_score"] <= 100:
            raise StandardsFileError(f"{where}: criterion {ccode}: max_score must be 1 to 100")
        criteria.append(
            {
                "code": ccode,
                "group": str(item.get("group", "")),
                "text": str(item["text"]),
                "weight": str(_number(item["weight"], f"{where} criterion {ccode} weight")),
                "max_score": item["max_score"],
            }
        )
    if not criteria:
        raise StandardsFileError(f"{where}: no criteria")
    return {
        "code": code,
        "version": spec["version"],
        "title": str(spec["title"]),
        "model_kinds": model_kinds,
        "agency_kinds": agency_kinds,
        "valid_from": _date(spec["valid_from"], f"{where} valid_from").isoformat(),
        "basis": str(basis["document"]),
        "basis_note": str(basis.get("note", "")),
        "is_sample": bool(basis.get("sample", False)),
        "bands": bands,
        "criteria": criteria,
    }


def fingerprint(spec: dict[str, Any]) -> str:
    """The content of a checklist, whatever version number the file gives it."""
    content = {k: v for k, v in spec.items() if k != "version"}
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _store(spec: dict[str, Any], version: int, digest: str, source: str) -> Checklist:
    checklist = Checklist.objects.create(
        code=spec["code"],
        version=version,
        title=spec["title"],
        model_kinds=spec["model_kinds"],
        agency_kinds=spec["agency_kinds"],
        valid_from=dt.date.fromisoformat(spec["valid_from"]),
        basis=spec["basis"],
        basis_note=spec["basis_note"],
        is_sample=spec["is_sample"],
        bands=spec["bands"],
        fingerprint=digest,
        source_file=source,
    )
    Criterion.objects.bulk_create(
        Criterion(
            checklist=checklist,
            code=c["code"],
            group=c["group"],
            text=c["text"],
            weight=Decimal(c["weight"]),
            max_score=c["max_score"],
            position=n,
        )
        for n, c in enumerate(spec["criteria"])
    )
    return checklist


@transaction.atomic
def load_standards(paths: list[Path], *, retire_missing: bool = False) -> StandardsResult:
    """Load the checklists of ``paths``; with ``retire_missing`` the codes not in them are
    marked inactive (the command does that when it loads the whole folder)."""
    result = StandardsResult()
    specs: dict[str, tuple[dict[str, Any], str]] = {}
    for path in paths:
        for spec in read_checklists(path):
            if spec["code"] in specs:
                raise StandardsFileError(f"{path.name}: checklist {spec['code']} is in two files")
            specs[spec["code"]] = (spec, path.name)
    for code, (spec, source) in specs.items():
        digest = fingerprint(spec)
        latest = Checklist.objects.filter(code=code).order_by("-version").first()
        if latest is not None and latest.fingerprint == digest:
            if not latest.active:
                latest.active = True
                latest.save(update_fields=["active"])
            result.unchanged.append(f"{code} v{latest.version}")
            continue
        version = spec["version"]
        if latest is not None and version <= latest.version:
            result.renumbered.append(
                f"{code}: the file says v{version}, stored as v{latest.version + 1}"
            )
            version = latest.version + 1
        Checklist.objects.filter(code=code).update(active=True)
        _store(spec, version, digest, source)
        result.created.append(f"{code} v{version}")
    if retire_missing:
        gone = Checklist.objects.exclude(code__in=specs).filter(active=True)
        result.deactivated = sorted(set(gone.values_list("code", flat=True)))
        gone.update(active=False)
    return result
