"""The landing-area sensor: a new or changed file starts a run for its report year only."""

import json
import time

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
        "timestamp) or removed starts the whole chain for that report year (annual_report_job), once the "
        "year's folder has been quiet for ALIS_LANDING_SETTLE_SECONDS (a clerk's three uploads start one run); "
        "a year whose folder is emptied (make retention) is not run. A "
        "change in referanse/ starts reference_data and everything after it (reference_change_job) "
        "for every other year. The cursor keeps each file's size, modification time and hash, so "
        "unchanged files are not re-read. Files are hashed in chunks, and a file over the landing "
        "area's 20 MB limit is never read: its size stands for its hash, and its run rejects it as "
        "too large (rule too_large)."
    ),
)
def landing_area_sensor(context: SensorEvaluationContext, landing: LandingArea):
    from alis_nord.landing import landing_changes, settled_cursor, unsettled_years, year_digest

    previous = json.loads(context.cursor) if context.cursor else {}
    changes = landing_changes(landing.root, previous)
    years = set(changes.years_changed) | (changes.years_present if changes.reference_changed else set())
    settle = landing.settle_seconds
    waiting = unsettled_years(changes.files, time.time_ns(), settle) & years
    for year in sorted(waiting):
        context.log.info(
            f"{year}/ changed less than {settle} s ago; it runs once it has been quiet that long"
        )
    years -= waiting
    for year in sorted(
        years - changes.years_present
    ):  # a whole year removed (make retention): nothing to run
        context.log.info(f"{year}/ has no files any more; nothing started for it")
    years &= changes.years_present
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
    context.update_cursor(json.dumps(settled_cursor(changes.files, previous, waiting), sort_keys=True))
    if waiting and not requests:
        return SkipReason(f"Waiting for {', '.join(map(str, sorted(waiting)))}/ to be quiet for {settle} s.")
    return requests or SkipReason("No new or changed files in the landing area.")
