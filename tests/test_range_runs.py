"""One run over a range of report years, as a backfill from the UI launches it
(``BackfillPolicy.single_run()`` on every asset), against one run per year.

The range run must store and write exactly what the years run one by one do, give every year
its own materialization metadata and its own evaluation of every check, and run the
cumulative chain oldest first. Figures are the hand-computed ones of tests/test_assets.py:
grant use 219 589.04 in 2019 and 904 944.48 cumulative in 2020.
"""

import json
from pathlib import Path

from dagster import AssetCheckKey, AssetKey, AssetRecordsFilter, DagsterInstance, materialize

from alis_nord import schema as tables
from alis_nord.settings import Settings
from alis_nord.warehouse import Warehouse
from glue.resources import resources_for
from pipelines.definitions import defs

ALL_ASSETS = list(defs.assets) + list(defs.asset_checks)
OVERSPEND = "overspend_acknowledged_before_report"
RANGE_2019_2020 = {"dagster/asset_partition_range_start": "2019", "dagster/asset_partition_range_end": "2020"}


def _resources(landing: Path, output: Path, database_url: str) -> dict:
    return resources_for(Settings.given(landing_dir=landing, output_dir=output, database_url=database_url))


def _files(output: Path) -> dict[str, bytes]:
    return {str(p.relative_to(output)): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def _stored(database_url: str) -> dict[str, list[dict]]:
    store = Warehouse(database_url)
    return {t.name: store.every_year(t) for t in tables.yearly_tables}


def _range_run(landing: Path, output: Path, database_url: str, instance: DagsterInstance):
    return materialize(
        ALL_ASSETS,
        resources=_resources(landing, output, database_url),
        instance=instance,
        tags=RANGE_2019_2020,
        raise_on_error=False,
    )


def test_a_range_run_stores_and_writes_what_one_run_per_year_does(small_landing, tmp_path, database_url):
    per_year_db = f"sqlite:///{tmp_path / 'per_year.sqlite'}"
    per_year = _resources(small_landing, tmp_path / "per_year", per_year_db)
    for year in ("2019", "2020"):
        assert materialize(ALL_ASSETS, partition_key=year, resources=per_year).success

    with DagsterInstance.ephemeral() as instance:
        result = _range_run(small_landing, tmp_path / "range", database_url, instance)
        assert result.success
        runs = instance.get_runs()
    assert len(runs) == 1  # one run for both years
    assert _stored(database_url) == _stored(per_year_db)  # every table, every row, both years
    assert _files(tmp_path / "range") == _files(tmp_path / "per_year")  # summaries, PDFs, workbooks, pages
    summary = json.loads((tmp_path / "range" / "2020" / "summary.json").read_text(encoding="utf-8"))
    assert summary["grant"]["used_cumulative_nok"] == "904944.48"  # 2019 was stored before 2020 read it


def test_every_year_of_a_range_run_has_its_own_metadata_and_check_results(
    small_landing, tmp_path, sqlite_url
):
    with DagsterInstance.ephemeral() as instance:
        assert _range_run(small_landing, tmp_path / "out", sqlite_url, instance).success
        grant_use = {
            r.partition_key: r.asset_materialization.metadata
            for r in instance.fetch_materializations(
                AssetRecordsFilter(asset_key=AssetKey("grant_use")), limit=10
            ).records
        }
        evaluations = {
            key: {
                record.partition: record.status.value
                for record in instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
            }
            for key in defs.resolve_asset_graph().asset_check_keys
        }
    # 219 589.04 and 904 944.48 in whole kroner (the metadata's integer figure, rounded half up)
    assert grant_use["2019"]["used_cumulative_kr"].value == 219589
    assert grant_use["2020"]["used_cumulative_kr"].value == 904944
    assert grant_use["2020"]["used_in_year_kr"].value == 685355  # 570 355.19 + 115 000.25
    for key, by_year in evaluations.items():
        assert set(by_year) == {"2019", "2020"}, key  # one evaluation per year, under that year
    reconcile = AssetCheckKey(
        AssetKey("validated_submissions"), "rows_received_equal_accepted_plus_quarantined"
    )
    assert evaluations[reconcile] == {"2019": "SUCCEEDED", "2020": "SUCCEEDED"}
    # Vågan (1865) sent nothing in 2019, Sør-Varanger (5444) nothing in 2020: a failure in each year
    delivered = AssetCheckKey(AssetKey("validated_submissions"), "all_participants_delivered")
    assert evaluations[delivered] == {"2019": "FAILED", "2020": "FAILED"}
    # the small landing area's 2020 CSV has a quarantined «kaffe» voucher; 2019's workbook has none
    quarantine_rule = AssetCheckKey(AssetKey("validated_submissions"), "rule_invalid_code")
    assert evaluations[quarantine_rule]["2019"] == "SUCCEEDED"


def test_a_blocking_gate_in_one_year_of_a_range_holds_what_follows_it(small_landing, tmp_path, sqlite_url):
    """2020 overspends a grant of 500 000 (904 944.48 used); 2019 (219 589.04) does not. The gate
    fails for 2020 alone, and Dagster skips the step after it for the whole range."""
    tilskudd = small_landing / "referanse" / "tilskudd.csv"
    tilskudd.write_text(
        tilskudd.read_text(encoding="utf-8").replace("23 400 000,00", "500 000,00"), encoding="utf-8"
    )
    with DagsterInstance.ephemeral() as instance:
        result = _range_run(small_landing, tmp_path / "out", sqlite_url, instance)
    gate = {e.partition: e.passed for e in result.get_asset_check_evaluations() if e.check_name == OVERSPEND}
    assert gate == {"2019": True, "2020": False}
    assert not result.success
    assert not (tmp_path / "out" / "2019" / "statusrapport-2019.pdf").exists()
    assert not (tmp_path / "out" / "2020" / "statusrapport-2020.pdf").exists()
    # what does not follow the gate is there for both years
    assert (tmp_path / "out" / "2020" / "budget-2020.xlsx").exists()
    assert json.loads((tmp_path / "out" / "2020" / "summary.json").read_text())["grant"]["remaining_nok"] == (
        "-404944.48"  # 500 000.00 − 904 944.48
    )
