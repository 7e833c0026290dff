"""A check's result for each year of a run over several years: the one place that goes beyond
what Dagster 1.13 offers publicly.

Dagster turns an ``AssetCheckResult`` into an evaluation of the step's one partition; a step over
a range of years has none, and no public way to say which year a result is about. So a range run
yields, per year and check, the ``AssetCheckEvaluation`` Dagster would have made (public class,
with ``partition`` set), and then one ``Output`` per check, which Dagster needs to run what the
check gates (a failed blocking evaluation fails the step after these). The check's definition
comes from ``context.op_execution_context.assets_def`` and its output name from
``get_output_name_for_asset_check_key``: Dagster's own, though not marked public.
``tests/test_check_partitions.py`` fails when Dagster changes any of this. A one-year run never
comes here.
"""

from collections.abc import Iterator, Mapping, Sequence

from dagster import (
    AssetCheckEvaluation,
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSpec,
    Output,
)


def evaluations_per_year(
    context: AssetCheckExecutionContext, results: Mapping[int, Sequence[AssetCheckResult]]
) -> Iterator[AssetCheckEvaluation | Output]:
    checks = context.op_execution_context.assets_def
    specs = list(checks.check_specs)
    for year, year_results in results.items():
        for result in year_results:
            spec = _spec_of(result, specs)
            yield AssetCheckEvaluation(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=result.passed,
                metadata=result.metadata,
                severity=result.severity,
                description=result.description,
                blocking=spec.blocking,
                partition=str(year),
            )
    for key in sorted(context.selected_asset_check_keys, key=str):
        yield Output(None, output_name=checks.get_output_name_for_asset_check_key(key))


def _spec_of(result: AssetCheckResult, specs: list[AssetCheckSpec]) -> AssetCheckSpec:
    (spec,) = [s for s in specs if result.check_name in (None, s.name)]  # None: the check's only spec
    return spec
