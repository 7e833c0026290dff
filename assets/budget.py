"""Budget stage: the money of ``docs/outputs.md`` for a report year, for finance officers.

``alis_grant_entitlement`` and ``costs_by_source`` → ``grant_use`` (cumulative over the grant
period, so each year depends on the year before and backfills run oldest first) →
``grant_forecast``; beside them ``budget_plan_vs_actual`` and ``statsforvalter_grant_use``.
What was paid and what is unused is ``assets.payments``; all of it in ``budget_workbook``
(budget-<year>.xlsx, ``assets.workbook``). The three modules make the UI's ``budget`` group.

Every asset shows its figures as a Markdown table, and its key numbers as integer metadata
in whole kroner (rounded half-up) so the UI can plot them across years. Exact øre are in
the warehouse, the tables and the workbook. The computing is in ``alis_nord.budget``; each
asset reads its inputs' stored rows, computes, and replaces its own year's slice.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    MaterializeResult,
    MetadataValue,
)

from alis_nord.declared import DeclaredTables
from alis_nord.stored import ACCOUNTS, REFERENCE_DATA, Reads
from assets.metadata import kr, kr_text, kroner, markdown_list, markdown_table
from glue.resources import LandingArea
from glue.yearly import yearly_asset, yearly_check

GRANT_NOT_OVERSPENT = "helsedirektoratet_grant_not_overspent"
GRANT_HISTORY_COMPLETE = "grant_years_before_this_year_present"
FORECAST_WITHIN_GRANT = "forecast_within_grant"
CATEGORIES_WITHIN_PLAN = "categories_within_ten_percent_of_plan"
NO_GRANT_COSTS_OUTSIDE_PERIOD = "no_helsedirektoratet_costs_outside_grant_period"
DEVIATIONS_EXPLAINED = "deviations_over_ten_percent_explained"


@yearly_asset(
    reads=Reads(("alis",)) + REFERENCE_DATA,
    writes=("alis_grant_entitlement",),
    kinds={"python", "sql"},
    description=(
        "ALIS grant and own share (egenandel) per accepted ALIS: the year's rate × days employed "
        "÷ days in the year, rounded half-up to øre per ALIS (rates from referanse/satser.csv)."
    ),
)
def alis_grant_entitlement(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget

    reference = stored.reference()
    entitlements = budget.alis_entitlements(stored.rows("alis"), reference.rates_for(year), year)
    stored.replace({"alis_grant_entitlement": entitlements})
    grant, own_share = budget.entitlement_totals(entitlements)
    return MaterializeResult(
        metadata={
            "alis_count": len(entitlements),
            "alis_grant_kr": kroner(grant),
            "egenandel_kr": kroner(own_share),
            "alis_grant": kr_text(grant),
            "egenandel": kr_text(own_share),
            "per_municipality": markdown_table(
                ["kommunenummer", "navn", "ALIS", "dager", "ALIS-tilskudd", "egenandel"],
                [
                    [m.kommunenummer, reference.name_of(m.kommunenummer), m.alis, m.days_employed]
                    + [kr(m.tilskudd), kr(m.egenandel)]
                    for m in budget.entitlements_by_municipality(entitlements)
                ],
            ),
        }
    )


@yearly_asset(
    reads=Reads(("kostnader",)),
    writes=("costs_by_source",),
    kinds={"python", "sql"},
    description="Accepted vouchers summed per funding source (finansieringskilde) and category; credit notes count negative.",
)
def costs_by_source(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget
    from alis_nord.money import from_ore

    vouchers = [{**row, "belop": from_ore(row["belop_ore"])} for row in stored.rows("kostnader")]
    lines = budget.costs_by_source_and_category(vouchers)
    stored.replace({"costs_by_source": lines})
    totals = budget.costs_per_source(lines)
    return MaterializeResult(
        metadata={
            **{f"costs_{source}_kr": kroner(amount) for source, amount in totals.items()},
            **{f"costs_{source}": kr_text(amount) for source, amount in totals.items()},
            "costs": markdown_table(
                ["finansieringskilde", "kategori", "bilag", "beløp"],
                [[c.finansieringskilde, c.kategori, c.vouchers, kr(c.belop)] for c in lines],
            ),
        }
    )


@yearly_asset(
    reads=Reads(("alis_grant_entitlement", "costs_by_source"), ("grant_use",)) + REFERENCE_DATA,
    writes=("grant_use",),
    kinds={"python", "sql"},
    description=(
        "Use of Helsedirektoratet's grant (kap. 762, post 63): for each year of the grant period up "
        "to this one, ALIS grant + costs charged to Helsedirektoratet, summed; and what remains of "
        "the 23 400 000 NOK. Reads the stored use of the years before, so backfills run oldest first."
    ),
)
def grant_use(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget

    grant = stored.reference().helsedirektoratet_grant()
    entitlements = budget.entitlements_from_rows(stored.rows("alis_grant_entitlement"))
    alis_grant, own_share = budget.entitlement_totals(entitlements)
    hdir_costs = budget.helsedirektoratet_costs(budget.cost_lines_from_rows(stored.rows("costs_by_source")))
    history = stored.every_year("grant_use")
    use = budget.grant_use_for_year(year, grant, history, alis_grant, own_share, hdir_costs)
    stored.replace({"grant_use": [use]})
    by_year = [budget.grant_use_from_row(r) for r in history if grant.fra_aar <= r["report_year"] < year]
    by_year += [use] if grant.fra_aar <= year else []
    return MaterializeResult(
        metadata={
            "used_in_year_kr": kroner(use.used_in_year),
            "used_cumulative_kr": kroner(use.used_cumulative),
            "remaining_kr": kroner(use.remaining),
            "used_cumulative": kr_text(use.used_cumulative),
            "remaining": kr_text(use.remaining),
            "grant_total": kr_text(use.grant_total),
            "years_missing": MetadataValue.text(", ".join(map(str, use.years_missing)) or "–"),
            "by_year": markdown_table(
                ["år", "brukt i året", "brukt hittil", "gjenstår"],
                [[u.year, kr(u.used_in_year), kr(u.used_cumulative), kr(u.remaining)] for u in by_year],
            ),
        }
    )


@yearly_asset(
    reads=Reads(("grant_use",)) + REFERENCE_DATA,
    writes=("grant_forecast", "grant_forecast_years"),
    kinds={"python", "sql"},
    description=(
        "Forecast of Helsedirektoratet's grant at the end of the grant period, by two methods: "
        "current rate (this year's use repeated for each remaining year) and plan (used so far "
        "plus the project plan's budget for the remaining years), with the projected use per year."
    ),
)
def grant_forecast(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget

    reference = stored.reference()
    use = budget.grant_use_from_row(stored.rows("grant_use")[0])
    results = budget.forecasts(use, reference.helsedirektoratet_grant().til_aar, reference.plan_by_year())
    stored.replace(
        {
            "grant_forecast": results,
            "grant_forecast_years": [y for forecast in results for y in forecast.yearly_use],
        }
    )
    return MaterializeResult(
        metadata={
            **{f"forecast_{f.method}_used_kr": kroner(f.used_at_end) for f in results},
            **{f"forecast_{f.method}_remaining_kr": kroner(f.remaining_at_end) for f in results},
            "forecasts": markdown_table(
                ["metode", "beskrivelse", "gjenværende år", "brukt ved slutten", "gjenstår ved slutten"],
                [
                    [f.method, f.description, ", ".join(map(str, f.remaining_years)) or "–"]
                    + [kr(f.used_at_end), kr(f.remaining_at_end)]
                    for f in results
                ],
            ),
        }
    )


@yearly_asset(
    reads=Reads(("alis_grant_entitlement", "costs_by_source")) + REFERENCE_DATA,
    writes=("budget_plan_vs_actual",),
    kinds={"python", "sql"},
    description=(
        "Helsedirektoratet's grant per category: the project plan (referanse/budsjett.csv) against "
        "actual — the ALIS grant under alis_tilskudd, vouchers charged to Helsedirektoratet under "
        "their category. A category more than 10 % above plan is flagged."
    ),
)
def budget_plan_vs_actual(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget
    from alis_nord.vocabulary import HELSEDIREKTORATET

    alis_grant, _ = budget.entitlement_totals(
        budget.entitlements_from_rows(stored.rows("alis_grant_entitlement"))
    )
    costs = budget.cost_lines_from_rows(stored.rows("costs_by_source"))
    plan = stored.reference().plan_for(year)
    lines = budget.plan_against_actual(plan, alis_grant, budget.costs_of_source(costs, HELSEDIREKTORATET))
    stored.replace({"budget_plan_vs_actual": lines})
    return MaterializeResult(
        metadata={
            "plan_kr": kroner(sum((c.plan for c in lines), budget.ZERO)),
            "actual_kr": kroner(sum((c.actual for c in lines), budget.ZERO)),
            "categories_over_plan": sum(1 for c in lines if c.over_plan),
            "plan_vs_actual": markdown_table(
                ["kategori", "budsjett", "regnskap", "avvik", "over planen"],
                [
                    [c.kategori, kr(c.plan), kr(c.actual), kr(c.deviation)] + ["ja" if c.over_plan else ""]
                    for c in lines
                ],
            ),
        }
    )


@yearly_asset(
    reads=Reads(("costs_by_source",)) + REFERENCE_DATA,
    writes=("statsforvalter_grant_use",),
    kinds={"python", "sql"},
    description="The Statsforvalter grant for the year (referanse/tilskudd.csv) against the costs charged to it.",
)
def statsforvalter_grant_use(year: int, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord import budget
    from alis_nord.vocabulary import STATSFORVALTER

    costs = budget.costs_per_source(budget.cost_lines_from_rows(stored.rows("costs_by_source")))
    granted = budget.statsforvalter_granted(year, stored.reference().grants)
    balance = budget.StatsforvalterBalance(year, granted, costs[STATSFORVALTER])
    stored.replace({"statsforvalter_grant_use": [balance]})
    return MaterializeResult(
        metadata={
            "granted_kr": kroner(balance.granted),
            "costs_kr": kroner(balance.costs),
            "difference_kr": kroner(balance.difference),
            "balance": markdown_table(
                ["tilskudd", "kostnader", "differanse"],
                [[kr(balance.granted), kr(balance.costs), kr(balance.difference)]],
            ),
        }
    )


# ---------------------------------------------------------------- checks


def _stored_grant_use(stored: DeclaredTables):
    from alis_nord import budget

    return budget.grant_use_from_row(stored.rows("grant_use")[0])


@yearly_check(
    asset=grant_use,
    name=GRANT_NOT_OVERSPENT,
    reads=Reads(("grant_use",)),
    description=(
        "What remains of Helsedirektoratet's grant is not negative. The status report waits until "
        "an overspend is acknowledged in referanse/overforbruk_godkjent.csv (see report_summary's check)."
    ),
)
def grant_not_overspent(year: int, stored: DeclaredTables) -> AssetCheckResult:
    use = _stored_grant_use(stored)
    return AssetCheckResult(
        passed=use.remaining >= 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={"remaining": kr_text(use.remaining), "remaining_kr": kroner(use.remaining)},
    )


@yearly_check(
    asset=grant_use,
    name=GRANT_HISTORY_COMPLETE,
    reads=Reads(("grant_use",)),
    description=(
        "Every earlier year of the grant period is in the warehouse, so the cumulative use is "
        "complete. Fails when a year was never run: backfill from the first grant year."
    ),
)
def grant_history_complete(year: int, stored: DeclaredTables) -> AssetCheckResult:
    use = _stored_grant_use(stored)
    return AssetCheckResult(
        passed=not use.years_missing,
        severity=AssetCheckSeverity.WARN,
        metadata={"years_missing": MetadataValue.text(", ".join(map(str, use.years_missing)) or "–")},
    )


@yearly_check(
    asset=grant_forecast,
    name=FORECAST_WITHIN_GRANT,
    reads=Reads(("grant_forecast",)),
    description="Neither forecast (current rate, plan) uses more than the grant by the end of the grant period.",
)
def forecast_within_grant(year: int, stored: DeclaredTables) -> AssetCheckResult:
    from alis_nord.money import from_ore

    rows = stored.rows("grant_forecast")
    over = {r["method"]: from_ore(r["remaining_at_end_ore"]) for r in rows if r["remaining_at_end_ore"] < 0}
    return AssetCheckResult(
        passed=not over,
        severity=AssetCheckSeverity.WARN,
        metadata={"overspent_by_method": markdown_list(f"{m}: {kr(v)}" for m, v in over.items())},
    )


@yearly_check(
    asset=budget_plan_vs_actual,
    name=CATEGORIES_WITHIN_PLAN,
    reads=Reads(("budget_plan_vs_actual",)),
    description="No category of Helsedirektoratet's grant is more than 10 % above the project plan.",
)
def categories_within_plan(year: int, stored: DeclaredTables) -> AssetCheckResult:
    from alis_nord import budget

    lines = budget.plan_lines_from_rows(stored.rows("budget_plan_vs_actual"))
    over = [c for c in lines if c.over_plan]
    return AssetCheckResult(
        passed=not over,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "categories_over_plan": markdown_list(
                f"{c.kategori}: {kr(c.actual)} mot budsjett {kr(c.plan)}" for c in over
            )
        },
    )


@yearly_check(
    asset=costs_by_source,
    name=NO_GRANT_COSTS_OUTSIDE_PERIOD,
    reads=Reads(("costs_by_source",)) + REFERENCE_DATA,
    description="No costs are charged to Helsedirektoratet in a year outside the grant period (2019–2023).",
)
def no_grant_costs_outside_period(year: int, stored: DeclaredTables) -> AssetCheckResult:
    from alis_nord import budget

    grant = stored.reference().helsedirektoratet_grant()
    hdir = budget.helsedirektoratet_costs(budget.cost_lines_from_rows(stored.rows("costs_by_source")))
    inside = grant.fra_aar <= year <= grant.til_aar
    return AssetCheckResult(
        passed=inside or hdir == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "grant_period": MetadataValue.text(f"{grant.fra_aar}–{grant.til_aar}"),
            "charged_to_helsedirektoratet": kr_text(hdir),
        },
    )


@yearly_check(
    asset=budget_plan_vs_actual,
    name=DEVIATIONS_EXPLAINED,
    reads=ACCOUNTS + REFERENCE_DATA,
    description=(
        "Every category whose accounts deviate more than 10 % from the approved budget, in the year or "
        "over the grant period so far, is explained under a heading of its own in <year>/tekst/avvik.md "
        "(«## Kurs»); otherwise the financial report says «forklaring mangler» on that row."
    ),
)
def deviations_explained(year: int, stored: DeclaredTables, landing: LandingArea) -> AssetCheckResult:
    from alis_nord.financial_report import account_lines
    from alis_nord.grant_reporting import line_explanation
    from alis_nord.landing import NARRATIVE_DIR
    from alis_nord.narrative import DEVIATIONS_TEXT, deviation_text

    rows = stored.stored_rows(ACCOUNTS)
    deviating = [line for line in account_lines(stored.reference(), rows) if line.needs_explanation]
    text = deviation_text(landing.root, year)  # each line is explained under a heading of its own
    unexplained = [line for line in deviating if line_explanation(text, line.label, line.kategori) is None]
    return AssetCheckResult(
        passed=not unexplained,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "explanation": MetadataValue.text(
                f"{year}/{NARRATIVE_DIR}/{DEVIATIONS_TEXT}" if text else "mangler"
            ),
            "deviating_categories": markdown_list(line.label for line in deviating),
            "without_their_own_explanation": markdown_list(line.label for line in unexplained),
        },
    )
