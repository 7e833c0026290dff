"""``budget_workbook``: budget-<year>.xlsx for finance officers, from every budget figure of the
year (``alis_nord.budget_workbook`` lays out the sheets). Part of the UI's ``budget`` group."""

from dagster import MaterializeResult, MetadataValue

from alis_nord.declared import DeclaredTables
from alis_nord.stored import REFERENCE_DATA, WORKBOOK
from glue.resources import OutputArea
from glue.yearly import yearly_asset


@yearly_asset(
    reads=WORKBOOK + REFERENCE_DATA,
    kinds={"excel"},
    description=(
        "budget-<year>.xlsx for finance officers: one sheet per view, Norwegian kr number formats, "
        "frozen headers and totals as formulas Excel recomputes. Text from submissions is never a formula."
    ),
)
def budget_workbook(year: int, stored: DeclaredTables, output: OutputArea) -> MaterializeResult:
    from alis_nord.budget_workbook import budget_workbook_bytes
    from alis_nord.publishing import publish_files

    rows = stored.stored_rows(WORKBOOK)
    path = output.year_dir(year) / f"budget-{year}.xlsx"
    publish_files(path.parent, {path.name: budget_workbook_bytes(year, stored.reference(), rows)})
    return MaterializeResult(metadata={"workbook": MetadataValue.path(str(path))})
