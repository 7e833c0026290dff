"""Report years: one partition per year from 2019, keys like ``2021``.

A run covers one report year (the CLI, the schedule, the sensor) or a range of them (from the
UI: every asset has ``BackfillPolicy.single_run()``, so a backfill is two runs over the range,
the years' own assets and then the cumulative chain, instead of a wave of one-year runs per
year of the chain; or one run from the Launchpad with the range tags). Asset and check
bodies are still written for one year: ``yearly_asset``, ``yearly_check`` and
``yearly_multi_check`` call the body once per year of the run, oldest first, and record what it
returns per year (the asset's metadata on that year's materialization, each check's result as
that year's evaluation), so the UI shows every year on its own whichever way it ran.
``report_year(context)`` is the year the body is working on.
"""

import functools
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckResult,
    AssetKey,
    BackfillPolicy,
    BetaWarning,
    MaterializeResult,
    Output,
    PreviewWarning,
    TimeWindowPartitionsDefinition,
    asset,
    asset_check,
    multi_asset_check,
)

FIRST_REPORT_YEAR = 2019

report_years = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    start=str(FIRST_REPORT_YEAR),
    fmt="%Y",
    timezone="Europe/Oslo",
)

# Checks are partitioned by report year (Dagster's partitioned asset checks are a preview
# feature in 1.13), so each year's evaluation is stored and shown under that year; backfill
# policies are beta. Both are chosen deliberately: their warnings at every load are dropped.
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec", category=PreviewWarning)
warnings.filterwarnings(
    "ignore", message="Parameter `backfill_policy` of function `asset`", category=BetaWarning
)

_year_in_progress: ContextVar[int | None] = ContextVar("year_in_progress", default=None)


def report_year(context) -> int:
    """The report year an asset or check body is working on."""
    year = _year_in_progress.get()
    if year is None:
        raise RuntimeError("report_year() is only known inside a yearly_asset or yearly_check body")
    return year


def run_years(context) -> list[int]:
    """The report years of the run, oldest first: one, or a backfill's range."""
    step = getattr(context, "op_execution_context", context)
    if step.has_partition_key:
        return [int(step.partition_key)]
    keys = report_years.get_partition_keys_in_range(step.partition_key_range)
    return sorted(int(key) for key in keys)


@contextmanager
def _working_on(year: int) -> Iterator[None]:
    token = _year_in_progress.set(year)
    try:
        yield
    finally:
        _year_in_progress.reset(token)


def yearly_asset(**asset_arguments) -> Callable:
    """``@asset`` partitioned by report year, whose body computes one year. In a run over a range,
    the body runs for each year, oldest first (a year's figures are stored before the next year
    reads them), and each year's materialization carries that year's metadata."""

    def decorate(body: Callable[..., MaterializeResult]):
        @functools.wraps(body)
        def each_year(context, **resources) -> MaterializeResult:
            years = run_years(context)
            if len(years) == 1:
                with _working_on(years[0]):
                    return body(context, **resources)
            data_versions = set()
            for year in years:
                with _working_on(year):
                    result = body(context, **resources)
                context.add_asset_metadata(dict(result.metadata or {}), partition_key=str(year))
                data_versions.add(result.data_version)
            # a data version is per asset, not per year, in a range run: the bodies that set one
            # (reference_data: the hash of referanse/, which every year shares) agree
            (data_version,) = data_versions
            return MaterializeResult(data_version=data_version)

        return asset(
            partitions_def=report_years, backfill_policy=BackfillPolicy.single_run(), **asset_arguments
        )(each_year)

    return decorate


def _evaluations_per_year(
    body: Callable, context, resources: dict
) -> Iterator[AssetCheckEvaluation | Output]:
    """Runs a check body for every year of the run and turns each ``AssetCheckResult`` into
    that year's evaluation; then the checks' outputs, so blocking checks gate what follows
    (Dagster fails the step after the evaluations when a blocking one failed)."""
    step = context.op_execution_context
    specs_by_output = step.assets_def.check_specs_by_output_name
    specs = {spec.key: spec for spec in specs_by_output.values()}
    selected = context.selected_asset_check_keys
    for year in run_years(context):
        with _working_on(year):
            results = body(context, **resources)
            results = [results] if isinstance(results, AssetCheckResult) else list(results)
        for result in results:
            key = _check_key(result, specs)
            if key not in selected:
                continue
            yield AssetCheckEvaluation(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=result.passed,
                metadata=result.metadata,
                severity=result.severity,
                description=result.description,
                blocking=specs[key].blocking,
                partition=str(year),
                target_materialization_data=_materialization_checked(step.instance, key.asset_key, year),
            )
    for output_name, spec in specs_by_output.items():
        if spec.key in selected:
            yield Output(None, output_name=output_name)


def _each_year_of(body: Callable) -> Callable:
    """A check body for one year as the compute function of a check over the run's years."""

    @functools.wraps(body)
    def each_year(context, **resources):
        yield from _evaluations_per_year(body, context, resources)

    return each_year


def _check_key(result: AssetCheckResult, specs: dict[AssetCheckKey, object]) -> AssetCheckKey:
    if result.check_name is None and len(specs) == 1:
        return next(iter(specs))
    (key,) = [k for k in specs if k.name == result.check_name]
    return key


def _materialization_checked(instance, asset_key: AssetKey, year: int):
    """The year's latest materialization of the checked asset: what the evaluation is about."""
    from dagster._core.definitions.asset_checks.asset_check_evaluation import (
        AssetCheckEvaluationTargetMaterializationData,
    )
    from dagster._core.storage.event_log.base import AssetRecordsFilter

    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=asset_key, asset_partitions=[str(year)]), limit=1
    ).records
    if not records:
        return None
    return AssetCheckEvaluationTargetMaterializationData(
        run_id=records[0].run_id, storage_id=records[0].storage_id, timestamp=records[0].timestamp
    )


def yearly_check(**check_arguments) -> Callable:
    """``@asset_check`` partitioned by report year, whose body checks one year and returns an
    ``AssetCheckResult``; it is recorded as that year's evaluation."""

    def decorate(body: Callable[..., AssetCheckResult]):
        return asset_check(partitions_def=report_years, **check_arguments)(_each_year_of(body))

    return decorate


def yearly_multi_check(*, specs, **check_arguments) -> Callable:
    """``@multi_asset_check`` partitioned by report year: the body yields one year's results."""

    def decorate(body: Callable[..., Iterator[AssetCheckResult]]):
        if any(spec.partitions_def != report_years for spec in specs):
            raise ValueError("every spec of a yearly_multi_check is partitioned by report_years")
        return multi_asset_check(specs=specs, **check_arguments)(_each_year_of(body))

    return decorate
