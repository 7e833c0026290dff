"""``budget_workbook``: budget-<year>.xlsx for finance officers, from every budget figure of the
year (``alis_nord.budget_workbook`` lays out the sheets). Part of the UI's ``budget`` group."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue

from assets import budget, ingest, payments, validation
from pipelines.partitions import report_year, yearly_asset
from pipelines.resources import OutputArea, WarehouseResource


@yearly_asset(
    deps=[
        validation.validated_submissions,
        budget.alis_grant_entitlement,
        budget.costs_by_source,
        budget.grant_use,
        budget.grant_forecast,
        budget.budget_plan_vs_actual,
        budget.statsforvalter_grant_use,
        payments.grant_payments,
        payments.unused_funds,
        ingest.reference_data,
    ],
    kinds={"excel"},
    description=(
        "budget-<year>.xlsx for finance officers: one sheet per view, Norwegian kr number formats, "
        "frozen headers and totals as formulas Excel recomputes. Text from submissions is never a formula."
    ),
)
def budget_workbook(
    context: AssetExecutionContext, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.budget_workbook import WORKBOOK_TABLES, budget_workbook_bytes
    from alis_nord.publishing import publish_files

    year = report_year(context)
    store = warehouse.open()
    rows = store.stored_rows(year, **WORKBOOK_TABLES)
    path = output.year_dir(year) / f"budget-{year}.xlsx"
    publish_files(
        path.parent, {path.name: budget_workbook_bytes(year, tables.reference_of(store, year), rows)}
    )
    return MaterializeResult(metadata={"workbook": MetadataValue.path(str(path))})
