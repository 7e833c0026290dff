"""Report years: one partition per year, keys like ``2021``.

The years offered are the years that can have a report: from the grant period's first year
(2019) through the newest year that has a folder in the landing area (``<year>/``), read when
the code location loads, and never a year that has not ended. A year's folder made later is
offered once the code location reloads (the UI's *Reload*, or a restart of the code server).
"""

from pathlib import Path

from dagster import TimeWindowPartitionsDefinition

from alis_nord.settings import from_environment

FIRST_REPORT_YEAR = 2019  # the first year of Helsedirektoratet's grant (kap. 762, post 63)


def report_years_for(landing_root: Path) -> TimeWindowPartitionsDefinition:
    """Yearly partitions from ``FIRST_REPORT_YEAR`` through the landing area's newest year folder
    (Dagster leaves out a year still in progress)."""
    from alis_nord.landing import year_folders

    last = max([FIRST_REPORT_YEAR, *year_folders(landing_root)])
    return TimeWindowPartitionsDefinition(
        cron_schedule="0 0 1 1 *",
        start=str(FIRST_REPORT_YEAR),
        end=str(last + 1),  # the end is the first year not offered
        fmt="%Y",
        timezone="Europe/Oslo",
    )


report_years = report_years_for(from_environment().landing_dir)
