"""Reading submission files into raw tables, whatever form the municipality used.

A reader never raises on bad input: a file that cannot be read becomes a ``ReadFailure``
with the rule it broke (``unreadable``, ``encoding``, ``missing_sheet``), and the rest of
the year goes on. Cell values stay as the file had them (text for CSV; text, numbers or
datetimes for XLSX); typing and rules are the validator's job.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000


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


@dataclass
class ReadFailure:
    rule: str
    detail: str  # bokmål, for the clerk
    rows: int = 0  # data rows that could still be counted, or 0


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table_from_records(records: list[list[Any]], **extra: Any) -> RawTable:
    if not records:
        return RawTable(columns=[], rows=[], **extra)
    header = ["" if cell is None else fold(str(cell)) for cell in records[0]]
    rows: list[RawRow] = []
    for index, record in enumerate(records[1:], start=2):
        if all(_is_blank(cell) for cell in record):
            continue  # completely empty rows are ignored and not counted
        values = {}
        for position, name in enumerate(header):
            if not name or name in values:
                continue
            cell = record[position] if position < len(record) else None
            values[name] = None if _is_blank(cell) else cell
        rows.append(RawRow(index, values))
    return RawTable(columns=[name for name in header if name], rows=rows, **extra)


def decode_csv_bytes(data: bytes) -> tuple[str, str] | ReadFailure:
    """Text and encoding name, trying UTF-8 (with or without BOM), then Windows-1252."""
    if b"\x00" in data:
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
    return ";" if first_line.count(";") >= first_line.count(",") else ","


def read_csv(data: bytes) -> RawTable | ReadFailure:
    decoded = decode_csv_bytes(data)
    if isinstance(decoded, ReadFailure):
        return decoded
    text, encoding = decoded
    if not text.strip():
        return ReadFailure("unreadable", "Filen er tom.")
    delimiter = _delimiter(text.splitlines()[0] if text else "")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        return ReadFailure("unreadable", f"Filen kan ikke leses som CSV ({exc}).")
    return _table_from_records(records, encoding=encoding, delimiter=delimiter)


def workbook_sheets(data: bytes) -> dict[str, list[list[Any]]] | ReadFailure:
    """Every sheet of a workbook as records, keyed by folded sheet name."""
    import openpyxl  # imported here: reading workbooks is the validation stage's work

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for broken files; all mean the same here
        return ReadFailure("unreadable", "Filen kan ikke åpnes som en Excel-arbeidsbok (.xlsx).")
    try:
        sheets: dict[str, list[list[Any]]] = {}
        for sheet in workbook.worksheets:
            records: list[list[Any]] = []
            for row in sheet.iter_rows():
                cells = list(row)
                number = next((c.row for c in cells if getattr(c, "row", None)), None)
                # read-only sheets skip rows that hold nothing; keep row numbers true
                while number is not None and len(records) < number - 1:
                    records.append([])
                records.append([c.value for c in cells])
            sheets.setdefault(fold(sheet.title), records)
        return sheets
    except Exception:
        return ReadFailure("unreadable", "Arbeidsboken er skadet og kan ikke leses.")
    finally:
        workbook.close()


def read_workbook_table(
    sheets: dict[str, list[list[Any]]], table: str, only_table: bool
) -> RawTable | ReadFailure:
    """The sheet for ``table``. A workbook whose name gives one table may hold it in its
    only sheet, whatever that sheet is called."""
    records = sheets.get(table)
    if records is None and only_table and len(sheets) == 1:
        records = next(iter(sheets.values()))
    if records is None:
        names = ", ".join(sorted(sheets)) or "ingen"
        return ReadFailure(
            "missing_sheet",
            f"Arbeidsboken mangler arket «{table}». Arkene i filen: {names}.",
        )
    return _table_from_records(records)
