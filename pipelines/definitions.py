"""The code location: ``defs``, built from the per-stage modules.

Each stage module is loaded with its group name (the UI's asset groups); every asset is a
function of one report year made into a partitioned asset by ``glue.yearly``. Loading this module
imports Dagster and the asset definitions only; every heavy library is imported inside the
assets when they run.
"""

from dagster import Definitions, in_process_executor, load_asset_checks_from_modules, load_assets_from_modules

from assets import budget, feedback, ingest, payments, report, validation, workbook
from pipelines.alerts import alert_mail_delivery, run_failure_alert
from pipelines.jobs import annual_report_job, reference_change_job
from pipelines.reminders import municipality_reminders
from glue.resources import resources_from_environment
from pipelines.schedules import annual_report_schedule
from pipelines.sensors import landing_area_sensor

STAGES = [  # (group name in the UI, a module with its assets and checks), in graph order
    ("ingest", ingest),
    ("validation", validation),
    ("budget", budget),
    ("budget", payments),
    ("budget", workbook),
    ("report", report),
    ("to_municipalities", feedback),
]

defs = Definitions(
    assets=[
        asset for group, module in STAGES for asset in load_assets_from_modules([module], group_name=group)
    ],
    asset_checks=load_asset_checks_from_modules([module for _, module in STAGES]),
    jobs=[annual_report_job, reference_change_job],
    schedules=[annual_report_schedule],
    sensors=[landing_area_sensor, run_failure_alert, alert_mail_delivery, municipality_reminders],
    resources=resources_from_environment(),
    # The steps of a year run one after another; one process avoids a Python start per step.
    executor=in_process_executor,
)
