"""Validating a year's submissions against the contract in ``data_contracts/``.

Every data row ends accepted or quarantined, and every quarantined row is covered by a
finding: a row-level finding for an ``error``, or the table's ``fatal`` finding (row empty)
when the whole table is rejected. Messages are bokmål, for the municipal clerk.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from alis_nord.contract import Column, TableContract, severity_of, table_contracts
from alis_nord.landing import INVALID_NAME, TableSource, YearInventory, sha256_of
from alis_nord.money import NotANumber, decimal_from_spreadsheet_number, parse_decimal
from alis_nord.readers import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    RawRow,
    RawTable,
    ReadFailure,
    fold,
    read_csv,
    read_workbook_table,
    workbook_sheets,
)
from alis_nord.reference import ReferenceData

GRANT_FIRST_HIRE = dt.date(2019, 1, 1)
MIN_SUPERVISION_HOURS_FULL_YEAR = Decimal(42)
MAX_ALIS_PER_MUNICIPALITY = 2
MAX_VOUCHER_NOK = Decimal(2_000_000)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ALIS_ID = re.compile(r"^A\d{3,6}$")


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


# ---------------------------------------------------------------- values and types


def parse_date(value: Any) -> dt.date:
    """ISO ``2020-03-15``, Norwegian ``15.03.2020``, or a real Excel date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _NORWEGIAN_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return dt.date(year, month, day)


def _number(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return decimal_from_spreadsheet_number(value)
    if isinstance(value, dt.date | bool):
        raise NotANumber(str(value))
    return parse_decimal(str(value))


def _whole(value: Any) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise NotANumber(str(value))
    return int(number)


def display(value: Any) -> str:
    """A cell value as the clerk wrote it, for messages and ``findings.csv``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().strftime("%d.%m.%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TYPE_HINTS = {
    "kommunenummer": "et kommunenummer med fire sifre, for eksempel 1804",
    "year": "et årstall med fire sifre, for eksempel 2021",
    "alis_id": "A fulgt av 3–6 sifre, for eksempel A1234",
    "date": "en gyldig dato, for eksempel 15.03.2021 eller 2021-03-15",
    "decimal": "et tall, for eksempel 12,5",
    "integer": "et helt tall, for eksempel 12",
    "money": "et beløp med høyst to desimaler, for eksempel 12 500,50",
}


def convert(column: Column, value: Any) -> Any:
    """A raw cell as the column's type; raises ``ValueError`` when it is not one."""
    kind = column.type
    if kind == "kommunenummer":
        text = str(_whole(value)).zfill(4) if not isinstance(value, str) else value.strip()
        if not re.fullmatch(r"\d{4}", text):
            raise ValueError(text)
        return text
    if kind == "year":
        year = _whole(value)
        if not 1900 <= year <= 2999:
            raise ValueError(value)
        return year
    if kind == "alis_id":
        text = display(value).strip().upper()
        if not _ALIS_ID.match(text):
            raise ValueError(text)
        return text
    if kind == "date":
        return parse_date(value)
    if kind == "decimal":
        return _number(value)
    if kind == "integer":
        return _whole(value)
    if kind == "money":
        amount = _number(value)
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(value)
        return amount.quantize(Decimal("0.01"))
    if kind == "code":
        folded = fold(display(value))
        for code in column.codes:
            if fold(code) == folded:
                return code
        raise LookupError(value)
    return display(value).strip()  # text: kept as text, never evaluated


def _codes(column: Column) -> str:
    return ", ".join(column.codes)


def _fmt(number: Any) -> str:
    return f"{number:,}".replace(",", " ").replace(".", ",") if isinstance(number, int) else str(number)


# ---------------------------------------------------------------- the validator


class _TableValidator:
    """Applies one table's contract to one delivered table."""

    def __init__(self, year: int, source: TableSource, contract: TableContract, findings: list[Finding]):
        self.year = year
        self.source = source
        self.contract = contract
        self.findings = findings
        self.result = TableResult(source.kommunenummer, source.table, source.path)
        self._row_errors: dict[int, int] = {}

    # -- findings
    def report(self, rule: str, row: int | None, column: str, value: Any, message: str) -> None:
        severity = severity_of(rule)
        prefix = f"Rad {row}: " if row is not None else ""
        self.findings.append(
            Finding(
                self.source.kommunenummer,
                self.source.path,
                self.source.table,
                row,
                column,
                rule,
                severity,
                display(value),
                prefix + message,
            )
        )
        if row is not None and severity == "error":
            self._row_errors[row] = self._row_errors.get(row, 0) + 1

    def reject(self, rule: str, message: str, raw: RawTable | None, rows: int = 0) -> TableResult:
        self.report(rule, None, "", "", message)
        self.result.rejected = True
        if raw is not None:
            self.result.quarantined = [self._quarantine(row) for row in raw.rows]
            self.result.rows_received = len(raw.rows)
        else:
            self.result.rows_received = rows
        return self.result

    def _quarantine(self, row: RawRow) -> QuarantinedRow:
        values = {name: (None if v is None else display(v)) for name, v in row.values.items()}
        return QuarantinedRow(
            self.source.kommunenummer, self.source.path, self.source.table, row.row_number, values
        )

    # -- the checks
    def validate(
        self, raw: RawTable | ReadFailure, size_bytes: int, participant: bool, known_alis: set[str] | None
    ) -> TableResult:
        table = self.source.table
        if isinstance(raw, ReadFailure):
            return self.reject(raw.rule, raw.detail, None, raw.rows)
        if not participant:
            return self.reject(
                "not_participant",
                f"Kommunenummer {self.source.kommunenummer} er ikke deltaker i ALIS-Nord i {self.year}. "
                "Kontroller kommunenummeret i filnavnet (nye nummer fra 2020 og 2024).",
                raw,
            )
        if size_bytes > MAX_FILE_BYTES or len(raw.rows) > MAX_ROWS:
            return self.reject(
                "too_large",
                f"Tabellen «{table}» er for stor ({_fmt(len(raw.rows))} rader, {_fmt(size_bytes)} byte). "
                f"Grensen er {_fmt(MAX_ROWS)} rader og 20 MB.",
                raw,
            )
        missing = [c.name for c in self.contract.columns if fold(c.name) not in raw.columns]
        if missing:
            return self.reject(
                "missing_column",
                f"Tabellen «{table}» mangler kolonnen{'e' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}. Bruk overskriftene fra malen.",
                raw,
            )

        typed_rows = [(row, self._typed_row(row)) for row in raw.rows]
        self._unique_columns(typed_rows)
        rule_check = getattr(self, f"_rules_{table}")
        for row, typed in typed_rows:
            rule_check(row.row_number, typed, known_alis)
        self._table_rules(typed_rows)

        self.result.rows_received = len(raw.rows)
        for row, typed in typed_rows:
            if self._row_errors.get(row.row_number):
                self.result.quarantined.append(self._quarantine(row))
            else:
                typed.update(row_number=row.row_number, file=self.source.path)
                self.result.accepted.append(typed)
        if table == "alis":
            self._too_many_alis()
        return self.result

    def _typed_row(self, row: RawRow) -> dict[str, Any]:
        typed: dict[str, Any] = {}
        n = row.row_number
        for column in self.contract.columns:
            value = row.get(column.name)
            if value is None:
                typed[column.name] = None
                if column.required:
                    self.report(
                        "required", n, column.name, value, f"{column.name} mangler. Feltet må fylles ut."
                    )
                continue
            try:
                converted = convert(column, value)
            except LookupError:
                self.report(
                    "invalid_code",
                    n,
                    column.name,
                    value,
                    f"{column.name} «{display(value)}» er ikke en gyldig verdi. Gyldige verdier: {_codes(column)}.",
                )
                typed[column.name] = None
                continue
            except (ValueError, ArithmeticError):
                self.report(
                    "invalid_value",
                    n,
                    column.name,
                    value,
                    f"{column.name} «{display(value)}» kan ikke leses. Skriv {_TYPE_HINTS[column.type]}.",
                )
                typed[column.name] = None
                continue
            typed[column.name] = converted
            self._limits(n, column, converted, value)
        if typed.get("kommunenummer") not in (None, self.source.kommunenummer):
            self.report(
                "kommunenummer_mismatch",
                n,
                "kommunenummer",
                typed["kommunenummer"],
                f"kommunenummer {typed['kommunenummer']} er ikke det samme som i filnavnet "
                f"({self.source.kommunenummer}).",
            )
        if typed.get("rapportaar") not in (None, self.year):
            self.report(
                "rapportaar_mismatch",
                n,
                "rapportaar",
                typed["rapportaar"],
                f"rapportaar {typed['rapportaar']} er ikke rapportåret {self.year} (mappen filen ligger i).",
            )
        return typed

    def _limits(self, n: int, column: Column, value: Any, raw: Any) -> None:
        if column.min is not None and value < column.min:
            self.report(
                "out_of_range",
                n,
                column.name,
                raw,
                f"{column.name} er {display(raw)}, men kan ikke være under {column.min}.",
            )
        elif column.max is not None and value > column.max:
            self.report(
                "out_of_range",
                n,
                column.name,
                raw,
                f"{column.name} er {display(raw)}, men kan ikke være over {column.max}.",
            )
        elif column.warn_max is not None and value > column.warn_max:
            self.report(
                "above_warning_limit",
                n,
                column.name,
                raw,
                f"{column.name} er {display(raw)}, som er uvanlig høyt (over {column.warn_max}). Kontroller tallet.",
            )

    def _unique_columns(self, typed_rows: list[tuple[RawRow, dict[str, Any]]]) -> None:
        for column in (c for c in self.contract.columns if c.unique):
            counts = Counter(typed[column.name] for _, typed in typed_rows if typed[column.name] is not None)
            for row, typed in typed_rows:
                value = typed[column.name]
                if value is not None and counts[value] > 1:
                    others = [
                        str(r.row_number) for r, t in typed_rows if t[column.name] == value and r is not row
                    ]
                    self.report(
                        "duplicate",
                        row.row_number,
                        column.name,
                        value,
                        f"{column.name} «{value}» står også på rad {', '.join(others)}. "
                        "Verdien må være unik; rett opp og send filen på nytt.",
                    )

    # -- table-specific rules (ids as in data_contracts/<table>.yaml)
    def _rules_alis(self, n: int, row: dict[str, Any], _known: set[str] | None) -> None:
        start, end = row["startdato"], row["sluttdato"]
        if start is not None and (start > dt.date(self.year, 12, 31) or start < GRANT_FIRST_HIRE):
            self.report(
                "startdato_out_of_range",
                n,
                "startdato",
                start,
                f"startdato {display(start)} må ligge mellom 01.01.2019 og 31.12.{self.year}. "
                "ALIS ansatt før 2019 er ikke med i ALIS-Nord.",
            )
        if end is not None and start is not None and end < start:
            self.report(
                "sluttdato_before_startdato",
                n,
                "sluttdato",
                end,
                f"sluttdato {display(end)} er før startdato {display(start)}.",
            )
        if end is not None and end < dt.date(self.year, 1, 1):
            self.report(
                "sluttdato_before_year",
                n,
                "sluttdato",
                end,
                f"sluttdato {display(end)} er før rapportåret {self.year}. En ALIS som sluttet før "
                f"{self.year}, skal ikke være med i årets tabell.",
            )
        if end is None and row["status"] in ("spesialist", "sluttet"):
            self.report(
                "sluttdato_required",
                n,
                "sluttdato",
                "",
                f"sluttdato mangler. Den må fylles ut når status er «{row['status']}».",
            )
        hours = row["individuell_veiledning_timer"]
        whole_year = (
            start is not None
            and start <= dt.date(self.year, 1, 1)
            and (end is None or end >= dt.date(self.year, 12, 31))
        )
        if whole_year and hours is not None and hours < MIN_SUPERVISION_HOURS_FULL_YEAR:
            self.report(
                "low_supervision",
                n,
                "individuell_veiledning_timer",
                hours,
                f"individuell_veiledning_timer er {display(hours)} for en ALIS som var ansatt hele året. "
                "Utdanningen krever om lag 4 timer i måneden (minst 42 timer i året).",
            )

    def _rules_kostnader(self, n: int, row: dict[str, Any], known_alis: set[str] | None) -> None:
        date, amount, alis_id = row["bilagsdato"], row["belop"], row["alis_id"]
        if date is not None and date.year != self.year:
            self.report(
                "bilagsdato_outside_year",
                n,
                "bilagsdato",
                date,
                f"bilagsdato {display(date)} er utenfor rapportåret {self.year}.",
            )
        if amount is not None and amount == 0:
            self.report(
                "belop_zero",
                n,
                "belop",
                amount,
                "belop er 0. Et bilag må ha et beløp (negativt for kreditnota).",
            )
        if amount is not None and abs(amount) > MAX_VOUCHER_NOK:
            self.report(
                "belop_too_large",
                n,
                "belop",
                amount,
                f"belop {display(amount)} er over grensen på 2 000 000 kr for ett bilag.",
            )
        if alis_id is not None and alis_id not in (known_alis or set()):
            self.report(
                "alis_id_unknown",
                n,
                "alis_id",
                alis_id,
                f"alis_id «{alis_id}» finnes ikke i kommunens ALIS-tabell for {self.year}. "
                "Kontroller id-en, eller la feltet stå tomt.",
            )

    def _rules_fastlegedekning(self, n: int, row: dict[str, Any], _known: set[str] | None) -> None:
        positions, vacant = row["fastlegehjemler"], row["ledige_hjemler"]
        if positions is not None and vacant is not None and vacant > positions:
            self.report(
                "ledige_over_hjemler",
                n,
                "ledige_hjemler",
                vacant,
                f"ledige_hjemler ({vacant}) kan ikke være flere enn fastlegehjemler ({positions}).",
            )

    def _table_rules(self, typed_rows: list[tuple[RawRow, dict[str, Any]]]) -> None:
        if self.source.table != "fastlegedekning" or len(typed_rows) == 1:
            return
        if not typed_rows:
            self.report(
                "not_one_row",
                None,
                "",
                "",
                "Tabellen «fastlegedekning» har ingen rader. Den skal ha nøyaktig én.",
            )
            return
        for row, _ in typed_rows:
            self.report(
                "not_one_row",
                row.row_number,
                "",
                "",
                f"Tabellen «fastlegedekning» skal ha nøyaktig én rad, men har {len(typed_rows)}.",
            )

    def _too_many_alis(self) -> None:
        if len(self.result.accepted) > MAX_ALIS_PER_MUNICIPALITY:
            self.report(
                "too_many_alis",
                None,
                "alis_id",
                len(self.result.accepted),
                f"Kommunen har {len(self.result.accepted)} ALIS i {self.year}. ALIS-Nord finansierer høyst "
                f"{MAX_ALIS_PER_MUNICIPALITY} per kommune.",
            )


class LandingAreaChanged(RuntimeError):
    """A file changed between taking the inventory and reading it: the run must start over."""


def _read_source(
    landing_dir: Path, source: TableSource, cache: dict[str, Any], only_table: bool, expected_sha: str | None
) -> tuple[RawTable | ReadFailure, int]:
    path = landing_dir / source.path
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


def validate_year(landing_dir: Path, inventory: YearInventory, reference: ReferenceData) -> YearValidation:
    """Validate every table source of one year. Never raises for a bad submission file."""
    year = inventory.year
    findings: list[Finding] = []
    for entry in inventory.files:
        if entry.status == INVALID_NAME:
            name = entry.path.rsplit("/", 1)[-1]
            findings.append(
                Finding(
                    name[:4] if re.match(r"^\d{4}", name) else "",
                    entry.path,
                    "",
                    None,
                    "",
                    "file_name",
                    severity_of("file_name"),
                    name,
                    f"Filnavnet «{name}» følger ikke mønsteret <kommunenummer>_<tabell>.csv eller "
                    "<kommunenummer>.xlsx (for eksempel 1804_kostnader.csv). Filen er ikke lest.",
                )
            )

    participants = {p.kommunenummer for p in reference.participants_in(year)}
    contracts = table_contracts()
    workbook_tables = Counter(s.path for s in inventory.sources)
    cache: dict[str, Any] = {}
    results: list[TableResult] = []
    sources = sorted(inventory.sources, key=lambda s: (s.kommunenummer, s.table != "alis", s.table))
    known_alis: dict[str, set[str] | None] = {}
    hashes = {entry.path: entry.sha256 for entry in inventory.files}
    for source in sources:
        only_table = workbook_tables[source.path] == 1
        try:
            raw, size = _read_source(landing_dir, source, cache, only_table, hashes.get(source.path))
        except LandingAreaChanged:
            raise
        except Exception as exc:  # a crash in one file never stops the year
            raw, size = ReadFailure("unreadable", f"Filen kunne ikke leses ({type(exc).__name__})."), 0
        validator = _TableValidator(year, source, contracts[source.table], findings)
        result = validator.validate(
            raw, size, source.kommunenummer in participants, known_alis.get(source.kommunenummer)
        )
        if source.table == "alis" and not isinstance(raw, ReadFailure) and not result.rejected:
            known_alis[source.kommunenummer] = {
                display(r.get("alis_id")).strip().upper()
                for r in raw.rows
                if r.get("alis_id") is not None and _is_alis_id(r.get("alis_id"))
            }
        results.append(result)
    return YearValidation(year, results, findings)


def _is_alis_id(value: Any) -> bool:
    return bool(_ALIS_ID.match(display(value).strip().upper()))


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
