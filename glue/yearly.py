"""The one adapter between Dagster and the pipeline's bodies: every body is a function of one
report year.

An asset body is ``def name(year: int, <resources>) -> MaterializeResult``; a check body
``def name(year: int, <resources>) -> AssetCheckResult`` (or an iterable of them, for a multi
check). The decorators here make them Dagster assets and checks partitioned by report year,
with ``BackfillPolicy.single_run()``, so a run covers one year (the CLI, the schedule, the
sensor) or a range of years (a backfill from the UI). The run's years are
``context.partition_keys``; the body runs once per year, oldest first, so a year's figures are
stored before the next year reads them. In a range run each year's metadata goes on that year's
materialization, and each check result becomes that year's evaluation.

An asset or check declares what it reads (``reads=``, an ``alis_nord.stored.Reads``); its
dependencies follow from that (``glue.lineage``).
"""

import inspect
import warnings
from collections.abc import Callable, Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    BetaWarning,
    MaterializeResult,
    PreviewWarning,
    asset,
    asset_check,
    multi_asset_check,
)

from alis_nord.stored import NOTHING, Reads
from glue.check_partitions import evaluations_per_year
from glue.lineage import dependencies, writers_of
from glue.partitions import report_years

# Checks are partitioned by report year (Dagster's partitioned asset checks are a preview
# feature in 1.13), so each year's evaluation is stored and shown under that year; backfill
# policies are beta. Both are chosen deliberately: their warnings at every load are dropped.
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec", category=PreviewWarning)
warnings.filterwarnings(
    "ignore", message="Parameter `backfill_policy` of function `asset`", category=BetaWarning
)


def years_of(context: AssetExecutionContext | AssetCheckExecutionContext) -> list[int]:
    """The report years of the run, oldest first: one, or a backfill's range."""
    return sorted(int(key) for key in context.partition_keys)


def _as_compute(body: Callable, context_type: type) -> Callable[[Callable], Callable]:
    """Dagster calls the compute function with the context and the resources it names; the
    body's signature, with ``year`` replaced by the context, is what Dagster reads."""
    parameters = list(inspect.signature(body).parameters.values())
    if not parameters or parameters[0].name != "year":
        raise TypeError(f"{body.__name__}: a yearly body takes the report year as its first parameter")
    context = inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=context_type)

    def named_like_body(compute: Callable) -> Callable:
        compute.__name__ = compute.__qualname__ = body.__name__
        compute.__doc__, compute.__module__ = body.__doc__, body.__module__
        compute.__signature__ = inspect.signature(body).replace(parameters=[context, *parameters[1:]])
        return compute

    return named_like_body


def yearly_asset(*, reads: Reads = NOTHING, **asset_arguments) -> Callable:
    """``@asset`` partitioned by report year whose body computes one year and reads ``reads``."""

    def decorate(body: Callable[..., MaterializeResult]):
        @_as_compute(body, AssetExecutionContext)
        def compute(context: AssetExecutionContext, **resources) -> MaterializeResult:
            results = {year: body(year, **resources) for year in years_of(context)}  # oldest first
            if len(results) == 1:
                return next(iter(results.values()))
            for year, result in results.items():
                context.add_asset_metadata(dict(result.metadata or {}), partition_key=str(year))
            # a data version is per asset, not per year, in a range run: the bodies that set one
            # (reference_data: the hash of referanse/, which every year shares) agree
            (data_version,) = {result.data_version for result in results.values()}
            return MaterializeResult(data_version=data_version)

        return asset(
            partitions_def=report_years,
            backfill_policy=BackfillPolicy.single_run(),
            deps=dependencies(body.__name__, reads),
            **asset_arguments,
        )(compute)

    return decorate


def _check_compute(body: Callable[..., AssetCheckResult | Iterable[AssetCheckResult]]) -> Callable:
    @_as_compute(body, AssetCheckExecutionContext)
    def compute(context: AssetCheckExecutionContext, **resources):
        selected = {key.name for key in context.selected_asset_check_keys}
        results = {  # oldest first
            year: [r for r in _results(body(year, **resources)) if r.check_name in selected | {None}]
            for year in years_of(context)
        }
        if context.has_partition_key:  # one year: Dagster's own way, one evaluation each
            yield from results[int(context.partition_key)]
        else:  # a range, even of one year: Dagster records no partition of its own
            yield from evaluations_per_year(context, results)

    return compute


def _results(returned: AssetCheckResult | Iterable[AssetCheckResult]) -> list[AssetCheckResult]:
    return [returned] if isinstance(returned, AssetCheckResult) else list(returned)


def yearly_check(*, asset: AssetsDefinition, reads: Reads = NOTHING, **check_arguments) -> Callable:
    """``@asset_check`` on ``asset``, partitioned by report year, whose body checks one year and
    returns an ``AssetCheckResult``. What it reads beyond the checked asset becomes its
    ``additional_deps``."""

    def decorate(body: Callable[..., AssetCheckResult]):
        return asset_check(
            asset=asset,
            partitions_def=report_years,
            additional_deps=_beyond(asset, reads),
            **check_arguments,
        )(_check_compute(body))

    return decorate


def yearly_multi_check(*, specs, **check_arguments) -> Callable:
    """``@multi_asset_check`` partitioned by report year: the body yields one year's results."""

    def decorate(body: Callable[..., Iterable[AssetCheckResult]]):
        if any(spec.partitions_def != report_years for spec in specs):
            raise ValueError("every spec of a yearly_multi_check is partitioned by report_years")
        return multi_asset_check(specs=specs, **check_arguments)(_check_compute(body))

    return decorate


def _beyond(checked: AssetsDefinition, reads: Reads) -> list[str]:
    return [writer for writer in writers_of(reads) if writer != checked.key.to_user_string()]
