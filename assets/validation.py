"""Validation stage: the year's tables checked against ``data_contracts/``.

Accepted rows go to ``alis``, ``kostnader`` and ``fastlegedekning``; quarantined rows and
every finding are kept too, so that rows received = accepted + quarantined.
"""

from collections import Counter

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)

from assets.ingest import landing_files
from pipelines.partitions import report_years
from pipelines.resources import LandingArea, WarehouseResource

ROWS_RECONCILE = "rows_received_equal_accepted_plus_quarantined"


@asset(
    partitions_def=report_years,
    group_name="validation",
    deps=[landing_files],
    kinds={"python", "sql"},
    description=(
        "The municipalities' tables validated against the submission format: fatal findings "
        "reject a table, errors quarantine a row, warnings keep it. Writes accepted rows, "
        "quarantined rows and findings for the year."
    ),
)
def validated_submissions(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.landing import inventory_from_rows
    from alis_nord.reference import load_reference_data
    from alis_nord.validation import validate_year, warehouse_rows

    year = int(context.partition_key)
    store = warehouse.open()
    inventory = inventory_from_rows(year, store.rows(tables.input_files, year, order_by=["path"]))
    validation = validate_year(landing.root, inventory, load_reference_data(landing.root))
    rows = warehouse_rows(validation)
    store.replace_year(year, {getattr(tables, name): batch for name, batch in rows.items()})

    accepted = sum(len(t.accepted) for t in validation.tables)
    by_rule = Counter((f.rule, f.severity) for f in validation.findings)
    rule_table = "\n".join(
        f"| {rule} | {severity} | {count} |" for (rule, severity), count in sorted(by_rule.items())
    )
    return MaterializeResult(
        metadata={
            "rows_received": validation.rows_received,
            "rows_accepted": accepted,
            "rows_quarantined": len(validation.quarantined),
            "tables_rejected": sum(t.rejected for t in validation.tables),
            "findings": len(validation.findings),
            "findings_by_rule": MetadataValue.md(
                "| rule | severity | findings |\n|---|---|---|\n" + rule_table
            ),
        }
    )


@asset_check(
    asset=validated_submissions,
    name=ROWS_RECONCILE,
    blocking=True,
    description="Every row received is either accepted or quarantined: nothing lost, nothing invented.",
)
def rows_reconcile(context, warehouse: WarehouseResource) -> AssetCheckResult:
    from alis_nord.warehouse import reconcile_rows

    # a blocking check runs in the materializing step, which has a partition key
    year = int(context.op_execution_context.partition_key)
    received, accepted, quarantined = reconcile_rows(warehouse.open(), year)
    return AssetCheckResult(
        passed=received == accepted + quarantined,
        severity=AssetCheckSeverity.ERROR,
        metadata={"rows_received": received, "rows_accepted": accepted, "rows_quarantined": quarantined},
        description=f"{received} received = {accepted} accepted + {quarantined} quarantined"
        if received == accepted + quarantined
        else f"{received} received ≠ {accepted} accepted + {quarantined} quarantined",
    )
