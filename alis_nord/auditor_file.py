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
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import ZERO, from_ore
from alis_nord.reference import Grant, Payment, ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import (
    ALIS_GRANT_CATEGORY,
    FUNDING_SOURCE_LABELS,
    HELSEDIREKTORATET,
    STATSFORVALTER,
    category_label,
)

ALIS_SHEET, VOUCHER_SHEET, MUNICIPALITY_SHEET, FILES_SHEET, PAYMENTS_SHEET = (
    "ALIS-tilskudd",
    "Bilag",
    "ALIS-tilskudd per kommune",
    "Filer",
    "Utbetalinger",
)
PAYMENT_SOURCES = (HELSEDIREKTORATET, STATSFORVALTER)  # who pays the project (utbetalinger.csv)

# the lines of Oversikt besides the categories and «kilde:<source>»
EXPENSES = "sum_utgifter"  # the ALIS grant and every voucher: chapter 6's «Sum utgifter»
OWN_SHARE = "egenandel"
INCOME = "sum_inntekter"
RESULT = "resultat"
RECEIVED, USED, UNUSED = "mottatt:", "brukt:", "ubrukt:"  # + the source
NOT_A_LINE, NOT_REGISTERED = "ikke egen linje", "ikke registrert"


def line_of(voucher: dict[str, Any]) -> str:
    """The accounts line a voucher belongs to: its category when charged to Helsedirektoratet's
    grant, else «other costs» of its funding source."""
    source = voucher["finansieringskilde"]
    return voucher["kategori"] if source == HELSEDIREKTORATET else f"kilde:{source}"


_FIXED_LABELS = {
    EXPENSES: "Sum utgifter (ALIS-tilskudd og alle bilag)",
    OWN_SHARE: "Kommunenes egenandel",
    INCOME: "Sum inntekter",
    RESULT: "Resultat (inntekter − utgifter)",
}
_SOURCE_LABELS = {
    "kilde:": "Kostnader dekket av {}",
    RECEIVED: "Mottatt fra {}",
    USED: "Brukt av tilskuddet fra {}",
    UNUSED: "Ubrukt av tilskuddet fra {}",
}


def line_label(line: str) -> str:
    if line in _FIXED_LABELS:
        return _FIXED_LABELS[line]
    prefix, _, source = line.partition(":")
    if source:
        return _SOURCE_LABELS[prefix + ":"].format(FUNDING_SOURCE_LABELS[source])
    return category_label(line)


def report_table(line: str, span_name: str) -> str:
    """Where chapters 6 and 7 print a line's figure ("" where they do not list it apart);
    ``span_name`` is "year" or "period"."""
    if line.startswith("kilde:"):
        return ""
    if line.startswith(RECEIVED) or line == OWN_SHARE:
        return "6.3"
    if line in (EXPENSES, INCOME, RESULT):
        return "6.3" + (" og 7.1" if span_name == "period" else "")
    return "6.1" if span_name == "year" else "6.2"


@dataclass(frozen=True)
class AuditLine:
    """One line over one span of years: what the report says and what the basis sums to."""

    line: str
    span: str  # "2023", "2019–2023", or "t.o.m. 2023" for what is used and unused
    reported: Decimal | None  # the report's figure; None where the report has none (see ``missing``)
    basis: Decimal  # the sum of its vouchers, ALIS computations or payments
    items: int | None  # how many; None for a line computed from other lines
    missing: str = NOT_A_LINE  # what Oversikt says where ``reported`` is None
    table: str = ""  # the report's table that prints ``reported``

    @property
    def label(self) -> str:
        return line_label(self.line)


Sums = dict[str, tuple[Decimal, int]]  # per line: the amount and how many items make it up


def audit_years(reference: ReferenceData, year: int) -> tuple[list[int], list[int]]:
    """The report year, and the grant period's years up to it (chapter 6's «perioden»)."""
    grant = reference.helsedirektoratet_grant()
    return [year], list(range(grant.fra_aar, min(year, grant.til_aar) + 1))


def span_label(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def _add(sums: Sums, line: str, amount: Decimal) -> None:
    total, count = sums.get(line, (ZERO, 0))
    sums[line] = (total + amount, count + 1)


def expense_sums(vouchers: Iterable[dict], entitlements: Iterable[dict], years: list[int]) -> Sums:
    """Per accounts line, over ``years``: the ALIS grant's computations and each line's vouchers."""
    sums: Sums = {ALIS_GRANT_CATEGORY: (ZERO, 0)}
    for e in entitlements:
        if e["report_year"] in years:
            _add(sums, ALIS_GRANT_CATEGORY, from_ore(e["tilskudd_ore"]))
    for v in vouchers:
        if v["report_year"] in years:
            _add(sums, line_of(v), from_ore(v["belop_ore"]))
    return sums


def own_share_sum(entitlements: Iterable[dict], years: list[int]) -> tuple[Decimal, int]:
    """The municipalities' own share over ``years``: the sum of the amounts rounded per ALIS."""
    own = [from_ore(e["egenandel_ore"]) for e in entitlements if e["report_year"] in years]
    return sum(own, ZERO), len(own)


def received_sums(payments: Iterable[Payment] | None, year: int, cumulative: bool) -> Sums | None:
    """Per paying source: the payments dated in ``year`` or, ``cumulative``, up to its end (as
    ``alis_nord.budget.payments_received`` counts them); ``None`` when none are registered."""
    if payments is None:
        return None
    sums: Sums = {source: (ZERO, 0) for source in PAYMENT_SOURCES}
    for p in payments:
        if (p.dato.year <= year) if cumulative else (p.dato.year == year):
            _add(sums, p.kilde, p.belop)
    return sums


def used_sums(vouchers: Iterable[dict], entitlements: Iterable[dict], period: list[int], year: int) -> Sums:
    """Per paying source, what its grant paid for up to the end of ``year``: Helsedirektoratet's,
    the ALIS grant and its vouchers over the grant ``period`` (the cumulative grant use); the
    Statsforvalter's, its vouchers of every year up to ``year``."""
    sums: Sums = {source: (ZERO, 0) for source in PAYMENT_SOURCES}
    for e in entitlements:
        if e["report_year"] in period:
            _add(sums, HELSEDIREKTORATET, from_ore(e["tilskudd_ore"]))
    for v in vouchers:
        source = v["finansieringskilde"]
        if (source == HELSEDIREKTORATET and v["report_year"] in period) or (
            source == STATSFORVALTER and v["report_year"] <= year
        ):
            _add(sums, source, from_ore(v["belop_ore"]))
    return sums


def expense_lines(
    span: str, span_name: str, sums: Sums, reported: dict, expenses: Decimal | None
) -> list[AuditLine]:
    """The accounts lines of one span (the ALIS grant first, then the categories, then the other
    sources' costs), and «Sum utgifter». ``reported``: the report's figure per category."""
    lines = set(sums) | set(reported)
    result = [
        AuditLine(
            line, span, reported.get(line), *sums.get(line, (ZERO, 0)), table=report_table(line, span_name)
        )
        for line in sorted(lines, key=_line_order)
    ]
    basis = sum((total for total, _ in sums.values()), ZERO)
    items = sum(count for _, count in sums.values())
    return [
        *result,
        AuditLine(EXPENSES, span, expenses, basis, items, table=report_table(EXPENSES, span_name)),
    ]


def income_lines(
    span: str,
    span_name: str,
    reported: Any,
    received: Sums | None,
    own_share: tuple[Decimal, int],
    expenses: Decimal,
) -> list[AuditLine]:
    """The income of one span (received per source, the own share, their sum) and the result.

    ``reported``: the report's ``IncomeAndExpenses`` of the span (``None`` where chapter 6 has
    none); ``received``: the payments listed (``None``: not registered); ``expenses``: the sum of
    the span's expense basis."""
    registered = reported is not None and reported.received is not None
    missing = NOT_REGISTERED if reported is not None and not registered else NOT_A_LINE

    def line(name: str, figure, basis: Decimal, items: int | None) -> AuditLine:
        shown = None if reported is None else figure(reported)  # income and balance: None unregistered
        return AuditLine(name, span, shown, basis, items, missing, report_table(name, span_name))

    received = received or {}
    result = [
        line(RECEIVED + s, lambda r, s=s: r.received[s] if registered else None, *received.get(s, (ZERO, 0)))
        for s in PAYMENT_SOURCES
    ]
    result.append(line(OWN_SHARE, lambda r: r.own_share, *own_share))
    income = sum((total for total, _ in received.values()), own_share[0])
    items = sum(count for _, count in received.values()) + own_share[1]
    result.append(line(INCOME, lambda r: r.income, income, items))
    result.append(line(RESULT, lambda r: r.balance, income - expenses, None))
    return result


def unused_lines(span: str, funds: list, received: Sums | None, used: Sums) -> list[AuditLine]:
    """Per source of table 6.4 (``funds``: the stored ``UnusedFunds``): what is used, and what
    is unused (received − used), up to the end of the year."""
    result = []
    for fund in funds:
        got = received[fund.kilde][0] if received and fund.kilde in received else ZERO
        spent, items = used.get(fund.kilde, (ZERO, 0))
        result.append(AuditLine(USED + fund.kilde, span, fund.used, spent, items, table="6.4"))
        result.append(
            AuditLine(UNUSED + fund.kilde, span, fund.unused, got - spent, None, table="6.4 og 7.1")
        )
    return result


def audit_lines(reference: ReferenceData, rows: StoredRows, accounts: dict[str, Any]) -> list[AuditLine]:
    """Per line of chapters 6 and 7 and per span (the year, the period): the report's figure and
    the sum of what the file lists for it, then what is used and unused up to the year's end."""
    vouchers = rows.up_to_year("kostnader")
    entitlements = rows.up_to_year("alis_grant_entitlement")
    year_span, period = audit_years(reference, rows.year)
    in_period = rows.year <= reference.helsedirektoratet_grant().til_aar  # else chapter 6's period runs past
    chapter6 = {"year": accounts["in_year"], "period": accounts["period_accounts"] if in_period else None}
    result = []
    for span_name, years in [("year", year_span)] + ([("period", period)] if period != year_span else []):
        span = span_label(years)
        reported = {a.kategori: getattr(a, span_name).actual for a in accounts["lines"]}
        sums = expense_sums(vouchers, entitlements, years)
        figures = chapter6[span_name]
        expenses = expense_lines(
            span, span_name, sums, reported, None if figures is None else figures.expenses
        )
        received = received_sums(reference.payments, rows.year, cumulative=span_name == "period")
        own_share = own_share_sum(entitlements, years)
        result += expenses + income_lines(span, span_name, figures, received, own_share, expenses[-1].basis)
    used = used_sums(vouchers, entitlements, period, rows.year)
    received = received_sums(reference.payments, rows.year, cumulative=True)
    result += unused_lines(f"t.o.m. {rows.year}", [u["fund"] for u in accounts["unused"]], received, used)
    return result


def _line_order(line: str) -> tuple:
    return (line != ALIS_GRANT_CATEGORY, line.startswith("kilde:"), line)


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
        _line_order(line_of(v)),
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

    from alis_nord.xlsx import deterministic_zip

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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue())


PORTRAIT_WIDTH = 95  # sheets wider than this in all (character widths) print across the page


def _print_and_filter(sheet, heading: str) -> None:
    from alis_nord.xlsx import column_letter, print_setup

    last_column, last_row = len(sheet.widths), sheet.rows_written
    print_setup(sheet.ws, heading, last_column, last_row, landscape=sum(sheet.widths) > PORTRAIT_WIDTH)
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
