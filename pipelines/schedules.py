"""The annual schedule: render last year's report after the municipalities' deadline."""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from alis_nord.settings import from_environment
from glue.partitions import report_years
from pipelines.jobs import annual_report_job


@schedule(
    job=annual_report_job,
    cron_schedule=from_environment().report_schedule,
    execution_timezone="Europe/Oslo",
    default_status=DefaultScheduleStatus.RUNNING,  # the annual report is the point of the service
    description=(
        "After the municipalities' deadline (default 15 March 06:00 Europe/Oslo; ALIS_REPORT_SCHEDULE): "
        "the whole chain for the previous report year."
    ),
)
def annual_report_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    report_year = str(context.scheduled_execution_time.year - 1)
    if report_year not in report_years.get_partition_keys(current_time=context.scheduled_execution_time):
        return SkipReason(
            f"{report_year} is not a report year: the landing area has no {report_year}/ folder, or the "
            "code location was loaded before it was made (reload it, then run the year)."
        )
    return RunRequest(run_key=f"annual-report-{report_year}", partition_key=report_year)
