"""The code location: ``defs``, built from the per-stage modules.

Each stage module (``assets.STAGES``) is loaded with its group name (the UI's asset groups); every asset is a
function of one report year made into a partitioned asset by ``glue.yearly``. Loading this module
imports Dagster and the asset definitions only; every heavy library is imported inside the
assets when they run.
"""

from dagster import Definitions, in_process_executor, load_asset_checks_from_modules, load_assets_from_modules

from alis_nord.settings import from_environment
from assets import STAGES
from glue.resources import resources_for
from pipelines.alerts import alert_mail_delivery, run_failure_alert
from pipelines.jobs import annual_report_job, reference_change_job
from pipelines.reminders import municipality_reminders
from pipelines.schedules import annual_report_schedule
from pipelines.sensors import landing_area_sensor

defs = Definitions(
    assets=[
        asset for group, module in STAGES for asset in load_assets_from_modules([module], group_name=group)
    ],
    asset_checks=load_asset_checks_from_modules([module for _, module in STAGES]),
    jobs=[annual_report_job, reference_change_job],
    schedules=[annual_report_schedule],
    sensors=[landing_area_sensor, run_failure_alert, alert_mail_delivery, municipality_reminders],
    resources=resources_for(from_environment()),  # the settings read once, when the code location loads
    # The steps of a year run one after another; one process avoids a Python start per step.
    executor=in_process_executor,
)
