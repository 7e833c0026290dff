"""Jobs: the whole chain of one report year, and what a change of reference data touches."""

from dagster import AssetSelection, define_asset_job

annual_report_job = define_asset_job(
    name="annual_report_job",
    selection=AssetSelection.all(),
    description="Ingest, validate, compute the budget figures and render the report for one report year.",
)

reference_change_job = define_asset_job(
    name="reference_change_job",
    selection=AssetSelection.assets("reference_data").downstream(),
    description=(
        "Reads referanse/ again and recomputes everything that depends on it for one report year: "
        "what the landing-area sensor starts for every year when a reference file changes."
    ),
)
