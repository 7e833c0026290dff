"""The whole pipeline from Dagster's own CLI, as `make report` and an operator run it."""

import json
import os

from tests.runs import materialize_from_cli as _materialize


def test_two_years_headless_from_the_cli(small_landing, tmp_path, database_url):
    env = {
        **os.environ,
        "ALIS_LANDING_DIR": str(small_landing),
        "ALIS_OUTPUT_DIR": str(tmp_path / "output"),
        "ALIS_DATABASE_URL": database_url,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    (tmp_path / "dagster_home").mkdir()
    for year in (2019, 2020):
        run = _materialize(year, env)
        assert run.returncode == 0, run.stderr[-3000:]
        assert "RUN_SUCCESS" in run.stderr
    for year in (2019, 2020):
        directory = tmp_path / "output" / str(year)
        assert (directory / f"statusrapport-{year}.pdf").read_bytes().startswith(b"%PDF-")
        assert (directory / "findings.csv").exists()
    summary = json.loads((tmp_path / "output" / "2020" / "summary.json").read_text(encoding="utf-8"))
    # cumulative 219 589.04 (2019) + 685 355.44 (2020), as worked out in tests/test_assets.py
    assert summary["grant"]["used_cumulative_nok"] == "904944.48"
    assert summary["rows"] == {"received": 13, "accepted": 11, "quarantined": 2}
