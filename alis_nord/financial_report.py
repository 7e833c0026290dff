"""The financial report (regnskapsrapport) of the status report, and the auditor's page.

What Helsedirektoratet's grant terms ask of the accounts: per budget category the approved
budget against the accounts, for the year and for the grant period so far (the whole period in
the final report), with the deviation in kroner and percent; the income (received from
Helsedirektoratet and the Statsforvalter, and the municipalities' own share) against the
expenses; the unused funds; a confirmation signed by the person responsible; and a page for
the auditor, who writes the statement: the pipeline never does.

Computed from stored rows only (what ``alis_nord.stored.FINANCIAL`` names); templates format
(``sections/regnskap.html.j2``, ``sections/revisor.html.j2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.budget import (
    PlanLine,
    cost_lines_from_rows,
    costs_of_source,
    payments_from_rows,
    plan_against_actual,
    plan_lines_from_rows,
    unused_from_rows,
)
from alis_nord.money import ZERO, from_ore
from alis_nord.reference import ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import (
    FUNDING_SOURCE_LABELS,
    HELSEDIREKTORATET,
    STATSFORVALTER,
    category_label,
    category_order,
    report_date,
)

MISSING_EXPLANATION = "forklaring mangler"


@dataclass(frozen=True)
class AccountLine:
    """One budget category: the year's and the period's budget against the accounts."""

    kategori: str
    year: PlanLine
    period: PlanLine

    @property
    def label(self) -> str:
        return category_label(self.kategori)

    @property
    def needs_explanation(self) -> bool:
        return self.year.needs_explanation or self.period.needs_explanation


def account_lines(reference: ReferenceData, rows: StoredRows) -> list[AccountLine]:
    """Per category of the project plan: this year's line (``budget_plan_vs_actual``), and the
    sum over the grant period's years up to the report year, counted the same way from every
    year's stored grant use and costs and this year's copy of the budget."""
    grant = reference.helsedirektoratet_grant()
    year_lines = {c.kategori: c for c in plan_lines_from_rows(rows["budget_plan_vs_actual"])}
    alis_grant = {r["report_year"]: from_ore(r["alis_grant_ore"]) for r in rows.up_to_year("grant_use")}
    costs: dict[int, list] = {}
    for row in rows.up_to_year("costs_by_source"):
        costs.setdefault(row["report_year"], []).append(row)
    period: dict[str, tuple[Decimal, Decimal]] = {}
    for y in range(grant.fra_aar, min(rows.year, grant.til_aar) + 1):
        hdir = costs_of_source(cost_lines_from_rows(costs.get(y, [])), HELSEDIREKTORATET)
        for line in plan_against_actual(reference.plan_for(y), alis_grant.get(y, ZERO), hdir):
            plan, actual = period.get(line.kategori, (ZERO, ZERO))
            period[line.kategori] = (plan + line.plan, actual + line.actual)
    categories = sorted(set(period) | set(year_lines), key=category_order)
    return [
        AccountLine(k, year_lines.get(k, PlanLine(k, ZERO, ZERO)), PlanLine(k, *period.get(k, (ZERO, ZERO))))
        for k in categories
    ]


def _total(lines: list[PlanLine]) -> PlanLine:
    return PlanLine("sum", sum((c.plan for c in lines), ZERO), sum((c.actual for c in lines), ZERO))


@dataclass(frozen=True)
class IncomeAndExpenses:
    """The project's income and expenses for one span of years (the year, or the period)."""

    received: (
        dict[str, Decimal] | None
    )  # per source (Helsedirektoratet, Statsforvalter); None: not registered
    own_share: Decimal  # the municipalities' own share (egenandel), by the ALIS rates
    alis_grant: Decimal  # the ALIS grant the municipalities are entitled to
    costs: Decimal  # every accepted voucher, all funding sources, credit notes negative

    @property
    def income(self) -> Decimal | None:
        return None if self.received is None else sum(self.received.values(), ZERO) + self.own_share

    @property
    def expenses(self) -> Decimal:
        return self.alis_grant + self.costs

    @property
    def balance(self) -> Decimal | None:
        return None if self.income is None else self.income - self.expenses


def income_and_expenses(rows: StoredRows, first_year: int) -> tuple[IncomeAndExpenses, IncomeAndExpenses]:
    """The year's and the period's income and expenses."""
    payments = payments_from_rows(rows["grant_payments"])
    use = {r["report_year"]: r for r in rows.up_to_year("grant_use")}
    costs: dict[int, Decimal] = {}
    for row in rows.up_to_year("costs_by_source"):
        costs[row["report_year"]] = costs.get(row["report_year"], ZERO) + from_ore(row["belop_ore"])

    def span(years: list[int], received: dict[str, Decimal] | None) -> IncomeAndExpenses:
        return IncomeAndExpenses(
            received,
            sum((from_ore(use[y]["egenandel_ore"]) for y in years if y in use), ZERO),
            sum((from_ore(use[y]["alis_grant_ore"]) for y in years if y in use), ZERO),
            sum((costs.get(y, ZERO) for y in years), ZERO),
        )

    year = rows.year
    in_year = {k: p.received_in_year for k, p in payments.items()} if payments else None
    cumulative = {k: p.received_cumulative for k, p in payments.items()} if payments else None
    return span([year], in_year), span(list(range(first_year, year + 1)), cumulative)


def confirmation(reference: ReferenceData, year: int) -> dict[str, Any]:
    """The confirmation by the person responsible: place, date, name and title, from the profile."""
    profile = reference.profile
    return {
        "registered": profile is not None,
        "place": profile.sted if profile else None,
        "date": report_date(year),
        "name": profile.signatar_navn if profile else None,
        "title": profile.signatar_tittel if profile else None,
        "owner": profile.prosjekteier if profile else None,
        "organisation_number": profile.organisasjonsnummer if profile else None,
    }


def financial_report(reference: ReferenceData, rows: StoredRows, explanation) -> dict[str, Any]:
    """The regnskapsrapport chapter, the confirmation and the auditor's page.

    ``explanation`` is the project office's ``tekst/avvik.md`` for the year (or ``None``): a line
    whose deviation needs explaining says «forklaring mangler» when there is none.
    """
    grant = reference.helsedirektoratet_grant()
    year = rows.year
    first = grant.fra_aar
    lines = account_lines(reference, rows)
    in_year, period = income_and_expenses(rows, first)
    unused = unused_from_rows(rows["unused_funds"])
    final = year == grant.til_aar
    return {
        "final": final,
        "period": (first, min(year, grant.til_aar)),
        "lines": lines,
        "total_year": _total([line.year for line in lines]),
        "total_period": _total([line.period for line in lines]),
        "explanation": explanation,
        "explanation_missing": explanation is None and any(line.needs_explanation for line in lines),
        "missing_mark": MISSING_EXPLANATION,
        "in_year": in_year,
        "period_accounts": period,
        "sources": [(s, FUNDING_SOURCE_LABELS[s]) for s in (HELSEDIREKTORATET, STATSFORVALTER)],
        "payments_registered": in_year.received is not None,
        "unused": [{"source": FUNDING_SOURCE_LABELS[f.kilde], "fund": f} for f in unused],
        "unused_helsedirektoratet": next((f.unused for f in unused if f.kilde == HELSEDIREKTORATET), None),
        "confirmation": confirmation(reference, year),
        "auditor": reference.profile.revisor if reference.profile and reference.profile.revisor else None,
    }
