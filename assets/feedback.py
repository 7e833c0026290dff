"""What goes back to the municipalities: a feedback page each, and next year's template."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from assets.validation import validated_submissions
from pipelines.partitions import report_year, report_years
from pipelines.resources import LandingArea, OutputArea, WarehouseResource


@asset(
    partitions_def=report_years,
    group_name="to_municipalities",
    deps=[validated_submissions],
    kinds={"html"},
    description=(
        "feedback/<kommunenummer>.html for every participant and every other sender: what was "
        "received, accepted and quarantined, and each finding with file, row, column, value and "
        "a message in bokmål."
    ),
)
def municipality_feedback(
    context: AssetExecutionContext, landing: LandingArea, warehouse: WarehouseResource, output: OutputArea
) -> MaterializeResult:
    from alis_nord.feedback import feedback_pages, render_feedback
    from alis_nord.reference import load_reference_data
    from alis_nord.report import write_text_atomically

    year = report_year(context)
    directory = output.year_dir(year) / "feedback"
    directory.mkdir(exist_ok=True)
    pages = feedback_pages(year, load_reference_data(landing.root), warehouse.open())
    for stale in directory.glob("*.html"):  # a re-run replaces the year's pages
        stale.unlink()
    for page in pages:
        write_text_atomically(directory / f"{page.kommunenummer}.html", render_feedback(page))
    overview = "\n".join(
        f"| {p.kommunenummer} | {p.navn} | {p.received} | {p.accepted} | {p.quarantined} | "
        f"{p.count('fatal')} | {p.count('error')} | {p.count('warning')} |"
        for p in pages
    )
    return MaterializeResult(
        metadata={
            "pages": len(pages),
            "municipalities_with_errors": sum(1 for p in pages if p.count("fatal") or p.count("error")),
            "folder": MetadataValue.path(str(directory)),
            "overview": MetadataValue.md(
                "| kommunenummer | name | received | accepted | quarantined | fatal | error | warning |\n"
                "|---|---|---|---|---|---|---|---|\n" + overview
            ),
        }
    )


@asset(
    partitions_def=report_years,
    group_name="to_municipalities",
    kinds={"excel"},
    description=(
        "innsendingsmal-<year>.xlsx: the submission template generated from data_contracts/ — one "
        "sheet per table with drop-down lists, formats and input checks, and an instructions sheet."
    ),
)
def submission_template(context: AssetExecutionContext, output: OutputArea) -> MaterializeResult:
    from alis_nord.report import write_bytes_atomically
    from alis_nord.template import submission_template as template_bytes

    year = report_year(context)
    path = output.year_dir(year) / f"innsendingsmal-{year}.xlsx"
    write_bytes_atomically(path, template_bytes(year))
    return MaterializeResult(metadata={"template": MetadataValue.path(str(path))})
