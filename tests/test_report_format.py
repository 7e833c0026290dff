"""What a reader sees: Norwegian number and date forms, safe text, safe spreadsheets."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from alis_nord.norsk import dato, kr, organisasjonsnummer, prosent, tall
from alis_nord.readers import RawTable, ReadFailure, read_csv, workbook_sheets
from alis_nord.report import findings_csv, spreadsheet_safe
from tests.fuzzing import examples

NBSP = "\u00a0"


def test_norwegian_number_forms():
    assert kr(Decimal("1234567.5")) == f"1{NBSP}234{NBSP}567,50{NBSP}kr"
    assert kr(Decimal("0.125")) == f"0,13{NBSP}kr"  # half up, not Babel's half-even 0,12
    assert kr(Decimal("-2500.25")) == f"\u22122{NBSP}500,25{NBSP}kr"  # a real minus sign
    assert kr(Decimal("1234.50"), 0) == f"1{NBSP}235{NBSP}kr"
    assert tall(41) == "41" and tall(23400000) == f"23{NBSP}400{NBSP}000"
    assert prosent(Decimal("12.345")) == f"12,3{NBSP}%"
    assert organisasjonsnummer("972418013") == f"972{NBSP}418{NBSP}013"  # Bodø kommune


def test_norwegian_dates():
    assert dato(dt.date(2021, 3, 30)) == "30. mars 2021"
    assert dato(dt.date(2020, 6, 25)) == "25. juni 2020"


def test_formulas_never_reach_a_spreadsheet():
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-2 500,25") == "-2 500,25"  # a credit note stays a number
    assert spreadsheet_safe("vanlig tekst") == "vanlig tekst"
    row = {
        "kommunenummer": "1804",
        "file": "f.csv",
        "table_name": "kostnader",
        "row_number": 3,
        "column_name": "beskrivelse",
        "rule": "invalid_code",
        "severity": "error",
        "value": "=cmd|' /C calc'!A0",
        "message": "Rad 3: …",
    }
    import csv
    import io

    written = list(csv.reader(io.StringIO(findings_csv([row]))))
    assert written[1][7] == "'=cmd|' /C calc'!A0"


@settings(max_examples=examples(300))  # derandomized in CI (tests/fuzzing.py)
@given(st.binary(max_size=2000))
def test_any_bytes_become_a_table_or_a_finding(data):
    assert isinstance(read_csv(data), RawTable | ReadFailure)
    assert isinstance(workbook_sheets(b"PK\x03\x04" + data), dict | ReadFailure)
