"""Budget stage: the money of ``outputs.md`` for a report year.

``alis_grant_entitlement`` → ``costs_by_source`` → ``grant_use``. Grant use is cumulative
over the grant period, so each year's ``grant_use`` depends on the year before: a backfill
runs the years oldest first.
"""

from dagster import (
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
from pipelines.partitions import report_years
from pipelines.resources import LandingArea, WarehouseResource

GRANT_NOT_OVERSPENT = "helsedirektoratet_grant_not_overspent"
GRANT_HISTORY_COMPLETE = "grant_years_before_this_year_present"


def _kr(amount) -> str:
    from alis_nord.norsk import kr

    return kr(amount)


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

    year = int(context.partition_key)
    store = warehouse.open()
    rates = load_reference_data(landing.root).rates_for(year)
    entitlements = alis_entitlements(store.rows(tables.alis, year), rates, year)
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
    grant = sum((e.tilskudd for e in entitlements), start=rates.tilskudd_per_alis * 0)
    own_share = sum((e.egenandel for e in entitlements), start=rates.egenandel_per_alis * 0)
    per_municipality: dict[str, list] = {}
    for e in entitlements:
        per_municipality.setdefault(e.kommunenummer, []).append(e)
    lines = "\n".join(
        f"| {k} | {len(es)} | {sum(e.days_employed for e in es)} | {_kr(sum(e.tilskudd for e in es))} | "
        f"{_kr(sum(e.egenandel for e in es))} |"
        for k, es in sorted(per_municipality.items())
    )
    return MaterializeResult(
        metadata={
            "alis_count": len(entitlements),
            "alis_grant_nok": float(
                grant
            ),  # numeric metadata for the UI's plot only; figures are exact in the warehouse
            "egenandel_nok": float(own_share),
            "alis_grant": MetadataValue.text(_kr(grant)),
            "egenandel": MetadataValue.text(_kr(own_share)),
            "per_municipality": MetadataValue.md(
                "| kommunenummer | ALIS | days | grant | own share |\n|---|---|---|---|---|\n" + lines
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

    year = int(context.partition_key)
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
    table = "\n".join(
        f"| {line.finansieringskilde} | {line.kategori} | {line.vouchers} | {_kr(line.belop)} |"
        for line in lines
    )
    return MaterializeResult(
        metadata={
            **{f"costs_{source}_nok": float(amount) for source, amount in totals.items()},
            **{f"costs_{source}": MetadataValue.text(_kr(amount)) for source, amount in totals.items()},
            "costs": MetadataValue.md(
                "| source | category | vouchers | amount |\n|---|---|---|---|\n" + table
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
    from alis_nord.money import to_ore
    from alis_nord.reference import load_reference_data

    year = int(context.partition_key)
    store = warehouse.open()
    grant = load_reference_data(landing.root).helsedirektoratet_grant()
    used_by_year = tables.helsedirektoratet_use_by_year(store, year)
    use = compute_grant_use(year, grant.belop, grant.fra_aar, grant.til_aar, used_by_year)
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
    return MaterializeResult(
        metadata={
            "used_in_year_nok": float(use.used_in_year),
            "used_cumulative_nok": float(use.used_cumulative),
            "remaining_nok": float(use.remaining),
            "used_cumulative": MetadataValue.text(_kr(use.used_cumulative)),
            "remaining": MetadataValue.text(_kr(use.remaining)),
            "grant_total": MetadataValue.text(_kr(use.total)),
            "years_counted": MetadataValue.text(", ".join(map(str, use.years_counted)) or "–"),
            "years_missing": MetadataValue.text(", ".join(map(str, use.years_missing)) or "–"),
        }
    )


def _grant_row(context, warehouse: WarehouseResource) -> dict:
    from alis_nord import warehouse as tables

    year = int(context.op_execution_context.partition_key)
    return warehouse.open().rows(tables.grant_use, year)[0]


@asset_check(
    asset=grant_use,
    name=GRANT_NOT_OVERSPENT,
    description="What remains of Helsedirektoratet's grant is not negative.",
)
def grant_not_overspent(context, warehouse: WarehouseResource) -> AssetCheckResult:
    from alis_nord.money import from_ore

    row = _grant_row(context, warehouse)
    remaining = from_ore(row["remaining_ore"])
    return AssetCheckResult(
        passed=remaining >= 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={"remaining": MetadataValue.text(_kr(remaining)), "remaining_nok": float(remaining)},
    )


@asset_check(
    asset=grant_use,
    name=GRANT_HISTORY_COMPLETE,
    description=(
        "Every earlier year of the grant period is in the warehouse, so the cumulative use is "
        "complete. Fails when a year was never run: backfill from the first grant year."
    ),
)
def grant_history_complete(context, warehouse: WarehouseResource) -> AssetCheckResult:
    row = _grant_row(context, warehouse)
    return AssetCheckResult(
        passed=not row["years_missing"],
        severity=AssetCheckSeverity.WARN,
        metadata={"years_missing": MetadataValue.text(row["years_missing"] or "–")},
    )
