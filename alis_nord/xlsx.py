"""Workbooks that are the same bytes for the same content (for tests, archives and git)."""

from __future__ import annotations

import io
import re
import zipfile

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
    ws, heading: str, last_column: int, last_row: int, *, landscape: bool, one_page: bool = False
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
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(max(1, last_column))}{max(1, last_row)}"
    ws.oddHeader.center.text = heading
    ws.oddHeader.center.size = 9
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "Side &P av &N"
    ws.oddFooter.right.size = 9


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
