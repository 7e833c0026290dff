"""The bundled sample landing area: reproducible, and its errors are exactly the planted ones."""

import filecmp
import json
from pathlib import Path

import pytest

from alis_nord.landing import take_inventory
from alis_nord.reference_parsing import load_reference_data
from alis_nord.sample_data import generate
from alis_nord.validation import validate_year

BUNDLED = Path(__file__).resolve().parent.parent / "sample_landing"


def _all_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_the_generator_reproduces_the_bundled_sample_byte_for_byte(tmp_path):
    generate(tmp_path / "sample", seed=2019)
    assert _all_files(tmp_path / "sample") == _all_files(BUNDLED)
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "sample", BUNDLED, _all_files(BUNDLED), shallow=False)
    assert mismatch == [] and errors == []


@pytest.mark.parametrize("year", [2019, 2020, 2021, 2022, 2023])
def test_validation_finds_exactly_the_planted_errors(year):
    planted = json.loads((BUNDLED / "planted_findings.json").read_text(encoding="utf-8"))
    expected = sorted(
        (p["file"], p["table"], p["row"], p["column"], p["rule"]) for p in planted if p["year"] == year
    )
    result = validate_year(BUNDLED, take_inventory(BUNDLED, year), load_reference_data(BUNDLED))
    assert sorted((f.file, f.table, f.row, f.column, f.rule) for f in result.findings) == expected
    assert result.rows_received == sum(len(t.accepted) for t in result.tables) + len(result.quarantined)


def test_the_sample_covers_every_file_form_the_format_allows():
    files = _all_files(BUNDLED)
    raw = {name: (BUNDLED / name).read_bytes() for name in files if name.endswith(".csv") and "/" in name}
    assert any(name.endswith(".xlsx") for name in files)
    assert any(data.startswith(b"\xef\xbb\xbf") for data in raw.values())  # UTF-8 with BOM
    assert any(b"\xf8" in data or b"\xe6" in data for data in raw.values())  # Windows-1252 ø/æ
    assert any("\u00a0".encode() in data for data in raw.values())  # no-break-space thousands
    assert any(name.endswith("_v2.csv") for name in files)  # a resubmission


def test_a_larger_landing_area_for_benchmarks(tmp_path):
    description = generate(
        tmp_path / "large",
        seed=7,
        years=2,
        municipalities=40,
        alis_per_municipality=3,
        vouchers_per_municipality=12,
    )
    assert description == {"seed": 7, "years": [2019, 2020], "municipalities": 40}
    deltakere = (
        (tmp_path / "large" / "referanse" / "deltakerkommuner.csv").read_text(encoding="utf-8").splitlines()
    )
    assert len(deltakere) > 40
    assert not (
        tmp_path / "large" / "planted_findings.json"
    ).exists()  # only the bundled sample plants errors
