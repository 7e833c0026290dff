"""``budget-<year>.xlsx``: the budget figures for finance officers, one sheet per view.

Amounts are exact decimals in Excel number cells with a kr format (Excel shows them as
``1 234,50 kr`` in a Norwegian locale); headers are frozen; every total and every derived
column (deviation, cumulative use, remaining) is a formula Excel recomputes. Every text
cell is written as text, so text from a submission can never become a formula.

An internal working file of the project office, never shared: it has a row per ALIS and every
voucher with its ALIS-id and description, which the report's suppression of small numbers hides
(``INTERNAL`` below says why; every printed page and the sheet of persons say so).
"""

from __future__ import annotations

import datetime as dt

from alis_nord.budget import (
    FORECAST_LABELS,
    FORECAST_METHODS,
    cost_lines_from_rows,
    costs_per_source,
    entitlement_totals,
    entitlements_by_municipality,
    entitlements_from_rows,
    forecasts_from_rows,
    grant_use_from_row,
    payments_from_rows,
    plan_lines_from_rows,
    unused_from_rows,
)
from alis_nord.feedback import project_name
from alis_nord.money import from_ore
from alis_nord.reference import ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import (
    EMPLOYMENT_FORMS,
    FUNDING_SOURCE_LABELS,
    FUNDING_SOURCES,
    category_label,
    report_date,
)
from alis_nord.xlsx import DATE, KR, PERCENT, Formula, Sheet, print_sheet, workbook_bytes

# The workbook is the project office's own: it has a row per ALIS (id, days, employment form) and
# every voucher with its ALIS-id and description, which would undo the small-number suppression of
# the report's tables (alis_nord.disclosure). So it is never shared: every printed page says so,
# and the sheet of persons says so in its name, tab colour and first line. What is shared is the
# report, whose tables are suppressed.
INTERNAL = "Internt arbeidsdokument – skal ikke deles"
INTERNAL_SHEET = "Internt arbeidsark – skal ikke deles"
PER_ALIS_SHEET = "Per ALIS – internt"


def budget_workbook_bytes(year: int, reference: ReferenceData, rows: StoredRows) -> bytes:
    """The workbook of one report year from the stored rows ``alis_nord.stored.WORKBOOK`` names, one sheet
    per view, byte-identical for the same rows."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)  # streamed: tens of thousands of voucher rows
    grant = reference.helsedirektoratet_grant()
    period_ended = year >= grant.til_aar  # nothing left to forecast: the figures are final
    sheets = [
        _summary_sheet(workbook, year, grant, rows, period_ended),
        _grant_use_sheet(workbook, year, grant, rows),
        _plan_sheet(workbook, rows),
        _costs_sheet(workbook, rows),
        _municipality_sheet(workbook, reference, rows),
        _alis_sheet(workbook, rows),
        *([] if period_ended else [_forecast_sheet(workbook, rows)]),
        _statsforvalter_sheet(workbook, rows),
        _accounts_sheet(workbook, reference, rows),
        _payments_sheet(workbook, rows),
        _unused_sheet(workbook, rows),
        _voucher_sheet(workbook, rows),
    ]
    heading = f"{project_name(reference)} · Budsjett og regnskap {year} · {INTERNAL}"
    for sheet in sheets:  # written when the workbook is saved, after the rows
        print_sheet(sheet, heading, one_page=sheet.ws.title == "Sammendrag")
    workbook.properties.creator = project_name(reference)
    workbook.properties.title = f"Budsjett og regnskap {project_name(reference)} {year}"
    workbook.properties.subject = INTERNAL
    workbook.properties.keywords = "internt"
    workbook.properties.created = dt.datetime.combine(report_date(year), dt.time())
    return workbook_bytes(workbook)


def _summary_sheet(workbook, year: int, grant, rows: StoredRows, period_ended: bool) -> Sheet:
    """Sammendrag: the key figures, as summary.json has them; the forecasts while the grant
    period has years left."""
    sheet = Sheet(workbook, "Sammendrag", ["Nøkkeltall", "Beløp"], [52, 20])
    alis_grant, egenandel = entitlement_totals(entitlements_from_rows(rows["alis_grant_entitlement"]))
    per_source = costs_per_source(cost_lines_from_rows(rows["costs_by_source"]))
    use = grant_use_from_row(rows["grant_use"][0])
    figures = [
        (f"ALIS-tilskudd {year} (etter ansettelsesdager)", alis_grant),
        (f"Egenandel {year}", egenandel),
        *((f"Kostnader {year} dekket av {FUNDING_SOURCE_LABELS[s]}", per_source[s]) for s in FUNDING_SOURCES),
        (f"Helsedirektoratets tilskudd {grant.fra_aar}–{grant.til_aar}", use.grant_total),
        ("Brukt av tilskuddet hittil", use.used_cumulative),
        ("Gjenstår av tilskuddet" + (" ved periodens slutt" if period_ended else ""), use.remaining),
        *(
            (f"Prognose ved periodens slutt ({FORECAST_LABELS[f.method]}): gjenstår", f.remaining_at_end)
            for f in forecasts_from_rows(rows["grant_forecast"], rows["grant_forecast_years"])
            if not period_ended
        ),
    ]
    for label, amount in figures:
        sheet.row([label, amount], [None, KR])
    return sheet


def _grant_use_sheet(workbook, year: int, grant, rows: StoredRows) -> Sheet:
    """Tilskuddsbruk: every grant year so far; used, cumulative and remaining are formulas."""
    sheet = Sheet(
        workbook,
        "Tilskuddsbruk",
        ["År", "ALIS-tilskudd", "Kostnader Helsedirektoratet", "Brukt i året", "Brukt hittil", "Gjenstår"],
        [8, 18, 26, 18, 18, 18],
    )
    total = grant_use_from_row(rows["grant_use"][0]).grant_total
    for row in rows.every_year["grant_use"]:
        if not grant.fra_aar <= row["report_year"] <= min(year, grant.til_aar):
            continue
        n = sheet.rows_written + 1
        sheet.row(
            [
                row["report_year"],
                from_ore(row["alis_grant_ore"]),
                from_ore(row["helsedirektoratet_costs_ore"]),
                Formula(f"=B{n}+C{n}"),
                Formula(f"=SUM(D$2:D{n})"),
                Formula(f"={total}-E{n}"),
            ],
            [None, KR, KR, KR, KR, KR],
        )
    return sheet


def _plan_sheet(workbook, rows: StoredRows) -> Sheet:
    """Budsjett mot regnskap: the project plan against actual per category, with a total row."""
    sheet = Sheet(
        workbook,
        "Budsjett mot regnskap",
        ["Kategori", "Budsjett", "Regnskap", "Avvik", "Avvik i %", "Over planen"],
        [28, 18, 18, 18, 12, 12],
    )
    lines = plan_lines_from_rows(rows["budget_plan_vs_actual"])
    for line in lines:
        n = sheet.rows_written + 1
        sheet.row(
            [
                category_label(line.kategori),
                line.plan,
                line.actual,
                Formula(f"=C{n}-B{n}"),
                Formula(f'=IF(B{n}=0,"",D{n}/B{n})'),
                "ja" if line.over_plan else "",
            ],
            [None, KR, KR, KR, PERCENT, None],
        )
    if lines:
        sheet.total("Sum", [2, 3, 4], 2, sheet.rows_written, [None, KR, KR, KR])
    return sheet


def _costs_sheet(workbook, rows: StoredRows) -> Sheet:
    """Kostnader: accepted vouchers per funding source and category, with a total row."""
    sheet = Sheet(
        workbook, "Kostnader", ["Finansieringskilde", "Kategori", "Bilag", "Beløp"], [22, 26, 10, 18]
    )
    lines = cost_lines_from_rows(rows["costs_by_source"])
    for line in lines:
        sheet.row(
            [
                FUNDING_SOURCE_LABELS[line.finansieringskilde],
                category_label(line.kategori),
                line.vouchers,
                line.belop,
            ],
            [None, None, "0", KR],
        )
    if lines:
        sheet.total("Sum", [3, 4], 2, sheet.rows_written, [None, None, "0", KR])
    return sheet


def _municipality_sheet(workbook, reference: ReferenceData, rows: StoredRows) -> Sheet:
    """Per kommune: ALIS, days, ALIS grant and own share per municipality, with a total row."""
    sheet = Sheet(
        workbook,
        "Per kommune",
        ["Kommunenummer", "Kommune", "ALIS", "Dager", "ALIS-tilskudd", "Egenandel"],
        [16, 32, 8, 10, 18, 18],
    )
    municipalities = entitlements_by_municipality(entitlements_from_rows(rows["alis_grant_entitlement"]))
    for m in municipalities:
        sheet.row(
            [
                m.kommunenummer,
                reference.name_of(m.kommunenummer),
                m.alis,
                m.days_employed,
                m.tilskudd,
                m.egenandel,
            ],
            [None, None, "0", "0", KR, KR],
        )
    if municipalities:
        sheet.total("Sum", [3, 4, 5, 6], 2, sheet.rows_written, [None, None, "0", "0", KR, KR])
    return sheet


def _alis_sheet(workbook, rows: StoredRows) -> Sheet:
    """Per ALIS: each ALIS's days and entitlement, with a total row. A sheet of persons: marked
    as an internal working sheet (``INTERNAL_SHEET``) above its header, and its tab is red."""
    sheet = Sheet(
        workbook,
        PER_ALIS_SHEET,
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
        banner=INTERNAL_SHEET,
    )
    sheet.ws.sheet_properties.tabColor = "C00000"
    entitlement = rows["alis_grant_entitlement"]
    for e in entitlement:
        sheet.row(
            [
                e["kommunenummer"],
                e["alis_id"],
                EMPLOYMENT_FORMS.get(e["tilsettingsform"], e["tilsettingsform"]),
                e["days_employed"],
                e["days_in_year"],
                from_ore(e["tilskudd_ore"]),
                from_ore(e["egenandel_ore"]),
            ],
            [None, None, None, "0", "0", KR, KR],
        )
    if entitlement:
        first = sheet.header_row + 1
        sheet.total("Sum", [6, 7], first, sheet.rows_written, [None, None, None, None, None, KR, KR])
    return sheet


def _forecast_sheet(workbook, rows: StoredRows) -> Sheet:
    """Prognose: use of the grant at the end of the grant period, by method."""
    sheet = Sheet(
        workbook,
        "Prognose",
        ["Metode", "Beskrivelse", "Gjenværende år", "Brukt ved periodens slutt", "Gjenstår"],
        [16, 70, 18, 24, 18],
    )
    for f in forecasts_from_rows(rows["grant_forecast"], rows["grant_forecast_years"]):
        sheet.row(
            [
                FORECAST_LABELS[f.method],
                FORECAST_METHODS[f.method],
                ", ".join(map(str, f.remaining_years)) or "–",
                f.used_at_end,
                f.remaining_at_end,
            ],
            [None, None, None, KR, KR],
        )
    return sheet


def _statsforvalter_sheet(workbook, rows: StoredRows) -> Sheet:
    """Statsforvalter: each year's grant against the costs charged to it, up to the report year."""
    sheet = Sheet(workbook, "Statsforvalter", ["År", "Tilskudd", "Kostnader", "Differanse"], [8, 18, 18, 18])
    for row in rows.up_to_year("statsforvalter_grant_use"):
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
    return sheet


def _accounts_sheet(workbook, reference: ReferenceData, rows: StoredRows) -> Sheet:
    """Regnskapsrapport: budget against accounts per category, the year and the grant period so far,
    as the report's chapter 6 has them; deviations are formulas."""
    from alis_nord.financial_report import MISSING_EXPLANATION, account_lines

    grant = reference.helsedirektoratet_grant()
    period = f"{grant.fra_aar}–{min(rows.year, grant.til_aar)}"
    sheet = Sheet(
        workbook,
        "Regnskapsrapport",
        [
            "Kategori",
            f"Budsjett {rows.year}",
            f"Regnskap {rows.year}",
            "Avvik",
            f"Budsjett {period}",
            f"Regnskap {period}",
            "Avvik",
            "Over 10 %",
        ],
        [28, 18, 18, 18, 20, 20, 18, 18],
    )
    lines = account_lines(reference, rows)
    for line in lines:
        n = sheet.rows_written + 1
        sheet.row(
            [
                line.label,
                line.year.plan,
                line.year.actual,
                Formula(f"=C{n}-B{n}"),
                line.period.plan,
                line.period.actual,
                Formula(f"=F{n}-E{n}"),
                MISSING_EXPLANATION if line.needs_explanation else "",
            ],
            [None, KR, KR, KR, KR, KR, KR, None],
        )
    if lines:
        sheet.total("Sum", [2, 3, 4, 5, 6, 7], 2, sheet.rows_written, [None, KR, KR, KR, KR, KR, KR])
    _income_rows(sheet, rows, grant.fra_aar, period)
    return sheet


def _income_rows(sheet, rows: StoredRows, first_year: int, period: str) -> None:
    """Below the accounts: income against expenses, the year and the period (as table 6.3)."""
    from alis_nord.financial_report import income_and_expenses

    in_year, whole = income_and_expenses(rows, first_year)
    sheet.row([])
    sheet.row(["Inntekter og utgifter", str(rows.year), period], bold=True)
    for label, pick in (
        (
            "Mottatt fra Helsedirektoratet",
            lambda s: None if s.received is None else s.received["helsedirektoratet"],
        ),
        (
            "Mottatt fra Statsforvalteren",
            lambda s: None if s.received is None else s.received["statsforvalter"],
        ),
        ("Kommunenes egenandel", lambda s: s.own_share),
        ("Sum inntekter", lambda s: s.income),
        ("ALIS-tilskudd til kommunene", lambda s: s.alis_grant),
        ("Bilag, alle finansieringskilder", lambda s: s.costs),
        ("Sum utgifter", lambda s: s.expenses),
        ("Resultat (inntekter − utgifter)", lambda s: s.balance),
    ):
        values = [pick(in_year), pick(whole)]
        cells = [
            "ikke registrert" if v is None else v for v in values
        ]  # text in a text cell, never as an amount
        sheet.row([label, *cells], [None, *(None if v is None else KR for v in values)])


def _payments_sheet(workbook, rows: StoredRows) -> Sheet:
    """Utbetalinger: what each source paid, in the year and up to its end (utbetalinger.csv)."""
    sheet = Sheet(
        workbook, "Utbetalinger", ["Tilskuddsgiver", "Mottatt i året", "Mottatt hittil"], [24, 18, 18]
    )
    payments = payments_from_rows(rows["grant_payments"])
    if not payments:
        sheet.row(["Utbetalinger er ikke registrert (referanse/utbetalinger.csv)"])
    for p in payments.values():
        sheet.row([FUNDING_SOURCE_LABELS[p.kilde], p.received_in_year, p.received_cumulative], [None, KR, KR])
    return sheet


def _unused_sheet(workbook, rows: StoredRows) -> Sheet:
    """Ubrukte midler: received against used per source up to the end of the year; unused is a formula."""
    sheet = Sheet(
        workbook,
        "Ubrukte midler",
        ["Tilskuddsgiver", "Mottatt", "Brukt", "Ubrukt", "Siste år i perioden"],
        [24, 18, 18, 18, 20],
    )
    funds = unused_from_rows(rows["unused_funds"])
    if not funds:
        sheet.row(["Ubrukte midler kan ikke beregnes: utbetalinger er ikke registrert"])
    for f in funds:
        n = sheet.rows_written + 1
        sheet.row(
            [
                FUNDING_SOURCE_LABELS[f.kilde],
                f.received,
                f.used,
                Formula(f"=B{n}-C{n}"),
                "ja" if f.final_year else "nei",
            ],
            [None, KR, KR, KR, None],
        )
    return sheet


def _voucher_sheet(workbook, rows: StoredRows) -> Sheet:
    """Bilag: every accepted voucher, for tracing a figure to its source."""
    sheet = Sheet(
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
    vouchers = rows["kostnader"]
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
    return sheet
