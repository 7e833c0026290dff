"""The machine-readable submission format, loaded from ``data_contracts/*.yaml``.

The contract files are the single source of the columns, code lists and rule severities;
validation reads them here, and later the Excel template and format documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CONTRACT_DIR = Path(__file__).resolve().parent.parent / "data_contracts"
SEVERITIES = ("fatal", "error", "warning")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    unique: bool = False
    codes: tuple[str, ...] = ()
    min: Any = None
    max: Any = None
    warn_max: Any = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    description: str


@dataclass(frozen=True)
class TableContract:
    table: str
    title: str
    columns: tuple[Column, ...]
    rules: dict[str, Rule] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _rules(raw: dict[str, Any]) -> dict[str, Rule]:
    rules = {}
    for rule_id, spec in (raw or {}).items():
        if spec["severity"] not in SEVERITIES:
            raise ValueError(f"rule {rule_id}: unknown severity {spec['severity']!r}")
        rules[rule_id] = Rule(rule_id, spec["severity"], spec["description"])
    return rules


@cache
def table_contracts() -> dict[str, TableContract]:
    contracts = {}
    for name in ("alis", "kostnader", "fastlegedekning"):
        raw = _load_yaml(CONTRACT_DIR / f"{name}.yaml")
        columns = tuple(
            Column(
                name=col_name,
                type=spec["type"],
                required=bool(spec.get("required", False)),
                unique=bool(spec.get("unique", False)),
                codes=tuple(spec.get("codes", ())),
                min=spec.get("min"),
                max=spec.get("max"),
                warn_max=spec.get("warn_max"),
            )
            for col_name, spec in raw["columns"].items()
        )
        contracts[name] = TableContract(raw["table"], raw["title"], columns, _rules(raw.get("rules")))
    return contracts


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule of the format by id: the common ones and each table's own."""
    rules = dict(_rules(_load_yaml(CONTRACT_DIR / "common.yaml")["rules"]))
    for contract in table_contracts().values():
        for rule_id, rule in contract.rules.items():
            if rule_id in rules:
                raise ValueError(f"rule id {rule_id} is defined twice in the contract")
            rules[rule_id] = rule
    return rules


def severity_of(rule_id: str) -> str:
    return all_rules()[rule_id].severity
