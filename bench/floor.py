"""The floor: one report year's work as a plain script, with no orchestration.

Every asset function of the pipeline is called directly, in the order of the graph, with the
same resources and libraries (Dagster's direct invocation: no run, no event log, no step
machinery, no asset checks). What the pipeline costs beyond this is the price of orchestration.

Run: .venv/bin/python bench/floor.py <landing> <year> <database_url> <output_dir>
Prints one JSON line: {"seconds": …, "stages": {stage: seconds}}.
"""

import json
import os
import sys
import time

STAGES = {  # the pipeline's stages, each in graph order
    "ingest": ["landing_files", "reference_data"],
    "validate": ["validated_submissions", "delivery_status"],
    "budget": [
        "alis_grant_entitlement",
        "costs_by_source",
        "grant_use",
        "grant_forecast",
        "budget_plan_vs_actual",
        "statsforvalter_grant_use",
        "grant_payments",
        "unused_funds",
        "budget_workbook",
    ],
    "render": ["report_summary", "status_report", "municipality_feedback", "submission_template"],
}


def asset_functions() -> dict:
    """Every asset of the stages by name, as the plain functions Dagster wraps."""
    from assets import budget, feedback, ingest, payments, report, validation, workbook

    functions = {}
    for module in (ingest, validation, budget, payments, workbook, report, feedback):
        functions.update({name: getattr(module, name) for name in dir(module)})
    return {name: functions[name] for names in STAGES.values() for name in names}


def call_asset(asset, resources: dict, year: str) -> None:
    """One asset for one year, invoked directly with the resources it asks for."""
    from dagster import build_asset_context

    wanted = {key: resources[key] for key in asset.required_resource_keys if key in resources}
    asset(build_asset_context(partition_key=year), **wanted)


def resources_for(landing: str, database_url: str, output_dir: str) -> dict:
    """The resources, with the settings in the environment before the code location loads, as a
    CLI run has them: the report years offered follow the landing area's year folders."""
    os.environ.update(ALIS_LANDING_DIR=landing, ALIS_DATABASE_URL=database_url, ALIS_OUTPUT_DIR=output_dir)
    from alis_nord.settings import from_environment
    from glue.resources import resources_for

    return resources_for(from_environment())


def main(landing: str, year: str, database_url: str, output_dir: str) -> None:
    started = time.perf_counter()
    resources = resources_for(landing, database_url, output_dir)
    functions = asset_functions()
    stages = {}
    for stage, names in STAGES.items():
        stage_started = time.perf_counter()
        for name in names:
            call_asset(functions[name], resources, year)
        stages[stage] = time.perf_counter() - stage_started
    print(json.dumps({"seconds": time.perf_counter() - started, "stages": stages}))


if __name__ == "__main__":
    main(*sys.argv[1:])
