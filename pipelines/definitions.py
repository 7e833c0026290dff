"""The code location: ``defs``, built from the per-stage modules.

Loading this module imports Dagster and the asset definitions only; every heavy library is
imported inside the assets when they run.
"""

from dagster import Definitions, in_process_executor, load_asset_checks_from_modules, load_assets_from_modules

from assets import budget, feedback, ingest, report, validation
from pipelines.jobs import annual_report_job
from pipelines.resources import resources_from_environment
from pipelines.schedules import annual_report_schedule
from pipelines.sensors import landing_area_sensor

_STAGES = [ingest, validation, budget, report, feedback]

defs = Definitions(
    assets=load_assets_from_modules(_STAGES),
    asset_checks=load_asset_checks_from_modules(_STAGES),
    jobs=[annual_report_job],
    schedules=[annual_report_schedule],
    sensors=[landing_area_sensor],
    resources=resources_from_environment(),
    # The steps of a year run one after another; one process avoids a Python start per step.
    executor=in_process_executor,
)
