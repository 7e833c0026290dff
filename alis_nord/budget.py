"""The money of ``docs/outputs.md``: ALIS grant entitlement, own share, costs, grant use.

All amounts are ``Decimal``; each ALIS row is rounded half-up to øre, then rows are summed.
Each stored figure is a dataclass whose attributes are named as its table's columns
(``alis_nord.schema``), so the warehouse stores it and ``alis_nord.stored.figure_from_row`` reads
it back without a converter of its own (amounts as whole øre in the table).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import ZERO, from_ore, round_ore
from alis_nord.reference import PAYMENT_SOURCES, Rates
from alis_nord.stored import figure_from_row
from alis_nord.vocabulary import ALIS_GRANT_CATEGORY, FUNDING_SOURCES, HELSEDIREKTORATET, STATSFORVALTER


def days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def days_employed(startdato: dt.date, sluttdato: dt.date | None, year: int) -> int:
    """Days from max(startdato, 1 Jan) to min(sluttdato or 31 Dec, 31 Dec), both included."""
    first = max(startdato, dt.date(year, 1, 1))
    last = min(sluttdato or dt.date(year, 12, 31), dt.date(year, 12, 31))
    return max(0, (last - first).days + 1)


def employed_whole_year(startdato: dt.date, sluttdato: dt.date | None, year: int) -> bool:
    """Employed every day of the year: started by 1 January, and no end or an end on 31 December
    or later. The one definition of "the whole year", for the supervision rule and the report."""
    return days_employed(startdato, sluttdato, year) == days_in_year(year)


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
class MunicipalityEntitlement:
    """The ALIS grant and own share of one municipality's ALIS together."""

    kommunenummer: str
    alis: int
    days_employed: int
    tilskudd: Decimal
    egenandel: Decimal


def entitlements_from_rows(rows: list[dict[str, Any]]) -> list[AlisEntitlement]:
    return [figure_from_row(AlisEntitlement, r) for r in rows]


def entitlements_by_municipality(entitlements: list[AlisEntitlement]) -> list[MunicipalityEntitlement]:
    by_municipality: dict[str, list[AlisEntitlement]] = {}
    for entitlement in entitlements:
        by_municipality.setdefault(entitlement.kommunenummer, []).append(entitlement)
    return [
        MunicipalityEntitlement(
            kommunenummer,
            len(own),
            sum(e.days_employed for e in own),
            sum(e.tilskudd for e in own),  # never an empty group
            sum(e.egenandel for e in own),
        )
        for kommunenummer, own in sorted(by_municipality.items())
    ]


def entitlement_totals(entitlements: list[AlisEntitlement]) -> tuple[Decimal, Decimal]:
    """The year's ALIS grant and own share: the sum of the amounts rounded per ALIS."""
    return sum((e.tilskudd for e in entitlements), ZERO), sum((e.egenandel for e in entitlements), ZERO)


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
        total, count = sums.get(key, (ZERO, 0))
        sums[key] = (total + voucher["belop"], count + 1)
    return [
        CostLine(source, category, total, count)
        for (source, category), (total, count) in sorted(sums.items())
    ]


def cost_lines_from_rows(rows: list[dict[str, Any]]) -> list[CostLine]:
    lines = [figure_from_row(CostLine, r) for r in rows]
    return sorted(lines, key=lambda c: (c.finansieringskilde, c.kategori))


def costs_per_source(lines: list[CostLine]) -> dict[str, Decimal]:
    """The year's costs per funding source, every source present (zero when none): the one place
    they are added up, for summary.json, the report, the workbook and the UI."""
    totals = {source: ZERO for source in FUNDING_SOURCES}
    for line in lines:
        totals[line.finansieringskilde] += line.belop
    return totals


def costs_of_source(lines: list[CostLine], source: str) -> dict[str, Decimal]:
    """One funding source's costs per category."""
    return {c.kategori: c.belop for c in lines if c.finansieringskilde == source}


@dataclass(frozen=True)
class GrantUse:
    """Use of Helsedirektoratet's grant, as ``outputs.md`` counts it. The year's own parts (ALIS
    grant, own share, costs charged to Helsedirektoratet) are stored beside it."""

    year: int
    grant_total: Decimal
    used_in_year: Decimal  # alis grant + costs charged to Helsedirektoratet, if Y is in the grant period
    used_cumulative: Decimal
    remaining: Decimal
    years_missing: tuple[int, ...]  # grant years before Y with no figures in the warehouse
    alis_grant: Decimal = ZERO
    egenandel: Decimal = ZERO
    helsedirektoratet_costs: Decimal = ZERO


def grant_use(
    year: int, total: Decimal, fra_aar: int, til_aar: int, used_by_year: dict[int, Decimal]
) -> GrantUse:
    """Cumulative use over every year from ``fra_aar`` through ``min(year, til_aar)``.

    ``used_by_year`` holds, per year, ``alis_grant_nok + costs_nok.helsedirektoratet``.
    """
    years = range(fra_aar, min(year, til_aar) + 1)
    missing = tuple(y for y in years if y not in used_by_year)
    cumulative = sum((used_by_year[y] for y in years if y in used_by_year), ZERO)
    in_period = fra_aar <= year <= til_aar
    return GrantUse(
        year,
        total,
        used_by_year.get(year, ZERO) if in_period else ZERO,
        cumulative,
        total - cumulative,
        missing,
    )


def grant_use_from_row(row: dict[str, Any]) -> GrantUse:
    return figure_from_row(GrantUse, row)


def grant_use_for_year(
    year: int,
    grant,
    earlier: list[dict[str, Any]],
    alis_grant: Decimal,
    egenandel: Decimal,
    helsedirektoratet_costs: Decimal,
) -> GrantUse:
    """The year's grant use from its own figures and the stored ``grant_use`` rows of the years
    before it (an earlier year counts once its budget stage has run: it has a row). A stored row
    of this year is replaced by its new figures; later years are outside the sum."""
    used_by_year = {r["report_year"]: from_ore(r["used_in_year_ore"]) for r in earlier}
    used_by_year[year] = alis_grant + helsedirektoratet_costs
    use = grant_use(year, grant.belop, grant.fra_aar, grant.til_aar, used_by_year)
    return dataclasses.replace(
        use, alis_grant=alis_grant, egenandel=egenandel, helsedirektoratet_costs=helsedirektoratet_costs
    )


def helsedirektoratet_costs(lines: list[CostLine]) -> Decimal:
    return costs_per_source(lines)[HELSEDIREKTORATET]


# ---------------------------------------------------------------- plan against actual

OVER_PLAN_TOLERANCE = Decimal("0.10")  # a category more than 10 % above plan is flagged


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
    def deviation_percent(self) -> Decimal | None:
        """The deviation as a share of the plan, in percent (unrounded); ``None`` with no plan."""
        return self.deviation * 100 / self.plan if self.plan else None

    @property
    def needs_explanation(self) -> bool:
        """A deviation of more than 10 % of the plan either way, or spending with no plan: the
        grant report must explain it (``<year>/tekst/avvik.md``)."""
        if self.plan == 0:
            return self.actual != 0
        return abs(self.deviation) > abs(self.plan) * OVER_PLAN_TOLERANCE

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
    return [PlanLine(c, plan.get(c, ZERO), actual.get(c, ZERO)) for c in categories]


def plan_lines_from_rows(rows: list[dict[str, Any]]) -> list[PlanLine]:
    """The stored lines, the ALIS grant first, then the categories by name."""
    lines = [figure_from_row(PlanLine, r) for r in rows]
    return sorted(lines, key=lambda c: (c.kategori != ALIS_GRANT_CATEGORY, c.kategori))


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
    remaining_years: tuple[int, ...]  # the remaining years of the grant period after the report year
    per_year: tuple[Decimal, ...]  # projected use in each of those years (grant_forecast_years)
    used_at_end: Decimal
    remaining_at_end: Decimal

    @property
    def description(self) -> str:
        return FORECAST_METHODS[self.method]

    @property
    def yearly_use(self) -> list[ForecastYear]:
        """The projected use of each remaining year, as ``grant_forecast_years`` stores it."""
        return [
            ForecastYear(self.method, y, used)
            for y, used in zip(self.remaining_years, self.per_year, strict=True)
        ]


@dataclass(frozen=True)
class ForecastYear:
    """One remaining year's projected use of the grant, by one forecast method."""

    method: str
    forecast_year: int
    used: Decimal


def forecasts(use: GrantUse, til_aar: int, plan_by_year: dict[int, Decimal]) -> list[Forecast]:
    """Both forecasts from a year's grant use: at the current rate, and by the plan."""
    years = tuple(range(use.year + 1, til_aar + 1))
    result = []
    for method, per_year in (
        (CURRENT_RATE, tuple(use.used_in_year for _ in years)),
        (PLAN, tuple(plan_by_year.get(y, ZERO) for y in years)),
    ):
        used = use.used_cumulative + sum(per_year)  # the cumulative carries the two decimals
        result.append(Forecast(method, years, per_year, used, use.grant_total - used))
    return result


def forecasts_from_rows(totals: list[dict[str, Any]], years: list[dict[str, Any]]) -> list[Forecast]:
    """The stored forecasts, in the order of ``FORECAST_METHODS``."""
    by_method = {r["method"]: r for r in totals}
    result = []
    for method in FORECAST_METHODS:
        if method not in by_method:
            continue
        own = sorted((r for r in years if r["method"] == method), key=lambda r: r["forecast_year"])
        per_year = tuple(figure_from_row(ForecastYear, r).used for r in own)
        result.append(figure_from_row(Forecast, by_method[method], per_year=per_year))
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
    total = ZERO
    for grant in grants:
        if grant.kilde == STATSFORVALTER and grant.fra_aar <= year <= grant.til_aar:
            total += round_ore(grant.belop / (grant.til_aar - grant.fra_aar + 1))
    return total


# ---------------------------------------------------------------- payments and unused funds


@dataclass(frozen=True)
class PaymentsReceived:
    """What one source paid the project: in the report year, and in all up to its end."""

    kilde: str
    received_in_year: Decimal
    received_cumulative: Decimal


def payments_received(year: int, reference) -> list[PaymentsReceived] | None:
    """Payments per source (Helsedirektoratet, Statsforvalter) from ``utbetalinger.csv``;
    ``None`` when the file is not registered. Cumulative counts every payment dated up to
    31 December of the report year."""
    if reference.payments is None:
        return None
    result = []
    for kilde in PAYMENT_SOURCES:
        own = [p for p in reference.payments if p.kilde == kilde and p.dato.year <= year]
        in_year = sum((p.belop for p in own if p.dato.year == year), ZERO)
        result.append(PaymentsReceived(kilde, in_year, sum((p.belop for p in own), ZERO)))
    return result


def payments_from_rows(rows: list[dict[str, Any]]) -> dict[str, PaymentsReceived]:
    return {r["kilde"]: figure_from_row(PaymentsReceived, r) for r in rows}


def payments_outside_grant_period(reference) -> list:
    """Payments dated in a year no grant of their source covers (``tilskudd.csv``)."""
    covered: dict[str, set[int]] = {}
    for grant in reference.grants:
        covered.setdefault(grant.kilde, set()).update(range(grant.fra_aar, grant.til_aar + 1))
    return [p for p in reference.payments or () if p.dato.year not in covered.get(p.kilde, set())]


@dataclass(frozen=True)
class UnusedFunds:
    """Received against used for one source, up to the end of the report year. In the last
    year of Helsedirektoratet's grant period what is unused must be repaid, or a transfer
    applied for."""

    kilde: str
    received: Decimal
    used: Decimal
    final_year: bool

    @property
    def unused(self) -> Decimal:
        return self.received - self.used


def unused_funds(
    year: int,
    reference,
    payments: dict[str, PaymentsReceived],
    use: GrantUse,
    statsforvalter_rows: list[dict[str, Any]],
) -> list[UnusedFunds]:
    """Per source: received (``payments``) − used. Helsedirektoratet's use is the cumulative grant
    use; the Statsforvalter's, the costs charged to it in every year up to the report year."""
    final = year == reference.helsedirektoratet_grant().til_aar
    statsforvalter_used = sum(
        (from_ore(r["costs_ore"]) for r in statsforvalter_rows if r["report_year"] <= year), ZERO
    )
    used = {HELSEDIREKTORATET: use.used_cumulative, STATSFORVALTER: statsforvalter_used}
    return [UnusedFunds(kilde, payments[kilde].received_cumulative, used[kilde], final) for kilde in payments]


def unused_from_rows(rows: list[dict[str, Any]]) -> list[UnusedFunds]:
    return [
        figure_from_row(UnusedFunds, r) for r in sorted(rows, key=lambda r: FUNDING_SOURCES.index(r["kilde"]))
    ]
