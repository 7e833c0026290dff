"""The bad-input corpus: at least one failing case for every rule of the contract and every
fatal condition, each asserting the exact findings (file, table, row, column, rule, severity).

Every case is one year (2021, 365 days) of the small landing area's reference data
(participants 1804 and 1865; 1903 takes no part), with only the files the case names.
"""

import pytest

from alis_nord.contract import all_rules
from tests.submissions import ALIS, COVERAGE, VOUCHER, csv_bytes, workbook_bytes
from tests.submissions import landing_2021 as _landing
from tests.submissions import validate_2021 as _validate

A, K, F = "2021/1804_alis.csv", "2021/1804_kostnader.csv", "2021/1804_fastlegedekning.csv"

# name: (files in 2021/, expected findings as (file, table, row, column, rule, severity))
CASES = {
    "file name breaks the pattern": (
        {"notater 2021.csv": b"x"},
        [("2021/notater 2021.csv", "", None, "", "file_name", "fatal")],
    ),
    "empty file": ({"1804_alis.csv": b""}, [(A, "alis", None, "", "unreadable", "fatal")]),
    "binary garbage named .csv": (
        {"1804_alis.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        [(A, "alis", None, "", "unreadable", "fatal")],
    ),
    "corrupt workbook": (
        {"1804.xlsx": b"PK\x03\x04\x14\x00 cut off"},
        [
            ("2021/1804.xlsx", t, None, "", "unreadable", "fatal")
            for t in ("alis", "kostnader", "fastlegedekning")
        ],
    ),
    "wrong encoding": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {}).replace(b"Kurs\n", b"Kurs \x81\x8d\n")},
        [(K, "kostnader", None, "", "encoding", "fatal")],
    ),
    "workbook without the sheets": (
        {"1804.xlsx": workbook_bytes({"alis": [list(ALIS), list(ALIS.values())]})},
        [("2021/1804.xlsx", t, None, "", "missing_sheet", "fatal") for t in ("kostnader", "fastlegedekning")],
    ),
    "missing column": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {}, drop=("belop",))},
        [(K, "kostnader", None, "", "missing_column", "fatal")],
    ),
    "file from a non-participant": (
        {"1903_alis.csv": csv_bytes(ALIS, {"kommunenummer": "1903"})},
        [("2021/1903_alis.csv", "alis", None, "", "not_participant", "fatal")],
    ),
    "100 001 rows": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, *({"bilagsnummer": f"B{i}"} for i in range(100_001)))},
        [(K, "kostnader", None, "", "too_large", "fatal")],
    ),
    "a title row above the header": (
        {"1804_kostnader.csv": b"Kostnader Bod\xc3\xb8 2021;;\n" + csv_bytes(VOUCHER, {})},
        [(K, "kostnader", None, "", "header_not_first_row", "fatal")],
    ),
    "exported with American settings": (
        # the date is one invalid value (never read as 15 March or 3 15th), the file one hint
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {"bilagsdato": "01/15/2021"})},
        [
            (K, "kostnader", 2, "bilagsdato", "invalid_value", "error"),
            (K, "kostnader", None, "", "american_settings", "warning"),
        ],
    ),
    "American thousands separator in an amount": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {"belop": "12,500.50"})},
        [
            (K, "kostnader", 2, "belop", "invalid_value", "error"),
            (K, "kostnader", None, "", "american_settings", "warning"),
        ],
    ),
    "kommunenummer differs from the file name": (
        {"1804_alis.csv": csv_bytes(ALIS, {"kommunenummer": "1865"})},
        [(A, "alis", 2, "kommunenummer", "kommunenummer_mismatch", "error")],
    ),
    "rapportaar is not the year folder": (
        {"1804_alis.csv": csv_bytes(ALIS, {"rapportaar": "2020"})},
        [(A, "alis", 2, "rapportaar", "rapportaar_mismatch", "error")],
    ),
    "required value missing": (
        {"1804_alis.csv": csv_bytes(ALIS, {"tilsettingsform": "  "})},
        [(A, "alis", 2, "tilsettingsform", "required", "error")],
    ),
    "not a date": (
        {"1804_alis.csv": csv_bytes(ALIS, {"startdato": "31.02.2021"})},
        [(A, "alis", 2, "startdato", "invalid_value", "error")],
    ),
    "amount with three decimals": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {"belop": "100,005"})},
        [(K, "kostnader", 2, "belop", "invalid_value", "error")],
    ),
    "unknown code": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {"kategori": "kaffe"})},
        [(K, "kostnader", 2, "kategori", "invalid_code", "error")],
    ),
    "duplicate voucher number": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {}, {"belop": "50"})},
        [
            (K, "kostnader", 2, "bilagsnummer", "duplicate", "error"),
            (K, "kostnader", 3, "bilagsnummer", "duplicate", "error"),
        ],
    ),
    "hours above the limit": (
        {"1804_alis.csv": csv_bytes(ALIS, {"kurs_timer": "600"})},
        [(A, "alis", 2, "kurs_timer", "out_of_range", "error")],
    ),
    "negative count": (
        {"1804_fastlegedekning.csv": csv_bytes(COVERAGE, {"nye_fastleger": "-1"})},
        [(F, "fastlegedekning", 2, "nye_fastleger", "out_of_range", "error")],
    ),
    "unusually many supervision hours": (
        {"1804_alis.csv": csv_bytes(ALIS, {"individuell_veiledning_timer": "120"})},
        [(A, "alis", 2, "individuell_veiledning_timer", "above_warning_limit", "warning")],
    ),
    "hired before ALIS-Nord": (
        {"1804_alis.csv": csv_bytes(ALIS, {"startdato": "2018-12-31"})},
        [(A, "alis", 2, "startdato", "startdato_out_of_range", "error")],
    ),
    "hired after the year": (
        {"1804_alis.csv": csv_bytes(ALIS, {"startdato": "01.01.2022"})},
        [(A, "alis", 2, "startdato", "startdato_out_of_range", "error")],
    ),
    "left before starting": (
        {
            "1804_alis.csv": csv_bytes(
                ALIS, {"startdato": "01.06.2021", "sluttdato": "01.05.2021", "status": "sluttet"}
            )
        },
        [(A, "alis", 2, "sluttdato", "sluttdato_before_startdato", "error")],
    ),
    "left before the year": (
        {"1804_alis.csv": csv_bytes(ALIS, {"sluttdato": "31.12.2020", "status": "sluttet"})},
        [(A, "alis", 2, "sluttdato", "sluttdato_before_year", "error")],
    ),
    "left without an end date": (
        {"1804_alis.csv": csv_bytes(ALIS, {"status": "spesialist"})},
        [(A, "alis", 2, "sluttdato", "sluttdato_required", "error")],
    ),
    "three ALIS in one municipality": (
        {"1804_alis.csv": csv_bytes(ALIS, {}, {"alis_id": "A1002"}, {"alis_id": "A1003"})},
        [(A, "alis", None, "alis_id", "too_many_alis", "warning")],
    ),
    "too little supervision for a whole year": (
        {"1804_alis.csv": csv_bytes(ALIS, {"individuell_veiledning_timer": "30"})},
        [(A, "alis", 2, "individuell_veiledning_timer", "low_supervision", "warning")],
    ),
    "voucher dated outside the year": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {"bilagsdato": "31.12.2020"})},
        [(K, "kostnader", 2, "bilagsdato", "bilagsdato_outside_year", "error")],
    ),
    "voucher of zero": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {"belop": "0,00"})},
        [(K, "kostnader", 2, "belop", "belop_zero", "error")],
    ),
    "voucher above 2 000 000": (
        {"1804_kostnader.csv": csv_bytes(VOUCHER, {"belop": "-2 000 000,01"})},
        [(K, "kostnader", 2, "belop", "belop_too_large", "error")],
    ),
    "voucher for an unknown ALIS": (
        {
            "1804_alis.csv": csv_bytes(ALIS, {}),
            "1804_kostnader.csv": csv_bytes(
                VOUCHER, {"alis_id": "A9999"}, {"alis_id": "A1001", "bilagsnummer": "B2"}
            ),
        },
        [(K, "kostnader", 2, "alis_id", "alis_id_unknown", "error")],
    ),
    "more vacant than positions": (
        {"1804_fastlegedekning.csv": csv_bytes(COVERAGE, {"ledige_hjemler": "60"})},
        [(F, "fastlegedekning", 2, "ledige_hjemler", "ledige_over_hjemler", "error")],
    ),
    "two coverage rows": (
        {"1804_fastlegedekning.csv": csv_bytes(COVERAGE, {}, {"ledige_hjemler": "4"})},
        [
            (F, "fastlegedekning", 2, "", "not_one_row", "error"),
            (F, "fastlegedekning", 3, "", "not_one_row", "error"),
        ],
    ),
    "no coverage row": (
        {"1804_fastlegedekning.csv": csv_bytes(COVERAGE)},
        [(F, "fastlegedekning", None, "", "not_one_row", "error")],
    ),
}


def _order(finding: tuple) -> tuple:
    file, table, row, column, rule, severity = finding
    return (file, table, row or 0, column, rule, severity)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_bad_input_gives_exactly_its_finding(case, tmp_path):
    files, expected = CASES[case]
    result = _validate(_landing(tmp_path, files))
    found = [(f.file, f.table, f.row, f.column, f.rule, f.severity) for f in result.findings]
    assert sorted(found, key=_order) == sorted(expected, key=_order)
    # nothing lost, nothing invented: every row is accepted or quarantined, errors quarantine
    assert result.rows_received == sum(len(t.accepted) for t in result.tables) + len(result.quarantined)
    quarantined = {(q.file, q.row) for q in result.quarantined}
    for file, _table, row, _column, _rule, severity in expected:
        if severity == "error" and row is not None:
            assert (file, row) in quarantined
        if severity == "warning":
            assert (file, row) not in quarantined


def test_the_corpus_covers_every_rule_of_the_contract():
    covered = {finding[4] for _, expected in CASES.values() for finding in expected}
    assert covered == set(all_rules())


def test_a_rejected_table_quarantines_every_row_and_counts_them(tmp_path):
    result = _validate(
        _landing(tmp_path, {"1903_alis.csv": csv_bytes(ALIS, {"kommunenummer": "1903"}, {"alis_id": "A2"})})
    )
    assert result.rows_received == 2 and len(result.quarantined) == 2
    assert result.tables[0].rejected


def test_messages_are_bokmal_and_name_the_fix(tmp_path):
    files = {
        "1804_alis.csv": csv_bytes(ALIS, {"startdato": "31.02.2021", "kurs_timer": "600"}),
        "1804_kostnader.csv": csv_bytes(VOUCHER, {}, {"belop": "50"}),
        "1804_fastlegedekning.csv": csv_bytes(COVERAGE, {"nye_fastleger": "-1"}),
    }
    messages = {(f.file, f.rule, f.row): f.message for f in _validate(_landing(tmp_path, files)).findings}
    assert messages[(A, "invalid_value", 2)] == (
        "Rad 2: startdato «31.02.2021» kan ikke leses. Skriv en gyldig dato, for eksempel 15.03.2021 eller 2021-03-15."
    )
    assert messages[(A, "out_of_range", 2)] == "Rad 2: kurs_timer er 600, men må være mellom 0 og 500."
    assert messages[(F, "out_of_range", 2)] == "Rad 2: nye_fastleger er -1, men må være minst 0."
    assert messages[(K, "duplicate", 2)] == (
        "Rad 2: bilagsnummer «B1» står også på rad 3. Verdien må være unik; rett opp og send filen på nytt."
    )
