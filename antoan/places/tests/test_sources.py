"""Reading the package and the crosswalk: names, codes, division types, loud failures."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from antoan.places.sources import (
    CROSSWALK_COLUMNS,
    SourceError,
    current_units,
    default_crosswalk,
    read_crosswalk,
    split_name,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thành Phố Hưng Yên", ("Thành phố", "Hưng Yên")),
        ("Thị Xã Mỹ Hào", ("Thị xã", "Mỹ Hào")),
        ("Thị Trấn Như Quỳnh", ("Thị trấn", "Như Quỳnh")),
        ("Xã Đông  Thụy Anh", ("Xã", "Đông Thụy Anh")),
        ("Phường Phố Hiến", ("Phường", "Phố Hiến")),
        ("Hưng Yên", None),
    ],
)
def test_names_capitalise_only_the_proper_name(raw, expected):
    assert split_name(raw) == expected


def test_decomposed_input_is_stored_composed():
    decomposed = "Phu\u031bo\u031b\u0300ng Phô\u0301 Hiê\u0301n"
    assert split_name(decomposed) == ("Phường", "Phố Hiến")


def test_current_units_cover_the_country_with_padded_codes():
    rows = current_units()
    provinces = [r for r in rows if r.level == "province"]
    communes = [r for r in rows if r.level == "commune"]
    assert len(provinces) == 34
    assert len(communes) == 3321
    assert {len(r.code) for r in provinces} == {2}
    assert {len(r.code) for r in communes} == {5}
    assert {r.division_type for r in communes} == {"xã", "phường", "đặc khu"}
    by_code = {r.code: r for r in provinces}
    assert by_code["01"].name == "Thành phố Hà Nội"
    assert by_code["01"].division_type == "thành phố trung ương"
    # The package says just "Hưng Yên"; stored like the old unit and official documents.
    assert by_code["33"].name == "Tỉnh Hưng Yên"
    assert by_code["33"].division_type == "tỉnh"


def test_crosswalk_reads_old_units_with_their_types():
    sources = read_crosswalk(default_crosswalk(), current=current_units())
    levels = [row.level for row in sources.places]
    assert (levels.count("province"), levels.count("district"), levels.count("commune")) == (
        2,
        18,
        381,
    )
    by_key = {(row.level, row.code): row for row in sources.places}
    city = by_key[("district", "323")]
    assert (city.name, city.division_type) == ("Thành phố Hưng Yên", "thành phố")
    assert by_key[("district", "328")].name == "Thị xã Mỹ Hào"
    assert by_key[("commune", "11953")].name == "Phường Hiến Nam"
    assert by_key[("province", "34")].parent is None
    assert all(
        row.valid_from is None and str(row.valid_to) == "2025-06-30" for row in by_key.values()
    )
    communes = [s for s in sources.successions if s.predecessor[0] == "commune"]
    assert len(communes) == 381


def _write_csv(path: Path, rows: list[list[str]], header: list[str] = CROSSWALK_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


GOOD = ["11953", "Phường Phố Hiến", "11956", "Phường An Tảo", "323", "Thành Phố Hưng Yên", "33",
        "Tỉnh Hưng Yên"]  # fmt: skip


def test_a_new_code_missing_from_the_package_fails_loudly(tmp_path):
    bad = list(GOOD)
    bad[0] = "99999"
    path = _write_csv(tmp_path / "x.csv", [bad])
    with pytest.raises(SourceError, match=r"x\.csv:2: new commune 99999"):
        read_crosswalk(path, current=current_units())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({4: "32x"}, "not a district code"),
        ({3: "An Tảo"}, "cannot tell the division type"),
        ({5: "Huyện Khác"}, "district 323 differs"),
    ],
)
def test_malformed_lines_fail_with_their_line_number(tmp_path, change, message):
    other = ["11953", "Phường Phố Hiến", "11959", "Phường Lê Lợi", "323", "Thành Phố Hưng Yên",
             "33", "Tỉnh Hưng Yên"]  # fmt: skip
    for index, value in change.items():
        other[index] = value
    path = _write_csv(tmp_path / "x.csv", [GOOD, other])
    with pytest.raises(SourceError, match=rf"x\.csv:3: .*{message}"):
        read_crosswalk(path, current=current_units())


def test_an_old_commune_listed_twice_fails(tmp_path):
    path = _write_csv(tmp_path / "x.csv", [GOOD, GOOD])
    with pytest.raises(SourceError, match="listed twice"):
        read_crosswalk(path, current=current_units())


def test_unexpected_columns_fail(tmp_path):
    path = _write_csv(tmp_path / "x.csv", [GOOD], header=[*CROSSWALK_COLUMNS[:-1], "province"])
    with pytest.raises(SourceError, match="columns"):
        read_crosswalk(path, current=current_units())
