"""Receiving a delivered file (alis_nord/receiving.py): what it is, which table, the name it is
stored under, and the control's answer, on small files and tests/small_landing.py's area.

Counts by hand: the contract's alis table has 12 columns, kostnader 9 and fastlegedekning 7
(data_contracts/*.yaml); kommunenummer and rapportaar are in all three, alis_id in alis and
kostnader. A header row names a table when it holds at least half of its columns (alis 6,
kostnader 5, fastlegedekning 4).
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest

from alis_nord import receiving
from alis_nord.deliveries import NOTHING_TO_REPORT as STATUS_NOTHING_TO_REPORT
from alis_nord.deliveries import table_statuses
from alis_nord.delivery_log import NOTHING_TO_REPORT, REFUSED, STORED, STORED_WITH_ERRORS
from alis_nord.landing import inventory_rows, take_inventory
from alis_nord.readers import fold
from alis_nord.reference_parsing import load_reference_data
from alis_nord.self_check import control
from alis_nord.stored_validation import warehouse_rows
from alis_nord.validation import validate_year
from tests.small_landing import ALIS_HEADER, COVERAGE_HEADER, VOUCHER_HEADER

ALIS_ROW = "1804;2020;A1001;fastlønn;01.03.2019;;aktiv;48;24;40;ikke_startet;35"  # Bodø's first ALIS


def _folded(header: str) -> list[str]:
    return [fold(cell) for cell in header.split(";")]


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# ---------------------------------------------------------------- what the file is


def test_the_content_decides_what_a_file_is_never_its_name():
    assert receiving.sniff(ALIS_HEADER.encode("utf-8")) == "csv"
    assert receiving.sniff(ALIS_HEADER.encode("cp1252")) == "csv"  # Windows-1252 decodes too
    assert receiving.sniff("\ufeff".encode("utf-16-le") + ALIS_HEADER.encode("utf-16-le")) == "csv"
    assert receiving.sniff(_workbook({"alis": [ALIS_HEADER.split(";")]})) == "xlsx"
    assert receiving.sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") is None  # a picture
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")  # a zip, but no workbook
    assert receiving.sniff(archive.getvalue()) is None
    assert receiving.sniff(b"PK\x03\x04 not really an archive") is None


def test_a_table_is_recognised_from_its_header_row():
    assert receiving.recognise_header(_folded(ALIS_HEADER)) == "alis"
    assert receiving.recognise_header(_folded(VOUCHER_HEADER)) == "kostnader"
    assert receiving.recognise_header(_folded(COVERAGE_HEADER)) == "fastlegedekning"
    # headers as a clerk types them: upper case, spaces around, «æøå» written out
    assert receiving.recognise_header(
        _folded(" Kommunenummer ;RAPPORTAAR;Fastlegehjemler;ledige_hjemler")
    ) == (
        "fastlegedekning"  # 4 of its 7 columns
    )
    assert receiving.recognise_header(_folded("kommunenummer;rapportaar;fastlegehjemler")) is None  # 3 of 7
    # kostnader without beskrivelse: 8 of 9 columns; the control then says which one is missing
    assert receiving.recognise_header(_folded(VOUCHER_HEADER.rsplit(";", 1)[0])) == "kostnader"
    # the three columns alis and kostnader share: 3 of 12 and 3 of 9, neither table
    assert receiving.recognise_header(["kommunenummer", "rapportaar", "alis_id"]) is None
    assert receiving.recognise_header(["navn", "adresse"]) is None


def test_a_csv_file_with_a_title_above_its_header_is_still_recognised():
    data = ("ALIS-leger i Bodø 2020\n" + ALIS_HEADER + "\n" + ALIS_ROW + "\n").encode()
    assert receiving.recognise(data, "csv") == receiving.Recognised("csv", ("alis",))


def test_a_workbook_is_recognised_sheet_by_sheet_whatever_the_sheets_are_called():
    one = _workbook({"Ark1": [VOUCHER_HEADER.split(";")], "Ark2": []})
    assert receiving.recognise(one, "xlsx") == receiving.Recognised("xlsx", ("kostnader",))
    two = _workbook({"fastlegedekning": [COVERAGE_HEADER.split(";")], "Bilag": [VOUCHER_HEADER.split(";")]})
    assert receiving.recognise(two, "xlsx") == receiving.Recognised("xlsx", ("kostnader", "fastlegedekning"))
    refused = receiving.recognise(_workbook({"Ark1": [["navn", "adresse"]]}), "xlsx")
    assert refused["rule"] == receiving.UNKNOWN_TABLE and refused["severity"] == "fatal"


def test_the_small_landing_areas_workbook_holds_all_three_tables(small_landing):
    data = (small_landing / "2019" / "1804.xlsx").read_bytes()  # sheets ALIS, kostnader, fastlegedekning
    assert receiving.recognise(data, "xlsx") == receiving.Recognised(
        "xlsx", ("alis", "kostnader", "fastlegedekning")
    )


# ---------------------------------------------------------------- the name it is stored under


def test_the_contract_name_of_one_table_and_of_a_workbook_of_several():
    assert receiving.contract_name("1804", ("alis",), "csv", 1) == "1804_alis.csv"
    assert receiving.contract_name("1804", ("kostnader",), "xlsx", 2) == "1804_kostnader_v2.xlsx"
    assert receiving.contract_name("1804", ("alis", "kostnader"), "xlsx", 1) == "1804.xlsx"
    assert (
        receiving.contract_name("1804", ("alis", "kostnader", "fastlegedekning"), "xlsx", 3) == "1804_v3.xlsx"
    )
    with pytest.raises(ValueError):
        receiving.contract_name("1804", ("alis", "kostnader"), "csv", 1)


def test_the_next_version_comes_after_every_file_the_pipeline_would_weigh():
    names = [
        "1804_alis.csv",  # alis v1
        "1804_alis_v3.csv",  # alis v3 (no v2: versions need not follow one another)
        "1804_KOSTNADER_V4.CSV",  # kostnader v4, in capitals
        "1804_fastlegedekning.csv",  # v1
        "1804_alis (2).csv",  # not a name of the contract: never read, no version
        "1865_alis_v9.csv",  # another municipality's
    ]
    assert receiving.next_version(names, "1804", ("alis",)) == 4  # after v3
    assert receiving.next_version(names, "1804", ("kostnader",)) == 5  # after V4, whatever its case
    assert receiving.next_version(names, "1804", ("fastlegedekning",)) == 2
    assert receiving.next_version(names, "1865", ("kostnader",)) == 1  # its first
    assert receiving.next_version(names, "5444", ("alis",)) == 1
    # a workbook 1804_v6.xlsx gives every table: a CSV of one table must come after it to be used
    assert receiving.next_version([*names, "1804_v6.xlsx"], "1804", ("fastlegedekning",)) == 7
    # and a workbook of every table comes after every table's file
    assert receiving.next_version(names, "1804", ("alis", "kostnader", "fastlegedekning")) == 5


# ---------------------------------------------------------------- storing


def test_a_name_taken_by_a_concurrent_writer_moves_the_file_on_to_the_next_version(tmp_path):
    landing = tmp_path / "landing"
    year = landing / "2020"
    year.mkdir(parents=True)
    (year / "1804_alis.csv").write_bytes(b"first")
    staged = receiving.stage(b"mine", landing)
    # the caller listed the folder, saw v1 and ran the control as v2; the office then dropped its v2
    (year / "1804_alis_v2.csv").write_bytes(b"the office's")
    assert receiving.place(staged, year, "1804", ("alis",), "csv", at_least=2) == "1804_alis_v3.csv"
    assert _files(year) == {
        "1804_alis.csv": b"first",
        "1804_alis_v2.csv": b"the office's",  # untouched
        "1804_alis_v3.csv": b"mine",
    }
    assert staged.read_bytes() == b"mine"  # the staged file is the caller's to remove
    assert staged.parent == landing / ".levering"


def test_writers_at_the_same_time_each_get_a_version_of_their_own(tmp_path):
    landing = tmp_path / "landing"
    year = landing / "2020"
    staged = [receiving.stage(f"file {i}".encode(), landing) for i in range(12)]
    names: list[str] = []
    start = threading.Barrier(len(staged))

    def write(path: Path) -> None:
        start.wait()
        names.append(receiving.place(path, year, "1804", ("kostnader",), "csv"))

    threads = [threading.Thread(target=write, args=(path,)) for path in staged]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # twelve files: 1804_kostnader.csv, then _v2 … _v12, each holding the bytes of one writer
    assert sorted(names) == sorted(
        ["1804_kostnader.csv"] + [f"1804_kostnader_v{v}.csv" for v in range(2, 13)]
    )
    assert sorted(_files(year).values()) == sorted(f"file {i}".encode() for i in range(12))


# ---------------------------------------------------------------- receiving


def test_a_file_with_an_error_row_is_stored_with_the_controls_answer(small_landing):
    """Bodø's 2020 vouchers sent again: six vouchers (B1–B6; the empty line is not a row), the
    «kaffe» voucher in line 8 (header, B1–B4, the empty line, B5, then it) has an unknown category."""
    data = (small_landing / "2020" / "1804_kostnader.csv").read_bytes()
    before = _files(small_landing / "2020")
    receipt = receiving.receive(data, "1804", 2020, small_landing, load_reference_data(small_landing))
    assert receipt.outcome == STORED_WITH_ERRORS
    assert receipt.stored_name == "2020/1804_kostnader_v2.csv"  # after 1804_kostnader.csv
    assert (small_landing / receipt.stored_name).read_bytes() == data
    assert receipt.sha256 == hashlib.sha256(data).hexdigest() and receipt.size == len(data)
    assert [(f["severity"], f["row"], f["column"], f["rule"]) for f in receipt.findings] == [
        ("error", 8, "kategori", "invalid_code")
    ]
    assert receipt.results == (
        {
            "table": "kostnader",
            "title": "Kostnader (bilag)",
            "received": 6,
            "accepted": 5,
            "quarantined": 1,
            "rejected": False,
        },
    )
    assert _files(small_landing / "2020").keys() - before.keys() == {"1804_kostnader_v2.csv"}
    assert list((small_landing / ".levering").iterdir()) == []  # the staged file is gone


def test_a_voucher_is_checked_against_the_municipalitys_alis_table(small_landing):
    """B1 and B3 name A1001 and B4 A1002, Bodø's two ALIS in 1804_alis.csv: known. The control of
    the vouchers alone (no alis table beside them) would flag all three; with every file of Bodø
    beside them it finds what the control with the alis table alone finds."""
    reference = load_reference_data(small_landing)
    vouchers = small_landing / "2020" / "1804_kostnader.csv"
    alone = control([("1804_kostnader_v2.csv", vouchers)], 2020, reference).of_file("1804_kostnader_v2.csv")
    assert sorted((f.row, f.rule) for f in alone.findings) == [
        (2, "alis_id_unknown"),
        (4, "alis_id_unknown"),
        (5, "alis_id_unknown"),
        (8, "invalid_code"),
    ]
    every_file = [(p.name, p) for p in sorted((small_landing / "2020").glob("1804_*.csv"))]
    whole = control([*every_file, ("1804_kostnader_v2.csv", vouchers)], 2020, reference).of_file(
        "1804_kostnader_v2.csv"
    )
    receipt = receiving.receive(vouchers.read_bytes(), "1804", 2020, small_landing, reference)
    assert (
        [(f["row"], f["rule"]) for f in receipt.findings]
        == [(f.row, f.rule) for f in whole.findings]
        == [(8, "invalid_code")]
    )


def test_a_correct_workbook_is_stored_under_the_municipalitys_number_as_the_next_version(small_landing):
    data = (small_landing / "2019" / "1804.xlsx").read_bytes()
    receipt = receiving.receive(data, "1804", 2019, small_landing, load_reference_data(small_landing))
    assert (receipt.outcome, receipt.stored_name, receipt.findings) == (STORED, "2019/1804_v2.xlsx", ())
    assert receipt.table_name == "alis,kostnader,fastlegedekning"
    # one row in each sheet (tests/small_landing.py's 2019 workbook), each accepted
    assert {(t["table"], t["received"], t["accepted"]) for t in receipt.results} == {
        ("alis", 1, 1),
        ("kostnader", 1, 1),
        ("fastlegedekning", 1, 1),
    }


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", receiving.FILE_TYPE),  # a picture named .csv
        (b"navn;adresse\nKari;Storgata 1\n", receiving.UNKNOWN_TABLE),  # a CSV of no table
        (b"", "unreadable"),  # an empty file («Filen er tom.»)
        # alis without sykehustjeneste: 11 of 12 columns, recognised; the control rejects it
        (
            (
                ALIS_HEADER.replace(";sykehustjeneste", "")
                + "\n1804;2020;A1001;fastlønn;01.03.2019;;aktiv;48;24;40;35\n"
            ).encode(),
            "missing_column",
        ),
        # a title above the header: the control says where the header must be
        (("ALIS 2020\n" + ALIS_HEADER + "\n" + ALIS_ROW + "\n").encode(), "header_not_first_row"),
    ],
    ids=["png", "no-table", "empty", "missing-column", "title-row"],
)
def test_a_file_with_a_fatal_finding_is_not_stored(small_landing, content, rule):
    before = _files(small_landing / "2020")
    receipt = receiving.receive(content, "1804", 2020, small_landing, load_reference_data(small_landing))
    assert receipt.outcome == REFUSED and receipt.stored_name is None
    assert [f["rule"] for f in receipt.findings if f["severity"] == "fatal"] == [rule]
    assert all(f["message"] for f in receipt.findings)
    assert _files(small_landing / "2020") == before  # nothing added, nothing changed
    assert not list((small_landing / ".levering").glob("*"))


def test_the_missing_column_is_named_in_the_answer(small_landing):
    content = (ALIS_HEADER.replace(";sykehustjeneste", "") + "\n").encode()
    receipt = receiving.receive(content, "1804", 2020, small_landing, load_reference_data(small_landing))
    (finding,) = receipt.findings
    assert "mangler kolonnen sykehustjeneste" in finding["message"]


def test_a_workbook_of_two_tables_is_refused_for_the_sheet_it_lacks(small_landing):
    """Named 1804.xlsx (the only name for more than one table), it is read for all three tables,
    and fastlegedekning's sheet is not there: fatal, as a run would find."""
    data = _workbook(
        {
            "alis": [ALIS_HEADER.split(";"), ALIS_ROW.split(";")],
            "kostnader": [VOUCHER_HEADER.split(";")],
        }
    )
    receipt = receiving.receive(data, "1804", 2020, small_landing, load_reference_data(small_landing))
    assert (receipt.outcome, receipt.tables, receipt.stored_name) == (REFUSED, ("alis", "kostnader"), None)
    fatal = [f for f in receipt.findings if f["severity"] == "fatal"]
    assert [(f["rule"], f["table"]) for f in fatal] == [("missing_sheet", "fastlegedekning")]
    assert "Arbeidsboken mangler arket «fastlegedekning»" in fatal[0]["message"]


def test_a_file_over_the_limit_is_refused_unread(small_landing):
    from alis_nord.readers import MAX_FILE_BYTES

    data = b"x" * (MAX_FILE_BYTES + 1)
    receipt = receiving.receive(data, "1804", 2020, small_landing, load_reference_data(small_landing))
    assert receipt.outcome == REFUSED and receipt.size == MAX_FILE_BYTES + 1
    assert "20 971 521 byte" in receipt.findings[0]["message"]  # 20 × 1 048 576 + 1


def test_nothing_to_report_reads_back_as_such_through_the_pipelines_validation(small_landing):
    """Vågan declares its vouchers empty for 2020: its v1 and v2 are there, so the header-only file
    is v3, the version used; validation takes it in with no rows, and the status is «ingenting å
    rapportere» (alis_nord.deliveries), as for a clerk who sent the header row by hand."""
    receipt = receiving.nothing_to_report("kostnader", "1865", 2020, small_landing)
    assert (receipt.outcome, receipt.stored_name) == (NOTHING_TO_REPORT, "2020/1865_kostnader_v3.csv")
    stored = (small_landing / receipt.stored_name).read_bytes()
    assert stored == (VOUCHER_HEADER + "\r\n").encode() == receiving.header_only("kostnader")
    assert receipt.sha256 == hashlib.sha256(stored).hexdigest()

    reference = load_reference_data(small_landing)
    inventory = take_inventory(small_landing, 2020)
    validation = validate_year(small_landing, inventory, reference)
    (vouchers,) = [t for t in validation.tables if (t.kommunenummer, t.table) == ("1865", "kostnader")]
    assert (vouchers.file, vouchers.rows_received, vouchers.rejected) == (
        "2020/1865_kostnader_v3.csv",
        0,
        False,
    )
    assert not [f for f in validation.findings if f.file == vouchers.file]
    rows = {"input_files": inventory_rows(inventory), **warehouse_rows(validation)}
    statuses = {(s.kommunenummer, s.table_name): s.status for s in table_statuses(2020, reference, rows)}
    assert statuses[("1865", "kostnader")] == STATUS_NOTHING_TO_REPORT
    with pytest.raises(ValueError):
        receiving.nothing_to_report("fastlegedekning", "1865", 2020, small_landing)  # always has its row


def test_a_sent_name_is_kept_as_text_only():
    assert receiving.sent_name_text("../../etc/passwd") == "../../etc/passwd"  # text: it never reaches a path
    assert receiving.sent_name_text("a\r\nb.csv") == "a\ufffd\ufffdb.csv"
    assert receiving.sent_name_text("alis\u202evsc.csv") == "alis\ufffdvsc.csv"  # a direction override
    assert receiving.sent_name_text("  x.csv\t") == "x.csv"
    assert len(receiving.sent_name_text("a" * 1000)) == 255
    assert receiving.sent_name_text(None) == receiving.sent_name_text("") == "(uten navn)"
