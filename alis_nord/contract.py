"""The machine-readable submission format, loaded from ``data_contracts/*.yaml``.

The contract files are the single source of the columns, code lists, types, rules, their
severities and their bokmål messages. Validation (``alis_nord.validation`` and the
great-expectations suites of ``alis_nord.expectations``), the Excel submission template
(``alis_nord.template``) and ``data_contracts/FORMAT.md`` are all derived from it.
Loading it reads four small YAML files and imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "data_contracts"


@dataclass(frozen=True)
class Severity:
    id: str  # fatal, error, warning
    navn: str  # bokmål label of a finding: Avvist, Feil, Advarsel
    virkning: str  # bokmål: what it does to the table or row
    rank: int  # 0 for the most serious


@dataclass(frozen=True)
class ColumnType:
    name: str
    navn: str  # bokmål, for documentation and the template
    hint: str  # bokmål, completes "Skriv …" in messages
    excel_format: str


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    unique: bool = False
    codes: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # code → what a reader sees
    min: Any = None
    max: Any = None
    warn_max: Any = None
    beskrivelse: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    beskrivelse: str  # bokmål: what the rule demands
    navn: str  # bokmål: the rule's short title, what the report and FORMAT.md call it
    melding: str  # bokmål message template
    table: str | None = None  # None for the rules of common.yaml
    expectation: dict[str, Any] | None = None  # great-expectations form, for table rules
    column: str | None = None  # the column a finding names, where the expectation's is not it
    scope: str = "row"  # "table": one finding per table (row empty) instead of one per row

    def message(self, **values: Any) -> str:
        return self.melding.format(**values)


@dataclass(frozen=True)
class TableContract:
    table: str
    title: str
    beskrivelse: str
    columns: tuple[Column, ...]
    rules: dict[str, Rule] = field(default_factory=dict)
    derived: dict[str, str] = field(default_factory=dict)  # derived column → what it means

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def labels(self, column: str) -> dict[str, str]:
        """A code column's codes in the contract's order, each with the label a reader sees."""
        return dict(self.column(column).labels)


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    # libyaml's safe loader when PyYAML has it (the contract is read when the code location
    # loads; the C loader is about ten times faster), else the pure-Python one: the same result
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _rules(raw: dict[str, Any], table: str | None) -> dict[str, Rule]:
    rules = {}
    for rule_id, spec in (raw or {}).items():
        if spec["severity"] not in severities():
            raise ValueError(f"rule {rule_id}: unknown severity {spec['severity']!r}")
        rules[rule_id] = Rule(
            id=rule_id,
            severity=spec["severity"],
            beskrivelse=spec["beskrivelse"],
            navn=spec["navn"],
            melding=spec["melding"],
            table=table,
            expectation=spec.get("expectation"),
            column=spec.get("column"),
            scope=spec.get("scope", "row"),
        )
    return rules


@cache
def _common() -> dict[str, Any]:
    return _load_yaml(CONTRACT_DIR / "common.yaml")


@cache
def table_names() -> tuple[str, ...]:
    """The tables a municipality sends, in the contract's order."""
    return tuple(_common()["tables"])


@cache
def severities() -> dict[str, Severity]:
    """The three severities, most serious first."""
    return {
        sid: Severity(sid, spec["navn"], spec["virkning"], rank)
        for rank, (sid, spec) in enumerate(_common()["severities"].items())
    }


def _codes(spec: dict[str, Any]) -> dict[str, str]:
    """``codes: {code: Label}``; a plain list of codes labels each code with itself."""
    codes = spec.get("codes") or {}
    return dict(codes) if isinstance(codes, dict) else {code: code for code in codes}


@cache
def column_types() -> dict[str, ColumnType]:
    return {name: ColumnType(name, **spec) for name, spec in _common()["types"].items()}


@cache
def table_contracts() -> dict[str, TableContract]:
    contracts = {}
    for name in table_names():
        raw = _load_yaml(CONTRACT_DIR / f"{name}.yaml")
        columns = tuple(
            Column(
                name=col_name,
                type=spec["type"],
                required=bool(spec.get("required", False)),
                unique=bool(spec.get("unique", False)),
                codes=tuple(_codes(spec)),
                labels=_codes(spec),
                min=spec.get("min"),
                max=spec.get("max"),
                warn_max=spec.get("warn_max"),
                beskrivelse=spec.get("beskrivelse", ""),
            )
            for col_name, spec in raw["columns"].items()
        )
        unknown = {c.type for c in columns} - set(column_types())
        if unknown:
            raise ValueError(f"{name}.yaml uses unknown types {unknown}")
        contracts[name] = TableContract(
            raw["table"],
            raw["title"],
            raw.get("beskrivelse", ""),
            columns,
            _rules(raw.get("rules"), name),
            dict(raw.get("derived") or {}),
        )
    return contracts


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule of the format by id: the common ones and each table's own."""
    rules = dict(_rules(_common()["rules"], None))
    for contract in table_contracts().values():
        for rule_id, rule in contract.rules.items():
            if rule_id in rules:
                raise ValueError(f"rule id {rule_id} is defined twice in the contract")
            rules[rule_id] = rule
    return rules
