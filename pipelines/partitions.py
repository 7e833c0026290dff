"""Report years: one partition per year from 2019, keys like ``2021``; ``yearly_asset`` makes an
asset partitioned by them (each stage module's group is set where the module is loaded)."""

from functools import partial

from dagster import AssetCheckExecutionContext, TimeWindowPartitionsDefinition, asset

FIRST_REPORT_YEAR = 2019

report_years = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start=str(FIRST_REPORT_YEAR),
    fmt="%Y",
    timezone="Europe/Oslo",
)

yearly_asset = partial(asset, partitions_def=report_years)


def report_year(context) -> int:
    """The report year a run or check works on, from its partition key."""
    if isinstance(context, AssetCheckExecutionContext):
        return int(context.op_execution_context.partition_key)
    return int(context.partition_key)
