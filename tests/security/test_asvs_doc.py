"""docs/security/asvs.md stays complete and its proofs stay real.

The table must have exactly one row for every ASVS 5.0 Level 1 and 2 requirement and for the
Level 3 requirements the project took on (``named`` in ``docs/security/asvs-5.0-ids.txt``), with
the official level and a status from the legend. Every test it cites as ``path::name`` (or
``path::Class::name``) must exist: the file is there and defines that test.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security" / "asvs.md"
IDS = ROOT / "docs" / "security" / "asvs-5.0-ids.txt"

STATUSES = {"Met", "Partly met", "Not applicable", "Gap"}
_ROW = re.compile(r"^\|\s*(\d+\.\d+\.\d+)\s*\|")
_CITATION = re.compile(r"`([\w./-]+\.py)((?:::\w+)+)`")


def _official() -> dict[str, tuple[str, bool]]:
    """id -> (level, named) from the committed copy of the official list."""
    result = {}
    for line in IDS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        req_id, level, *rest = line.split()
        result[req_id] = (level, rest == ["named"])
    return result


def _rows() -> list[tuple[int, list[str]]]:
    """(line number, cells) of every requirement row of the doc."""
    rows = []
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        if _ROW.match(line):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows.append((number, cells))
    return rows


@cache
def _definitions(path: str) -> set[str]:
    """``name`` and ``Class::name`` for every function and class the file defines."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return names


def test_the_official_list_has_the_expected_size():
    official = _official()
    level_2 = [i for i, (level, _) in official.items() if level in {"1", "2"}]
    named = [i for i, (level, is_named) in official.items() if level == "3" and is_named]
    assert len(official) == 345
    assert len(level_2) == 253
    assert set(named) == {
        *("1.2.10", "2.3.5", "5.2.4", "5.2.5", "5.2.6", "6.3.8", "7.5.3", "8.3.2"),
        *("14.2.6", "14.2.7", "14.2.8", "15.4.1", "15.4.2", "15.4.3", "15.4.4"),
    }


def test_every_requirement_in_scope_has_exactly_one_row():
    official = _official()
    expected = {i for i, (level, named) in official.items() if level in {"1", "2"} or named}
    seen: dict[str, int] = {}
    problems = []
    for number, cells in _rows():
        req_id = cells[0]
        if req_id in seen:
            problems.append(f"line {number}: {req_id} already has a row (line {seen[req_id]})")
        seen[req_id] = number
        if req_id not in expected:
            problems.append(f"line {number}: {req_id} is not a requirement in scope")
    missing = sorted(expected - seen.keys(), key=lambda i: [int(p) for p in i.split(".")])
    if missing:
        problems.append(f"no row for: {', '.join(missing)}")
    assert not problems, "\n".join(problems)


def test_every_row_has_the_official_level_and_a_known_status():
    official = _official()
    problems = []
    for number, cells in _rows():
        if len(cells) != 6:
            problems.append(f"line {number}: {len(cells)} cells, expected 6")
            continue
        req_id, _, level, status, how, proof = cells
        if req_id in official and level != official[req_id][0]:
            problems.append(f"line {number}: {req_id} is level {official[req_id][0]}, not {level}")
        if status not in STATUSES:
            problems.append(f"line {number}: unknown status {status!r}")
        if not how or not proof:
            problems.append(f"line {number}: {req_id} says neither how nor what proves it")
    assert not problems, "\n".join(problems)


def test_every_cited_test_exists():
    problems = []
    checked = 0
    for number, cells in _rows():
        for path, names in _CITATION.findall(" | ".join(cells[4:])):
            name = names.removeprefix("::")
            if not (ROOT / path).is_file():
                problems.append(f"line {number}: no file {path}")
            elif name not in _definitions(path):
                problems.append(f"line {number}: {path} defines no {name}")
            checked += 1
    assert checked > 100  # the parser still finds the citations
    assert not problems, "\n".join(problems)
