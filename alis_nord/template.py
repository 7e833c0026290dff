"""The Excel submission template for a report year, generated from ``data_contracts/``.

One sheet per table with the contract's headers, a drop-down list for every code column,
date and number formats and input checks on the rows to fill in, and an instructions
sheet ("Veiledning") listing every column and rule in bokmål. A workbook filled in from it
and saved as ``<kommunenummer>.xlsx`` passes validation.
"""

from __future__ import annotations

import io

from alis_nord.contract import all_rules, column_types, table_contracts
from alis_nord.vocabulary import SEVERITY_EFFECTS, SEVERITY_LABELS
from alis_nord.xlsx import LINE_POINTS, fit_to_page_width, print_setup, wrapped_lines

FILL_ROWS = 500  # rows with formats and input checks below the header
PRINTED_ROWS = 40  # a blank table sheet prints its header and this many rows to fill in by hand
INSTRUCTION_WIDTHS = (32, 18, 12, 40, 70)  # columns A–E of the instruction sheet
TITLE_POINTS = 14


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _how_to(year: int, project: str, frist: str = "") -> list[tuple[bool, tuple]]:
    """The instruction sheet's first lines: how to fill in, save and resend, and how to say that
    there is nothing to report. (heading?, cells). ``frist``: prosjekt.yaml's deadline, if set."""
    from alis_nord.norsk import dato
    from alis_nord.reference import deadline

    return [
        (True, (f"Innsending av tall til {project} for {year}",)),
        (False, ()),
        (True, ("Slik gjør dere",)),
        (
            False,
            (
                "1. Fyll ut arkene alis, kostnader og fastlegedekning. Første rad er overskriftene; ikke endre dem.",
            ),
        ),
        (
            False,
            (
                f"2. Lagre filen som <kommunenummer>.xlsx, for eksempel 1804.xlsx, og send den innen {dato(deadline(year, frist))}.",
            ),
        ),
        (
            False,
            (
                "3. Retter dere noe senere, send hele filen på nytt som <kommunenummer>_v2.xlsx (så _v3 osv.).",
            ),
        ),
        (
            False,
            (
                "Har dere ingen ALIS eller ingen kostnader i året, la arket stå med bare overskriftsraden. Da er det "
                "registrert at dere ikke har noe å rapportere, og dere får ingen påminnelse om det.",
            ),
        ),
        (
            False,
            (
                "Datoer skrives som 15.03.2021. Beløp i kroner med høyst to desimaler; negativt beløp er en kreditnota.",
            ),
        ),
        (False, ()),
    ]


def _column_lines() -> list[tuple[bool, tuple]]:
    """Per table: its description and every column with type, whether required, and limits."""
    lines: list[tuple[bool, tuple]] = []
    for contract in table_contracts().values():
        lines.append((True, (f"Arket «{contract.table}»: {contract.title}",)))
        lines.append((False, (contract.beskrivelse,)))
        lines.append((True, ("Kolonne", "Type", "Må fylles ut", "Gyldige verdier", "Beskrivelse")))
        for column in contract.columns:
            limits = [f"minst {column.min}"] if column.min is not None else []
            limits += [f"høyst {column.max}"] if column.max is not None else []
            allowed = ", ".join(column.codes) if column.codes else ", ".join(limits)
            required = "Ja" if column.required else "Nei"
            lines.append(
                (
                    False,
                    (column.name, column_types()[column.type].navn, required, allowed, column.beskrivelse),
                )
            )
        lines.append((False, ()))
    return lines


def _rule_lines() -> list[tuple[bool, tuple]]:
    """Every rule of the format with its severity and what it checks."""
    return [
        (True, ("Kontrollene",)),
        (True, ("Regel", "Virkning", "", "", "Hva som kontrolleres")),
    ] + [
        (
            False,
            (
                rule.id,
                f"{SEVERITY_LABELS[rule.severity]} ({SEVERITY_EFFECTS[rule.severity]})",
                "",
                "",
                rule.beskrivelse,
            ),
        )
        for rule in all_rules().values()
    ]


def _row_height(cells: tuple, title: bool) -> float:
    """Points for a row tall enough to show every cell's wrapped text: a line of text that spans
    the whole sheet (one cell, merged over A–E) or each cell in its own column."""
    widths = (sum(INSTRUCTION_WIDTHS),) if len(cells) == 1 else INSTRUCTION_WIDTHS
    lines = max((wrapped_lines(text, width) for text, width in zip(cells, widths, strict=False)), default=1)
    return lines * (TITLE_POINTS * 1.5 if title else LINE_POINTS)


def _instructions(sheet, year: int, project: str, frist: str = "") -> None:
    """The instruction sheet ("Veiledning"): how to, the columns, the rules. A line of text spans
    columns A–E, and every row is as tall as its wrapped text, so nothing overlaps or is cut in
    Excel or LibreOffice, on screen or on paper."""
    from openpyxl.styles import Alignment, Font

    for letter, width in zip("ABCDE", INSTRUCTION_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for heading, cells in _how_to(year, project, frist) + _column_lines() + _rule_lines():
        sheet.append(list(cells))
        row = sheet.max_row
        if len(cells) == 1:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(INSTRUCTION_WIDTHS))
        for cell in sheet[row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if heading:
                cell.font = Font(bold=True)
        if cells:
            sheet.row_dimensions[row].height = _row_height(cells, title=row == 1)
    sheet["A1"].font = Font(bold=True, size=TITLE_POINTS)
    print_setup(
        sheet, f"{project} · innsending for {year}", len(INSTRUCTION_WIDTHS), sheet.max_row, landscape=True
    )


def _table_sheet(sheet, table: str, year: int, project: str) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    contract = table_contracts()[table]
    types = column_types()
    sheet.append([c.name for c in contract.columns])
    sheet.freeze_panes = "A2"
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    for index, column in enumerate(contract.columns, start=1):
        letter = _column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = header_fill
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        for row in range(2, FILL_ROWS + 2):
            sheet.cell(row=row, column=index).number_format = types[column.type].excel_format
        cells = f"{letter}2:{letter}{FILL_ROWS + 1}"
        check = _input_check(column, year)
        if check is not None:
            kind, kwargs = check
            validation = DataValidation(
                type=kind, allow_blank=not column.required, showErrorMessage=True, **kwargs
            )
            validation.error = f"Ugyldig verdi i {column.name}. " + (column.beskrivelse or "")
            validation.errorTitle = "Ugyldig verdi"
            validation.prompt = column.beskrivelse
            validation.showInputMessage = bool(column.beskrivelse)
            sheet.add_data_validation(validation)
            validation.add(cells)
    fit_to_page_width(sheet)
    heading = f"{project} · {contract.title} · {year}"
    print_setup(sheet, heading, len(contract.columns), PRINTED_ROWS + 1, landscape=True)


def _input_check(column, year: int) -> tuple[str, dict] | None:
    """Excel's own input check for a column: a drop-down list for codes, ranges for numbers."""
    if column.codes:
        return "list", {"formula1": '"' + ",".join(column.codes) + '"'}
    if column.type == "year":
        return "whole", {"operator": "equal", "formula1": str(year)}
    if column.type == "date":
        return "date", {
            "operator": "between",
            "formula1": "DATE(2019,1,1)",
            "formula2": f"DATE({year},12,31)",
        }
    if column.type in ("decimal", "integer") and (column.min is not None or column.max is not None):
        kind = "whole" if column.type == "integer" else "decimal"
        if column.max is None:
            return kind, {"operator": "greaterThanOrEqual", "formula1": str(column.min)}
        return kind, {"operator": "between", "formula1": str(column.min or 0), "formula2": str(column.max)}
    if column.type == "kommunenummer":
        return "textLength", {"operator": "equal", "formula1": "4"}
    return None


def submission_template(year: int, project: str = "prosjektet", frist: str = "") -> bytes:
    """The template workbook for ``year`` (``frist``: prosjekt.yaml's deadline, default 15 March);
    the same year always gives the same bytes."""
    import datetime as dt

    import openpyxl

    from alis_nord.xlsx import deterministic_zip

    workbook = openpyxl.Workbook()
    fit_to_page_width(workbook.active)
    _instructions(workbook.active, year, project, frist)
    workbook.active.title = "Veiledning"
    for table in table_contracts():
        _table_sheet(workbook.create_sheet(table), table, year, project)
    workbook.properties.creator = project
    workbook.properties.title = f"Innsendingsmal {project} {year}"
    workbook.properties.created = dt.datetime(year, 1, 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())
