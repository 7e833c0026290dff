"""Jobs: the whole chain of one report year."""

from dagster import AssetSelection, define_asset_job

annual_report_job = define_asset_job(
    name="annual_report_job",
    selection=AssetSelection.all(),
    description="Ingest, validate, compute the budget figures and render the report for one report year.",
)
