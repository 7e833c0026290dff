"""The annual schedule: render last year's report after the municipalities' deadline."""

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from pipelines.jobs import annual_report_job

# Municipalities deliver by 15 March; the report for the year before is rendered then, 06:00 Oslo time.
REPORT_DEADLINE_CRON = "0 6 15 3 *"


@schedule(
    job=annual_report_job,
    cron_schedule=REPORT_DEADLINE_CRON,
    execution_timezone="Europe/Oslo",
    description="Every 15 March at 06:00 (Europe/Oslo): the whole chain for the previous report year.",
)
def annual_report_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    report_year = str(context.scheduled_execution_time.year - 1)
    return RunRequest(run_key=f"annual-report-{report_year}", partition_key=report_year)
