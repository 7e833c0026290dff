"""Validation stage: the year's tables checked against ``data_contracts/``.

Accepted rows go to ``alis``, ``kostnader`` and ``fastlegedekning``; quarantined rows and
every finding are kept too, so that rows received = accepted + quarantined.
"""

from collections import Counter
from collections.abc import Iterable

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    MaterializeResult,
)

from alis_nord.declared import DeclaredTables
from alis_nord.stored import REFERENCE_DATA, Reads
from assets.metadata import markdown_list, markdown_table
from glue.partitions import report_years
from glue.resources import LandingArea
from glue.yearly import yearly_asset, yearly_check, yearly_multi_check

ROWS_RECONCILE = "rows_received_equal_accepted_plus_quarantined"
PARTICIPANTS_DELIVERED = "all_participants_delivered"
RULE_CHECK_PREFIX = "rule_"  # one check per rule of data_contracts/: rule_invalid_code, …
ACCEPTED = ("alis", "kostnader", "fastlegedekning")  # the tables accepted rows go to


@yearly_asset(
    reads=Reads(("input_files",)) + REFERENCE_DATA,
    writes=(*ACCEPTED, "table_deliveries", "quarantined_rows", "findings"),
    kinds={"python", "sql"},
    description=(
        "The municipalities' tables validated against the submission format: fatal findings "
        "reject a table, errors quarantine a row, warnings keep it. Writes accepted rows, "
        "quarantined rows and findings for the year."
    ),
)
def validated_submissions(year: int, landing: LandingArea, stored: DeclaredTables) -> MaterializeResult:
    from alis_nord.landing import inventory_from_rows
    from alis_nord.stored_validation import warehouse_rows
    from alis_nord.validation import validate_year

    inventory = inventory_from_rows(year, stored.rows("input_files", order_by=["path"]))
    validation = validate_year(landing.root, inventory, stored.reference())
    stored.replace(warehouse_rows(validation))

    accepted = sum(len(t.accepted) for t in validation.tables)
    by_rule = Counter((f.rule, f.severity) for f in validation.findings)
    return MaterializeResult(
        metadata={
            "rows_received": validation.rows_received,
            "rows_accepted": accepted,
            "rows_quarantined": len(validation.quarantined),
            "tables_rejected": sum(t.rejected for t in validation.tables),
            "findings": len(validation.findings),
            "findings_by_rule": markdown_table(
                ["rule", "severity", "findings"],
                [[rule, severity, count] for (rule, severity), count in sorted(by_rule.items())],
            ),
        }
    )


@yearly_check(
    asset=validated_submissions,
    name=ROWS_RECONCILE,
    blocking=True,
    reads=Reads(("table_deliveries", *ACCEPTED, "quarantined_rows")),
    description="Every row received is either accepted or quarantined: nothing lost, nothing invented.",
)
def rows_reconcile(year: int, stored: DeclaredTables) -> AssetCheckResult:
    # the rows stored are counted apart from the deliveries, so a lost or doubled row shows
    received = sum(delivery["rows_received"] for delivery in stored.rows("table_deliveries"))
    accepted = sum(stored.count(table) for table in ACCEPTED)
    quarantined = stored.count("quarantined_rows")
    return AssetCheckResult(
        passed=received == accepted + quarantined,
        severity=AssetCheckSeverity.ERROR,
        metadata={"rows_received": received, "rows_accepted": accepted, "rows_quarantined": quarantined},
        description=f"{received} received = {accepted} accepted + {quarantined} quarantined"
        if received == accepted + quarantined
        else f"{received} received ≠ {accepted} accepted + {quarantined} quarantined",
    )


def _rule_check_specs() -> list[AssetCheckSpec]:
    from alis_nord.contract import all_rules  # reads data_contracts/*.yaml; imports nothing heavy

    return [
        AssetCheckSpec(
            name=f"{RULE_CHECK_PREFIX}{rule.id}",
            asset=validated_submissions,
            description=f"[{rule.severity}] {rule.beskrivelse}",
            partitions_def=report_years,
        )
        for rule in all_rules().values()
    ]


@yearly_multi_check(
    specs=_rule_check_specs(),
    reads=Reads(("findings",)),
    description="One check per rule of the submission format: fails when the year has findings of that rule.",
)
def contract_rule_checks(year: int, stored: DeclaredTables) -> Iterable[AssetCheckResult]:
    from alis_nord.contract import all_rules

    findings = stored.rows("findings")
    for rule in all_rules().values():
        own = [f for f in findings if f["rule"] == rule.id]
        per_municipality = Counter(f["kommunenummer"] or "(uten kommunenummer)" for f in own)
        yield AssetCheckResult(
            check_name=f"{RULE_CHECK_PREFIX}{rule.id}",
            passed=not own,
            severity=AssetCheckSeverity.WARN if rule.severity == "warning" else AssetCheckSeverity.ERROR,
            metadata={
                "findings": len(own),
                "municipalities": len(per_municipality),
                "per_municipality": markdown_table(
                    ["kommunenummer", "findings"], sorted(per_municipality.items()), empty="No findings."
                ),
            },
        )


@yearly_check(
    asset=validated_submissions,
    name=PARTICIPANTS_DELIVERED,
    reads=Reads(("table_deliveries",)) + REFERENCE_DATA,
    description="Every participating municipality delivered at least one readable table for the year.",
)
def participants_delivered(year: int, stored: DeclaredTables) -> AssetCheckResult:
    from alis_nord.report import missing_participants

    reference = stored.reference()
    missing = missing_participants(year, reference, stored.rows("table_deliveries"))
    return AssetCheckResult(
        passed=not missing,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "participants": len(reference.participants_in(year)),
            "missing": len(missing),
            "missing_municipalities": markdown_list(
                (f"{p.kommunenummer} {p.navn}" for p in missing), empty="Alle har levert."
            ),
        },
    )
