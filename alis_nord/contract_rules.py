"""The contract's rules over every row of one table type at once (step 3 of
``alis_nord.validation``): the rows as one DataFrame with typed, raw and derived columns, the
great-expectations suite derived from ``data_contracts/<table>.yaml`` run on it
(``alis_nord.expectations``), and each failing row or table as a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alis_nord.contract import Column, TableContract, all_rules
from alis_nord.landing import TableSource
from alis_nord.readers import RawTable
from alis_nord.validation_results import Finding, TableResult, finding
from alis_nord.values import display


@dataclass
class OpenTable:
    """A table taken in: its source, raw rows, typed values (one dict per row) and its result."""

    source: TableSource
    raw: RawTable
    result: TableResult
    typed: list[dict[str, Any]] = field(default_factory=list)


def _limit_text(column: Column) -> str:
    if column.min is not None and column.max is not None:
        return f"mellom {column.min} og {column.max}"
    return f"minst {column.min}" if column.min is not None else f"høyst {column.max}"


def _whole_year(frame, year: int):
    from alis_nord.budget import employed_whole_year

    return [
        employed_whole_year(start.date(), None if end is None or end != end else end.date(), year)
        if start == start
        else False
        for start, end in zip(frame["startdato"], frame["sluttdato"], strict=True)
    ]


def _alis_in_table(frame, year: int):
    from alis_nord.expectations import FILE

    return frame.groupby(FILE)["alis_id"].transform("nunique")


def _alis_key(frame, year: int):
    return [
        None if alis_id is None else f"{k}:{alis_id}"
        for k, alis_id in zip(frame["_file_kommunenummer"], frame["alis_id"], strict=True)
    ]


def _rows_in_table(frame, year: int):
    from alis_nord.expectations import FILE, ROW_ID

    return frame.groupby(FILE)[ROW_ID].transform("count")


# The derived columns the contract's rules use, by the name `derived:` gives them in
# data_contracts/<table>.yaml (which also says what each means); a test keeps the two in step.
DERIVED_COLUMNS = {
    "_whole_year": _whole_year,
    "_alis_in_table": _alis_in_table,
    "_alis_key": _alis_key,
    "_rows_in_table": _rows_in_table,
}


def rows_frame(tables: list[OpenTable], contract: TableContract, year: int):
    """One DataFrame of every row of one table type: typed columns, raw columns and the
    derived columns the contract's rules use (``derived:`` in data_contracts/<table>.yaml)."""
    import pandas as pd

    from alis_nord.expectations import FILE, ROW_ID, raw_column

    records = []
    for table in tables:
        for raw, typed in zip(table.raw.rows, table.typed, strict=True):
            record = {
                ROW_ID: len(records),
                FILE: table.source.path,
                "_file_kommunenummer": table.source.kommunenummer,
            }
            record.update(typed)
            record.update({raw_column(c.name): raw.get(c.name) for c in contract.columns})
            records.append(record)
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return frame
    for column in contract.columns:
        if column.type == "date":
            frame[column.name] = pd.to_datetime(frame[column.name])
        elif column.type in ("integer", "year"):
            frame[column.name] = frame[column.name].astype("Int64")
        else:
            frame[column.name] = frame[column.name].astype(object).where(frame[column.name].notna(), None)
    for name in contract.derived:
        frame[name] = DERIVED_COLUMNS[name](frame, year)
    return frame


def suite_findings(
    tables: list[OpenTable], contract: TableContract, year: int, known_alis_keys: set[str]
) -> list[Finding]:
    from alis_nord.expectations import expectation_specs, run_suite

    frame = rows_frame(tables, contract, year)
    specs = expectation_specs(contract.table, year, sorted(known_alis_keys))
    failing = run_suite(frame, contract.table, year, specs)
    rows = [
        (table, raw, typed)
        for table in tables
        for raw, typed in zip(table.raw.rows, table.typed, strict=True)
    ]
    findings: list[Finding] = []
    flagged_out_of_range: set[tuple[int, str]] = set()
    for index in sorted(failing):
        spec = specs[index]
        rule = all_rules()[spec.rule]
        column = contract.column(spec.column) if spec.column in {c.name for c in contract.columns} else None
        if rule.scope == "table":  # one finding per table, row empty
            for table in {rows[row_id][0].source.path: rows[row_id][0] for row_id in failing[index]}.values():
                count = len({t["alis_id"] for t in table.typed if t.get("alis_id")})
                findings.append(
                    finding(table.source, spec.rule, None, spec.column, count, count=count, year=year)
                )
            continue
        for row_id in failing[index]:
            table, raw, typed = rows[row_id]
            if spec.rule == "above_warning_limit" and (row_id, spec.column) in flagged_out_of_range:
                continue  # past the error limit it is reported once, as the error
            if spec.rule == "out_of_range":
                flagged_out_of_range.add((row_id, spec.column))
            value = raw.get(spec.column) if spec.column else ""
            context = {
                "year": year,
                "file_kommunenummer": table.source.kommunenummer,
                "codes": ", ".join(column.codes) if column else "",
                "limit": _limit_text(column) if column and spec.rule == "out_of_range" else "",
                "max": column.warn_max if column else "",
                "status": typed.get("status") or "",
                "startdato": display(typed.get("startdato")),
                "fastlegehjemler": display(typed.get("fastlegehjemler")),
                "count": len(table.typed),
                "other_rows": ", ".join(
                    str(r.row_number)
                    for r, t in zip(table.raw.rows, table.typed, strict=True)
                    if r is not raw and column is not None and t[column.name] == typed[column.name]
                ),
            }
            findings.append(finding(table.source, spec.rule, raw.row_number, spec.column, value, **context))
    return findings
