"""``budget-<year>.xlsx``: the budget figures for finance officers, one sheet per view.

Amounts are exact decimals in Excel number cells with a kr format (Excel shows them as
``1 234,50 kr`` in a Norwegian locale); headers are frozen; every total and every derived
column (deviation, cumulative use, remaining) is a formula Excel recomputes. Every text
cell is written as text, so text from a submission can never become a formula.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from alis_nord import warehouse as tables
from alis_nord.budget import FORECAST_LABELS, FORECAST_METHODS, FUNDING_SOURCE_LABELS, FUNDING_SOURCES
from alis_nord.money import from_ore
from alis_nord.reference import ReferenceData
from alis_nord.warehouse import Warehouse

KR = '#,##0.00" kr"'
PERCENT = "0.0 %"
DATE = "DD.MM.YYYY"


class _Sheet:
    """A sheet streamed row by row (openpyxl's write-only mode): header, data rows, an optional
    total row of SUM formulas. Frozen header and column widths are set before the first row, as
    streaming requires; ``rows_written`` numbers the rows for the formulas."""

    def __init__(self, workbook, title: str, header: list[str], widths: list[int]):
        from openpyxl.styles import Font, PatternFill

        self.ws = workbook.create_sheet(title)
        self.ws.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[_letter(index)].width = width
        self._bold = Font(bold=True)
        self._header_fill = PatternFill("solid", fgColor="DDE6F0")
        self.rows_written = 0
        self.row(header, bold=True, fill=self._header_fill)

    def row(
        self, values: list[Any], formats: list[str | None] | None = None, bold: bool = False, fill=None
    ) -> int:
        from openpyxl.cell import WriteOnlyCell

        cells: list[Any] = []
        for index, value in enumerate(values):
            number_format = formats[index] if formats and index < len(formats) else None
            if not (number_format or bold or fill) and _plain(value):
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
            cells.append(cell)
        self.ws.append(cells)
        self.rows_written += 1
        return self.rows_written

    def total(self, label: str, columns: list[int], first: int, last: int, formats: list[str | None]) -> int:
        values: list[Any] = [label] + [""] * (max(columns) - 1)
        for column in columns:
            letter = _letter(column)
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


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def budget_workbook_bytes(year: int, reference: ReferenceData, store: Warehouse) -> bytes:
    import openpyxl

    from alis_nord.xlsx import deterministic_zip

    grant = reference.helsedirektoratet_grant()
    names = {p.kommunenummer: p.navn for p in reference.participants}
    workbook = openpyxl.Workbook(write_only=True)  # streamed: tens of thousands of voucher rows
    use = store.rows(tables.grant_use, year)[0]
    entitlement = store.rows(tables.alis_grant_entitlement, year, order_by=["kommunenummer", "alis_id"])
    costs = store.rows(tables.costs_by_source, year, order_by=["finansieringskilde", "kategori"])
    zero = Decimal("0.00")
    per_source = {source: zero for source in FUNDING_SOURCES}
    for line in costs:
        per_source[line["finansieringskilde"]] += from_ore(line["belop_ore"])

    # Sammendrag: the key figures, as summary.json has them
    sheet = _Sheet(workbook, "Sammendrag", ["Nøkkeltall", "Beløp"], [52, 20])
    forecasts = {r["method"]: r for r in store.rows(tables.grant_forecast, year)}
    for label, amount in [
        (
            f"ALIS-tilskudd {year} (etter ansettelsesdager)",
            sum((from_ore(e["tilskudd_ore"]) for e in entitlement), zero),
        ),
        (f"Egenandel {year}", sum((from_ore(e["egenandel_ore"]) for e in entitlement), zero)),
        *(
            (f"Kostnader {year} dekket av {FUNDING_SOURCE_LABELS[source]}", per_source[source])
            for source in FUNDING_SOURCES
        ),
        (f"Helsedirektoratets tilskudd {grant.fra_aar}–{grant.til_aar}", from_ore(use["grant_total_ore"])),
        ("Brukt av tilskuddet hittil", from_ore(use["used_cumulative_ore"])),
        ("Gjenstår av tilskuddet", from_ore(use["remaining_ore"])),
        *(
            (
                f"Prognose ved periodens slutt ({FORECAST_LABELS[method]}): gjenstår",
                from_ore(forecasts[method]["remaining_at_end_ore"]),
            )
            for method in FORECAST_METHODS
            if method in forecasts
        ),
    ]:
        sheet.row([label, amount], [None, KR])

    # Tilskuddsbruk: every grant year so far; used, cumulative and remaining are formulas
    sheet = _Sheet(
        workbook,
        "Tilskuddsbruk",
        ["År", "ALIS-tilskudd", "Kostnader Helsedirektoratet", "Brukt i året", "Brukt hittil", "Gjenstår"],
        [8, 18, 26, 18, 18, 18],
    )
    first = 2
    for row in store.rows(tables.grant_use, order_by=["report_year"]):
        if not grant.fra_aar <= row["report_year"] <= min(year, grant.til_aar):
            continue
        n = sheet.rows_written + 1
        sheet.row(
            [
                row["report_year"],
                from_ore(row["alis_grant_ore"]),
                from_ore(row["helsedirektoratet_costs_ore"]),
                Formula(f"=B{n}+C{n}"),
                Formula(f"=SUM(D${first}:D{n})"),
                Formula(f"={from_ore(use['grant_total_ore'])}-E{n}"),
            ],
            [None, KR, KR, KR, KR, KR],
        )

    # Budsjett mot regnskap
    sheet = _Sheet(
        workbook,
        "Budsjett mot regnskap",
        ["Kategori", "Budsjett", "Regnskap", "Avvik", "Avvik i %", "Over planen"],
        [20, 18, 18, 18, 12, 12],
    )
    lines = store.rows(tables.budget_plan_vs_actual, year)
    for line in lines:
        n = sheet.rows_written + 1
        sheet.row(
            [
                line["kategori"],
                from_ore(line["plan_ore"]),
                from_ore(line["actual_ore"]),
                Formula(f"=C{n}-B{n}"),
                Formula(f'=IF(B{n}=0,"",D{n}/B{n})'),
                "ja" if line["over_plan"] else "",
            ],
            [None, KR, KR, KR, PERCENT, None],
        )
    if lines:
        sheet.total("Sum", [2, 3, 4], 2, sheet.rows_written, [None, KR, KR, KR])

    # Kostnader per kilde og kategori
    sheet = _Sheet(
        workbook, "Kostnader", ["Finansieringskilde", "Kategori", "Bilag", "Beløp"], [22, 20, 10, 18]
    )
    for line in costs:
        sheet.row(
            [line["finansieringskilde"], line["kategori"], line["vouchers"], from_ore(line["belop_ore"])],
            [None, None, "0", KR],
        )
    if costs:
        sheet.total("Sum", [3, 4], 2, sheet.rows_written, [None, None, "0", KR])

    # Per kommune and per ALIS
    sheet = _Sheet(
        workbook,
        "Per kommune",
        ["Kommunenummer", "Kommune", "ALIS", "Dager", "ALIS-tilskudd", "Egenandel"],
        [16, 32, 8, 10, 18, 18],
    )
    by_municipality: dict[str, list[dict]] = {}
    for e in entitlement:
        by_municipality.setdefault(e["kommunenummer"], []).append(e)
    for kommunenummer, rows in sorted(by_municipality.items()):
        sheet.row(
            [
                kommunenummer,
                names.get(kommunenummer, ""),
                len(rows),
                sum(r["days_employed"] for r in rows),
                sum((from_ore(r["tilskudd_ore"]) for r in rows), zero),
                sum((from_ore(r["egenandel_ore"]) for r in rows), zero),
            ],
            [None, None, "0", "0", KR, KR],
        )
    if by_municipality:
        sheet.total("Sum", [3, 4, 5, 6], 2, sheet.rows_written, [None, None, "0", "0", KR, KR])

    sheet = _Sheet(
        workbook,
        "Per ALIS",
        [
            "Kommunenummer",
            "ALIS-id",
            "Tilsettingsform",
            "Dager ansatt",
            "Dager i året",
            "ALIS-tilskudd",
            "Egenandel",
        ],
        [16, 10, 16, 14, 12, 18, 18],
    )
    for e in entitlement:
        sheet.row(
            [
                e["kommunenummer"],
                e["alis_id"],
                e["tilsettingsform"],
                e["days_employed"],
                e["days_in_year"],
                from_ore(e["tilskudd_ore"]),
                from_ore(e["egenandel_ore"]),
            ],
            [None, None, None, "0", "0", KR, KR],
        )
    if entitlement:
        sheet.total("Sum", [6, 7], 2, sheet.rows_written, [None, None, None, None, None, KR, KR])

    # Prognose
    sheet = _Sheet(
        workbook,
        "Prognose",
        ["Metode", "Beskrivelse", "Gjenværende år", "Brukt ved periodens slutt", "Gjenstår"],
        [16, 70, 18, 24, 18],
    )
    for method, description in FORECAST_METHODS.items():
        if method in forecasts:
            f = forecasts[method]
            sheet.row(
                [
                    FORECAST_LABELS[method],
                    description,
                    f["remaining_years"].replace(",", ", ") or "–",
                    from_ore(f["used_at_end_ore"]),
                    from_ore(f["remaining_at_end_ore"]),
                ],
                [None, None, None, KR, KR],
            )

    # Statsforvalter
    sheet = _Sheet(workbook, "Statsforvalter", ["År", "Tilskudd", "Kostnader", "Differanse"], [8, 18, 18, 18])
    for row in store.rows(tables.statsforvalter_grant_use, order_by=["report_year"]):
        if row["report_year"] <= year:
            n = sheet.rows_written + 1
            sheet.row(
                [
                    row["report_year"],
                    from_ore(row["granted_ore"]),
                    from_ore(row["costs_ore"]),
                    Formula(f"=B{n}-C{n}"),
                ],
                [None, KR, KR, KR],
            )

    # Bilag: every accepted voucher, for tracing a figure to its source
    sheet = _Sheet(
        workbook,
        "Bilag",
        [
            "Kommunenummer",
            "Bilagsnummer",
            "Bilagsdato",
            "Kategori",
            "Finansieringskilde",
            "Beløp",
            "ALIS-id",
            "Beskrivelse",
            "Fil",
            "Rad",
        ],
        [16, 14, 12, 16, 18, 16, 10, 44, 30, 6],
    )
    vouchers = store.rows(tables.kostnader, year, order_by=["kommunenummer", "file", "row_number"])
    for v in vouchers:
        sheet.row(
            [
                v["kommunenummer"],
                v["bilagsnummer"],
                v["bilagsdato"],
                v["kategori"],
                v["finansieringskilde"],
                from_ore(v["belop_ore"]),
                v["alis_id"] or "",
                v["beskrivelse"] or "",
                v["file"],
                v["row_number"],
            ],
            [None, None, DATE, None, None, KR, None, None, None, "0"],
        )
    if vouchers:
        sheet.total("Sum", [6], 2, sheet.rows_written, [None, None, None, None, None, KR])

    workbook.properties.creator = "ALIS-Nord"
    workbook.properties.title = f"Budsjett og regnskap ALIS-Nord {year}"
    workbook.properties.created = dt.datetime(year + 1, 3, 31)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())
