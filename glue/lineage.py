"""Which asset writes each warehouse table, and so what an asset depends on.

An asset or check declares the tables it reads (``alis_nord.stored.Reads``); its dependencies
are the assets that write them. Reading its own table of earlier years (``grant_use``, which is
cumulative) makes an asset depend on itself the year before, so the years run oldest first.
``tests/test_lineage.py`` watches what every asset reads and writes when it runs, and fails
when a read or a write is not the one declared here.
"""

from dagster import AssetDep, TimeWindowPartitionMapping

from alis_nord.stored import Reads

WRITTEN_BY = {  # every warehouse table, and the asset that replaces its year's slice
    "input_files": "landing_files",
    "reference_files": "reference_data",
    "reference_data": "reference_data",
    "alis": "validated_submissions",
    "kostnader": "validated_submissions",
    "fastlegedekning": "validated_submissions",
    "table_deliveries": "validated_submissions",
    "quarantined_rows": "validated_submissions",
    "findings": "validated_submissions",
    "alis_grant_entitlement": "alis_grant_entitlement",
    "costs_by_source": "costs_by_source",
    "grant_use": "grant_use",
    "grant_forecast": "grant_forecast",
    "grant_forecast_years": "grant_forecast",
    "budget_plan_vs_actual": "budget_plan_vs_actual",
    "statsforvalter_grant_use": "statsforvalter_grant_use",
    "grant_payments": "grant_payments",
    "unused_funds": "unused_funds",
    "report_summary": "report_summary",
    "delivery_status": "delivery_status",
}

THE_YEAR_BEFORE = TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)


def writers_of(reads: Reads) -> list[str]:
    """The assets that write what ``reads`` names, by name."""
    return sorted({WRITTEN_BY[table] for table in reads.tables})


def dependencies(asset_name: str, reads: Reads) -> list[AssetDep]:
    """An asset's dependencies: the writers of what it reads; itself the year before when it
    reads its own earlier years."""
    return [
        AssetDep(writer, partition_mapping=THE_YEAR_BEFORE) if writer == asset_name else AssetDep(writer)
        for writer in writers_of(reads)
    ]
