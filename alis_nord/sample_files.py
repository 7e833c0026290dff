"""The sample's rows written in every file form the submission format allows
(``alis_nord.sample_data``): UTF-8 with and without BOM, Windows-1252, ``;`` and ``,``, decimal
comma, no-break-space thousands, ``dd.mm.yyyy``, and XLSX workbooks, byte-identical for the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal

from alis_nord.contract import table_contracts
from alis_nord.xlsx import deterministic_zip

COLUMNS = {name: [c.name for c in contract.columns] for name, contract in table_contracts().items()}


def _cell_text(value, form: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat() if form == "csv_iso_bom" else value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        text = f"{value:f}"
        if form == "csv_iso_bom":
            return text
        whole, _, fraction = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        digits = whole.lstrip("-")
        groups = []
        while len(digits) > 3:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        groups.insert(0, digits)
        separator = "\u00a0" if form == "csv_nb" else " "
        return sign + separator.join(groups) + ("," + fraction if fraction else "")
    return str(value)


def _code_spelling(value: str, rng: random.Random, form: str) -> str:
    """Some clerks write codes without æ/ø/å or with stray capitals and spaces."""
    if form == "csv_cp1252" and rng.random() < 0.5:
        return value.replace("ø", "o").replace("æ", "ae").replace("å", "a").title()
    return value


def csv_bytes(table: str, rows: list[dict], form: str, rng: random.Random) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter="," if form == "csv_iso_bom" else ";", lineterminator="\r\n")
    header = COLUMNS[table]
    writer.writerow([f" {name.capitalize()} " if form == "csv_cp1252" else name for name in header])
    for row in rows:
        cells = []
        for name in header:
            value = row.get(name)
            if (
                name in ("tilsettingsform", "status", "sykehustjeneste", "kategori", "finansieringskilde")
                and value
            ):
                value = _code_spelling(value, rng, form)
            cells.append(_cell_text(value, form))
        writer.writerow(cells)
    text = out.getvalue()
    if form == "csv_cp1252":
        return text.encode("cp1252")
    return ("\ufeff" if form == "csv_iso_bom" else "").encode() + text.encode("utf-8")


def xlsx_bytes(tables: dict[str, list[dict]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table, rows in tables.items():
        sheet = workbook.create_sheet(table)
        sheet.append(COLUMNS[table])
        for row in rows:
            values = []
            for name in COLUMNS[table]:
                value = row.get(name)
                if isinstance(value, Decimal):
                    value = int(value) if value == value.to_integral_value() else float(value)
                values.append(value)
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD.MM.YYYY"
    fixed = dt.datetime(2020, 1, 1)
    workbook.properties.created = workbook.properties.modified = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())
