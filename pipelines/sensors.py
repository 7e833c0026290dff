"""The landing-area sensor: a new or changed file starts a run for its report year only."""

import json

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from alis_nord.settings import from_environment
from glue.partitions import report_years
from glue.resources import LandingArea
from pipelines.jobs import annual_report_job, reference_change_job


@sensor(
    jobs=[annual_report_job, reference_change_job],
    minimum_interval_seconds=from_environment().landing_sensor_interval,
    default_status=DefaultSensorStatus.STOPPED,  # an operator turns it on under Automation
    description=(
        "Watches the landing area. A file of a year's folder that is new, changed (by SHA-256, not "
        "timestamp) or removed starts the whole chain for that report year (annual_report_job). A "
        "change in referanse/ starts reference_data and everything after it (reference_change_job) "
        "for every other year. The cursor keeps each file's size, modification time and hash, so "
        "unchanged files are not re-read. Files are hashed in chunks, and a file over the landing "
        "area's 20 MB limit is never read: its size stands for its hash, and its run rejects it as "
        "too large (rule too_large)."
    ),
)
def landing_area_sensor(context: SensorEvaluationContext, landing: LandingArea):
    from alis_nord.landing import landing_changes, year_digest

    previous = json.loads(context.cursor) if context.cursor else {}
    changes = landing_changes(landing.root, previous)
    years = set(changes.years_changed) | (changes.years_present if changes.reference_changed else set())
    valid = set(report_years.get_partition_keys())
    requests = []
    for year in sorted(years):
        if str(year) not in valid:
            context.log.info(
                f"{year}/ changed, but {year} is not a report year yet (it has not ended, or the code "
                "location was loaded before its folder was made: reload it); nothing started"
            )
            continue
        job = annual_report_job if year in changes.years_changed else reference_change_job
        requests.append(
            RunRequest(
                run_key=f"{job.name}-{year}-{year_digest(changes.files, year)}",
                partition_key=str(year),
                job_name=job.name,
            )
        )
    context.update_cursor(json.dumps(changes.files, sort_keys=True))
    return requests or SkipReason("No new or changed files in the landing area.")
