"""Two runs of one report year at once: nothing doubles, nothing is lost.

At the warehouse (alis_nord.warehouse.lock_year): a writer of a year waits for another writer of
the same year, never for one of another year. At Dagster (deploy/*/dagster.yaml): the run queue
starts at most one run per report year. And two CLI runs of one year, which bypass the queue,
end as one run does.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import sqlalchemy as sa

from alis_nord.schema import alis_grant_entitlement, yearly_tables
from alis_nord.warehouse import Warehouse, reconcile_rows
from glue.resources import PROJECT_ROOT
from tests.runs import DAGSTER
from tests.runs import materialize_from_cli as _materialize


def _entitlements(year: int, count: int) -> list[dict]:
    return [
        {
            "kommunenummer": "1804",
            "alis_id": f"A{n:04d}",
            "tilsettingsform": "fastlønn",
            "days_employed": 365,
            "days_in_year": 365,
            "tilskudd_ore": 25_000_000,
            "egenandel_ore": 5_000_000,
        }
        for n in range(count)
    ]


def _waiting_for_advisory_lock(engine: sa.Engine) -> int:
    """Advisory locks waited for in this test's database (another pytest-xdist worker's are in its own)."""
    with engine.connect() as conn:
        return conn.scalar(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )


def test_a_second_writer_of_a_year_waits_for_the_first_and_other_years_do_not(postgres_url):
    store = Warehouse(postgres_url)
    engine = store.engine
    paused, resume = threading.Event(), threading.Event()

    # writer A stops between deleting 2021 and inserting its rows, inside its transaction
    def pause_after_delete(conn, clauseelement, *args):
        if threading.current_thread().name == "A" and clauseelement.is_delete:
            paused.set()
            assert resume.wait(60)

    sa.event.listen(engine, "after_execute", pause_after_delete)
    try:
        a = threading.Thread(
            name="A",
            target=store.replace_year,
            args=(2021, {alis_grant_entitlement: _entitlements(2021, 300)}),
        )
        b = threading.Thread(
            name="B",
            target=store.replace_year,
            args=(2021, {alis_grant_entitlement: _entitlements(2021, 300)}),
        )
        a.start()
        assert paused.wait(30)
        b.start()
        for _ in range(100):  # B reaches the year's lock and waits there
            if _waiting_for_advisory_lock(engine) == 1:
                break
            time.sleep(0.05)
        assert _waiting_for_advisory_lock(engine) == 1
        # another year is not held up by A
        assert store.replace_year(2022, {alis_grant_entitlement: _entitlements(2022, 7)}) == {
            "alis_grant_entitlement": 7
        }
        resume.set()
        a.join(30)
        b.join(30)
    finally:
        sa.event.remove(engine, "after_execute", pause_after_delete)
    # without the lock B's delete would miss A's uncommitted rows and 2021 would hold 600
    assert len(store.rows(alis_grant_entitlement, 2021)) == 300
    assert len(store.rows(alis_grant_entitlement, 2022)) == 7


def _year_counts(url: str, year: int) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        counts = {
            t.name: conn.scalar(sa.select(sa.func.count()).select_from(t).where(t.c.report_year == year))
            for t in yearly_tables
        }
        used = conn.scalar(
            sa.text("SELECT used_cumulative_ore FROM grant_use WHERE report_year = :y"), {"y": year}
        )
    engine.dispose()
    return {**counts, "used_cumulative_ore": used}


def test_two_cli_runs_of_one_year_at_once_end_as_one_run(small_landing, tmp_path, postgres_url):
    def env(name: str) -> dict:
        (tmp_path / name).mkdir()
        return {
            **os.environ,
            "ALIS_LANDING_DIR": str(small_landing),
            "ALIS_OUTPUT_DIR": str(tmp_path / "output"),
            "ALIS_DATABASE_URL": postgres_url,
            "DAGSTER_HOME": str(tmp_path / name),
        }

    runs = {}
    threads = [
        threading.Thread(target=lambda n=name: runs.__setitem__(n, _materialize(2019, env(n))))
        for name in ("analyst", "sensor")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for run in runs.values():
        assert run.returncode == 0, run.stderr[-3000:]
    together = _year_counts(postgres_url, 2019)
    alone = _materialize(2019, env("again"))  # one more run, by itself, replaces the year
    assert alone.returncode == 0, alone.stderr[-3000:]
    assert _year_counts(postgres_url, 2019) == together
    # 2019 of the small landing area: Bodø's workbook, 1 ALIS and 1 voucher (tests/small_landing.py)
    assert together["alis"] == 1 and together["kostnader"] == 1 and together["alis_grant_entitlement"] == 1
    assert together["used_cumulative_ore"] == 21958904  # 219 589.04, worked out in tests/test_assets.py
    received, accepted, quarantined = reconcile_rows(Warehouse(postgres_url), 2019)
    assert received == accepted + quarantined
    summary = json.loads((tmp_path / "output" / "2019" / "summary.json").read_text(encoding="utf-8"))
    assert summary["grant"]["used_cumulative_nok"] == "219589.04"


def _python(code: str, env: dict) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_the_queue_runs_two_runs_of_one_year_one_after_the_other(small_landing, tmp_path, sqlite_url):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dev" / "dagster.yaml", home / "dagster.yaml")  # what make ui uses
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ALIS_LANDING_DIR": str(small_landing),
        "ALIS_OUTPUT_DIR": str(tmp_path / "output"),
        "ALIS_DATABASE_URL": sqlite_url,
    }
    for _ in range(2):  # queued, as a launch from the UI or the sensor is
        subprocess.run(
            [
                DAGSTER, "job", "launch", "-w", "workspace.yaml", "-j", "reference_change_job",
                "--tags", json.dumps({"dagster/partition": "2019"}),
            ],
            env=env, cwd=PROJECT_ROOT, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    daemon = subprocess.Popen(
        [str(DAGSTER).replace("dagster", "dagster-daemon"), "run", "-w", "workspace.yaml"],
        env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    report = (
        "from dagster import DagsterInstance; import json; i = DagsterInstance.get(); "
        "print(json.dumps([[r.dagster_run.status.value, r.start_time, r.end_time] "
        "for r in i.get_run_records(order_by='create_timestamp', ascending=True)]))"
    )
    try:
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            records = json.loads(_python(report, env))
            if all(status in ("SUCCESS", "FAILURE") for status, _, _ in records):
                break
            time.sleep(3)
    finally:
        daemon.terminate()
        daemon.wait(30)
    assert [status for status, _, _ in records] == ["SUCCESS", "SUCCESS"]
    (_, _, first_end), (_, second_start, _) = records
    assert first_end <= second_start  # the second run of 2019 started after the first had ended
