"""``data_contracts/FORMAT.md``: the submission format for people, generated from the contract.

``python -m alis_nord.contract_docs`` (or ``make contract-docs``) writes it; a test fails when
the committed file differs from what the contract gives, so the two never drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alis_nord.contract import CONTRACT_DIR, all_rules, column_types, table_contracts
from alis_nord.vocabulary import SEVERITY_EFFECTS, SEVERITY_LABELS

FORMAT_DOC = CONTRACT_DIR / "FORMAT.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|")


def format_doc() -> str:
    out = [
        "# Innsendingsformat, versjon 1",
        "",
        "<!-- Generated from data_contracts/*.yaml by `make contract-docs`. Do not edit by hand. -->",
        "",
        "Hver deltakerkommune sender tre tabeller per rapportår: `alis`, `kostnader` og `fastlegedekning`,",
        "som CSV-filer (`1804_alis.csv`, …) eller som én Excel-arbeidsbok med ett ark per tabell (`1804.xlsx`).",
        "En rettet fil sendes på nytt med `_v2`, `_v3` … til slutt; den høyeste versjonen brukes.",
        "",
        "CSV-filer kan være UTF-8 (med eller uten BOM) eller Windows-1252, med `;` eller `,` som skilletegn.",
        "Tall kan skrives med desimalkomma og mellomrom som tusenskille (`12 500,50`), datoer som `15.03.2020`",
        "eller `2020-03-15`. Overskrifter og kodeverdier sammenlignes uten store/små bokstaver og mellomrom",
        "i endene, og æ/ø/å kan skrives ae/o/a (`naeringsdrift`, `pagar`).",
        "",
    ]
    types = column_types()
    for contract in table_contracts().values():
        out += [f"## `{contract.table}`: {contract.title}", "", contract.beskrivelse, ""]
        out += [
            "| kolonne | type | må fylles ut | gyldige verdier og grenser | beskrivelse |",
            "|---|---|---|---|---|",
        ]
        for column in contract.columns:
            limits = []
            if column.codes:
                limits.append(", ".join(f"`{code}`" for code in column.codes))
            if column.min is not None:
                limits.append(f"minst {column.min}")
            if column.max is not None:
                limits.append(f"høyst {column.max}")
            if column.warn_max is not None:
                limits.append(f"advarsel over {column.warn_max}")
            if column.unique:
                limits.append("unik i tabellen")
            out.append(
                f"| `{column.name}` | {types[column.type].navn} | {'ja' if column.required else 'nei'} | "
                f"{_cell('; '.join(limits))} | {_cell(column.beskrivelse)} |"
            )
        out.append("")
    out += [
        "## Kontrollene",
        "",
        "| regel | navn | virkning | hva som kontrolleres |",
        "|---|---|---|---|",
    ]
    for rule in all_rules().values():
        where = f" (`{rule.table}`)" if rule.table else ""
        out.append(
            f"| `{rule.id}`{where} | {_cell(rule.navn)} | {SEVERITY_LABELS[rule.severity].lower()} ({SEVERITY_EFFECTS[rule.severity]}) | {_cell(rule.beskrivelse)} |"
        )
    out.append("")
    return "\n".join(out)


def main() -> None:
    Path(sys.argv[1] if len(sys.argv) > 1 else FORMAT_DOC).write_text(format_doc(), encoding="utf-8")


if __name__ == "__main__":
    main()
