"""Submissions as real office software writes them: the sample area's 2021 workbooks as a clerk's
own Excel file has them (dates in the locale's default date format, amounts in the template's
``#,##0.00" kr"``), re-saved and exported by headless LibreOffice in the nb-NO and en-US locales
(tests/libreoffice.py). Norwegian files must give the original's figures; American ones must
never be guessed.
"""

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from alis_nord.contract import table_contracts
from alis_nord.landing import take_inventory
from alis_nord.reference_parsing import load_reference_data
from alis_nord.validation import validate_year
from glue.resources import PROJECT_ROOT
from tests import libreoffice

SAMPLE = PROJECT_ROOT / "sample_landing"
YEAR = 2021
MONEY_FORMAT = '#,##0.00" kr"'  # data_contracts/common.yaml, type money
LOCALE_DATE_FORMAT = "mm-dd-yy"  # openpyxl's name for Excel's built-in format 14: the locale's short date


def _clerks_workbook(source: Path, target: Path) -> None:
    workbook = openpyxl.load_workbook(source)
    money = {c.name for t in table_contracts().values() for c in t.columns if c.type == "money"}
    for sheet in workbook.worksheets:
        header = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            for name, cell in zip(header, row, strict=False):
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = LOCALE_DATE_FORMAT
                elif name in money and cell.value is not None:
                    cell.number_format = MONEY_FORMAT
    workbook.save(target)


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("originals")
    paths = []
    for source in sorted((SAMPLE / str(YEAR)).glob("*.xlsx")):
        _clerks_workbook(source, folder / source.name)
        paths.append(folder / source.name)
    return paths


def _landing(root: Path, files: list[Path], rename=lambda name: name) -> Path:
    """A landing area with the sample's reference data and only these files in the year."""
    shutil.copytree(SAMPLE / "referanse", root / "referanse")
    (root / str(YEAR)).mkdir()
    for path in files:
        shutil.copy(path, root / str(YEAR) / rename(path.name))
    return root


def _validate(root: Path):
    return validate_year(root, take_inventory(root, YEAR), load_reference_data(root))


def _figures(result) -> dict:
    """Accepted rows per table and municipality, and the findings, without the file they came in."""
    accepted = sorted(
        (t.kommunenummer, t.table, tuple(sorted((k, str(v)) for k, v in row.items() if k != "file")))
        for t in result.tables
        for row in t.accepted
    )
    findings = sorted((f.kommunenummer, f.table, f.row or 0, f.column, f.rule) for f in result.findings)
    return {"accepted": accepted, "findings": findings, "received": result.rows_received}


def _as_csv_name(name: str) -> str:
    return name.replace("-", "_", 1)  # LibreOffice writes 1824-alis.csv for sheet alis of 1824.xlsx


@pytest.fixture(scope="module")
def original_figures(originals, tmp_path_factory):
    return _figures(_validate(_landing(tmp_path_factory.mktemp("original"), originals)))


def test_the_originals_are_read_with_their_planted_finding(original_figures):
    # six workbooks of 2021 with one alis row, 1–4 vouchers and one coverage row each; the only
    # planted finding among them is 5418's end date before its start date (planted_findings.json)
    assert [f[4] for f in original_figures["findings"]] == ["sluttdato_before_startdato"]
    assert len(original_figures["accepted"]) == original_figures["received"] - 1


def test_workbooks_resaved_by_libreoffice_give_the_same_figures(originals, original_figures, tmp_path):
    (tmp_path / "resaved").mkdir()
    resaved = libreoffice.convert(originals, tmp_path / "resaved", libreoffice.XLSX)
    assert len(resaved) == len(originals)
    assert _figures(_validate(_landing(tmp_path / "landing", resaved))) == original_figures


def test_norwegian_csv_exports_give_the_same_figures(originals, original_figures, tmp_path):
    (tmp_path / "csv").mkdir()
    exported = libreoffice.convert(originals, tmp_path / "csv", libreoffice.CSV_NORWEGIAN_UTF8, "nb-NO")
    assert len(exported) == 3 * len(originals)  # one file per sheet
    sample = next(p for p in exported if p.name.endswith("-kostnader.csv")).read_text("utf-8")
    assert " kr" in sample and "." in sample.splitlines()[1]  # amounts "as shown", dates 06.12.2021
    assert _figures(_validate(_landing(tmp_path / "landing", exported, _as_csv_name))) == original_figures


def test_unicode_text_and_excel_sep_line_give_the_same_figures(originals, original_figures, tmp_path):
    (tmp_path / "u16").mkdir()
    exported = libreoffice.convert(originals, tmp_path / "u16", libreoffice.CSV_UNICODE_TEXT, "nb-NO")
    assert exported[0].read_bytes()[:2] == b"\xff\xfe"  # UTF-16 with its BOM, tab-separated
    for path in exported[: len(exported) // 2]:  # half of them as Excel writes "sep=" first
        path.write_bytes("sep=\t\n".encode("utf-16") + path.read_bytes()[2:])
    assert _figures(_validate(_landing(tmp_path / "landing", exported, _as_csv_name))) == original_figures


def test_american_exports_are_never_guessed(originals, original_figures, tmp_path):
    (tmp_path / "csv").mkdir()
    exported = libreoffice.convert(originals, tmp_path / "csv", libreoffice.CSV_NORWEGIAN_UTF8, "en-US")
    result = _validate(_landing(tmp_path / "landing", exported, _as_csv_name))
    # every date cell is written month first (12/6/2021), and every amount of 1 000 kr or more
    # with a comma for thousands (25,750.27 kr): counted in the originals, each must be a finding
    dates, large_amounts = set(), set()
    for path in originals:
        for sheet in openpyxl.load_workbook(path).worksheets:
            header = [cell.value for cell in sheet[1]]
            for row in sheet.iter_rows(min_row=2):
                for name, cell in zip(header, row, strict=False):
                    where = (path.stem, sheet.title, cell.row, name)
                    if isinstance(cell.value, dt.datetime):
                        dates.add(where)
                    elif cell.number_format == MONEY_FORMAT and abs(cell.value) >= 1000:
                        large_amounts.add(where)
    invalid = {
        (f.kommunenummer, f.table, f.row, f.column) for f in result.findings if f.rule == "invalid_value"
    }
    assert dates and large_amounts and invalid == dates | large_amounts
    hints = [f for f in result.findings if f.rule == "american_settings"]
    files_with_dates = {f.file for f in result.findings if f.rule == "invalid_value"}
    assert sorted(h.file for h in hints) == sorted(files_with_dates)  # one hint per file, no more
    assert "amerikanske innstillinger" in hints[0].message and "norsk (bokmål)" in hints[0].message
    # nothing read as another date: no row with a slashed date is accepted
    accepted_dates = {(t.kommunenummer, t.table, r["row_number"]) for t in result.tables for r in t.accepted}
    assert not {(k, t, row) for k, t, row, _ in invalid} & accepted_dates


def test_a_title_row_above_the_header_names_the_header_row(originals, tmp_path):
    workbook = openpyxl.load_workbook(originals[0])
    sheet = workbook["kostnader"]
    sheet.insert_rows(1)
    sheet["A1"] = "Kostnader 2021"
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    workbook.save(tmp_path / "in" / originals[0].name)
    resaved = libreoffice.convert([tmp_path / "in" / originals[0].name], tmp_path / "out", libreoffice.XLSX)
    result = _validate(_landing(tmp_path / "landing", resaved))
    fatal = [f for f in result.findings if f.severity == "fatal"]
    assert [(f.table, f.rule) for f in fatal] == [("kostnader", "header_not_first_row")]
    assert "står i rad 2, men må stå i rad 1" in fatal[0].message
