"""Ingest stage: what arrived in the landing area for a report year."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from pipelines.partitions import report_year, report_years
from pipelines.resources import LandingArea, WarehouseResource


@asset(
    partitions_def=report_years,
    group_name="ingest",
    kinds={"python", "sql"},
    description=(
        "Every file in the landing area for the year (and the reference files), kept by SHA-256 "
        "with its path, sender and version. For each municipality and table the highest _vN is "
        "used; older versions are listed as superseded, never deleted."
    ),
)
def landing_files(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.landing import inventory_rows, take_inventory

    year = report_year(context)
    inventory = take_inventory(landing.root, year)
    rows = inventory_rows(inventory)
    warehouse.open().replace_year(year, {tables.input_files: rows})

    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    listing = "\n".join(
        f"| `{r['path']}` | {r['status']} | {r['kommunenummer'] or ''} | `{r['sha256'][:12]}…` |"
        for r in rows
    )
    return MaterializeResult(
        metadata={
            "files": len(rows),
            "files_used": by_status.get("used", 0),
            "files_superseded": by_status.get("superseded", 0),
            "files_badly_named": by_status.get("invalid_name", 0),
            "tables_delivered": len(inventory.sources),
            "landing_dir": MetadataValue.path(str(landing.root)),
            "inventory": MetadataValue.md(
                "| file | status | kommunenummer | sha256 |\n|---|---|---|---|\n" + listing
            ),
        }
    )
