"""The graph the UI shows is what the code does.

- Every warehouse table an asset reads is written by an asset it declares as a dependency
  (or by itself), and every table it writes is one ``glue.lineage.WRITTEN_BY`` gives it,
  checked by watching the reads and writes of each asset materialized on its own; every table a
  check reads is written by its asset or one of its declared ``reads``, and a check writes nothing.
- No asset reads another asset's output file: the report renders with summary.json gone.
- A changed budget figure marks the status report stale in Dagster's own staleness; an
  unchanged reference file marks nothing, a changed one marks the year's figures.
"""

from pathlib import Path

import pytest
from dagster import AssetKey, AssetSelection, DagsterInstance, Definitions, define_asset_job, materialize

from alis_nord import schema as tables
from alis_nord.warehouse import Warehouse
from pipelines.definitions import defs
from glue.lineage import WRITTEN_BY
from glue.resources import resources_from_environment

ASSETS = list(defs.assets)
GRAPH = defs.resolve_asset_graph()


def _resources(landing: Path, output: Path, database_url: str) -> dict:
    return resources_from_environment(
        {"ALIS_LANDING_DIR": str(landing), "ALIS_OUTPUT_DIR": str(output), "ALIS_DATABASE_URL": database_url}
    )


def test_every_table_has_one_writer():
    # every year's slice is an asset's; the outgoing mail is the outbox of the sensors (pipelines/alerts.py,
    # pipelines/reminders.py) and of the feedback e-mail (alis_nord/outbox.py), never a year's slice
    assert set(WRITTEN_BY) == {t.name for t in tables.yearly_tables}
    assert set(tables.metadata.tables) - set(WRITTEN_BY) == {"outgoing_mail"}


def test_every_table_an_asset_reads_is_one_it_declares(small_landing, tmp_path, sqlite_url, monkeypatch):
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    assert materialize(ASSETS, partition_key="2019", resources=resources).success

    reads: list[str] = []
    writes: list[str] = []
    original_rows, original_replace = Warehouse.rows, Warehouse.replace_year

    def watched_rows(self, table, *args, **kwargs):
        reads.append(table.name)
        return original_rows(self, table, *args, **kwargs)

    def watched_replace(self, year, rows_by_table):
        writes.extend(table.name for table in rows_by_table)
        return original_replace(self, year, rows_by_table)

    monkeypatch.setattr(Warehouse, "rows", watched_rows)
    monkeypatch.setattr(Warehouse, "replace_year", watched_replace)
    order = GRAPH.toposorted_asset_keys
    for key in order:  # one asset at a time, upstream first, so its inputs are stored
        reads.clear()
        writes.clear()
        name = key.to_user_string()
        assets = [a for a in ASSETS if key in a.keys]
        assert materialize(assets, partition_key="2020", resources=resources, selection=[key]).success
        declared = {p.to_user_string() for p in GRAPH.get(key).parent_keys}
        writers = {WRITTEN_BY[table] for table in reads} - {name}
        assert writers <= declared, f"{name} reads rows of {writers - declared} undeclared"
        assert set(writes) == {table for table, writer in WRITTEN_BY.items() if writer == name}, name

    for check in defs.asset_checks:  # each check on its own: it reads its asset and what it declares
        reads.clear()
        keys = list(check.check_keys)
        job = define_asset_job("only_the_check", AssetSelection.checks(*keys))
        with_job = Definitions(
            assets=ASSETS, asset_checks=list(defs.asset_checks), jobs=[job], resources=resources
        )
        ran = with_job.resolve_job_def("only_the_check").execute_in_process(
            tags={"dagster/partition": "2020"}
        )
        assert {(e.check_name, e.partition) for e in ran.get_asset_check_evaluations()} == {
            (key.name, "2020") for key in keys
        }
        declared = {key.asset_key.to_user_string() for key in keys} | {
            dep.asset_key.to_user_string()
            for key in keys
            for dep in GRAPH.get_check_spec(key).additional_deps
        }
        writers = {WRITTEN_BY[table] for table in reads}
        assert writers <= declared, f"{keys[0].name} reads rows of {writers - declared} undeclared"
        assert not writes, f"{keys[0].name} writes {writes}"


def test_the_report_reads_no_other_assets_file(small_landing, tmp_path, sqlite_url):
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    assert materialize(ASSETS, partition_key="2019", resources=resources).success
    (tmp_path / "out" / "2019" / "summary.json").unlink()
    report = [a for a in ASSETS if AssetKey("status_report") in a.keys]
    assert materialize(report, partition_key="2019", resources=resources).success
    assert (tmp_path / "out" / "2019" / "statusrapport-2019.pdf").stat().st_size > 0


def _stale_status(instance: DagsterInstance, name: str, year: str):
    from dagster._core.definitions.data_version import CachingStaleStatusResolver
    from dagster._core.loader import LoadingContextForTest

    resolver = CachingStaleStatusResolver(instance, GRAPH, LoadingContextForTest(instance))
    return resolver.get_status(AssetKey(name), year).value


@pytest.fixture
def materialized_2019(small_landing, tmp_path, sqlite_url):
    instance = DagsterInstance.ephemeral()
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    assert materialize(ASSETS, partition_key="2019", resources=resources, instance=instance).success
    return instance, resources, small_landing


def _only(name: str):
    return [a for a in ASSETS if AssetKey(name) in a.keys]


def test_the_report_is_stale_after_a_budget_asset_changes(materialized_2019):
    instance, resources, _ = materialized_2019
    assert _stale_status(instance, "status_report", "2019") == "FRESH"
    assert materialize(
        _only("budget_plan_vs_actual"), partition_key="2019", resources=resources, instance=instance
    ).success
    assert _stale_status(instance, "status_report", "2019") == "STALE"
    assert _stale_status(instance, "budget_workbook", "2019") == "STALE"
    assert _stale_status(instance, "report_summary", "2019") == "FRESH"  # it does not read the plan


def test_reference_data_marks_the_year_stale_only_when_a_file_changed(materialized_2019):
    instance, resources, landing = materialized_2019
    reference = _only("reference_data")
    assert materialize(reference, partition_key="2019", resources=resources, instance=instance).success
    # the same bytes give the same data version: nothing downstream is stale
    assert _stale_status(instance, "status_report", "2019") == "FRESH"
    assert _stale_status(instance, "alis_grant_entitlement", "2019") == "FRESH"

    satser = landing / "referanse" / "satser.csv"
    satser.write_text(satser.read_text(encoding="utf-8") + "2024;250000;50000\n", encoding="utf-8")
    assert materialize(reference, partition_key="2019", resources=resources, instance=instance).success
    for name in ("validated_submissions", "alis_grant_entitlement", "grant_use", "status_report"):
        assert _stale_status(instance, name, "2019") == "STALE", name
    assert _stale_status(instance, "landing_files", "2019") == "FRESH"
