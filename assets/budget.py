"""Budget stage: the money of ``outputs.md`` for a report year, for finance officers.

``alis_grant_entitlement`` and ``costs_by_source`` → ``grant_use`` (cumulative over the grant
period, so each year depends on the year before and backfills run oldest first) →
``grant_forecast``; beside them ``budget_plan_vs_actual`` and ``statsforvalter_grant_use``;
all of it in ``budget_workbook`` (budget-<year>.xlsx).

Every asset shows its figures as a Markdown table, and its key numbers as integer metadata
in whole kroner (rounded half-up) so the UI can plot them across years. Exact øre are in
the warehouse, the tables and the workbook.
"""

from decimal import ROUND_HALF_UP, Decimal

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetDep,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    TimeWindowPartitionMapping,
    asset,
    asset_check,
)

from assets.validation import validated_submissions
from pipelines.partitions import report_year, report_years
from pipelines.resources import LandingArea, OutputArea, WarehouseResource

GRANT_NOT_OVERSPENT = "helsedirektoratet_grant_not_overspent"
GRANT_HISTORY_COMPLETE = "grant_years_before_this_year_present"
FORECAST_WITHIN_GRANT = "forecast_within_grant"
CATEGORIES_WITHIN_PLAN = "categories_within_ten_percent_of_plan"
NO_GRANT_COSTS_OUTSIDE_PERIOD = "no_helsedirektoratet_costs_outside_grant_period"


def _kr(amount: Decimal) -> str:
    from alis_nord.norsk import kr

    return kr(amount)


def _kroner(amount: Decimal) -> int:
    """Whole kroner, rounded half-up: for plotting in the UI only."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _md(header: list[str], rows: list[list]) -> MetadataValue:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return MetadataValue.md("\n".join(lines))


@asset(
    partitions_def=report_years,
    group_name="budget",
    deps=[validated_submissions],
    kinds={"python", "sql"},
    description=(
        "ALIS grant and own share (egenandel) per accepted ALIS: the year's rate × days employed "
        "÷ days in the year, rounded half-up to øre per ALIS (rates from referanse/satser.csv)."
    ),
)
def alis_grant_entitlement(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget import alis_entitlements
    from alis_nord.money import to_ore
    from alis_nord.reference import load_reference_data

    year = report_year(context)
    store = warehouse.open()
    reference = load_reference_data(landing.root)
    entitlements = alis_entitlements(store.rows(tables.alis, year), reference.rates_for(year), year)
    store.replace_year(
        year,
        {
            tables.alis_grant_entitlement: [
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
        },
    )
    zero = Decimal("0.00")
    grant = sum((e.tilskudd for e in entitlements), zero)
    own_share = sum((e.egenandel for e in entitlements), zero)
    per_municipality: dict[str, list] = {}
    for e in entitlements:
        per_municipality.setdefault(e.kommunenummer, []).append(e)
    rows = [
        [
            k,
            reference.name_of(k),
            len(es),
            sum(e.days_employed for e in es),
            _kr(sum((e.tilskudd for e in es), zero)),
            _kr(sum((e.egenandel for e in es), zero)),
        ]
        for k, es in sorted(per_municipality.items())
    ]
    return MaterializeResult(
        metadata={
            "alis_count": len(entitlements),
            "alis_grant_kr": _kroner(grant),
            "egenandel_kr": _kroner(own_share),
            "alis_grant": MetadataValue.text(_kr(grant)),
            "egenandel": MetadataValue.text(_kr(own_share)),
            "per_municipality": _md(
                ["kommunenummer", "navn", "ALIS", "dager", "ALIS-tilskudd", "egenandel"], rows
            ),
        }
    )


@asset(
    partitions_def=report_years,
    group_name="budget",
    deps=[validated_submissions],
    kinds={"python", "sql"},
    description="Accepted vouchers summed per funding source (finansieringskilde) and category; credit notes count negative.",
)
def costs_by_source(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget import costs_by_source_and_category, costs_per_source
    from alis_nord.money import from_ore, to_ore

    year = report_year(context)
    store = warehouse.open()
    vouchers = [{**row, "belop": from_ore(row["belop_ore"])} for row in store.rows(tables.kostnader, year)]
    lines = costs_by_source_and_category(vouchers)
    store.replace_year(
        year,
        {
            tables.costs_by_source: [
                {
                    "finansieringskilde": line.finansieringskilde,
                    "kategori": line.kategori,
                    "belop_ore": to_ore(line.belop),
                    "vouchers": line.vouchers,
                }
                for line in lines
            ]
        },
    )
    totals = costs_per_source(lines)
    return MaterializeResult(
        metadata={
            **{f"costs_{source}_kr": _kroner(amount) for source, amount in totals.items()},
            **{f"costs_{source}": MetadataValue.text(_kr(amount)) for source, amount in totals.items()},
            "costs": _md(
                ["finansieringskilde", "kategori", "bilag", "beløp"],
                [[line.finansieringskilde, line.kategori, line.vouchers, _kr(line.belop)] for line in lines],
            ),
        }
    )


@asset(
    partitions_def=report_years,
    group_name="budget",
    deps=[
        alis_grant_entitlement,
        costs_by_source,
        AssetDep("grant_use", partition_mapping=TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)),
    ],
    kinds={"python", "sql"},
    description=(
        "Use of Helsedirektoratet's grant (kap. 762, post 63): for each year of the grant period up "
        "to this one, ALIS grant + costs charged to Helsedirektoratet, summed; and what remains of "
        "the 23 400 000 NOK. Depends on the year before, so backfills run oldest first."
    ),
)
def grant_use(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget import grant_use as compute_grant_use
    from alis_nord.money import from_ore, to_ore
    from alis_nord.reference import load_reference_data

    year = report_year(context)
    store = warehouse.open()
    grant = load_reference_data(landing.root).helsedirektoratet_grant()
    use = compute_grant_use(
        year, grant.belop, grant.fra_aar, grant.til_aar, tables.helsedirektoratet_use_by_year(store, year)
    )
    alis_grant, own_share, hdir_costs = tables.year_money(store, year)
    store.replace_year(
        year,
        {
            tables.grant_use: [
                {
                    "alis_grant_ore": to_ore(alis_grant),
                    "egenandel_ore": to_ore(own_share),
                    "helsedirektoratet_costs_ore": to_ore(hdir_costs),
                    "used_in_year_ore": to_ore(use.used_in_year),
                    "used_cumulative_ore": to_ore(use.used_cumulative),
                    "remaining_ore": to_ore(use.remaining),
                    "grant_total_ore": to_ore(use.total),
                    "years_missing": ",".join(map(str, use.years_missing)),
                }
            ]
        },
    )
    history = [
        [
            r["report_year"],
            _kr(from_ore(r["used_in_year_ore"])),
            _kr(from_ore(r["used_cumulative_ore"])),
            _kr(from_ore(r["remaining_ore"])),
        ]
        for r in store.rows(tables.grant_use, order_by=["report_year"])
        if grant.fra_aar <= r["report_year"] <= year
    ]
    return MaterializeResult(
        metadata={
            "used_in_year_kr": _kroner(use.used_in_year),
            "used_cumulative_kr": _kroner(use.used_cumulative),
            "remaining_kr": _kroner(use.remaining),
            "used_cumulative": MetadataValue.text(_kr(use.used_cumulative)),
            "remaining": MetadataValue.text(_kr(use.remaining)),
            "grant_total": MetadataValue.text(_kr(use.total)),
            "years_missing": MetadataValue.text(", ".join(map(str, use.years_missing)) or "–"),
            "by_year": _md(["år", "brukt i året", "brukt hittil", "gjenstår"], history),
        }
    )


@asset(
    partitions_def=report_years,
    group_name="budget",
    deps=[grant_use],
    kinds={"python", "sql"},
    description=(
        "Forecast of Helsedirektoratet's grant at the end of the grant period, by two methods: "
        "current rate (this year's use repeated for each remaining year) and plan (used so far "
        "plus the project plan's budget for the remaining years)."
    ),
)
def grant_forecast(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget import forecasts
    from alis_nord.money import to_ore
    from alis_nord.reference import load_reference_data

    year = report_year(context)
    store = warehouse.open()
    reference = load_reference_data(landing.root)
    grant = reference.helsedirektoratet_grant()
    results = forecasts(tables.grant_use_of(store, year), grant.til_aar, reference.plan_by_year())
    store.replace_year(
        year,
        {
            tables.grant_forecast: [
                {
                    "method": f.method,
                    "remaining_years": ",".join(map(str, f.years)),
                    "used_at_end_ore": to_ore(f.used_at_end),
                    "remaining_at_end_ore": to_ore(f.remaining_at_end),
                }
                for f in results
            ]
        },
    )
    by_method = {f.method: f for f in results}
    return MaterializeResult(
        metadata={
            **{f"forecast_{m}_used_kr": _kroner(f.used_at_end) for m, f in by_method.items()},
            **{f"forecast_{m}_remaining_kr": _kroner(f.remaining_at_end) for m, f in by_method.items()},
            "forecasts": _md(
                ["metode", "beskrivelse", "gjenværende år", "brukt ved slutten", "gjenstår ved slutten"],
                [
                    [
                        f.method,
                        f.description,
                        ", ".join(map(str, f.years)) or "–",
                        _kr(f.used_at_end),
                        _kr(f.remaining_at_end),
                    ]
                    for f in results
                ],
            ),
        }
    )


@asset(
    partitions_def=report_years,
    group_name="budget",
    deps=[alis_grant_entitlement, costs_by_source],
    kinds={"python", "sql"},
    description=(
        "Helsedirektoratet's grant per category: the project plan (referanse/budsjett.csv) against "
        "actual — the ALIS grant under alis_tilskudd, vouchers charged to Helsedirektoratet under "
        "their category. A category more than 10 % above plan is flagged."
    ),
)
def budget_plan_vs_actual(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget import plan_against_actual
    from alis_nord.money import from_ore, to_ore
    from alis_nord.reference import load_reference_data

    year = report_year(context)
    store = warehouse.open()
    alis_grant, _, _ = tables.year_money(store, year)
    hdir = {
        r["kategori"]: from_ore(r["belop_ore"])
        for r in store.rows(tables.costs_by_source, year)
        if r["finansieringskilde"] == "helsedirektoratet"
    }
    lines = plan_against_actual(load_reference_data(landing.root).plan_for(year), alis_grant, hdir)
    store.replace_year(
        year,
        {
            tables.budget_plan_vs_actual: [
                {
                    "kategori": c.kategori,
                    "plan_ore": to_ore(c.plan),
                    "actual_ore": to_ore(c.actual),
                    "over_plan": c.over_plan,
                }
                for c in lines
            ]
        },
    )
    zero = Decimal("0.00")
    return MaterializeResult(
        metadata={
            "plan_kr": _kroner(sum((c.plan for c in lines), zero)),
            "actual_kr": _kroner(sum((c.actual for c in lines), zero)),
            "categories_over_plan": sum(1 for c in lines if c.over_plan),
            "plan_vs_actual": _md(
                ["kategori", "budsjett", "regnskap", "avvik", "over planen"],
                [
                    [c.kategori, _kr(c.plan), _kr(c.actual), _kr(c.deviation), "ja" if c.over_plan else ""]
                    for c in lines
                ],
            ),
        }
    )


@asset(
    partitions_def=report_years,
    group_name="budget",
    deps=[costs_by_source],
    kinds={"python", "sql"},
    description="The Statsforvalter grant for the year (referanse/tilskudd.csv) against the costs charged to it.",
)
def statsforvalter_grant_use(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget import StatsforvalterBalance, statsforvalter_granted
    from alis_nord.money import from_ore, to_ore
    from alis_nord.reference import load_reference_data

    year = report_year(context)
    store = warehouse.open()
    costs = sum(
        (
            from_ore(r["belop_ore"])
            for r in store.rows(tables.costs_by_source, year)
            if r["finansieringskilde"] == "statsforvalter"
        ),
        Decimal("0.00"),
    )
    balance = StatsforvalterBalance(
        year, statsforvalter_granted(year, load_reference_data(landing.root).grants), costs
    )
    store.replace_year(
        year,
        {
            tables.statsforvalter_grant_use: [
                {"granted_ore": to_ore(balance.granted), "costs_ore": to_ore(balance.costs)}
            ]
        },
    )
    return MaterializeResult(
        metadata={
            "granted_kr": _kroner(balance.granted),
            "costs_kr": _kroner(balance.costs),
            "difference_kr": _kroner(balance.difference),
            "balance": _md(
                ["tilskudd", "kostnader", "differanse"],
                [[_kr(balance.granted), _kr(balance.costs), _kr(balance.difference)]],
            ),
        }
    )


@asset(
    partitions_def=report_years,
    group_name="budget",
    deps=[grant_forecast, budget_plan_vs_actual, statsforvalter_grant_use],
    kinds={"excel"},
    description=(
        "budget-<year>.xlsx for finance officers: one sheet per view, Norwegian kr number formats, "
        "frozen headers and totals as formulas Excel recomputes. Text from submissions is never a formula."
    ),
)
def budget_workbook(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    from alis_nord.budget_workbook import budget_workbook_bytes
    from alis_nord.reference import load_reference_data
    from alis_nord.report import write_bytes_atomically

    year = report_year(context)
    path = output.year_dir(year) / f"budget-{year}.xlsx"
    write_bytes_atomically(
        path, budget_workbook_bytes(year, load_reference_data(landing.root), warehouse.open())
    )
    return MaterializeResult(metadata={"workbook": MetadataValue.path(str(path))})


# ---------------------------------------------------------------- checks


@asset_check(
    asset=grant_use,
    name=GRANT_NOT_OVERSPENT,
    description=(
        "What remains of Helsedirektoratet's grant is not negative. The status report waits until "
        "an overspend is acknowledged in referanse/overforbruk_godkjent.csv (see report_summary's check)."
    ),
)
def grant_not_overspent(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    from alis_nord import warehouse as tables

    use = tables.grant_use_of(warehouse.open(), report_year(context))
    return AssetCheckResult(
        passed=use.remaining >= 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "remaining": MetadataValue.text(_kr(use.remaining)),
            "remaining_kr": _kroner(use.remaining),
        },
    )


@asset_check(
    asset=grant_use,
    name=GRANT_HISTORY_COMPLETE,
    description=(
        "Every earlier year of the grant period is in the warehouse, so the cumulative use is "
        "complete. Fails when a year was never run: backfill from the first grant year."
    ),
)
def grant_history_complete(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    from alis_nord import warehouse as tables

    use = tables.grant_use_of(warehouse.open(), report_year(context))
    return AssetCheckResult(
        passed=not use.years_missing,
        severity=AssetCheckSeverity.WARN,
        metadata={"years_missing": MetadataValue.text(", ".join(map(str, use.years_missing)) or "–")},
    )


@asset_check(
    asset=grant_forecast,
    name=FORECAST_WITHIN_GRANT,
    description="Neither forecast (current rate, plan) uses more than the grant by the end of the grant period.",
)
def forecast_within_grant(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    from alis_nord import warehouse as tables
    from alis_nord.money import from_ore

    rows = warehouse.open().rows(tables.grant_forecast, report_year(context))
    over = {r["method"]: from_ore(r["remaining_at_end_ore"]) for r in rows if r["remaining_at_end_ore"] < 0}
    return AssetCheckResult(
        passed=not over,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "overspent_by_method": MetadataValue.md(
                "\n".join(f"- {m}: {_kr(v)}" for m, v in over.items()) or "–"
            )
        },
    )


@asset_check(
    asset=budget_plan_vs_actual,
    name=CATEGORIES_WITHIN_PLAN,
    description="No category of Helsedirektoratet's grant is more than 10 % above the project plan.",
)
def categories_within_plan(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> AssetCheckResult:
    from alis_nord import warehouse as tables
    from alis_nord.money import from_ore

    over = [
        r for r in warehouse.open().rows(tables.budget_plan_vs_actual, report_year(context)) if r["over_plan"]
    ]
    return AssetCheckResult(
        passed=not over,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "categories_over_plan": MetadataValue.md(
                "\n".join(
                    f"- {r['kategori']}: {_kr(from_ore(r['actual_ore']))} mot budsjett {_kr(from_ore(r['plan_ore']))}"
                    for r in over
                )
                or "–"
            )
        },
    )


@asset_check(
    asset=costs_by_source,
    name=NO_GRANT_COSTS_OUTSIDE_PERIOD,
    description="No costs are charged to Helsedirektoratet in a year outside the grant period (2019–2023).",
)
def no_grant_costs_outside_period(
    context: AssetCheckExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> AssetCheckResult:
    from alis_nord import warehouse as tables
    from alis_nord.reference import load_reference_data

    year = report_year(context)
    grant = load_reference_data(landing.root).helsedirektoratet_grant()
    _, _, hdir = tables.year_money(warehouse.open(), year)
    inside = grant.fra_aar <= year <= grant.til_aar
    return AssetCheckResult(
        passed=inside or hdir == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "grant_period": MetadataValue.text(f"{grant.fra_aar}–{grant.til_aar}"),
            "charged_to_helsedirektoratet": MetadataValue.text(_kr(hdir)),
        },
    )
