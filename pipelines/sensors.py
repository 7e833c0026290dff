"""The landing-area sensor: a new or changed file starts a run for its report year only."""

import json

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from pipelines.jobs import annual_report_job
from pipelines.partitions import report_years
from pipelines.resources import LandingArea


@sensor(
    job=annual_report_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,  # an operator turns it on under Automation
    description=(
        "Watches the landing area. A file that is new, changed (by SHA-256, not timestamp) or removed "
        "starts the whole chain for its report year; a change in referanse/ starts every year. The "
        "cursor keeps each file's size, modification time and hash, so unchanged files are not re-read."
    ),
)
def landing_area_sensor(context: SensorEvaluationContext, landing: LandingArea):
    from alis_nord.landing import landing_changes, year_digest

    previous = json.loads(context.cursor) if context.cursor else {}
    current, changed_years = landing_changes(landing.root, previous)
    valid = set(report_years.get_partition_keys())
    requests = [
        RunRequest(run_key=f"landing-{year}-{year_digest(current, year)}", partition_key=str(year))
        for year in sorted(changed_years)
        if str(year) in valid
    ]
    for year in sorted(changed_years):
        if str(year) not in valid:
            context.log.info(f"{year}/ changed, but {year} is not a report year yet; nothing started")
    context.update_cursor(json.dumps(current, sort_keys=True))
    return requests or SkipReason("No new or changed files in the landing area.")
