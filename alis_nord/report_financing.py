"""Chapter 2 of the status report, financing: the grant's use per year against the project
plan, cumulative use against the grant with the forecasts, the year's costs per category and
funding source, and the Statsforvalter's grant; figures 2.1 and 2.2 (``alis_nord.charts``).
``financing`` is the ``financing`` block of ``alis_nord.report_context.status_report_context``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from alis_nord.budget import (
    CURRENT_RATE,
    FORECAST_LABELS,
    FORECAST_METHODS,
    cost_lines_from_rows,
    forecasts_from_rows,
    grant_use_from_row,
    plan_lines_from_rows,
)
from alis_nord.money import ZERO, from_ore
from alis_nord.reference import ReferenceData
from alis_nord.stored import StoredRows
from alis_nord.vocabulary import FUNDING_SOURCE_LABELS, FUNDING_SOURCES, category_label, category_order


@dataclass(frozen=True)
class BudgetYear:
    year: int
    plan: Decimal
    reported: bool
    alis_grant: Decimal | None = None
    helsedirektoratet_costs: Decimal | None = None
    used: Decimal | None = None
    used_cumulative: Decimal | None = None
    remaining: Decimal | None = None
    forecast_used: Decimal | None = None  # projected use at the current rate, years after the report year
    forecast_cumulative: Decimal | None = None


def budget_years(year: int, reference: ReferenceData, rows: StoredRows) -> list[BudgetYear]:
    """Every year of the grant period: reported (stored grant use), forecast at the current rate
    (years after the report year, from the stored forecast), or not computed."""
    grant = reference.helsedirektoratet_grant()
    plan_by_year = reference.plan_by_year()
    stored = {r["report_year"]: r for r in rows.every_year["grant_use"]}
    forecasts = {
        f.method: f for f in forecasts_from_rows(rows["grant_forecast"], rows["grant_forecast_years"])
    }
    current = forecasts.get(CURRENT_RATE)
    projected = dict(zip(current.remaining_years, current.per_year, strict=True)) if current else {}
    cumulative_forecast = grant_use_from_row(rows["grant_use"][0]).used_cumulative
    result = []
    for y in range(grant.fra_aar, grant.til_aar + 1):
        plan = plan_by_year.get(y, ZERO)
        row = stored.get(y)
        if y <= year and row is not None:
            result.append(
                BudgetYear(
                    y,
                    plan,
                    True,
                    from_ore(row["alis_grant_ore"]),
                    from_ore(row["helsedirektoratet_costs_ore"]),
                    from_ore(row["used_in_year_ore"]),
                    from_ore(row["used_cumulative_ore"]),
                    from_ore(row["remaining_ore"]),
                )
            )
        elif y > year:
            cumulative_forecast += projected.get(y, ZERO)
            result.append(
                BudgetYear(
                    y, plan, False, forecast_used=projected.get(y), forecast_cumulative=cumulative_forecast
                )
            )
        else:
            result.append(BudgetYear(y, plan, False))
    return result


def budget_year_totals(year: int, years: list[BudgetYear]) -> dict[str, Decimal]:
    """The sums of table 2.1 up to the report year."""
    reported = [r for r in years if r.reported]
    return {
        "plan": sum((r.plan for r in years if r.year <= year), ZERO),
        "alis_grant": sum((r.alis_grant for r in reported), ZERO),
        "helsedirektoratet_costs": sum((r.helsedirektoratet_costs for r in reported), ZERO),
        "used": sum((r.used for r in reported), ZERO),
    }


def plan_against_actual_table(rows: StoredRows) -> tuple[list[dict[str, Any]], dict[str, Decimal]]:
    """The year's plan against actual per category (table 2.3), and its totals."""
    lines = [
        {
            "label": category_label(c.kategori),
            "plan": c.plan,
            "actual": c.actual,
            "deviation": c.deviation,
            "over_plan": c.over_plan,
        }
        for c in plan_lines_from_rows(rows["budget_plan_vs_actual"])
    ]
    total = {"plan": sum((x["plan"] for x in lines), ZERO), "actual": sum((x["actual"] for x in lines), ZERO)}
    total["deviation"] = total["actual"] - total["plan"]
    return lines, total


def costs_by_category_and_source(rows: StoredRows) -> dict[str, Any]:
    """The year's costs, one row per category and one column per funding source (table 2.4)."""
    lines = cost_lines_from_rows(rows["costs_by_source"])
    categories = sorted({c.kategori for c in lines}, key=category_order)
    cells = {(c.kategori, c.finansieringskilde): c.belop for c in lines}
    totals = [sum((cells.get((k, s), ZERO) for k in categories), ZERO) for s in FUNDING_SOURCES]
    return {
        "cost_sources": [
            FUNDING_SOURCE_LABELS[s][:1].upper() + FUNDING_SOURCE_LABELS[s][1:] for s in FUNDING_SOURCES
        ],
        "cost_rows": [
            {
                "label": category_label(k),
                "amounts": [cells.get((k, s), ZERO) for s in FUNDING_SOURCES],
                "total": sum((cells.get((k, s), ZERO) for s in FUNDING_SOURCES), ZERO),
            }
            for k in categories
        ],
        "cost_totals": totals,
        "cost_grand_total": sum(totals, ZERO),
    }


def financing_charts(years: list[BudgetYear], grant_total: Decimal) -> dict[str, Any]:
    """Figure 2.1 (plan and use per year) and figure 2.2 (cumulative use with the forecast)."""
    from alis_nord.charts import (
        CumulativePoint,
        YearBar,
        cumulative_use_against_grant,
        plan_and_actual_by_year,
    )

    bars = [YearBar(r.year, r.plan, r.used if r.reported else None) for r in years]
    points = [CumulativePoint(r.year, r.used_cumulative, False) for r in years if r.reported]
    points += [
        CumulativePoint(r.year, r.forecast_cumulative, True)
        for r in years
        if r.forecast_cumulative is not None
    ]
    return {
        "chart_by_year": plan_and_actual_by_year(bars),
        "chart_cumulative": cumulative_use_against_grant(points, grant_total) if points else None,
    }


def financing(year: int, reference: ReferenceData, rows: StoredRows) -> dict[str, Any]:
    """Chapter 2: the grant's use per year, plan against actual, forecasts, costs, Statsforvalter."""
    grant = reference.helsedirektoratet_grant()
    use = grant_use_from_row(rows["grant_use"][0])
    years = budget_years(year, reference, rows)
    plan_lines, plan_total = plan_against_actual_table(rows)
    statsforvalter = rows["statsforvalter_grant_use"]
    statsforvalter_row = statsforvalter[0] if statsforvalter else {"granted_ore": 0, "costs_ore": 0}
    return {
        "grant": grant,
        "grant_total": use.grant_total,
        "in_grant_period": grant.fra_aar <= year <= grant.til_aar,
        "period_ended": year >= grant.til_aar,  # nothing left to forecast: the figures are final
        "years": years,
        "totals": budget_year_totals(year, years),
        "used_cumulative": use.used_cumulative,
        "remaining": use.remaining,
        "years_missing": list(use.years_missing),
        "plan_lines": plan_lines,
        "plan_total": plan_total,
        "forecasts": [
            {
                "label": FORECAST_LABELS[f.method].capitalize(),
                "description": FORECAST_METHODS[f.method],
                "used_at_end": f.used_at_end,
                "remaining_at_end": f.remaining_at_end,
                "years": list(f.remaining_years),
            }
            for f in forecasts_from_rows(rows["grant_forecast"], rows["grant_forecast_years"])
        ],
        **costs_by_category_and_source(rows),
        "statsforvalter_granted": from_ore(statsforvalter_row["granted_ore"]),
        "statsforvalter_costs": from_ore(statsforvalter_row["costs_ore"]),
        **financing_charts(years, use.grant_total),
    }
