"""Validating a year's submissions against the contract in ``data_contracts/``.

Every data row ends accepted or quarantined, and every quarantined row is covered by a
finding: a row-level finding for an ``error``, or the table's ``fatal`` finding (row empty)
when the whole table is rejected. Messages are bokmål, for the municipal clerk.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alis_nord.contract import Column, TableContract, all_rules, column_types, table_contracts
from alis_nord.landing import INVALID_NAME, TableSource, YearInventory, sha256_of
from alis_nord.readers import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    RawRow,
    RawTable,
    ReadFailure,
    fold,
    header_row_candidate,
    read_csv,
    read_workbook_table,
    workbook_sheets,
)
from alis_nord.reference import ReferenceData
from alis_nord.values import ALIS_ID, convert, display


@dataclass(frozen=True)
class Finding:
    kommunenummer: str
    file: str
    table: str
    row: int | None
    column: str
    rule: str
    severity: str
    value: str
    message: str


@dataclass
class QuarantinedRow:
    kommunenummer: str
    file: str
    table: str
    row: int
    values: dict[str, str | None]


@dataclass
class TableResult:
    """What became of one table a municipality delivered."""

    kommunenummer: str
    table: str
    file: str
    rows_received: int = 0
    accepted: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    rejected: bool = False


@dataclass
class YearValidation:
    year: int
    tables: list[TableResult]
    findings: list[Finding]

    def accepted(self, table: str) -> list[dict[str, Any]]:
        return [row for result in self.tables if result.table == table for row in result.accepted]

    @property
    def quarantined(self) -> list[QuarantinedRow]:
        return [row for result in self.tables for row in result.quarantined]

    @property
    def rows_received(self) -> int:
        return sum(result.rows_received for result in self.tables)


def _fmt(number: Any) -> str:
    return f"{number:,}".replace(",", " ").replace(".", ",") if isinstance(number, int) else str(number)


# ---------------------------------------------------------------- the validator
#
# 1. Each delivered table is read; the fatal rules (unreadable, encoding, missing_sheet,
#    not_participant, too_large, missing_column) decide whether it is taken in at all.
# 2. Every row of the tables taken in is parsed into typed values: a cell that is not of
#    its column's type is an `invalid_value` finding (parsing Norwegian forms is the
#    contract's type definition, done here).
# 3. All rows of one table type are validated at once by the great-expectations suite
#    derived from data_contracts/<table>.yaml (alis_nord.expectations): every other rule.
# 4. A row with an `error` finding is quarantined; warnings keep it.


@dataclass
class _OpenTable:
    source: TableSource
    raw: RawTable
    result: TableResult
    typed: list[dict[str, Any]] = field(default_factory=list)


def _limit_text(column: Column) -> str:
    if column.min is not None and column.max is not None:
        return f"mellom {column.min} og {column.max}"
    return f"minst {column.min}" if column.min is not None else f"høyst {column.max}"


def _finding(
    source: TableSource, rule: str, row: int | None, column: str, value: Any, **context: Any
) -> Finding:
    template = all_rules()[rule]
    message = template.message(column=column, value=display(value), **context)
    return Finding(
        source.kommunenummer,
        source.path,
        source.table,
        row,
        column,
        rule,
        template.severity,
        display(value),
        (f"Rad {row}: " if row is not None else "") + message,
    )


def _not_participant_hint(source: TableSource, reference: ReferenceData, year: int) -> str:
    """What a sender that is no participant should do: for a participant's earlier number (Harstad's
    1903 in 2020), its number this year and the exact name to send the table under."""
    from pathlib import PurePosixPath

    from alis_nord.landing import resend_name

    current = reference.current_number(source.kommunenummer, year)
    if current is None:
        return "Kontroller kommunenummeret i filnavnet (nye nummer fra 2020 og 2024)."
    name = resend_name(PurePosixPath(source.path).name, current.kommunenummer)
    return (
        f"{source.kommunenummer} {current.when}; i {year} har {current.navn} nummeret "
        f"{current.kommunenummer}. Send tabellen på nytt som {name}, med {current.kommunenummer} også i "
        "kolonnen kommunenummer."
    )


def _fatal(
    source: TableSource, raw: RawTable | ReadFailure, size: int, reference: ReferenceData, year: int
) -> Finding | None:
    """The table-level rule that rejects the whole table, if any (checked in this order)."""
    common = {"year": year, "file_kommunenummer": source.kommunenummer, "table": source.table}
    if isinstance(raw, ReadFailure):
        return _finding(source, raw.rule, None, "", "", detail=raw.detail, **common)
    if not reference.takes_part(source.kommunenummer, year):
        return _finding(
            source,
            "not_participant",
            None,
            "",
            "",
            detail=_not_participant_hint(source, reference, year),
            **common,
        )
    if size > MAX_FILE_BYTES or len(raw.rows) > MAX_ROWS:
        detail = f"{_fmt(len(raw.rows))} rader, {_fmt(size)} byte"
        return _finding(source, "too_large", None, "", "", detail=detail, **common)
    columns = [c.name for c in table_contracts()[source.table].columns]
    missing = [name for name in columns if fold(name) not in raw.columns]
    if missing and (header_row := header_row_candidate(raw, columns)):
        return _finding(source, "header_not_first_row", None, "", "", detail=str(header_row), **common)
    if missing:
        detail = f"kolonnen{'e' if len(missing) > 1 else ''} {', '.join(missing)}"
        return _finding(source, "missing_column", None, "", "", detail=detail, **common)
    return None


def _parse_rows(table: _OpenTable, contract: TableContract, year: int, findings: list[Finding]) -> None:
    """Typed values for every row; cells of the wrong type become `invalid_value` findings."""
    types = column_types()
    for row in table.raw.rows:
        typed: dict[str, Any] = {}
        for column in contract.columns:
            value = row.get(column.name)
            typed[column.name] = None
            if value is None:
                continue
            try:
                typed[column.name] = convert(column, value)
            except LookupError:  # not a valid code: the suite's invalid_code rule reports it
                typed[column.name] = display(value).strip()
            except (ValueError, ArithmeticError):
                findings.append(
                    _finding(
                        table.source,
                        "invalid_value",
                        row.row_number,
                        column.name,
                        value,
                        hint=types[column.type].hint,
                        year=year,
                    )
                )
        table.typed.append(typed)


# How a spreadsheet set to American English writes a date (03/15/2021, 3/15/21) and an amount
# (12,500.50) when it exports CSV. Neither is ever guessed; the file gets one hint besides the
# cell findings, since one setting is the cause of them all.
_AMERICAN_DATE = re.compile(r"^\s*\d{1,2}/\d{1,2}/\d{2}(\d{2})?\s*$")
_AMERICAN_AMOUNT = re.compile(r"^\s*-?\d{1,3}(,\d{3})+\.\d+\s*$")


def _american_settings(table: _OpenTable, contract: TableContract) -> Finding | None:
    """One file-level hint when text cells look exported with American settings."""
    for row in table.raw.rows:
        for column in contract.columns:
            value = row.get(column.name)
            if not isinstance(value, str):
                continue
            if column.type == "date" and _AMERICAN_DATE.match(value):
                example = f"datoen «{value.strip()}» i rad {row.row_number}"
            elif column.type in ("money", "decimal") and _AMERICAN_AMOUNT.match(value):
                example = f"tallet «{value.strip()}» i rad {row.row_number}"
            else:
                continue
            return _finding(table.source, "american_settings", None, "", "", detail=f"for eksempel {example}")
    return None


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


def _frame(tables: list[_OpenTable], contract: TableContract, year: int):
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


def _suite_findings(
    tables: list[_OpenTable], contract: TableContract, year: int, known_alis_keys: set[str]
) -> list[Finding]:
    from alis_nord.expectations import expectation_specs, run_suite

    frame = _frame(tables, contract, year)
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
                    _finding(table.source, spec.rule, None, spec.column, count, count=count, year=year)
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
            findings.append(_finding(table.source, spec.rule, raw.row_number, spec.column, value, **context))
    return findings


def _read_source(
    landing_dir: Path, source: TableSource, cache: dict[str, Any], only_table: bool, expected_sha: str | None
) -> tuple[RawTable | ReadFailure, int]:
    path = landing_dir / source.path
    if source.path not in cache and (size := path.stat().st_size) > MAX_FILE_BYTES:
        cache[source.path] = (ReadFailure("too_large", f"{_fmt(size)} byte"), size)  # never read into memory
    if source.path not in cache:
        data = path.read_bytes()
        if expected_sha is not None and sha256_of(data) != expected_sha:
            raise LandingAreaChanged(
                f"{source.path} changed after the inventory was taken; materialize landing_files again"
            )
        cache[source.path] = (read_csv(data) if source.kind == "csv" else workbook_sheets(data), len(data))
    content, size = cache[source.path]
    if isinstance(content, ReadFailure) or source.kind == "csv":
        return content, size
    return read_workbook_table(content, source.table, only_table), size


class LandingAreaChanged(RuntimeError):
    """A file changed between taking the inventory and reading it: the run must start over."""


def _file_name_findings(inventory: YearInventory) -> list[Finding]:
    findings = []
    for entry in inventory.files:
        if entry.status == INVALID_NAME:
            name = entry.path.rsplit("/", 1)[-1]
            source = TableSource(name[:4] if re.match(r"^\d{4}", name) else "", "", entry.path, 0, "")
            findings.append(_finding(source, "file_name", None, "", name))
    return findings


def validate_year(landing_dir: Path, inventory: YearInventory, reference: ReferenceData) -> YearValidation:
    """Validate every table source of one year. Never raises for a bad submission file."""
    year = inventory.year
    findings = _file_name_findings(inventory)
    contracts = table_contracts()
    tables_in_file = Counter(s.path for s in inventory.sources)
    hashes = {entry.path: entry.sha256 for entry in inventory.files}
    cache: dict[str, Any] = {}
    results: list[TableResult] = []
    taken_in: dict[str, list[_OpenTable]] = {name: [] for name in contracts}

    for source in sorted(inventory.sources, key=lambda s: (s.kommunenummer, s.table)):
        try:
            raw, size = _read_source(
                landing_dir, source, cache, tables_in_file[source.path] == 1, hashes.get(source.path)
            )
        except LandingAreaChanged:
            raise
        except Exception as exc:  # a crash in one file never stops the year
            raw, size = ReadFailure("unreadable", f"Filen kunne ikke leses ({type(exc).__name__})."), 0
        result = TableResult(source.kommunenummer, source.table, source.path)
        results.append(result)
        fatal = _fatal(source, raw, size, reference, year)
        if fatal is not None:
            findings.append(fatal)
            result.rejected = True
            rows = raw.rows if isinstance(raw, RawTable) else []
            result.rows_received = len(rows)
            result.quarantined = [_quarantine(source, row) for row in rows]
            continue
        result.rows_received = len(raw.rows)
        table = _OpenTable(source, raw, result)
        _parse_rows(table, contracts[source.table], year, findings)
        if hint := _american_settings(table, contracts[source.table]):
            findings.append(hint)
        taken_in[source.table].append(table)

    known_alis_keys = {
        f"{t.source.kommunenummer}:{typed['alis_id']}"
        for t in taken_in["alis"]
        for typed in t.typed
        if typed.get("alis_id") and ALIS_ID.match(typed["alis_id"])
    }
    for name, contract in contracts.items():
        findings.extend(_suite_findings(taken_in[name], contract, year, known_alis_keys))
    for table in taken_in["fastlegedekning"]:
        if not table.raw.rows:  # an empty table has no rows for the suite to see
            findings.append(_finding(table.source, "not_one_row", None, "", 0, count=0))

    errors = {(f.file, f.table, f.row) for f in findings if f.severity == "error" and f.row is not None}
    for name in contracts:
        for table in taken_in[name]:
            for raw, typed in zip(table.raw.rows, table.typed, strict=True):
                if (table.source.path, name, raw.row_number) in errors:
                    table.result.quarantined.append(_quarantine(table.source, raw))
                else:
                    table.result.accepted.append(
                        {**typed, "row_number": raw.row_number, "file": table.source.path}
                    )
    findings.sort(key=lambda f: (f.kommunenummer, f.file, f.table, f.row or 0, f.column, f.rule))
    return YearValidation(year, results, findings)


def _quarantine(source: TableSource, row: RawRow) -> QuarantinedRow:
    values = {name: (None if v is None else display(v)) for name, v in row.values.items()}
    return QuarantinedRow(source.kommunenummer, source.path, source.table, row.row_number, values)


# ---------------------------------------------------------------- warehouse rows

# Stored per row beside the provenance columns; kommunenummer and rapportaar come from the
# file and the year, and the voucher amount is stored as whole øre (belop_ore).
_PROVENANCE_COLUMNS = ("kommunenummer", "rapportaar")


def _stored_columns(table: str) -> list[str]:
    return [
        c.name
        for c in table_contracts()[table].columns
        if c.name not in _PROVENANCE_COLUMNS and c.type != "money"
    ]


def warehouse_rows(validation: YearValidation) -> dict[str, list[dict[str, Any]]]:
    """The validation outcome as rows for the warehouse tables of the same names."""
    from alis_nord.money import to_ore

    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in table_contracts()}
    for table in table_contracts():
        columns = _stored_columns(table)
        for accepted in validation.accepted(table):
            row = {
                "kommunenummer": accepted["kommunenummer"],
                "file": accepted["file"],
                "row_number": accepted["row_number"],
                **{column: accepted[column] for column in columns},
            }
            if table == "kostnader":
                row["belop_ore"] = to_ore(accepted["belop"])
            rows[table].append(row)
    rows["table_deliveries"] = [
        {
            "kommunenummer": t.kommunenummer,
            "table_name": t.table,
            "file": t.file,
            "rows_received": t.rows_received,
            "rows_accepted": len(t.accepted),
            "rows_quarantined": len(t.quarantined),
            "rejected": t.rejected,
        }
        for t in validation.tables
    ]
    rows["quarantined_rows"] = [
        {
            "kommunenummer": q.kommunenummer,
            "file": q.file,
            "table_name": q.table,
            "row_number": q.row,
            "raw_values": q.values,
        }
        for q in validation.quarantined
    ]
    rows["findings"] = [
        {
            "kommunenummer": f.kommunenummer,
            "file": f.file,
            "table_name": f.table,
            "row_number": f.row,
            "column_name": f.column,
            "rule": f.rule,
            "severity": f.severity,
            "value": f.value,
            "message": f.message,
        }
        for f in validation.findings
    ]
    return rows
