"""Workbooks that are the same bytes for the same content (for tests, archives and git), print
legibly, and are streamed row by row: what every workbook of the project writes with."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from typing import Any

ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def deterministic_zip(data: bytes) -> bytes:
    """The same zip with fixed timestamps, so the same content gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", content)
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def workbook_bytes(workbook) -> bytes:
    """A workbook saved as a file: the same bytes for the same content (``deterministic_zip``)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())


# ---------------------------------------------------------------- printing

LINE_POINTS = 15  # a wrapped line of the workbooks' 11-point body font


def fit_to_page_width(ws) -> None:
    """Scale the sheet to the page width (as many pages down as it needs). In a streamed sheet
    this must be set before the first row is written (openpyxl writes it at the top)."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def print_setup(
    ws,
    heading: str,
    last_column: int,
    last_row: int,
    *,
    landscape: bool,
    one_page: bool = False,
    title_rows: int = 1,
) -> None:
    """A4, fit to the page width (and height, for ``one_page``), the header row on every page,
    the used range as print area, and a page header and footer a reader can place:
    ``heading`` at the top, the sheet's name and «Side X av Y» at the foot."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # a streamed sheet lacks the constant
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_title_rows = f"1:{title_rows}"  # the header (with a banner above it) on every page
    ws.print_area = f"A1:{get_column_letter(max(1, last_column))}{max(1, last_row)}"
    ws.oddHeader.center.text = heading
    ws.oddHeader.center.size = 9
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "Side &P av &N"
    ws.oddFooter.right.size = 9


PORTRAIT_WIDTH = 95  # sheets wider than this in all (character widths) print across the page


def print_sheet(sheet: Sheet, heading: str, *, one_page: bool = False) -> None:
    """``print_setup`` for a streamed ``Sheet``: its columns and rows, its header (and the banner
    above it) on every page, landscape where its columns are wider than ``PORTRAIT_WIDTH``."""
    print_setup(
        sheet.ws,
        heading,
        len(sheet.widths),
        sheet.rows_written,
        landscape=sum(sheet.widths) > PORTRAIT_WIDTH,
        one_page=one_page,
        title_rows=sheet.header_row,
    )


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes when wrapped in a column ``width`` characters wide, counted
    word by word (a long word takes its own lines), so a row can be made tall enough to show it
    in Excel and LibreOffice, which do not grow rows for wrapped text in files they open."""
    per_line = max(1, int(width * 0.95))  # a column width counts digit widths; text runs about as wide
    lines, used = 1, 0
    for word in str(text).split():
        length = len(word)
        if used and used + 1 + length > per_line:
            lines, used = lines + 1, 0
        if length > per_line:  # a word longer than a line breaks over lines of its own
            full, rest = divmod(length, per_line)
            lines += full - (rest == 0)
            used = rest or per_line
            continue
        used = length if used == 0 else used + 1 + length
    return lines


# ---------------------------------------------------------------- streamed sheets

KR = '#,##0.00" kr"'  # locale-neutral codes: a Norwegian Excel shows 1 234,50 kr and 31.12.2023
PERCENT = "0.0 %"
DATE = "DD.MM.YYYY"


class Sheet:
    """A sheet streamed row by row (openpyxl's write-only mode): header, data rows, an optional
    total row of SUM formulas. Frozen header and column widths are set before the first row, as
    streaming requires; ``rows_written`` numbers the rows for the formulas."""

    def __init__(
        self,
        workbook,
        title: str,
        header: list[str],
        widths: list[int],
        wrap_header: bool = False,
        banner: str | None = None,
    ):
        """``banner``: a bold line above the header (such as «Internt arbeidsark – skal ikke
        deles»); the header is then row 2 (``header_row``), and both print on every page."""
        from openpyxl.styles import Font, PatternFill

        self.ws = workbook.create_sheet(title)
        self.header_row = 2 if banner else 1
        self.ws.freeze_panes = f"A{self.header_row + 1}"
        self.widths = widths
        fit_to_page_width(self.ws)  # before the first row: a streamed sheet writes it at the top
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[column_letter(index)].width = width
        self._bold = Font(bold=True)
        self._header_fill = PatternFill("solid", fgColor="DDE6F0")
        self.rows_written = 0
        if banner:
            self.row([banner], bold=True)
        wrap = [True] * len(header) if wrap_header else None  # a header wrapped in its column
        self.row(header, bold=True, fill=self._header_fill, wrap=wrap)

    def row(
        self,
        values: list[Any],
        formats: list[str | None] | None = None,
        bold: bool = False,
        fill=None,
        wrap: list[bool] | None = None,
    ) -> int:
        """Append one row. A column marked in ``wrap`` wraps its text, every cell of the row is
        top-aligned, and the row is made as tall as its longest wrapped cell (neither Excel nor
        LibreOffice grows it)."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment

        cells: list[Any] = []
        if wrap:
            lines = max(
                (
                    wrapped_lines(str(v), w)
                    for v, w, on in zip(values, self.widths, wrap, strict=False)
                    if on and v
                ),
                default=1,
            )
            if lines > 1:
                self.ws.row_dimensions[self.rows_written + 1].height = lines * LINE_POINTS
        for index, value in enumerate(values):
            number_format = formats[index] if formats and index < len(formats) else None
            wrapped = bool(wrap and index < len(wrap) and wrap[index])
            if not (number_format or bold or fill or wrap) and _plain(value):
                cells.append(value)  # written as it is: the cheap path for most voucher cells
                continue
            if isinstance(value, Formula):
                cell = WriteOnlyCell(self.ws, value.text)
            else:
                cell = WriteOnlyCell(self.ws, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, even "=…" or "#N/A" from a submission
            if number_format:
                cell.number_format = number_format
            if bold:
                cell.font = self._bold
            if fill is not None:
                cell.fill = fill
            if wrap:  # a row with wrapped text: every cell at the top, beside the text's first line
                cell.alignment = Alignment(wrap_text=wrapped, vertical="top")
            cells.append(cell)
        self.ws.append(cells)
        self.rows_written += 1
        return self.rows_written

    def total(self, label: str, columns: list[int], first: int, last: int, formats: list[str | None]) -> int:
        values: list[Any] = [label] + [""] * (max(columns) - 1)
        for column in columns:
            letter = column_letter(column)
            values[column - 1] = Formula(f"=SUM({letter}{first}:{letter}{last})")
        return self.row(values, formats, bold=True)


def _plain(value: Any) -> bool:
    """A value openpyxl writes as it is: a number, nothing, or text that cannot be read as a
    formula ("=…") or an error code (they all start with "#")."""
    if isinstance(value, str):
        return not value.startswith(("=", "#"))
    return value is None or isinstance(value, int | Decimal)


class Formula:
    """A cell formula written by the pipeline itself (never from submitted text)."""

    def __init__(self, text: str):
        self.text = text


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
