"""``revisorgrunnlag-<year>.xlsx``: the auditor's working file.

Chapter 7 of the report (table 7.1) asks the auditor to confirm the accounts of chapter 6: the
expenses per accounts line, the income, the result and the unused amounts. For each of them, for
the year and for the grant period so far, the file lists what makes it up:

- a category charged to Helsedirektoratet's grant: the accepted vouchers (``kostnader`` rows)
  with that category and Helsedirektoratet as funding source;
- the ALIS grant (``alis_tilskudd``): the computation per ALIS (days employed × the year's rate ÷
  days in the year, rounded half-up to øre), and per municipality;
- the costs charged to the other funding sources, which count among the project's expenses;
- the payments received (``referanse/utbetalinger.csv``), each with its date and the grant letter
  (``tilskudd.csv``) whose years cover it: Helsedirektoratet's, and the other income, the
  Statsforvalter's;
- the municipalities' own share (egenandel), per ALIS and per municipality;
- the result (income − expenses) and, per source, what is used and unused up to the year's end.

Every accepted voucher of the years is in exactly one line and keeps its category, funding
source and description whichever source funded it; each names its municipality, number, date,
amount, source file and row (``Filer`` gives each file's SHA-256). ``Oversikt`` sets each line's
sum beside the report's figure (the table it is in). Amounts are the stored øre, exact; the file
is byte-identical for the same rows. Every sheet prints legibly: the header row on every page,
fitted to the page width (never to one page tall), landscape where wide, with a filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from alis_nord.auditor_basis import (
    EXPENSES,
    INCOME,
    OWN_SHARE,
    PAYMENT_SOURCES,
    RECEIVED,
    RESULT,
    UNUSED,
    USED,
    AuditLine,
    audit_lines,
    audit_years,
    line_of,
    line_order,
)
from alis_nord.money import ZERO, from_ore
from alis_nord.reference import Grant, Payment, ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import (
    ALIS_GRANT_CATEGORY,
    FUNDING_SOURCE_LABELS,
    HELSEDIREKTORATET,
    category_label,
)

ALIS_SHEET, VOUCHER_SHEET, MUNICIPALITY_SHEET, FILES_SHEET, PAYMENTS_SHEET = (
    "ALIS-tilskudd",
    "Bilag",
    "ALIS-tilskudd per kommune",
    "Filer",
    "Utbetalinger",
)


def basis_sheet(line: str) -> str:
    """The sheet (or sheets) whose rows make up a line of Oversikt."""
    if line == EXPENSES:
        return f"{ALIS_SHEET} og {VOUCHER_SHEET}"
    if line in (ALIS_GRANT_CATEGORY, OWN_SHARE):
        return ALIS_SHEET
    if line.startswith(RECEIVED):
        return PAYMENTS_SHEET
    if line == INCOME:
        return f"{PAYMENTS_SHEET} og {ALIS_SHEET}"
    if line == RESULT:
        return "Oversikt: sum inntekter − sum utgifter"
    if line == USED + HELSEDIREKTORATET:
        return f"{ALIS_SHEET} og {VOUCHER_SHEET}"
    if line.startswith(UNUSED):
        return f"{PAYMENTS_SHEET} − brukt"
    if line.startswith(("kilde:", USED)):  # every voucher that source funded
        return f"{VOUCHER_SHEET}: {FUNDING_SOURCE_LABELS[line.removeprefix('kilde:').removeprefix(USED)]}"
    return f"{VOUCHER_SHEET}: {category_label(line)}, {FUNDING_SOURCE_LABELS[HELSEDIREKTORATET]}"


def grant_letter(payment: Payment, grants: Iterable[Grant]) -> Grant | None:
    """The grant (``tilskudd.csv``) a payment belongs to: the same source's, whose years cover
    the payment's date; ``None`` when none does."""
    return next(
        (g for g in grants if g.kilde == payment.kilde and g.fra_aar <= payment.dato.year <= g.til_aar), None
    )


def listed_payments(payments: Iterable[Payment] | None, year: int) -> list[Payment]:
    """The payments dated up to the end of ``year``, by year, source, date and reference."""
    return sorted(
        (p for p in payments or () if p.dato.year <= year),
        key=lambda p: (p.dato.year, PAYMENT_SOURCES.index(p.kilde), p.dato, p.referanse),
    )


def voucher_order(v: dict[str, Any]) -> tuple:
    """The voucher sheet's order: by year, then accounts line, municipality, date, number, row."""
    return (
        v["report_year"],
        line_order(line_of(v)),
        v["kommunenummer"],
        v["bilagsdato"],
        v["bilagsnummer"],
        v["row_number"],
    )


def municipality_totals(
    entitlements: Iterable[dict],
) -> dict[tuple[int, str], tuple[int, int, Decimal, Decimal]]:
    """Per year and municipality: ALIS, days employed, ALIS grant and own share."""
    totals: dict[tuple[int, str], tuple[int, int, Decimal, Decimal]] = {}
    for e in entitlements:
        key = (e["report_year"], e["kommunenummer"])
        count, days, grant, own = totals.get(key, (0, 0, ZERO, ZERO))
        totals[key] = (
            count + 1,
            days + e["days_employed"],
            grant + from_ore(e["tilskudd_ore"]),
            own + from_ore(e["egenandel_ore"]),
        )
    return dict(sorted(totals.items()))


# ---------------------------------------------------------------- the workbook


def wrap_where_needed(values: list[Any], widths: list[int], wrap: list[bool]) -> list[bool] | None:
    """``wrap`` when a text of a wrapping column is longer than a line of it, else ``None``:
    a row that fits its columns is written on the cheap path (most vouchers)."""
    from alis_nord.xlsx import wrapped_lines

    needed = any(
        on and values[i] and wrapped_lines(str(values[i]), widths[i]) > 1 for i, on in enumerate(wrap)
    )
    return wrap if needed else None


def auditor_workbook_bytes(
    reference: ReferenceData, rows: StoredRows, accounts: dict[str, Any], heading: str, created: dt.date
) -> bytes:
    """The auditor's file of one report year (see the module's docstring)."""
    import openpyxl

    from alis_nord.xlsx import workbook_bytes

    workbook = openpyxl.Workbook(write_only=True)
    year_span, period = audit_years(reference, rows.year)
    years = sorted(set(year_span) | set(period))
    sheets = [
        _overview_sheet(workbook, audit_lines(reference, rows, accounts)),
        _voucher_sheet(workbook, rows, years),
        _payments_sheet(workbook, reference, rows.year),
        *_alis_sheets(workbook, reference, rows, years),
        _files_sheet(workbook, rows, years),
    ]
    for sheet in sheets:
        _print_and_filter(sheet, heading)
    workbook.properties.title = heading
    workbook.properties.created = dt.datetime.combine(created, dt.time())
    return workbook_bytes(workbook)


def _print_and_filter(sheet, heading: str) -> None:
    from alis_nord.xlsx import column_letter, print_sheet

    last_column, last_row = len(sheet.widths), sheet.rows_written
    print_sheet(sheet, heading)
    sheet.ws.auto_filter.ref = f"A1:{column_letter(last_column)}{max(2, last_row)}"


def _overview_sheet(workbook, lines: list[AuditLine]):
    from alis_nord.xlsx import KR, Sheet

    sheet = Sheet(
        workbook,
        "Oversikt",
        ["Linje", "År", "I rapporten", "Tabell", "Sum grunnlag", "Differanse", "Antall", "Grunnlag i arket"],
        [36, 11, 17, 11, 17, 14, 7, 32],
        wrap_header=True,
    )
    for line in lines:
        sheet.row(
            [
                line.label,
                line.span,
                line.reported if line.reported is not None else line.missing,
                line.table,
                line.basis,
                (line.basis - line.reported) if line.reported is not None else None,
                line.items,
                basis_sheet(line.line),
            ],
            [None, None, KR, None, KR, KR, "0", None],
            bold=line.line in (EXPENSES, INCOME, RESULT),
            wrap=[True, False, False, False, False, False, False, True],
        )
    return sheet


def _voucher_sheet(workbook, rows: StoredRows, years: list[int]):
    from alis_nord.xlsx import DATE, KR, Sheet

    sheet = Sheet(
        workbook,
        VOUCHER_SHEET,
        [
            "År",
            "Kommune",
            "Bilagsnr.",
            "Bilagsdato",
            "Beløp",
            "Kategori",
            "Finansieringskilde",
            "Beskrivelse",
            "Fil",
            "Rad",
        ],
        [6, 10, 12, 11, 15, 16, 19, 24, 25, 5],
        wrap_header=True,
    )
    wrap = [False, False, False, False, False, True, True, True, False, False]
    for v in sorted(
        (v for v in rows.up_to_year("kostnader") if v["report_year"] in years), key=voucher_order
    ):
        values = [
            v["report_year"],
            v["kommunenummer"],
            v["bilagsnummer"],
            v["bilagsdato"],
            from_ore(v["belop_ore"]),
            category_label(v["kategori"]),
            FUNDING_SOURCE_LABELS[v["finansieringskilde"]],
            v["beskrivelse"] or "",
            v["file"],
            v["row_number"],
        ]
        sheet.row(
            values,
            ["0", None, None, DATE, KR, None, None, None, None, "0"],
            wrap=wrap_where_needed(values, sheet.widths, wrap),
        )
    return sheet


def _payments_sheet(workbook, reference: ReferenceData, year: int):
    from alis_nord.xlsx import DATE, KR, Sheet

    sheet = Sheet(
        workbook,
        PAYMENTS_SHEET,
        ["År", "Dato", "Tilskuddsgiver", "Beløp", "Utbetaling", "Tilsagn", "Vedtaksdato"],
        [6, 11, 18, 16, 26, 40, 12],
        wrap_header=True,
    )
    if reference.payments is None:
        sheet.row(["", "", "Utbetalinger er ikke registrert (referanse/utbetalinger.csv)"])
    for p in listed_payments(reference.payments, year):
        grant = grant_letter(p, reference.grants)
        sheet.row(
            [
                p.dato.year,
                p.dato,
                FUNDING_SOURCE_LABELS[p.kilde],
                p.belop,
                p.referanse,
                grant.referanse if grant else "ingen tilsagn dekker året",
                grant.vedtaksdato if grant else None,
            ],
            ["0", DATE, None, KR, None, None, DATE],
            wrap=[False, False, True, False, True, True, False],
        )
    return sheet


def _alis_sheets(workbook, reference: ReferenceData, rows: StoredRows, years: list[int]) -> list:
    from alis_nord.xlsx import KR, Sheet

    alis = sorted(
        (e for e in rows.up_to_year("alis_grant_entitlement") if e["report_year"] in years),
        key=lambda e: (e["report_year"], e["kommunenummer"], e["alis_id"]),
    )
    alis_sheet = Sheet(
        workbook,
        ALIS_SHEET,
        ["År", "Kommune", "ALIS-id", "Dager ansatt", "Dager i året", "Sats per år", "Tilskudd", "Egenandel"],
        [6, 9, 10, 9, 9, 14, 14, 14],
        wrap_header=True,
    )
    for e in alis:
        alis_sheet.row(
            [
                e["report_year"],
                e["kommunenummer"],
                e["alis_id"],
                e["days_employed"],
                e["days_in_year"],
                reference.rates_for(e["report_year"]).tilskudd_per_alis,
                from_ore(e["tilskudd_ore"]),
                from_ore(e["egenandel_ore"]),
            ],
            ["0", None, None, "0", "0", KR, KR, KR],
        )
    municipality_sheet = Sheet(
        workbook,
        MUNICIPALITY_SHEET,
        ["År", "Kommune", "Navn", "ALIS", "Dager ansatt", "Sats per år", "Tilskudd", "Egenandel"],
        [6, 9, 23, 6, 9, 14, 14, 14],  # 95 widths: portrait
        wrap_header=True,
    )
    for (y, kommune), (count, days, grant, own) in municipality_totals(alis).items():
        municipality_sheet.row(
            [
                y,
                kommune,
                reference.name_of(kommune),
                count,
                days,
                reference.rates_for(y).tilskudd_per_alis,
                grant,
                own,
            ],
            ["0", None, None, "0", "0", KR, KR, KR],
            wrap=[False, False, True, False, False, False, False, False],
        )
    return [alis_sheet, municipality_sheet]


def _files_sheet(workbook, rows: StoredRows, years: list[int]):
    from alis_nord.xlsx import Sheet

    sheet = Sheet(workbook, FILES_SHEET, ["År", "Fil", "SHA-256", "Byte"], [6, 34, 66, 10], wrap_header=True)
    for f in sorted(rows.up_to_year("input_files"), key=lambda f: (f["report_year"], f["path"])):
        if f["report_year"] in years:
            sheet.row([f["report_year"], f["path"], f["sha256"], f["size_bytes"]], ["0", None, None, "0"])
    return sheet
