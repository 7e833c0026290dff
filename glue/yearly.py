"""The one adapter between Dagster and the pipeline's bodies: every body is a function of one
report year.

An asset body is ``def name(year: int, [stored,] <resources>) -> MaterializeResult``; a check
body ``def name(year: int, [stored,] <resources>) -> AssetCheckResult`` (or an iterable of them,
for a multi check). The decorators here make them Dagster assets and checks partitioned by report year,
with ``BackfillPolicy.single_run()``, so a run covers one year (the CLI, the schedule, the
sensor) or a range of years (a backfill from the UI). The run's years are
``context.partition_keys``; the body runs once per year, oldest first, so a year's figures are
stored before the next year reads them. In a range run each year's metadata goes on that year's
materialization, and each check result becomes that year's evaluation.

An asset declares what it reads (``reads=``, an ``alis_nord.stored.Reads``) and the tables it
writes (``writes=``), a check what it reads; its dependencies follow from that (``glue.lineage``).
A body that declares tables takes ``stored`` in place of a resource: the adapter asks Dagster for
the ``warehouse`` resource and hands the body an ``alis_nord.declared.DeclaredTables`` for the
year, which reads and writes only what was declared.
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

from alis_nord.declared import Declaration, DeclaredTables
from alis_nord.stored import NOTHING, Reads
from glue.check_partitions import evaluations_per_year
from glue.lineage import dependencies, register_writer, writers_of
from glue.partitions import report_years
from glue.resources import WarehouseResource

# Checks are partitioned by report year (Dagster's partitioned asset checks are a preview
# feature in 1.13), so each year's evaluation is stored and shown under that year; backfill
# policies are beta. Both are chosen deliberately: their warnings at every load are dropped.
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec", category=PreviewWarning)
warnings.filterwarnings(
    "ignore", message="Parameter `backfill_policy` of function `asset`", category=BetaWarning
)

STORED = "stored"  # the body's parameter for its declared tables
WAREHOUSE = inspect.Parameter(
    "warehouse", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=WarehouseResource
)


def years_of(context: AssetExecutionContext | AssetCheckExecutionContext) -> list[int]:
    """The report years of the run, oldest first: one, or a backfill's range."""
    return sorted(int(key) for key in context.partition_keys)


def _as_compute(body: Callable, context_type: type, declared: Declaration) -> Callable[[Callable], Callable]:
    """Dagster calls the compute function with the context and the resources it names; the
    body's signature, with ``year`` replaced by the context and ``stored`` by the warehouse
    resource, is what Dagster reads."""
    parameters = list(inspect.signature(body).parameters.values())
    if not parameters or parameters[0].name != "year":
        raise TypeError(f"{body.__name__}: a yearly body takes the report year as its first parameter")
    if bool(declared) != (STORED in {p.name for p in parameters}):
        raise TypeError(f"{body.__name__}: a body takes `{STORED}` when, and only when, it declares tables")
    context = inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=context_type)
    resources = [WAREHOUSE if p.name == STORED else p for p in parameters[1:]]

    def named_like_body(compute: Callable) -> Callable:
        compute.__name__ = compute.__qualname__ = body.__name__
        compute.__doc__, compute.__module__ = body.__doc__, body.__module__
        compute.__signature__ = inspect.signature(body).replace(parameters=[context, *resources])
        return compute

    return named_like_body


def _arguments(declared: Declaration, year: int, resources: dict) -> dict:
    """The body's arguments besides the year: its resources, the warehouse as ``stored``."""
    if not declared:
        return resources
    given = dict(resources)
    warehouse = given.pop("warehouse").open()
    return {**given, STORED: DeclaredTables(warehouse, year, declared)}


def yearly_asset(*, reads: Reads = NOTHING, writes: Iterable[str] = (), **asset_arguments) -> Callable:
    """``@asset`` partitioned by report year whose body computes one year, reads ``reads`` and
    replaces its year's slice of the tables ``writes`` names."""

    def decorate(body: Callable[..., MaterializeResult]):
        declared = Declaration(body.__name__, reads, tuple(writes))
        register_writer(body.__name__, declared.writes)  # before its dependencies: it may read itself
        return asset(
            partitions_def=report_years,
            backfill_policy=BackfillPolicy.single_run(),
            deps=dependencies(body.__name__, reads),
            **asset_arguments,
        )(_asset_compute(body, declared))

    return decorate


def _asset_compute(body: Callable[..., MaterializeResult], declared: Declaration) -> Callable:
    @_as_compute(body, AssetExecutionContext, declared)
    def compute(context: AssetExecutionContext, **resources) -> MaterializeResult:
        results = {  # oldest first
            year: body(year, **_arguments(declared, year, resources)) for year in years_of(context)
        }
        if len(results) == 1:
            return next(iter(results.values()))
        for year, result in results.items():
            context.add_asset_metadata(dict(result.metadata or {}), partition_key=str(year))
        # a data version is per asset, not per year, in a range run: the bodies that set one
        # (reference_data: the hash of referanse/, which every year shares) agree
        (data_version,) = {result.data_version for result in results.values()}
        return MaterializeResult(data_version=data_version)

    return compute


def _check_compute(
    body: Callable[..., AssetCheckResult | Iterable[AssetCheckResult]], declared: Declaration
) -> Callable:
    @_as_compute(body, AssetCheckExecutionContext, declared)
    def compute(context: AssetCheckExecutionContext, **resources):
        selected = {key.name for key in context.selected_asset_check_keys}
        results = {  # oldest first
            year: [
                r
                for r in _results(body(year, **_arguments(declared, year, resources)))
                if r.check_name in selected | {None}
            ]
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
    ``additional_deps``; a check writes nothing."""

    def decorate(body: Callable[..., AssetCheckResult]):
        return asset_check(
            asset=asset,
            partitions_def=report_years,
            additional_deps=_beyond([asset.key.to_user_string()], reads, body.__name__),
            **check_arguments,
        )(_check_compute(body, Declaration(body.__name__, reads)))

    return decorate


def yearly_multi_check(*, specs, reads: Reads = NOTHING, **check_arguments) -> Callable:
    """``@multi_asset_check`` partitioned by report year: the body yields one year's results. It
    reads only what the checked assets (and the specs' ``additional_deps``) write."""

    def decorate(body: Callable[..., Iterable[AssetCheckResult]]):
        if any(spec.partitions_def != report_years for spec in specs):
            raise ValueError("every spec of a yearly_multi_check is partitioned by report_years")
        upstream = {spec.asset_key.to_user_string() for spec in specs} | {
            dep.asset_key.to_user_string() for spec in specs for dep in spec.additional_deps
        }
        if beyond := _beyond(sorted(upstream), reads, body.__name__):
            raise ValueError(f"{body.__name__} reads what {', '.join(beyond)} writes: add it to its specs")
        declared = Declaration(body.__name__, reads)
        return multi_asset_check(specs=specs, **check_arguments)(_check_compute(body, declared))

    return decorate


def _beyond(checked: list[str], reads: Reads, reader: str) -> list[str]:
    return [writer for writer in writers_of(reads, reader) if writer not in checked]
