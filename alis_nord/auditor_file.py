"""``revisorgrunnlag-<year>.xlsx``: the auditor's working file.

The auditor confirms the accounts of the report's chapter 6 against the vouchers. For each
accounts line, for the year and for the grant period so far, the file lists what makes it up:

- a category charged to Helsedirektoratet's grant: the accepted vouchers (``kostnader`` rows)
  with that category and Helsedirektoratet as funding source;
- the ALIS grant (``alis_tilskudd``): the computation per ALIS (days employed × the year's rate ÷
  days in the year, rounded half-up to øre), and per municipality;
- the costs charged to the other funding sources, which count among the project's expenses.

Every accepted voucher of the years is in exactly one line; each names its municipality, number,
date, amount, source file with its SHA-256, and row. ``Oversikt`` sets each line's sum beside the
report's figure. Amounts are the stored øre, exact; the file is byte-identical for the same rows.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import ZERO, from_ore
from alis_nord.reference import ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import ALIS_GRANT_CATEGORY, FUNDING_SOURCE_LABELS, HELSEDIREKTORATET, category_label

ALIS_SHEET, VOUCHER_SHEET, MUNICIPALITY_SHEET, FILES_SHEET = (
    "ALIS-tilskudd",
    "Bilag",
    "ALIS-tilskudd per kommune",
    "Filer",
)


def line_of(voucher: dict[str, Any]) -> str:
    """The accounts line a voucher belongs to: its category when charged to Helsedirektoratet's
    grant, else «other costs» of its funding source."""
    source = voucher["finansieringskilde"]
    return voucher["kategori"] if source == HELSEDIREKTORATET else f"kilde:{source}"


EXPENSES = "sum_utgifter"  # the ALIS grant and every voucher: chapter 6's «Sum utgifter»


def line_label(line: str) -> str:
    if line == EXPENSES:
        return "Sum utgifter (ALIS-tilskudd og alle bilag)"
    if line.startswith("kilde:"):
        return f"Kostnader dekket av {FUNDING_SOURCE_LABELS[line.removeprefix('kilde:')]}"
    return category_label(line)


@dataclass(frozen=True)
class AuditLine:
    """One accounts line over one span of years: what the report says and what the basis sums to."""

    line: str
    span: str  # "2023" or "2019–2023"
    reported: Decimal | None  # the report's figure; None for a line chapter 6 does not list apart
    basis: Decimal  # the sum of its vouchers or ALIS computations
    items: int

    @property
    def label(self) -> str:
        return line_label(self.line)


def audit_years(reference: ReferenceData, year: int) -> tuple[list[int], list[int]]:
    """The report year, and the grant period's years up to it (chapter 6's «perioden»)."""
    grant = reference.helsedirektoratet_grant()
    return [year], list(range(grant.fra_aar, min(year, grant.til_aar) + 1))


def audit_lines(reference: ReferenceData, rows: StoredRows, accounts: dict[str, Any]) -> list[AuditLine]:
    """Per accounts line of chapter 6 and per span (the year, the period): the report's figure
    and the sum of what the file lists for it."""
    vouchers = rows.up_to_year("kostnader")
    entitlements = rows.up_to_year("alis_grant_entitlement")
    reported = {(a.kategori, "year"): a.year.actual for a in accounts["lines"]}
    reported |= {(a.kategori, "period"): a.period.actual for a in accounts["lines"]}
    expenses = {"year": accounts["in_year"].expenses}
    if (
        rows.year <= reference.helsedirektoratet_grant().til_aar
    ):  # else chapter 6's period runs past the lines'
        expenses["period"] = accounts["period_accounts"].expenses
    result = []
    year_span, period = audit_years(reference, rows.year)
    spans = [("year", year_span)] + (
        [("period", period)] if period != year_span else []
    )  # the first year: one
    for span_name, years in spans:
        span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
        own = [v for v in vouchers if v["report_year"] in years]
        alis = [e for e in entitlements if e["report_year"] in years]
        sums: dict[str, tuple[Decimal, int]] = {
            ALIS_GRANT_CATEGORY: (sum((from_ore(e["tilskudd_ore"]) for e in alis), ZERO), len(alis))
        }
        for v in own:
            total, count = sums.get(line_of(v), (ZERO, 0))
            sums[line_of(v)] = (total + from_ore(v["belop_ore"]), count + 1)
        lines = set(sums) | {k for k, s in reported if s == span_name}
        for line in sorted(lines, key=_line_order):
            total, count = sums.get(line, (ZERO, 0))
            result.append(AuditLine(line, span, reported.get((line, span_name)), total, count))
        basis = sum((total for total, _ in sums.values()), ZERO)
        items = sum(count for _, count in sums.values())
        result.append(AuditLine(EXPENSES, span, expenses.get(span_name), basis, items))
    return result


def _line_order(line: str) -> tuple:
    return (line != ALIS_GRANT_CATEGORY, line.startswith("kilde:"), line)


def _basis_sheet(line: str) -> str:
    if line == EXPENSES:
        return f"{ALIS_SHEET} og {VOUCHER_SHEET}"
    return ALIS_SHEET if line == ALIS_GRANT_CATEGORY else VOUCHER_SHEET


def auditor_workbook_bytes(
    reference: ReferenceData, rows: StoredRows, accounts: dict[str, Any], heading: str, created: dt.date
) -> bytes:
    """The auditor's file of one report year (see the module's docstring)."""
    import openpyxl

    from alis_nord.xlsx import DATE, KR, Sheet, deterministic_zip, print_setup

    workbook = openpyxl.Workbook(write_only=True)
    year_span, period = audit_years(reference, rows.year)
    years = sorted(set(year_span) | set(period))
    files = {(f["report_year"], f["path"]): f["sha256"] for f in rows.up_to_year("input_files")}

    overview = Sheet(
        workbook,
        "Oversikt",
        ["Regnskapslinje", "År", "I rapporten", "Sum grunnlag", "Differanse", "Antall", "Grunnlag i arket"],
        [34, 11, 18, 18, 14, 8, 26],
    )
    for line in audit_lines(reference, rows, accounts):
        overview.row(
            [
                line.label,
                line.span,
                line.reported if line.reported is not None else "ikke egen linje",
                line.basis,
                (line.basis - line.reported) if line.reported is not None else None,
                line.items,
                _basis_sheet(line.line),
            ],
            [None, None, KR, KR, KR, "0", None],
            bold=line.line == EXPENSES,
        )

    vouchers = sorted(
        (v for v in rows.up_to_year("kostnader") if v["report_year"] in years),
        key=lambda v: (
            _line_order(line_of(v)),
            v["report_year"],
            v["kommunenummer"],
            v["bilagsdato"],
            v["bilagsnummer"],
            v["row_number"],
        ),
    )
    voucher_sheet = Sheet(
        workbook,
        VOUCHER_SHEET,
        [
            "Regnskapslinje",
            "År",
            "Kommune",
            "Bilagsnummer",
            "Bilagsdato",
            "Beløp",
            "Kilde",
            "Fil",
            "SHA-256 for filen",
            "Rad",
        ],
        [30, 6, 9, 14, 12, 16, 18, 32, 66, 6],
    )
    for v in vouchers:
        voucher_sheet.row(
            [
                line_label(line_of(v)),
                v["report_year"],
                v["kommunenummer"],
                v["bilagsnummer"],
                v["bilagsdato"],
                from_ore(v["belop_ore"]),
                FUNDING_SOURCE_LABELS[v["finansieringskilde"]],
                v["file"],
                files.get((v["report_year"], v["file"]), ""),
                v["row_number"],
            ],
            [None, "0", None, None, DATE, KR, None, None, None, "0"],
        )

    alis = sorted(
        (e for e in rows.up_to_year("alis_grant_entitlement") if e["report_year"] in years),
        key=lambda e: (e["report_year"], e["kommunenummer"], e["alis_id"]),
    )
    alis_sheet = Sheet(
        workbook,
        ALIS_SHEET,
        ["År", "Kommune", "ALIS-id", "Dager ansatt", "Dager i året", "Sats per år", "Tilskudd"],
        [6, 9, 10, 13, 12, 16, 16],
    )
    for e in alis:
        rate = reference.rates_for(e["report_year"]).tilskudd_per_alis
        alis_sheet.row(
            [
                e["report_year"],
                e["kommunenummer"],
                e["alis_id"],
                e["days_employed"],
                e["days_in_year"],
                rate,
                from_ore(e["tilskudd_ore"]),
            ],
            ["0", None, None, "0", "0", KR, KR],
        )

    per_municipality: dict[tuple[int, str], tuple[int, int, Decimal]] = {}
    for e in alis:
        key = (e["report_year"], e["kommunenummer"])
        count, days, amount = per_municipality.get(key, (0, 0, ZERO))
        per_municipality[key] = (count + 1, days + e["days_employed"], amount + from_ore(e["tilskudd_ore"]))
    municipality_sheet = Sheet(
        workbook,
        MUNICIPALITY_SHEET,
        ["År", "Kommune", "Navn", "ALIS", "Dager ansatt", "Sats per år", "Tilskudd"],
        [6, 9, 24, 6, 13, 16, 16],
    )
    for (y, kommune), (count, days, amount) in sorted(per_municipality.items()):
        municipality_sheet.row(
            [
                y,
                kommune,
                reference.name_of(kommune),
                count,
                days,
                reference.rates_for(y).tilskudd_per_alis,
                amount,
            ],
            ["0", None, None, "0", "0", KR, KR],
        )

    file_sheet = Sheet(workbook, FILES_SHEET, ["År", "Fil", "SHA-256", "Byte"], [6, 40, 66, 10])
    for f in sorted(rows.up_to_year("input_files"), key=lambda f: (f["report_year"], f["path"])):
        if f["report_year"] in years:
            file_sheet.row(
                [f["report_year"], f["path"], f["sha256"], f["size_bytes"]], ["0", None, None, "0"]
            )

    for sheet in (overview, voucher_sheet, alis_sheet, municipality_sheet, file_sheet):
        print_setup(
            sheet.ws, heading, len(sheet.widths), sheet.rows_written, landscape=sum(sheet.widths) > 95
        )
    workbook.properties.title = heading
    workbook.properties.created = dt.datetime.combine(created, dt.time())
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())
