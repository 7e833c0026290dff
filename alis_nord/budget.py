"""The money of ``outputs.md``: ALIS grant entitlement, own share, costs, grant use.

All amounts are ``Decimal``; each ALIS row is rounded half-up to øre, then rows are summed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import round_ore
from alis_nord.reference import STATSFORVALTER, Rates

FUNDING_SOURCES = ("helsedirektoratet", "statsforvalter", "egenandel")
FUNDING_SOURCE_LABELS = {
    "helsedirektoratet": "Helsedirektoratet",
    "statsforvalter": "Statsforvalteren",
    "egenandel": "egenandel",
}


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def days_employed(startdato: dt.date, sluttdato: dt.date | None, year: int) -> int:
    """Days from max(startdato, 1 Jan) to min(sluttdato or 31 Dec, 31 Dec), both included."""
    first = max(startdato, dt.date(year, 1, 1))
    last = min(sluttdato or dt.date(year, 12, 31), dt.date(year, 12, 31))
    return max(0, (last - first).days + 1)


def pro_rata(rate: Decimal, days: int, year: int) -> Decimal:
    """``rate × days ÷ days in year``, rounded half-up to øre."""
    return round_ore(rate * days / days_in_year(year))


@dataclass(frozen=True)
class AlisEntitlement:
    kommunenummer: str
    alis_id: str
    tilsettingsform: str
    days_employed: int
    days_in_year: int
    tilskudd: Decimal
    egenandel: Decimal


def alis_entitlements(alis_rows: list[dict[str, Any]], rates: Rates, year: int) -> list[AlisEntitlement]:
    result = []
    for row in alis_rows:
        days = days_employed(row["startdato"], row["sluttdato"], year)
        result.append(
            AlisEntitlement(
                row["kommunenummer"],
                row["alis_id"],
                row["tilsettingsform"],
                days,
                days_in_year(year),
                pro_rata(rates.tilskudd_per_alis, days, year),
                pro_rata(rates.egenandel_per_alis, days, year),
            )
        )
    return sorted(result, key=lambda e: (e.kommunenummer, e.alis_id))


@dataclass(frozen=True)
class CostLine:
    finansieringskilde: str
    kategori: str
    belop: Decimal
    vouchers: int


def costs_by_source_and_category(vouchers: list[dict[str, Any]]) -> list[CostLine]:
    sums: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for voucher in vouchers:
        key = (voucher["finansieringskilde"], voucher["kategori"])
        total, count = sums.get(key, (Decimal("0.00"), 0))
        sums[key] = (total + voucher["belop"], count + 1)
    return [
        CostLine(source, category, total, count)
        for (source, category), (total, count) in sorted(sums.items())
    ]


def costs_per_source(lines: list[CostLine]) -> dict[str, Decimal]:
    totals = {source: Decimal("0.00") for source in FUNDING_SOURCES}
    for line in lines:
        totals[line.finansieringskilde] += line.belop
    return totals


@dataclass(frozen=True)
class GrantUse:
    """Use of Helsedirektoratet's grant, as ``outputs.md`` counts it."""

    year: int
    total: Decimal
    used_in_year: Decimal  # alis grant + costs charged to Helsedirektoratet, if Y is in the grant period
    used_cumulative: Decimal
    remaining: Decimal
    years_missing: tuple[int, ...]  # grant years before Y with no figures in the warehouse


def grant_use(
    year: int, total: Decimal, fra_aar: int, til_aar: int, used_by_year: dict[int, Decimal]
) -> GrantUse:
    """Cumulative use over every year from ``fra_aar`` through ``min(year, til_aar)``.

    ``used_by_year`` holds, per year, ``alis_grant_nok + costs_nok.helsedirektoratet``.
    """
    years = range(fra_aar, min(year, til_aar) + 1)
    missing = tuple(y for y in years if y not in used_by_year)
    cumulative = sum((used_by_year[y] for y in years if y in used_by_year), Decimal("0.00"))
    in_period = fra_aar <= year <= til_aar
    return GrantUse(
        year,
        total,
        used_by_year.get(year, Decimal("0.00")) if in_period else Decimal("0.00"),
        cumulative,
        total - cumulative,
        missing,
    )


# ---------------------------------------------------------------- plan against actual

OVER_PLAN_TOLERANCE = Decimal("0.10")  # a category more than 10 % above plan is flagged
ALIS_GRANT_CATEGORY = "alis_tilskudd"  # budsjett.csv's category for the ALIS grant


@dataclass(frozen=True)
class PlanLine:
    """One category of Helsedirektoratet's grant in one year: the project plan against actual."""

    kategori: str
    plan: Decimal
    actual: Decimal

    @property
    def deviation(self) -> Decimal:
        return self.actual - self.plan

    @property
    def over_plan(self) -> bool:
        """More than 10 % above plan; spending in a category with no plan counts as above it."""
        if self.plan <= 0:
            return self.actual > 0
        return self.actual > self.plan * (1 + OVER_PLAN_TOLERANCE)


def plan_against_actual(
    plan: dict[str, Decimal], alis_grant: Decimal, helsedirektoratet_costs: dict[str, Decimal]
) -> list[PlanLine]:
    """Per category: the plan (``budsjett.csv``) against what was charged to Helsedirektoratet's
    grant — the ALIS grant under ``alis_tilskudd``, vouchers under their own category."""
    actual = {ALIS_GRANT_CATEGORY: alis_grant, **helsedirektoratet_costs}
    categories = [ALIS_GRANT_CATEGORY] + sorted((set(plan) | set(actual)) - {ALIS_GRANT_CATEGORY})
    zero = Decimal("0.00")
    return [PlanLine(c, plan.get(c, zero), actual.get(c, zero)) for c in categories]


# ---------------------------------------------------------------- forecast

CURRENT_RATE = "current_rate"
PLAN = "plan"
FORECAST_LABELS = {CURRENT_RATE: "dagens takt", PLAN: "prosjektplanen"}  # bokmål, for readers
FORECAST_METHODS = {
    CURRENT_RATE: "Årets forbruk (ALIS-tilskudd og kostnader ført på Helsedirektoratet) videreført hvert gjenværende år",
    PLAN: "Brukt hittil pluss prosjektplanens budsjett for hvert gjenværende år",
}


@dataclass(frozen=True)
class Forecast:
    """Use of the grant at the end of the grant period, by one method."""

    method: str
    years: tuple[int, ...]  # the remaining years of the grant period after the report year
    per_year: tuple[Decimal, ...]  # projected use in each of those years
    used_at_end: Decimal
    remaining_at_end: Decimal

    @property
    def description(self) -> str:
        return FORECAST_METHODS[self.method]


def forecasts(use: GrantUse, til_aar: int, plan_by_year: dict[int, Decimal]) -> list[Forecast]:
    """Both forecasts from a year's grant use: at the current rate, and by the plan."""
    years = tuple(range(use.year + 1, til_aar + 1))
    zero = Decimal("0.00")
    result = []
    for method, per_year in (
        (CURRENT_RATE, tuple(use.used_in_year for _ in years)),
        (PLAN, tuple(plan_by_year.get(y, zero) for y in years)),
    ):
        used = use.used_cumulative + sum(per_year, zero)
        result.append(Forecast(method, years, per_year, used, use.total - used))
    return result


# ---------------------------------------------------------------- Statsforvalter


@dataclass(frozen=True)
class StatsforvalterBalance:
    year: int
    granted: Decimal
    costs: Decimal

    @property
    def difference(self) -> Decimal:
        return self.granted - self.costs


def statsforvalter_granted(year: int, grants) -> Decimal:
    """Statsforvalter grants for a year. They are applied for yearly (one row per year); a
    grant spanning several years is spread evenly, rounded half-up to øre."""
    total = Decimal("0.00")
    for grant in grants:
        if grant.kilde == STATSFORVALTER and grant.fra_aar <= year <= grant.til_aar:
            total += round_ore(grant.belop / (grant.til_aar - grant.fra_aar + 1))
    return total
