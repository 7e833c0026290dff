"""The landing-area sensor and the annual schedule, evaluated as the daemon would."""

import datetime as dt
import json
import os
import time

from dagster import DagsterInstance, SkipReason, build_schedule_context, build_sensor_context

from alis_nord.settings import Settings
from glue.resources import LandingArea
from pipelines.schedules import annual_report_schedule
from pipelines.sensors import landing_area_sensor


def _evaluate(landing, cursor=None, settle_seconds=0):
    context = build_sensor_context(
        cursor=cursor,
        resources={"landing": LandingArea(path=str(landing), settle_seconds=settle_seconds)},
        instance=DagsterInstance.ephemeral(),
    )
    result = landing_area_sensor(context)
    requests = [] if isinstance(result, SkipReason) else list(result)
    return requests, context.cursor


def _touch_later(path):
    later = time.time() + 5
    os.utime(path, (later, later))


def test_new_changed_and_unchanged_files(small_landing):
    requests, cursor = _evaluate(small_landing)
    assert sorted(r.partition_key for r in requests) == ["2019", "2020"]  # first look: every year is new

    assert _evaluate(small_landing, cursor)[0] == []  # nothing changed: nothing starts

    (small_landing / "2020" / "1865_fastlegedekning.csv").write_text("kommunenummer\n", encoding="utf-8")
    requests, cursor = _evaluate(small_landing, cursor)
    assert [r.partition_key for r in requests] == ["2020"]  # a new file: its year only
    assert requests[0].job_name == "annual_report_job"
    first_key = requests[0].run_key

    path = small_landing / "2020" / "1865_fastlegedekning.csv"
    _touch_later(path)  # saved again with the same content: a new timestamp is not a change
    assert _evaluate(small_landing, cursor)[0] == []

    path.write_text("kommunenummer;rapportaar\n", encoding="utf-8")
    _touch_later(path)
    requests, cursor = _evaluate(small_landing, cursor)
    assert [r.partition_key for r in requests] == ["2020"]
    assert requests[0].run_key != first_key  # the run is keyed on the new content

    path.unlink()  # a removed file changes the year too
    requests, cursor = _evaluate(small_landing, cursor)
    assert [r.partition_key for r in requests] == ["2020"]

    for path in (small_landing / "2019").iterdir():  # a whole year deleted (make retention)
        path.unlink()
    assert _evaluate(small_landing, cursor)[0] == []  # is not run again, empty


def test_a_year_runs_once_its_folder_has_been_quiet(small_landing):
    """Uploads one after another start one run: a year whose folder changed within the settle time
    waits, its change seen again at the next tick, and runs once it has been quiet that long."""
    an_hour_ago = time.time() - 3600
    for path in small_landing.rglob("*.*"):  # the fixture's files, delivered long ago
        os.utime(path, (an_hour_ago, an_hour_ago))
    _, cursor = _evaluate(small_landing, settle_seconds=20)  # every year seen and run once
    new = small_landing / "2020" / "1865_fastlegedekning.csv"
    new.write_text("kommunenummer\n", encoding="utf-8")  # just now: 0 s quiet
    requests, waiting_cursor = _evaluate(small_landing, cursor, settle_seconds=20)
    assert requests == []
    assert "2020/1865_fastlegedekning.csv" not in json.loads(waiting_cursor)  # seen again next tick
    assert _evaluate(small_landing, waiting_cursor, settle_seconds=20)[0] == []  # still within 20 s
    quiet = time.time() - 21  # as if the upload was 21 s ago: the folder has been quiet 21 s > 20 s
    os.utime(new, (quiet, quiet))
    requests, cursor = _evaluate(small_landing, waiting_cursor, settle_seconds=20)
    assert [r.partition_key for r in requests] == ["2020"]  # one run, of 2020 only
    assert _evaluate(small_landing, cursor, settle_seconds=20)[0] == []  # and not again


def test_a_reference_change_starts_every_year_and_future_years_wait(small_landing):
    _, cursor = _evaluate(small_landing)
    satser = small_landing / "referanse" / "satser.csv"
    satser.write_text(satser.read_text(encoding="utf-8") + "2022;250000;50000\n", encoding="utf-8")
    (small_landing / "2099").mkdir()
    (small_landing / "2099" / "1804_alis.csv").write_text("x", encoding="utf-8")
    requests, cursor = _evaluate(small_landing, cursor)
    assert [r.partition_key for r in requests] == ["2019", "2020"]  # 2099 is not a report year yet
    # a reference change starts reference_data and what depends on it, not the ingest
    assert {r.job_name for r in requests} == {"reference_change_job"}

    satser.write_text(satser.read_text(encoding="utf-8") + "2023;250000;50000\n", encoding="utf-8")
    _touch_later(satser)
    (small_landing / "2020" / "1865_fastlegedekning.csv").write_text("kommunenummer\n", encoding="utf-8")
    requests, _ = _evaluate(small_landing, cursor)
    # 2020's own folder changed too: its whole chain; 2019 only what the reference data feeds
    assert {r.partition_key: r.job_name for r in requests} == {
        "2019": "reference_change_job",
        "2020": "annual_report_job",
    }


def test_the_schedule_runs_last_year_after_the_deadline(monkeypatch):
    context = build_schedule_context(scheduled_execution_time=dt.datetime(2024, 3, 15, 6, 0))
    assert annual_report_schedule(context).partition_key == "2023"
    assert annual_report_schedule.execution_timezone == "Europe/Oslo"
    assert Settings.given().report_schedule == "0 6 15 3 *"
    monkeypatch.setenv("ALIS_REPORT_SCHEDULE", "0 7 1 4 *")
    assert Settings().report_schedule == "0 7 1 4 *"
