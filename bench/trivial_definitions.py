"""Dagster's own cost of a run: one yearly partitioned asset that does nothing, materialized
with the same CLI as the pipeline (bench/pipeline_bench.py subtracts it from the pipeline)."""

from dagster import Definitions, TimeWindowPartitionsDefinition, asset, in_process_executor

years = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start="2019", fmt="%Y", timezone="Europe/Oslo"
)


@asset(partitions_def=years)
def nothing() -> None:
    return None


defs = Definitions(assets=[nothing], executor=in_process_executor)
