"""Reading every file form the format allows, and choosing files from the landing area."""

import datetime as dt
import io

from alis_nord.landing import INVALID_NAME, NARRATIVE, SUPERSEDED, USED, parse_file_name, take_inventory
from alis_nord.readers import (
    MAX_FILE_BYTES,
    ReadFailure,
    fold,
    read_csv,
    read_workbook_table,
    workbook_sheets,
)

HEADER = "kommunenummer;belop;bilagsdato\n"


def test_utf8_semicolon_decimal_comma():
    table = read_csv((HEADER + "1804;12\u00a0500,50;15.03.2020\n").encode("utf-8"))
    assert table.encoding == "utf-8" and table.delimiter == ";"
    assert table.rows[0].values == {
        "kommunenummer": "1804",
        "belop": "12\u00a0500,50",
        "bilagsdato": "15.03.2020",
    }


def test_utf8_with_bom_and_comma_separator():
    table = read_csv(b"\xef\xbb\xbfkommunenummer,belop,bilagsdato\r\n1804,12500.50,2020-03-15\r\n")
    assert table.encoding == "utf-8-sig" and table.delimiter == ","
    assert table.columns == ["kommunenummer", "belop", "bilagsdato"]  # the BOM is not part of the first name
    assert table.rows[0].get("belop") == "12500.50"


def test_windows_1252_keeps_norwegian_letters():
    table = read_csv("kommunenummer;beskrivelse\n1865;Reise til Svolvær – «kurs»\n".encode("cp1252"))
    assert table.encoding == "cp1252"
    assert table.rows[0].get("beskrivelse") == "Reise til Svolvær – «kurs»"


def test_headers_and_codes_fold_case_space_and_norwegian_letters():
    assert fold(" Kurs ") == "kurs"
    assert fold("Næringsdrift") == fold("naeringsdrift") == "naeringsdrift"
    assert fold("fastlønn") == fold("fastlonn")
    assert fold("pågår") == fold("pagar") == fold("paagaar")
    table = read_csv(b" Kommunenummer ; Rapportaar \n1804;2020\n")
    assert table.rows[0].get("rapportaar") == "2020"


def test_empty_rows_are_ignored_but_row_numbers_stay_as_the_clerk_sees_them():
    table = read_csv((HEADER + "1804;1;01.01.2020\n;;\n\n1804;2;02.01.2020\n").encode())
    assert [row.row_number for row in table.rows] == [2, 5]


def test_unreadable_inputs_become_failures_not_exceptions():
    assert read_csv(b"").rule == "unreadable"
    assert read_csv(b"\x00\x01\x02PK garbage").rule == "unreadable"
    # 0x81 is undefined in Windows-1252 and invalid UTF-8: no encoding the format allows reads it
    assert read_csv(b"kommunenummer\n18\x81\x8d04\n").rule == "encoding"
    assert workbook_sheets(b"PK\x03\x04 not really a workbook").rule == "unreadable"


def test_workbook_with_real_dates_and_a_missing_sheet():
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Kostnader"
    sheet.append(["kommunenummer", "belop", "bilagsdato"])
    sheet.append([])
    sheet.append([1804, 12500.5, dt.datetime(2020, 3, 15)])
    buffer = io.BytesIO()
    wb.save(buffer)
    sheets = workbook_sheets(buffer.getvalue())
    table = read_workbook_table(sheets, "kostnader", only_table=False)
    assert table.rows[0].row_number == 3  # the empty row 2 still counts in the numbering
    assert table.rows[0].values == {
        "kommunenummer": 1804,
        "belop": 12500.5,
        "bilagsdato": dt.datetime(2020, 3, 15),
    }
    missing = read_workbook_table(sheets, "alis", only_table=False)
    assert isinstance(missing, ReadFailure) and missing.rule == "missing_sheet"
    assert "kostnader" in missing.detail  # tells the clerk which sheets the file has


def test_file_names():
    assert parse_file_name("1804_kostnader.csv").tables == ("kostnader",)
    assert parse_file_name("5402_KOSTNADER_v2.CSV").version == 2
    assert parse_file_name("1903.xlsx").tables == ("alis", "kostnader", "fastlegedekning")
    assert parse_file_name("1903_alis.xlsx").tables == ("alis",)
    for bad in (
        "1804.csv",
        "1804_kaffe.csv",
        "Alta kostnader 2021.csv",
        "180_alis.csv",
        "1804_alis_v0.csv",
        "1804_alis.txt",
    ):
        assert parse_file_name(bad) is None, bad


def test_inventory_uses_the_highest_version_and_keeps_the_rest(small_landing):
    inventory = take_inventory(small_landing, 2020)
    status = {f.path: f.status for f in inventory.files}
    assert status["2020/1865_kostnader_v2.csv"] == USED
    assert status["2020/1865_kostnader.csv"] == SUPERSEDED
    assert status["2020/Kostnader Vågan.csv"] == INVALID_NAME
    assert status["2020/tekst/01-aaret.md"] == NARRATIVE
    assert not any(path.startswith("referanse/") for path in status)  # reference_data's, hashed there
    sources = {(s.kommunenummer, s.table): s.path for s in inventory.sources}
    assert sources[("1865", "kostnader")] == "2020/1865_kostnader_v2.csv"
    assert len(sources) == 6  # 1804 × 3 tables, 1865 × 2, 1903 × 1
    import hashlib

    v2 = next(f for f in inventory.files if f.path == "2020/1865_kostnader_v2.csv")
    assert v2.sha256 == hashlib.sha256((small_landing / v2.path).read_bytes()).hexdigest()


def test_reference_files_are_read_once_hashed_and_survive_the_warehouse(small_landing):
    import hashlib

    from alis_nord.reference import from_document, to_document
    from alis_nord.reference_parsing import (
        load_reference_data,
        parse_reference_data,
        read_reference_files,
        reference_files,
    )

    files = read_reference_files(small_landing)
    assert sorted(files) == [
        "referanse/budsjett.csv",
        "referanse/deltakerkommuner.csv",
        "referanse/prosjekt.yaml",
        "referanse/satser.csv",
        "referanse/tilskudd.csv",
    ]
    listed = {f.path: f for f in reference_files(files)}
    satser = (small_landing / "referanse" / "satser.csv").read_bytes()
    assert listed["referanse/satser.csv"].sha256 == hashlib.sha256(satser).hexdigest()
    assert listed["referanse/satser.csv"].size_bytes == len(satser)
    reference = parse_reference_data(files)
    assert reference == load_reference_data(small_landing)
    # through JSON and back, exactly: 23 400 000,00 stays a Decimal, 25.06.2020 a date
    import json

    document = json.loads(json.dumps(to_document(reference)))
    assert from_document(document) == reference
    assert document["grants"][0]["belop"] == "23400000.00"
    assert document["grants"][0]["vedtaksdato"] == "2020-06-25"


def test_a_broken_reference_file_names_the_file_and_row(small_landing):
    import pytest

    from alis_nord.reference import ReferenceDataError
    from alis_nord.reference_parsing import load_reference_data

    path = small_landing / "referanse" / "tilskudd.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("25.06.2020", "25.13.2020"), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"referanse/tilskudd.csv row 2: '25.13.2020' is not a date"):
        load_reference_data(small_landing)


def test_a_csv_beats_a_workbook_of_the_same_version(tmp_path):
    (tmp_path / "2021").mkdir(parents=True)
    (tmp_path / "2021" / "1804.xlsx").write_bytes(b"")
    (tmp_path / "2021" / "1804_alis.csv").write_bytes(b"")
    sources = {s.table: s.path for s in take_inventory(tmp_path, 2021).sources}
    assert sources == {
        "alis": "2021/1804_alis.csv",
        "kostnader": "2021/1804.xlsx",
        "fastlegedekning": "2021/1804.xlsx",
    }


# ---------------------------------------------------------------- what other writers send


def _workbook_with(rows: list[list]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "kostnader"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _replace_part(data: bytes, name: str, change) -> bytes:
    """The workbook with one part's text changed (or, given a callable writing to a stream, rewritten)."""
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != name:
                out.writestr(info, source.read(info))
            else:
                with out.open(name, "w") as stream:
                    change(source.read(info), stream)
    return target.getvalue()


def test_a_wrong_stored_dimension_does_not_hide_rows():
    import re

    rows = [["kommunenummer", "belop"], *([1804, n] for n in range(1, 6))]
    data = _replace_part(
        _workbook_with(rows),
        "xl/worksheets/sheet1.xml",
        lambda xml, out: out.write(re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', xml)),
    )
    table = workbook_sheets(data)["kostnader"]
    # 5 data rows (rows 2–6), both columns, as written
    assert [row.row_number for row in table.rows] == [2, 3, 4, 5, 6]
    assert [row.get("belop") for row in table.rows] == [1, 2, 3, 4, 5]


def _millions_of_rows(xml: bytes, out) -> None:
    """The sheet part rewritten to 2 000 000 data rows below the header, written as it goes."""
    head, _, _ = xml.partition(b"<sheetData>")
    out.write(head + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>belop</t></is></c></row>')
    for start in range(2, 2_000_002, 10_000):
        out.write(
            b"".join(
                b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(start, start + 10_000)
            )
        )
    out.write(b"</sheetData></worksheet>")


def test_a_packed_workbook_of_millions_of_rows_is_rejected_after_max_rows_plus_one():
    import time
    import tracemalloc

    data = _replace_part(_workbook_with([["belop"]]), "xl/worksheets/sheet1.xml", _millions_of_rows)
    assert len(data) < MAX_FILE_BYTES  # about 10 MB on disk: the 20 MB file limit alone lets it in
    tracemalloc.start()
    started = time.perf_counter()
    result = workbook_sheets(data)["kostnader"]
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(result, ReadFailure) and result.rule == "too_large"
    assert result.detail == "mer enn 100 000 rader"
    # reading the whole sheet would hold 2 000 000 rows (well over 1 GB of Python objects) and
    # take minutes; reading 100 001 rows of one cell stays far below both
    assert peak < 150 * 1024 * 1024, peak
    assert seconds < 60, seconds


def test_a_workbook_that_unpacks_too_large_is_rejected_before_it_is_unpacked(monkeypatch):
    from alis_nord import readers

    monkeypatch.setattr(readers, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)

    def padding(xml, out):
        return out.write(
            xml.replace(b"</worksheet>", b"<!--" + b" " * (5 * 1024 * 1024) + b"--></worksheet>")
        )

    data = _replace_part(_workbook_with([["belop"], [1]]), "xl/worksheets/sheet1.xml", padding)
    result = workbook_sheets(data)
    assert isinstance(result, ReadFailure) and result.rule == "too_large"
    assert result.detail == "5 MB når filen pakkes ut"  # 5 MiB of padding plus the small parts, in whole MB


def test_a_csv_stops_being_read_after_max_rows_plus_one():
    lines = "".join(f"1804;{n};01.01.2021\n" for n in range(150_000))
    result = read_csv((HEADER + lines).encode())
    assert isinstance(result, ReadFailure) and result.rule == "too_large"


def test_excel_sep_line_names_the_separator_and_is_not_a_row():
    table = read_csv(b"sep=,\r\nkommunenummer,belop;x\r\n1804,12;5\r\n")
    assert table.delimiter == "," and table.columns == ["kommunenummer", "belop;x"]
    assert table.rows[0].row_number == 2 and table.rows[0].get("belop;x") == "12;5"


def test_unicode_text_utf16_with_tabs_is_read():
    text = "kommunenummer\tbeskrivelse\r\n1804\tReise til Svolvær\r\n"
    table = read_csv(text.encode("utf-16"))  # Python writes the BOM, as Excel does
    assert table.encoding == "utf-16" and table.delimiter == "\t"
    assert table.rows[0].get("beskrivelse") == "Reise til Svolvær"


def test_utf16_without_a_bom_says_how_to_save_the_file():
    failure = read_csv("kommunenummer;belop\n1804;12\n".encode("utf-16-le"))
    assert failure.rule == "encoding" and "CSV UTF-8" in failure.detail


def test_a_title_row_above_the_header_names_the_row_the_header_is_in(tmp_path):
    from tests.submissions import VOUCHER, csv_bytes
    from tests.submissions import landing_2021 as _landing
    from tests.submissions import validate_2021 as _validate

    data = b"Kostnader 2021\n\n" + csv_bytes(VOUCHER, {})  # title in row 1, empty row 2, header row 3
    findings = _validate(_landing(tmp_path, {"1804_kostnader.csv": data})).findings
    assert [(f.rule, f.message) for f in findings] == [
        (
            "header_not_first_row",
            "Overskriftene i tabellen «kostnader» står i rad 3, men må stå i rad 1. "
            "Slett radene over overskriftene og send filen på nytt.",
        )
    ]
