"""The repository stands alone: every relative link in the README and docs resolves inside it,
nothing points outside it, and the contract's declared pieces exist in the code."""

import re
import subprocess
from pathlib import Path

from glue.resources import PROJECT_ROOT

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _documents() -> list[Path]:
    tracked = subprocess.run(
        ["git", "ls-files", "*.md"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [PROJECT_ROOT / name for name in tracked]


def test_every_relative_link_in_the_docs_resolves_inside_the_repository():
    documents = _documents()
    assert PROJECT_ROOT / "README.md" in documents and PROJECT_ROOT / "docs" / "outputs.md" in documents
    checked = 0
    for document in documents:
        for target in LINK.findall(document.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor in the same page
            resolved = (document.parent / target.split("#", 1)[0]).resolve()
            assert resolved.is_relative_to(PROJECT_ROOT), f"{document.name}: {target} points outside"
            assert resolved.exists(), f"{document.name}: {target} does not exist"
            checked += 1
    assert checked >= 10  # the README links the docs, the docs each other and the contract


def test_no_tracked_file_points_outside_the_repository():
    outside = "../" + "shared"  # spelled apart, so this file does not name it itself
    found = subprocess.run(
        ["git", "grep", "-l", "-F", "-e", outside],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert found.stdout == ""


def test_every_derived_column_of_the_contract_is_computed_and_nothing_else():
    from alis_nord.contract import table_contracts
    from alis_nord.contract_rules import DERIVED_COLUMNS

    declared = {name for contract in table_contracts().values() for name in contract.derived}
    assert declared == set(DERIVED_COLUMNS)
    used = {  # and every one is used by a rule of its own table
        name
        for contract in table_contracts().values()
        for rule in contract.rules.values()
        for name in contract.derived
        if name in str(rule.expectation)
    }
    assert used == declared
