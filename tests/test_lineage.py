"""The graph the UI shows is what the code does.

- An asset's dependencies are exactly the writers of the tables it reads when it runs (itself
  the year before for its own earlier years), and it writes exactly the tables it declares
  (``writes=``, from which ``glue.lineage.written_by`` is derived), checked by watching the
  reads and writes of each asset materialized on its own; a check's additional dependencies are
  exactly the writers of what it reads beyond its asset, and a check writes nothing.
- A body can read and write only what it declares: anything else fails, and a read of a table
  no asset writes fails when the code location loads.
- No asset reads another asset's output file: the report renders with summary.json gone.
- A changed budget figure marks the status report stale in Dagster's own staleness; an
  unchanged reference file marks nothing, a changed one marks the year's figures.
"""

from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    define_asset_job,
    materialize,
)

from alis_nord import schema as tables
from alis_nord.declared import DeclaredTables
from alis_nord.settings import Settings
from alis_nord.stored import Reads
from alis_nord.warehouse import Warehouse
from glue.lineage import written_by
from glue.resources import resources_for
from glue.yearly import yearly_asset
from pipelines.definitions import defs

ASSETS = list(defs.assets)
GRAPH = defs.resolve_asset_graph()
WRITTEN_BY = written_by()  # derived from every asset's writes=


def _resources(landing: Path, output: Path, database_url: str) -> dict:
    return resources_for(Settings.given(landing_dir=landing, output_dir=output, database_url=database_url))


def test_every_table_has_one_writer():
    # every year's slice is an asset's; the outgoing mail is the outbox of the sensors (pipelines/alerts.py,
    # pipelines/reminders.py) and of the feedback e-mail (alis_nord/outbox.py), never a year's slice; the
    # delivery log and the links' generations are the delivery page's (portal/) and make revoke-link's
    assert set(WRITTEN_BY) == {t.name for t in tables.yearly_tables}
    assert set(tables.metadata.tables) - set(WRITTEN_BY) == {
        "outgoing_mail",
        "delivery_log",
        "delivery_links",
    }
    assert WRITTEN_BY["grant_use"] == "grant_use"  # a few by hand, lest the derivation be wrong
    assert WRITTEN_BY["alis"] == WRITTEN_BY["findings"] == "validated_submissions"
    assert WRITTEN_BY["reference_data"] == WRITTEN_BY["reference_files"] == "reference_data"


def test_every_table_an_asset_reads_is_one_it_declares(small_landing, tmp_path, sqlite_url, monkeypatch):
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)
    assert materialize(ASSETS, partition_key="2019", resources=resources).success

    reads: list[str] = []
    writes: list[str] = []
    original_rows, original_replace = Warehouse.rows, Warehouse.replace_year
    original_count = DeclaredTables.count

    def watched_rows(self, table, *args, **kwargs):
        reads.append(table.name)
        return original_rows(self, table, *args, **kwargs)

    def watched_replace(self, year, rows_by_table):
        writes.extend(table.name for table in rows_by_table)
        return original_replace(self, year, rows_by_table)

    def watched_count(self, table):  # counts rows without reading them (rows_reconcile)
        reads.append(table)
        return original_count(self, table)

    monkeypatch.setattr(Warehouse, "rows", watched_rows)
    monkeypatch.setattr(Warehouse, "replace_year", watched_replace)
    monkeypatch.setattr(DeclaredTables, "count", watched_count)
    order = GRAPH.toposorted_asset_keys
    for key in order:  # one asset at a time, upstream first, so its inputs are stored
        reads.clear()
        writes.clear()
        name = key.to_user_string()
        assets = [a for a in ASSETS if key in a.keys]
        assert materialize(assets, partition_key="2020", resources=resources, selection=[key]).success
        declared = {p.to_user_string() for p in GRAPH.get(key).parent_keys} - {name}
        writers = {WRITTEN_BY[table] for table in reads} - {name}
        assert writers == declared, (
            f"{name} reads rows of {writers - declared}, declares {declared - writers}"
        )
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
        checked = {key.asset_key.to_user_string() for key in keys}
        beyond = {
            dep.asset_key.to_user_string()
            for key in keys
            for dep in GRAPH.get_check_spec(key).additional_deps
        }
        writers = {WRITTEN_BY[table] for table in reads} - checked
        assert writers == beyond, (
            f"{keys[0].name} reads rows of {writers - beyond}, declares {beyond - writers}"
        )
        assert not writes, f"{keys[0].name} writes {writes}"


def _failure(result) -> str:
    (failure,) = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    return failure.step_failure_data.error.to_string()


def test_a_body_reads_and_writes_only_what_it_declares(small_landing, tmp_path, sqlite_url):
    resources = _resources(small_landing, tmp_path / "out", sqlite_url)

    @yearly_asset(reads=Reads(("alis",)))
    def peeks(year: int, stored: DeclaredTables) -> MaterializeResult:
        stored.rows("alis")  # declared: read
        stored.rows("kostnader")  # not declared
        return MaterializeResult()

    @yearly_asset(reads=Reads(("alis",)))
    def scribbles(year: int, stored: DeclaredTables) -> MaterializeResult:
        stored.replace({"alis": []})  # read, but not written by it
        return MaterializeResult()

    for body, message in [
        (peeks, "peeks reads 'kostnader', which it does not declare"),
        (scribbles, "scribbles writes 'alis', which it does not declare"),
    ]:
        result = materialize([body], partition_key="2020", resources=resources, raise_on_error=False)
        assert not result.success
        assert message in _failure(result)


def test_a_read_of_a_table_no_asset_writes_fails_when_the_code_loads():
    with pytest.raises(LookupError, match="reads 'outgoing_mail', which no asset declares it writes"):

        @yearly_asset(reads=Reads(("outgoing_mail",)))
        def reads_the_outbox(year: int, stored: DeclaredTables) -> MaterializeResult:
            return MaterializeResult()

    with pytest.raises(ValueError, match="'grant_use', which grant_use writes"):

        @yearly_asset(writes=("grant_use",))
        def also_grant_use(year: int, stored: DeclaredTables) -> MaterializeResult:
            return MaterializeResult()

    with pytest.raises(TypeError, match="takes `stored` when, and only when, it declares tables"):

        @yearly_asset(reads=Reads(("alis",)))
        def takes_no_stored(year: int) -> MaterializeResult:
            return MaterializeResult()


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
