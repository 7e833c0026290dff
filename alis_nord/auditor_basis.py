"""What each line the auditor confirms is made of: the basis of ``revisorgrunnlag-<year>.xlsx``.

Chapter 7 of the report (table 7.1) asks the auditor to confirm the accounts of chapter 6: the
expenses per accounts line, the income, the result and the unused amounts. ``audit_lines`` sets,
per line and per span (the year, the grant period so far), the report's figure beside the sum of
what makes it up: the accepted vouchers, the ALIS grant's computations per ALIS, the payments
received and the municipalities' own share. ``alis_nord.auditor_file`` lays the lines out as the
file's ``Oversikt`` and lists every item beneath them. Amounts are the stored øre, exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import ZERO, from_ore
from alis_nord.reference import PAYMENT_SOURCES, Payment, ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import (
    ALIS_GRANT_CATEGORY,
    FUNDING_SOURCE_LABELS,
    HELSEDIREKTORATET,
    STATSFORVALTER,
    category_label,
)

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
        for line in sorted(lines, key=line_order)
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


def line_order(line: str) -> tuple:
    return (line != ALIS_GRANT_CATEGORY, line.startswith("kilde:"), line)
