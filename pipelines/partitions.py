"""Report years: one partition per year from 2019, keys like ``2021``."""

from dagster import TimeWindowPartitionsDefinition

FIRST_REPORT_YEAR = 2019

report_years = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start=str(FIRST_REPORT_YEAR),
    fmt="%Y",
    timezone="Europe/Oslo",
)
