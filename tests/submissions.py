"""Submissions built in the tests: rows with every column of a table (override the ones a case is
about), as a ';'-separated file or a workbook, and a landing area of one year (2021, 365 days) with
the small landing area's reference data (participants 1804 and 1865; 1903 takes no part) and only
the files a case names. The bad-input corpus (tests/test_bad_input_corpus.py) is built from them."""

import csv
import io

from alis_nord.landing import take_inventory
from alis_nord.reference_parsing import load_reference_data
from alis_nord.validation import validate_year
from tests.small_landing import REFERENCE

ALIS = {
    "kommunenummer": "1804",
    "rapportaar": "2021",
    "alis_id": "A1001",
    "tilsettingsform": "fastlønn",
    "startdato": "01.03.2019",
    "sluttdato": "",
    "status": "aktiv",
    "individuell_veiledning_timer": "48",
    "gruppeveiledning_timer": "24",
    "kurs_timer": "40",
    "sykehustjeneste": "ikke_startet",
    "laeringsmaal_godkjent_prosent": "35",
}
VOUCHER = {
    "kommunenummer": "1804",
    "rapportaar": "2021",
    "bilagsnummer": "B1",
    "bilagsdato": "15.01.2021",
    "kategori": "kurs",
    "finansieringskilde": "helsedirektoratet",
    "belop": "1000",
    "alis_id": "",
    "beskrivelse": "Kurs",
}
COVERAGE = {
    "kommunenummer": "1804",
    "rapportaar": "2021",
    "fastlegehjemler": "52",
    "ledige_hjemler": "3",
    "innbyggere_uten_fastlege": "2800",
    "nye_fastleger": "4",
    "fastleger_sluttet": "2",
}


def csv_bytes(template: dict, *rows: dict, drop: tuple[str, ...] = ()) -> bytes:
    """A ';'-separated UTF-8 file with the template's columns and one line per row of overrides."""
    columns = [c for c in template if c not in drop]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([{**template, **row}[c] for c in columns])
    return out.getvalue().encode("utf-8")


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def landing_2021(tmp_path, files: dict[str, bytes]):
    """A landing area under ``tmp_path`` with the reference data and ``files`` (name → bytes) in 2021/."""
    root = tmp_path / "landing"
    (root / "referanse").mkdir(parents=True)
    for name, text in REFERENCE.items():
        (root / "referanse" / name).write_text(text, encoding="utf-8")
    (root / "2021").mkdir()
    for name, data in files.items():
        (root / "2021" / name).write_bytes(data)
    return root


def validate_2021(root):
    """Validation of the landing area's 2021, as the pipeline does it."""
    return validate_year(root, take_inventory(root, 2021), load_reference_data(root))
