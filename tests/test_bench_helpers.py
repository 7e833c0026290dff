"""The benchmark's own arithmetic (bench/pipeline_bench.py), so its report can be trusted."""

import importlib.util
from pathlib import Path

from dagster import AssetKey

spec = importlib.util.spec_from_file_location(
    "pipeline_bench", Path(__file__).resolve().parent.parent / "bench" / "pipeline_bench.py"
)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_step_times_are_summed_per_stage_from_dagsters_log():
    log = "\n".join(
        [
            'x - landing_files - STEP_SUCCESS - Finished execution of step "landing_files" in 68ms.',
            'x - validated_submissions - STEP_SUCCESS - Finished execution of step "validated_submissions" in 5.56s.',
            'x - contract_rule_checks - STEP_SUCCESS - Finished execution of step "contract_rule_checks" in 1.06s.',
            'x - grant_use - STEP_SUCCESS - Finished execution of step "grant_use_helsedirektoratet_grant_not_overspent" in 50ms.',
            'x - status_report - STEP_SUCCESS - Finished execution of step "status_report" in 1.2m.',
        ]
    )
    stages = bench.stage_seconds(log)
    assert stages["ingest"] == 0.068
    assert round(stages["validate"], 2) == 6.62  # 5.56 + 1.06: the rule checks count with validation
    assert stages["budget"] == 0.05  # a check counts with its asset's stage
    assert round(stages["render"], 6) == 72.0  # 1.2 minutes


def test_linear_fit_recovers_a_straight_line():
    # seconds = 2 + 0.0005 × rows exactly: intercept 2, slope 0.0005, R² 1
    points = [
        {"rows": rows, "stages": {"validate": 1 + 0.0004 * rows, "budget": 1 + 0.0001 * rows}}
        for rows in (1000, 5000, 9000)
    ]
    intercept, slope, r2 = bench.linear_fit(points)
    assert round(intercept, 9) == 2 and round(slope, 12) == 0.0005 and round(r2, 9) == 1


def test_the_median_run_of_three_is_kept_with_every_runs_figure():
    # validate + budget per run: 3 + 1 = 4, 9 + 1 = 10, 5 + 1 = 6; the median is 6 (the third run)
    runs = [
        {"stages": {"validate": 3.0, "budget": 1.0}, "run": "first"},
        {"stages": {"validate": 9.0, "budget": 1.0}, "run": "second"},
        {"stages": {"validate": 5.0, "budget": 1.0}, "run": "third"},
    ]
    kept = bench.median_run(runs)
    assert kept["run"] == "third"
    assert kept["samples_s"] == [4.0, 10.0, 6.0]  # in the order they ran


def test_the_floors_stages_hold_every_asset_of_the_pipeline_in_graph_order():
    # the floor must do the same work as the pipeline: a new asset left out of bench/floor.py
    # would make the pipeline ÷ floor ratio look worse than it is
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    order = [name for names in bench.STAGES.values() for name in names]
    assert sorted(order) == sorted(key.to_user_string() for key in graph.get_all_asset_keys())
    for name in order:  # every asset comes after everything it depends on in the same year
        for parent in graph.get(AssetKey(name)).parent_keys - {AssetKey(name)}:  # grant_use: last year's
            assert order.index(parent.to_user_string()) < order.index(name), (parent, name)
