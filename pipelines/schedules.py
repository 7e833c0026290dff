"""The annual schedule: render last year's report after the municipalities' deadline."""

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from pipelines.jobs import annual_report_job
from pipelines.resources import report_schedule_from_environment


@schedule(
    job=annual_report_job,
    cron_schedule=report_schedule_from_environment(),
    execution_timezone="Europe/Oslo",
    description=(
        "After the municipalities' deadline (default 15 March 06:00 Europe/Oslo; ALIS_REPORT_SCHEDULE): "
        "the whole chain for the previous report year."
    ),
)
def annual_report_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    report_year = str(context.scheduled_execution_time.year - 1)
    return RunRequest(run_key=f"annual-report-{report_year}", partition_key=report_year)
