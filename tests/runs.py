"""The pipeline as the tests run it: every asset and check in-process with ``materialize()`` on a
landing area, output folder and warehouse of the test's own, or from Dagster's CLI as `make report`
and an operator run it; and what the tests read back from a run. Shared by the test modules, which
import from here, never from each other (a test module is collected, not imported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster import materialize
from pypdf import PdfReader

from alis_nord.settings import Settings
from glue.resources import PROJECT_ROOT, resources_for
from pipelines.definitions import defs

ALL_ASSETS = list(defs.assets) + list(defs.asset_checks)
DAGSTER = str(Path(sys.executable).with_name("dagster"))


def resources(landing: Path, output: Path, database_url: str) -> dict:
    return resources_for(Settings.given(landing_dir=landing, output_dir=output, database_url=database_url))


def run_year(year: int, resources: dict) -> None:
    """One year in-process; it must succeed and reconcile its rows."""
    result = materialize(ALL_ASSETS, partition_key=str(year), resources=resources)
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["rows_received_equal_accepted_plus_quarantined"].passed


def run_years(landing: Path, tmp_path: Path, database_url: str, years=(2019, 2020)) -> dict:
    """The years in-process, oldest first, into ``tmp_path / "out"``; each must succeed. Their results."""
    resources = resources_for(
        Settings.given(landing_dir=landing, output_dir=tmp_path / "out", database_url=database_url)
    )
    results = {}
    for year in years:
        result = materialize(ALL_ASSETS, partition_key=str(year), resources=resources)
        assert result.success
        results[year] = result
    return results


def checks(result) -> dict:
    """A run's asset check evaluations by check name."""
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def pdf_text(path: Path) -> str:
    """The report's text with every run of white space as one space (table cells wrap)."""
    return " ".join(
        "\n".join(page.extract_text() for page in PdfReader(path).pages).replace("\u00a0", " ").split()
    )


def materialize_from_cli(year: int, env: dict) -> subprocess.CompletedProcess:
    """``dagster asset materialize`` of every asset for the year, as `make report` runs it."""
    return subprocess.run(
        [
            DAGSTER,
            "asset",
            "materialize",
            "-m",
            "pipelines.definitions",
            "--select",
            "*",
            "--partition",
            str(year),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
