"""The production instance (deploy/production/dagster.yaml) on the CI machine's PostgreSQL:
Dagster's runs and events, and the warehouse, on the same server."""

import json
import os
import shutil
import subprocess
import sys

import sqlalchemy as sa

from glue.resources import PROJECT_ROOT
from tests.runs import materialize_from_cli


def test_a_year_runs_with_instance_and_warehouse_on_postgresql(small_landing, tmp_path, postgres_url):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "production" / "dagster.yaml", home / "dagster.yaml")
    instance_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_POSTGRES_URL": instance_url,
        "ALIS_LANDING_DIR": str(small_landing),
        "ALIS_OUTPUT_DIR": str(tmp_path / "output"),
        "ALIS_DATABASE_URL": postgres_url,
    }
    run = materialize_from_cli(2019, env)
    assert run.returncode == 0, run.stderr[-3000:]
    run_id = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from dagster import DagsterInstance; i = DagsterInstance.get(); "
                "import json; r = i.get_runs(limit=1)[0]; print(json.dumps([r.run_id, r.status.value, "
                "type(i.run_storage).__name__, r.tags.get('dagster/partition')]))",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert run_id[1:] == ["SUCCESS", "PostgresRunStorage", "2019"]
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:  # the run's events are in PostgreSQL, beside the warehouse's figures
        events = conn.scalar(sa.text("select count(*) from event_logs where run_id = :id"), {"id": run_id[0]})
        used = conn.scalar(sa.text("select used_cumulative_ore from grant_use where report_year = 2019"))
    engine.dispose()
    assert events > 0
    assert used == 21958904  # 219 589.04: tests/test_assets.py works out 2019 by hand
