"""The adapter of glue/yearly.py on a tiny graph, and the one workaround beyond Dagster's
public API (glue/check_partitions.py): if a Dagster upgrade changes how a check's result
for one year of a range run is recorded or gates what follows, these tests fail.

The graph: ``counted`` stores its year, ``after_the_gate`` runs only when the blocking check
``year_is_even`` passes for every year of the run.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    BackfillPolicy,
    DagsterInstance,
    MaterializeResult,
    asset,
    materialize,
)

from glue.partitions import report_years
from glue.yearly import yearly_asset, yearly_check

SEEN: list[int] = []


@yearly_asset()
def counted(year: int) -> MaterializeResult:
    SEEN.append(year)
    return MaterializeResult(metadata={"year_seen": year})


@yearly_check(asset=counted, blocking=True)
def year_is_even(year: int) -> AssetCheckResult:
    return AssetCheckResult(passed=year % 2 == 0, severity=AssetCheckSeverity.ERROR, metadata={"year": year})


@asset(deps=[counted], partitions_def=report_years, backfill_policy=BackfillPolicy.single_run())
def after_the_gate() -> MaterializeResult:
    return MaterializeResult()


def _range(first: str, last: str) -> dict:
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def _run(instance, **kwargs):
    SEEN.clear()
    return materialize(
        [counted, year_is_even, after_the_gate], instance=instance, raise_on_error=False, **kwargs
    )


def test_a_range_run_calls_the_body_once_per_year_oldest_first_with_each_years_metadata():
    with DagsterInstance.ephemeral() as instance:
        result = _run(instance, tags=_range("2020", "2020"))
        assert SEEN == [2020]  # one year: Dagster's own path
        result = _run(instance, tags=_range("2019", "2022"))
        assert SEEN == [2019, 2020, 2021, 2022]
        metadata = {
            m.partition: m.metadata["year_seen"].value
            for m in result.asset_materializations_for_node("counted")
        }
        assert metadata == {"2019": 2019, "2020": 2020, "2021": 2021, "2022": 2022}


def test_each_year_of_a_range_run_gets_its_own_check_evaluation_and_a_failure_blocks():
    with DagsterInstance.ephemeral() as instance:
        result = _run(instance, tags=_range("2019", "2020"))
        evaluations = {e.partition: e.passed for e in result.get_asset_check_evaluations()}
        assert evaluations == {"2019": False, "2020": True}
        assert all(e.blocking for e in result.get_asset_check_evaluations())
        assert not result.success  # 2019 failed a blocking check: what follows does not run
        assert result.asset_materializations_for_node("after_the_gate") == []

        result = _run(instance, partition_key="2020")  # one year, Dagster's own evaluation
        assert [(e.partition, e.passed) for e in result.get_asset_check_evaluations()] == [("2020", True)]
        assert result.success and len(result.asset_materializations_for_node("after_the_gate")) == 1

        result = _run(instance, tags=_range("2020", "2020"))  # a range of one year: the workaround
        assert [(e.partition, e.passed) for e in result.get_asset_check_evaluations()] == [("2020", True)]
        assert result.success and len(result.asset_materializations_for_node("after_the_gate")) == 1


def test_a_range_of_passing_years_runs_what_the_check_gates():
    with DagsterInstance.ephemeral() as instance:
        result = _run(instance, tags=_range("2020", "2020"))
        assert result.success and SEEN == [2020]
        assert [m.partition for m in result.asset_materializations_for_node("after_the_gate")] == ["2020"]
