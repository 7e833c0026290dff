"""What goes back to the municipalities: a feedback page each, and next year's template."""

from dagster import MaterializeResult, MetadataValue

from alis_nord.stored import FEEDBACK, REFERENCE
from assets.metadata import markdown_table
from pipelines.resources import OutputArea, WarehouseResource
from pipelines.yearly import yearly_asset


@yearly_asset(
    reads=FEEDBACK + REFERENCE,
    kinds={"html"},
    description=(
        "feedback/<kommunenummer>.html for every participant and every other sender: what was "
        "received, accepted and quarantined, and each finding with file, row, column, value and "
        "a message in bokmål."
    ),
)
def municipality_feedback(year: int, warehouse: WarehouseResource, output: OutputArea) -> MaterializeResult:
    from alis_nord.feedback import feedback_pages, render_feedback
    from alis_nord.publishing import publish_folder

    store = warehouse.open()
    pages = feedback_pages(year, store.reference(year), store.stored_rows(year, FEEDBACK))
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
    reads=REFERENCE,
    kinds={"excel"},
    description=(
        "innsendingsmal-<year>.xlsx: the submission template generated from data_contracts/ — one "
        "sheet per table with drop-down lists, formats and input checks, and an instructions sheet."
    ),
)
def submission_template(year: int, warehouse: WarehouseResource, output: OutputArea) -> MaterializeResult:
    from alis_nord.feedback import project_name
    from alis_nord.publishing import publish_files
    from alis_nord.template import submission_template as template_bytes

    reference = warehouse.open().reference(year)
    path = output.year_dir(year) / f"innsendingsmal-{year}.xlsx"
    publish_files(path.parent, {path.name: template_bytes(year, project_name(reference))})
    return MaterializeResult(metadata={"template": MetadataValue.path(str(path))})
