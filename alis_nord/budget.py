"""The money of ``docs/outputs.md``: ALIS grant entitlement, own share, costs, grant use.

All amounts are ``Decimal``; each ALIS row is rounded half-up to øre, then rows are summed.
Each result has its warehouse rows beside it (``*_rows``, amounts as whole øre) and is read
back from them (``*_from_rows``), so the assets only move rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.money import from_ore, round_ore, to_ore
from alis_nord.reference import PAYMENT_SOURCES, Rates
from alis_nord.vocabulary import ALIS_GRANT_CATEGORY, FUNDING_SOURCES, HELSEDIREKTORATET, STATSFORVALTER

ZERO = Decimal("0.00")


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


def entitlement_rows(entitlements: list[AlisEntitlement]) -> list[dict[str, Any]]:
    return [
        {
            "kommunenummer": e.kommunenummer,
            "alis_id": e.alis_id,
            "tilsettingsform": e.tilsettingsform,
            "days_employed": e.days_employed,
            "days_in_year": e.days_in_year,
            "tilskudd_ore": to_ore(e.tilskudd),
            "egenandel_ore": to_ore(e.egenandel),
        }
        for e in entitlements
    ]


@dataclass(frozen=True)
class MunicipalityEntitlement:
    """The ALIS grant and own share of one municipality's ALIS together."""

    kommunenummer: str
    alis: int
    days_employed: int
    tilskudd: Decimal
    egenandel: Decimal


def entitlements_by_municipality(entitlement_rows: list[dict[str, Any]]) -> list[MunicipalityEntitlement]:
    by_municipality: dict[str, list[dict[str, Any]]] = {}
    for row in entitlement_rows:
        by_municipality.setdefault(row["kommunenummer"], []).append(row)
    return [
        MunicipalityEntitlement(
            kommunenummer,
            len(rows),
            sum(r["days_employed"] for r in rows),
            sum(from_ore(r["tilskudd_ore"]) for r in rows),  # never an empty group
            sum(from_ore(r["egenandel_ore"]) for r in rows),
        )
        for kommunenummer, rows in sorted(by_municipality.items())
    ]


def entitlement_totals(entitlement_rows: list[dict[str, Any]]) -> tuple[Decimal, Decimal]:
    """The year's ALIS grant and own share: the sum of the rows rounded per ALIS."""
    return (
        sum((from_ore(r["tilskudd_ore"]) for r in entitlement_rows), ZERO),
        sum((from_ore(r["egenandel_ore"]) for r in entitlement_rows), ZERO),
    )


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


def cost_rows(lines: list[CostLine]) -> list[dict[str, Any]]:
    return [
        {
            "finansieringskilde": c.finansieringskilde,
            "kategori": c.kategori,
            "belop_ore": to_ore(c.belop),
            "vouchers": c.vouchers,
        }
        for c in lines
    ]


def cost_lines_from_rows(rows: list[dict[str, Any]]) -> list[CostLine]:
    lines = [
        CostLine(r["finansieringskilde"], r["kategori"], from_ore(r["belop_ore"]), r["vouchers"])
        for r in rows
    ]
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


def grant_use_row(
    use: GrantUse, alis_grant: Decimal, egenandel: Decimal, helsedirektoratet_costs: Decimal
) -> dict[str, Any]:
    return {
        "alis_grant_ore": to_ore(alis_grant),
        "egenandel_ore": to_ore(egenandel),
        "helsedirektoratet_costs_ore": to_ore(helsedirektoratet_costs),
        "used_in_year_ore": to_ore(use.used_in_year),
        "used_cumulative_ore": to_ore(use.used_cumulative),
        "remaining_ore": to_ore(use.remaining),
        "grant_total_ore": to_ore(use.total),
        "years_missing": ",".join(map(str, use.years_missing)),
    }


def grant_use_from_row(row: dict[str, Any]) -> GrantUse:
    return GrantUse(
        row["report_year"],
        from_ore(row["grant_total_ore"]),
        from_ore(row["used_in_year_ore"]),
        from_ore(row["used_cumulative_ore"]),
        from_ore(row["remaining_ore"]),
        tuple(int(y) for y in row["years_missing"].split(",") if y),
    )


def grant_use_for_year(
    year: int,
    grant,
    earlier: list[dict[str, Any]],
    alis_grant: Decimal,
    helsedirektoratet_costs: Decimal,
) -> GrantUse:
    """The year's grant use from its own figures and the stored ``grant_use`` rows of the years
    before it (an earlier year counts once its budget stage has run: it has a row). A stored row
    of this year is replaced by its new figures; later years are outside the sum."""
    used_by_year = {r["report_year"]: from_ore(r["used_in_year_ore"]) for r in earlier}
    used_by_year[year] = alis_grant + helsedirektoratet_costs
    return grant_use(year, grant.belop, grant.fra_aar, grant.til_aar, used_by_year)


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


def plan_rows(lines: list[PlanLine]) -> list[dict[str, Any]]:
    return [
        {
            "kategori": c.kategori,
            "plan_ore": to_ore(c.plan),
            "actual_ore": to_ore(c.actual),
            "over_plan": c.over_plan,
        }
        for c in lines
    ]


def plan_lines_from_rows(rows: list[dict[str, Any]]) -> list[PlanLine]:
    """The stored lines, the ALIS grant first, then the categories by name."""
    lines = [PlanLine(r["kategori"], from_ore(r["plan_ore"]), from_ore(r["actual_ore"])) for r in rows]
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
        used = use.used_cumulative + sum(per_year)  # the cumulative carries the two decimals
        result.append(Forecast(method, years, per_year, used, use.total - used))
    return result


def forecast_rows(results: list[Forecast]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of ``grant_forecast`` (one per method) and ``grant_forecast_years`` (one per
    method and remaining year)."""
    totals = [
        {
            "method": f.method,
            "remaining_years": ",".join(map(str, f.years)),
            "used_at_end_ore": to_ore(f.used_at_end),
            "remaining_at_end_ore": to_ore(f.remaining_at_end),
        }
        for f in results
    ]
    years = [
        {"method": f.method, "forecast_year": y, "used_ore": to_ore(amount)}
        for f in results
        for y, amount in zip(f.years, f.per_year, strict=True)
    ]
    return totals, years


def forecasts_from_rows(totals: list[dict[str, Any]], years: list[dict[str, Any]]) -> list[Forecast]:
    """The stored forecasts, in the order of ``FORECAST_METHODS``."""
    by_method = {r["method"]: r for r in totals}
    result = []
    for method in FORECAST_METHODS:
        if method not in by_method:
            continue
        own = sorted((r for r in years if r["method"] == method), key=lambda r: r["forecast_year"])
        row = by_method[method]
        result.append(
            Forecast(
                method,
                tuple(r["forecast_year"] for r in own),
                tuple(from_ore(r["used_ore"]) for r in own),
                from_ore(row["used_at_end_ore"]),
                from_ore(row["remaining_at_end_ore"]),
            )
        )
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

    def row(self) -> dict[str, Any]:
        return {"granted_ore": to_ore(self.granted), "costs_ore": to_ore(self.costs)}


def statsforvalter_granted(year: int, grants) -> Decimal:
    """Statsforvalter grants for a year. They are applied for yearly (one row per year); a
    grant spanning several years is spread evenly, rounded half-up to øre."""
    total = Decimal("0.00")
    for grant in grants:
        if grant.kilde == STATSFORVALTER and grant.fra_aar <= year <= grant.til_aar:
            total += round_ore(grant.belop / (grant.til_aar - grant.fra_aar + 1))
    return total


# ---------------------------------------------------------------- payments and unused funds


@dataclass(frozen=True)
class PaymentsReceived:
    """What one source paid the project: in the report year, and in all up to its end."""

    kilde: str
    in_year: Decimal
    cumulative: Decimal

    def row(self) -> dict[str, Any]:
        return {
            "kilde": self.kilde,
            "received_in_year_ore": to_ore(self.in_year),
            "received_cumulative_ore": to_ore(self.cumulative),
        }


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
    return {
        r["kilde"]: PaymentsReceived(
            r["kilde"], from_ore(r["received_in_year_ore"]), from_ore(r["received_cumulative_ore"])
        )
        for r in rows
    }


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

    def row(self) -> dict[str, Any]:
        return {
            "kilde": self.kilde,
            "received_ore": to_ore(self.received),
            "used_ore": to_ore(self.used),
            "unused_ore": to_ore(self.unused),
            "final_year": self.final_year,
        }


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
    return [UnusedFunds(kilde, payments[kilde].cumulative, used[kilde], final) for kilde in payments]


def unused_from_rows(rows: list[dict[str, Any]]) -> list[UnusedFunds]:
    return [
        UnusedFunds(r["kilde"], from_ore(r["received_ore"]), from_ore(r["used_ore"]), r["final_year"])
        for r in sorted(rows, key=lambda r: FUNDING_SOURCES.index(r["kilde"]))
    ]
