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
from alis_nord.reference import Rates

FUNDING_SOURCES = ("helsedirektoratet", "statsforvalter", "egenandel")


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
    years_counted: tuple[int, ...]
    years_missing: tuple[int, ...]  # grant years before Y with no figures in the warehouse


def grant_use(
    year: int, total: Decimal, fra_aar: int, til_aar: int, used_by_year: dict[int, Decimal]
) -> GrantUse:
    """Cumulative use over every year from ``fra_aar`` through ``min(year, til_aar)``.

    ``used_by_year`` holds, per year, ``alis_grant_nok + costs_nok.helsedirektoratet``.
    """
    years = range(fra_aar, min(year, til_aar) + 1)
    counted = tuple(y for y in years if y in used_by_year)
    missing = tuple(y for y in years if y not in used_by_year)
    cumulative = sum((used_by_year[y] for y in counted), Decimal("0.00"))
    in_period = fra_aar <= year <= til_aar
    return GrantUse(
        year,
        total,
        used_by_year.get(year, Decimal("0.00")) if in_period else Decimal("0.00"),
        cumulative,
        total - cumulative,
        counted,
        missing,
    )
