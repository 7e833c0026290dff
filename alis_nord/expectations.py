"""The contract as great-expectations suites: one suite per table and report year.

``expectation_specs`` turns ``data_contracts/<table>.yaml`` into plain expectation specs:
the generic column rules (required, invalid_code, duplicate, out_of_range,
above_warning_limit) from the column constraints, and each table rule from its own
``expectation`` entry, with ``{year}`` and ``$known_alis_keys`` filled in. ``run_suite``
builds the great-expectations suite from them and validates a DataFrame in an ephemeral
context, returning the failing rows by rule. great-expectations is imported only there:
it takes seconds to import and is needed only when a year is validated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from alis_nord.contract import Rule, table_contracts

ROW_ID = "_row_id"
FILE = "_file"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def raw_column(column: str) -> str:
    """The frame column holding a cell as written (None when empty), beside the typed one."""
    return f"{column}__raw"


@dataclass(frozen=True)
class ExpectationSpec:
    rule: str
    column: str  # the column a finding names
    type: str  # great-expectations expectation type, snake_case
    kwargs: dict[str, Any]


def _fill(value: Any, year: int, known_alis_keys: list[str]) -> Any:
    """Put the year and the known ALIS ids into an expectation's arguments."""
    if value == "$known_alis_keys":
        return known_alis_keys
    if isinstance(value, list):
        return [_fill(v, year, known_alis_keys) for v in value]
    if isinstance(value, str) and "{year}" in value:
        value = value.replace("{year}", str(year))
        if value.isdigit():
            return int(value)
    if isinstance(value, str) and _DATE.match(value):
        return dt.datetime.fromisoformat(value)  # date bounds must be datetimes for pandas
    return value


def _table_rule_spec(rule: Rule, year: int, known_alis_keys: list[str]) -> ExpectationSpec:
    kwargs = {k: _fill(v, year, known_alis_keys) for k, v in rule.expectation.items() if k != "type"}
    column = rule.column if rule.column is not None else kwargs.get("column", kwargs.get("column_A", ""))
    return ExpectationSpec(rule.id, column, rule.expectation["type"], kwargs)


def expectation_specs(
    table: str, year: int, known_alis_keys: list[str] | None = None
) -> list[ExpectationSpec]:
    """Every expectation of a table's suite for a report year, in contract order."""
    from alis_nord.contract import all_rules

    contract = table_contracts()[table]
    known = sorted(known_alis_keys or [])
    specs: list[ExpectationSpec] = []
    for column in contract.columns:
        name = column.name
        if column.required:
            specs.append(
                ExpectationSpec(
                    "required", name, "expect_column_values_to_not_be_null", {"column": raw_column(name)}
                )
            )
        if column.codes:
            specs.append(
                ExpectationSpec(
                    "invalid_code",
                    name,
                    "expect_column_values_to_be_in_set",
                    {"column": name, "value_set": list(column.codes)},
                )
            )
        if column.unique:
            specs.append(
                ExpectationSpec(
                    "duplicate", name, "expect_compound_columns_to_be_unique", {"column_list": [FILE, name]}
                )
            )
        if column.min is not None or column.max is not None:
            specs.append(
                ExpectationSpec(
                    "out_of_range",
                    name,
                    "expect_column_values_to_be_between",
                    {"column": name, "min_value": column.min, "max_value": column.max},
                )
            )
        if column.warn_max is not None:
            specs.append(
                ExpectationSpec(
                    "above_warning_limit",
                    name,
                    "expect_column_values_to_be_between",
                    {"column": name, "max_value": column.warn_max},
                )
            )
    common_with_expectation = [r for r in all_rules().values() if r.table is None and r.expectation]
    for rule in [*common_with_expectation, *contract.rules.values()]:
        if rule.expectation:
            specs.append(_table_rule_spec(rule, year, known))
    return specs


def _gx_class(expectation_type: str):
    import great_expectations.expectations as gxe

    return getattr(gxe, "".join(part.capitalize() for part in expectation_type.split("_")))


def run_suite(frame, table: str, year: int, specs: list[ExpectationSpec]) -> dict[int, list[int]]:
    """Validate ``frame`` with the suite of ``specs``; the failing ``_row_id``s per spec index.

    A suite that cannot be evaluated (a contract mistake) raises: it must never pass silently.
    """
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    if frame.empty:
        return {}
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    batch_definition = (
        context.data_sources.add_pandas("submissions")
        .add_dataframe_asset(table)
        .add_batch_definition_whole_dataframe("year")
    )
    from great_expectations.expectations.row_conditions import deserialize_row_condition

    suite = gx.ExpectationSuite(name=f"{table}_{year}")
    for index, spec in enumerate(specs):
        kwargs = dict(spec.kwargs)
        if isinstance(kwargs.get("row_condition"), dict):
            kwargs["row_condition"] = deserialize_row_condition(kwargs["row_condition"])
        suite.add_expectation(
            _gx_class(spec.type)(**kwargs, meta={"index": index, "rule": spec.rule, "column": spec.column})
        )
    suite = context.suites.add(suite)
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]}
    )
    failing: dict[int, list[int]] = {}
    for outcome in result.results:
        meta = outcome.expectation_config.meta
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"{table}: expectation for rule {meta['rule']} failed to run: {outcome.exception_info}"
            )
        if not outcome.success:
            failing[meta["index"]] = sorted(
                int(item[ROW_ID]) for item in outcome.result.get("unexpected_index_list") or []
            )
    return failing
