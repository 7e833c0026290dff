"""What goes back to the municipalities: a feedback page each, and next year's template."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue

from assets import ingest, validation
from assets.metadata import markdown_table
from pipelines.partitions import report_year, yearly_asset
from pipelines.resources import OutputArea, WarehouseResource


@yearly_asset(
    deps=[ingest.landing_files, validation.validated_submissions, ingest.reference_data],
    kinds={"html"},
    description=(
        "feedback/<kommunenummer>.html for every participant and every other sender: what was "
        "received, accepted and quarantined, and each finding with file, row, column, value and "
        "a message in bokmål."
    ),
)
def municipality_feedback(
    context: AssetExecutionContext, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.feedback import FEEDBACK_TABLES, feedback_pages, render_feedback
    from alis_nord.publishing import publish_folder

    year = report_year(context)
    store = warehouse.open()
    pages = feedback_pages(year, tables.reference_of(store, year), store.stored_rows(year, FEEDBACK_TABLES))
    # a re-run replaces the year's pages, all at once
    directory = publish_folder(
        output.year_dir(year) / "feedback",
        {f"{page.kommunenummer}.html": render_feedback(page).encode("utf-8") for page in pages},
    )
    return MaterializeResult(
        metadata={
            "pages": len(pages),
            "municipalities_with_errors": sum(1 for p in pages if p.count("fatal") or p.count("error")),
            "folder": MetadataValue.path(str(directory)),
            "overview": markdown_table(
                ["kommunenummer", "name", "received", "accepted", "quarantined", "fatal", "error", "warning"],
                [
                    [p.kommunenummer, p.navn, p.received, p.accepted, p.quarantined]
                    + [p.count("fatal"), p.count("error"), p.count("warning")]
                    for p in pages
                ],
            ),
        }
    )


@yearly_asset(
    deps=[ingest.reference_data],
    kinds={"excel"},
    description=(
        "innsendingsmal-<year>.xlsx: the submission template generated from data_contracts/ — one "
        "sheet per table with drop-down lists, formats and input checks, and an instructions sheet."
    ),
)
def submission_template(
    context: AssetExecutionContext, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    from alis_nord import warehouse as tables
    from alis_nord.feedback import project_name
    from alis_nord.publishing import publish_files
    from alis_nord.template import submission_template as template_bytes

    year = report_year(context)
    reference = tables.reference_of(warehouse.open(), year)
    path = output.year_dir(year) / f"innsendingsmal-{year}.xlsx"
    publish_files(path.parent, {path.name: template_bytes(year, project_name(reference))})
    return MaterializeResult(metadata={"template": MetadataValue.path(str(path))})
