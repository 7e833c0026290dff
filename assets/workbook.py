"""``budget_workbook``: budget-<year>.xlsx for finance officers, from every budget figure of the
year (``alis_nord.budget_workbook`` lays out the sheets). Part of the UI's ``budget`` group."""

from dagster import MaterializeResult, MetadataValue

from alis_nord.stored import REFERENCE, WORKBOOK
from glue.resources import OutputArea, WarehouseResource
from glue.yearly import yearly_asset


@yearly_asset(
    reads=WORKBOOK + REFERENCE,
    kinds={"excel"},
    description=(
        "budget-<year>.xlsx for finance officers: one sheet per view, Norwegian kr number formats, "
        "frozen headers and totals as formulas Excel recomputes. Text from submissions is never a formula."
    ),
)
def budget_workbook(year: int, warehouse: WarehouseResource, output: OutputArea) -> MaterializeResult:
    from alis_nord.budget_workbook import budget_workbook_bytes
    from alis_nord.publishing import publish_files

    store = warehouse.open()
    rows = store.stored_rows(year, WORKBOOK)
    path = output.year_dir(year) / f"budget-{year}.xlsx"
    publish_files(path.parent, {path.name: budget_workbook_bytes(year, store.reference(year), rows)})
    return MaterializeResult(metadata={"workbook": MetadataValue.path(str(path))})
