"""Reading submission files into raw tables, whatever form the municipality used.

A reader never raises on bad input: a file that cannot be read becomes a ``ReadFailure``
with the rule it broke (``unreadable``, ``encoding``, ``missing_sheet``, ``too_large``), and the
rest of the year goes on. Cell values stay as the file had them (text for CSV; text, numbers or
datetimes for XLSX); typing and rules are the validator's job.

Reading is bounded by what is read, not by what a file claims: a table stops being read at
``MAX_ROWS + 1`` data rows, a workbook's parts are checked against ``MAX_UNPACKED_BYTES``
before they are opened, and a workbook's stored dimension (which some writers get wrong) is
ignored, so every row that is there is read.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
# A workbook of MAX_FILE_BYTES unpacks to well under this; more is a packed bomb, not a submission.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
# Excel's last row: a sheet cannot have more, so iterating empty rows is bounded too.
MAX_SHEET_ROW = 1_048_576
# Rows kept as they were read before the header, to tell the clerk where a header should be.
LEADING_RECORDS = 10

_SEP_LINE = re.compile(r"^sep=(.)\s*$", re.IGNORECASE)


def fold(text: str) -> str:
    """A header or code value as the format compares it: trimmed, lower-case, and æ/ø/å
    folded so that ``Næringsdrift``, ``naeringsdrift`` and ``næringsdrift`` are one value.
    The format allows both ``aa`` and ``a`` for å (``pagar`` for ``pågår``)."""
    text = text.strip().lower()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("aa", "a")
    return re.sub(r"\s+", " ", text)


@dataclass
class RawRow:
    row_number: int  # the spreadsheet row a person sees: header = 1, first data row = 2
    values: dict[str, Any]  # folded column name (see ``fold``) -> raw cell value (None when empty)

    def get(self, column: str) -> Any:
        """The cell of a column, by its name in the contract."""
        return self.values.get(fold(column))


@dataclass
class RawTable:
    columns: list[str]  # folded header names, in file order
    rows: list[RawRow]
    encoding: str | None = None
    delimiter: str | None = None
    # the first rows of the file as read (header included), folded: where a misplaced header is
    leading_records: list[list[str]] = field(default_factory=list)


@dataclass
class ReadFailure:
    rule: str
    detail: str  # bokmål, for the clerk
    rows: int = 0  # data rows that could still be counted, or 0


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _folded(record: Iterable[Any]) -> list[str]:
    return ["" if cell is None else fold(str(cell)) for cell in record]


def _too_many_rows() -> ReadFailure:
    return ReadFailure("too_large", f"mer enn {MAX_ROWS:,} rader".replace(",", " "), MAX_ROWS + 1)


def _table_from_records(records: Iterator[list[Any]], **extra: Any) -> RawTable | ReadFailure:
    """The table in a stream of records (record 1 is the header). Stops reading at
    ``MAX_ROWS + 1`` non-empty data rows, or past Excel's last row."""
    first = next(records, None)
    if first is None:
        return RawTable(columns=[], rows=[], **extra)
    header = _folded(first)
    leading = [header]
    rows: list[RawRow] = []
    for index, record in enumerate(records, start=2):
        if len(leading) < LEADING_RECORDS:
            leading.append(_folded(record))
        if index > MAX_SHEET_ROW:
            return _too_many_rows()
        if all(_is_blank(cell) for cell in record):
            continue  # completely empty rows are ignored and not counted
        if len(rows) == MAX_ROWS:
            return _too_many_rows()
        values = {}
        for position, name in enumerate(header):
            if not name or name in values:
                continue
            cell = record[position] if position < len(record) else None
            values[name] = None if _is_blank(cell) else cell
        rows.append(RawRow(index, values))
    return RawTable(columns=[name for name in header if name], rows=rows, leading_records=leading, **extra)


def decode_csv_bytes(data: bytes) -> tuple[str, str] | ReadFailure:
    """Text and encoding name: UTF-16 with its BOM (Excel's «Unicode-tekst»), UTF-8 (with or
    without BOM), then Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return ReadFailure(
                "encoding", "Filen starter som UTF-16 (Unicode-tekst), men inneholder ugyldige tegn."
            )
    if b"\x00" in data:
        if data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4:
            return ReadFailure(
                "encoding",
                "Filen ser ut til å være lagret som Unicode-tekst (UTF-16) uten merke for tegnkoding. "
                "Velg «Lagre som» og filtypen «CSV UTF-8 (kommadelt)» og send filen på nytt.",
            )
        return ReadFailure("unreadable", "Filen inneholder binære data og er ikke en CSV-fil.")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return ReadFailure("encoding", "Filen starter som UTF-8, men inneholder ugyldige tegn.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return ReadFailure(
            "encoding",
            "Tegnkodingen kan ikke leses. Lagre filen som CSV UTF-8 eller Windows-1252 og send den på nytt.",
        )
    return text, "cp1252"


def _delimiter(first_line: str) -> str:
    """Semicolon, comma or tab: whichever the header line has most of (semicolon on a tie)."""
    counts = {";": first_line.count(";"), ",": first_line.count(","), "\t": first_line.count("\t")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


def read_csv(data: bytes) -> RawTable | ReadFailure:
    """A CSV table. Excel's ``sep=;`` first line names the delimiter and is not a row (Excel
    hides it too, so row numbers stay as the clerk sees them in Excel)."""
    decoded = decode_csv_bytes(data)
    if isinstance(decoded, ReadFailure):
        return decoded
    text, encoding = decoded
    if not text.strip():
        return ReadFailure("unreadable", "Filen er tom.")
    first_line, _, rest = text.partition("\n")
    if sep := _SEP_LINE.match(first_line.rstrip("\r")):
        delimiter, text = sep.group(1), rest
        first_line = text.partition("\n")[0]
    else:
        delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        return _table_from_records(reader, encoding=encoding, delimiter=delimiter)
    except csv.Error as exc:
        return ReadFailure("unreadable", f"Filen kan ikke leses som CSV ({exc}).")


def _unpacked_size_failure(data: bytes) -> ReadFailure | None:
    """Too large once unpacked, judged from the archive's directory before anything is unpacked.
    (Python's zipfile never unpacks more than an entry's stated size.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # not a readable archive: openpyxl's own error says so below
    if unpacked > MAX_UNPACKED_BYTES:
        size = f"{unpacked // (1024 * 1024):,}".replace(",", " ")
        return ReadFailure("too_large", f"{size} MB når filen pakkes ut")
    return None


def _sheet_records(sheet) -> Iterator[list[Any]]:
    """Every row of a read-only sheet from row 1, whatever dimension the file stores (openpyxl
    trusts it, and some writers store ``A1`` for a full sheet). Missing rows come as ``()``."""
    sheet.reset_dimensions()
    for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
        yield list(row)


def workbook_sheets(data: bytes) -> dict[str, RawTable | ReadFailure] | ReadFailure:
    """Every sheet of a workbook as a raw table, keyed by folded sheet name."""
    import openpyxl  # imported here: reading workbooks is the validation stage's work

    if failure := _unpacked_size_failure(data):
        return failure
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for broken files; all mean the same here
        return ReadFailure("unreadable", "Filen kan ikke åpnes som en Excel-arbeidsbok (.xlsx).")
    try:
        sheets: dict[str, RawTable | ReadFailure] = {}
        for sheet in workbook.worksheets:
            name = fold(sheet.title)
            if name not in sheets:
                sheets[name] = _table_from_records(_sheet_records(sheet))
        return sheets
    except Exception:
        return ReadFailure("unreadable", "Arbeidsboken er skadet og kan ikke leses.")
    finally:
        workbook.close()


def read_workbook_table(
    sheets: dict[str, RawTable | ReadFailure], table: str, only_table: bool
) -> RawTable | ReadFailure:
    """The sheet for ``table``. A workbook whose name gives one table may hold it in its
    only sheet, whatever that sheet is called."""
    found = sheets.get(table)
    if found is None and only_table and len(sheets) == 1:
        found = next(iter(sheets.values()))
    if found is None:
        names = ", ".join(sorted(sheets)) or "ingen"
        return ReadFailure(
            "missing_sheet",
            f"Arbeidsboken mangler arket «{table}». Arkene i filen: {names}.",
        )
    return found


def header_row_candidate(raw: RawTable, expected: Iterable[str]) -> int | None:
    """The row (counted as the clerk sees it) among the first rows that holds every expected
    column name, when row 1 does not: a title row above the header, say."""
    wanted = {fold(name) for name in expected}
    for number, record in enumerate(raw.leading_records[1:], start=2):
        if wanted <= set(record):
            return number
    return None
