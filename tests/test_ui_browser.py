"""End to end, as an analyst meets it: `dagster dev` on a free local port with its own
DAGSTER_HOME holding the dev instance the Makefile makes (deploy/dev/dagster.yaml), Dagster's
own UI in headless Chromium (Debian's package, driven by Playwright; no browser download), a
backfill of every year the UI offers (the landing area's 2019/ and 2020/) launched from the
UI's dialog (runs over both years at once, both years finished, every check with its own result
for each year), and one run over two years launched from annual_report_job's Launchpad with the
two range tags.

A screenshot of each step is kept in test-artifacts/ (not committed)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from glue.resources import PROJECT_ROOT
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.network import free_port


def _graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql", json.dumps({"query": query}).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def _open(page, url: str, ready):
    """Opens a page of the UI and waits until ``ready`` (a locator) is there; returns it."""
    page.goto(url)
    ready.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    if page.get_by_role("button", name="Skip").count():  # Dagster's first-visit community dialog
        page.get_by_role("button", name="Skip").click()
    return ready


@pytest.fixture
def dagster_ui(small_landing, tmp_path):
    port = free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dev" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "ALIS_LANDING_DIR": str(small_landing),
        "ALIS_OUTPUT_DIR": str(tmp_path / "output"),
        "ALIS_DATABASE_URL": f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
    }
    log = open(tmp_path / "dagster-dev.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster")),
            "dev",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-w",
            "workspace.yaml",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=5)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "dagster-dev.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "dagster dev did not start within 3 minutes"
                time.sleep(1)
        yield base, tmp_path / "output"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def test_backfill_every_offered_year_from_the_ui(dagster_ui):
    from playwright.sync_api import expect, sync_playwright

    base, output = dagster_ui
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        materialize_all = _open(page, f"{base}/asset-groups", page.get_by_text("Materialize all").first)
        for group in (
            "ingest",
            "validation",
            "budget",
            "report",
            "to_municipalities",
        ):  # the asset graph's groups
            expect(page.get_by_text(group, exact=True).first).to_be_visible()
        page.screenshot(path=ARTIFACTS / "ui-1-asset-graph.png")

        materialize_all.click()
        expect(page.get_by_text("Launch runs to materialize 17 assets")).to_be_visible()
        # the years offered are the landing area's year folders, 2019/ and 2020/: "All" is both
        expect(page.get_by_text("2019", exact=True)).to_be_visible()
        expect(page.get_by_text("2020", exact=True)).to_be_visible()
        expect(page.get_by_text("2021", exact=True)).to_have_count(0)
        page.get_by_role("button", name="All", exact=True).click()
        expect(page.get_by_text("2 partitions")).to_be_visible()
        page.screenshot(path=ARTIFACTS / "ui-2-backfill-dialog.png")
        page.get_by_role("button", name="Launch backfill").click()

        deadline = time.monotonic() + 480
        backfill = None
        while True:  # the daemon works the backfill through, oldest year first where grant use chains
            backfills = _graphql(
                base, "{ partitionBackfillsOrError { ... on PartitionBackfills { results { status } } } }"
            )["partitionBackfillsOrError"]["results"]
            if backfills:
                (backfill,) = backfills  # exactly one backfill was launched
                if backfill["status"] != "REQUESTED":
                    break
            assert time.monotonic() < deadline, f"the backfill did not finish within 8 minutes: {backfill}"
            time.sleep(5)
        page.goto(f"{base}/runs")
        page.wait_for_timeout(3000)
        page.screenshot(path=ARTIFACTS / "ui-3-runs.png")
        browser.close()

    assert backfill["status"] == "COMPLETED_SUCCESS"
    runs = _graphql(base, "{ runsOrError { ... on Runs { results { status tags { key value } } } } }")[
        "runsOrError"
    ]["results"]
    assert runs and {r["status"] for r in runs} == {"SUCCESS"}
    # each run covers both years (BackfillPolicy.single_run): the year's own assets, then the
    # cumulative chain from grant_use on, which Dagster runs after them (it depends on itself)
    assert len(runs) == 2
    for run in runs:
        tags = {t["key"]: t["value"] for t in run["tags"]}
        assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (
            "2019",
            "2020",
        )
    # the checks still give a result per year: the blocking reconciliation and the overspend gate
    for asset, check in (
        ("validated_submissions", "rows_received_equal_accepted_plus_quarantined"),
        ("report_summary", "overspend_acknowledged_before_report"),
        ("grant_use", "grant_years_before_this_year_present"),
    ):
        query = (
            f'{{ assetCheckExecutions(assetKey: {{path: ["{asset}"]}}, checkName: "{check}", limit: 10) '
            "{ partition status } }"
        )
        executions = _graphql(base, query)["assetCheckExecutions"]
        assert {e["partition"]: e["status"] for e in executions} == {"2019": "SUCCEEDED", "2020": "SUCCEEDED"}
    for year in (2019, 2020):
        assert (output / str(year) / f"statusrapport-{year}.pdf").exists()
    summary = json.loads((output / "2020" / "summary.json").read_text(encoding="utf-8"))
    assert (
        summary["grant"]["used_cumulative_nok"] == "904944.48"
    )  # 2019 ran before 2020 (tests/test_assets.py)


def test_one_run_over_two_years_from_the_launchpad(dagster_ui):
    """The fast way of the README: annual_report_job's Launchpad with the two range tags, one run."""
    from playwright.sync_api import expect, sync_playwright

    base, output = dagster_ui
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        playground = f"{base}/locations/alis_nord/jobs/annual_report_job/playground"
        edit_tags = _open(page, playground, page.get_by_role("button", name="Edit tags"))
        edit_tags.click()
        dialog = page.get_by_role("dialog")
        for n, (key, value) in enumerate(
            [("dagster/asset_partition_range_start", "2019"), ("dagster/asset_partition_range_end", "2020")]
        ):
            if n:
                dialog.get_by_role("button", name="Add custom tag").click()
            dialog.get_by_placeholder("Tag Key").nth(n).fill(key)
            dialog.get_by_placeholder("Tag Value").nth(n).fill(value)
        page.screenshot(path=ARTIFACTS / "ui-4-launchpad-tags.png")
        dialog.get_by_role("button", name="Apply").click()
        expect(dialog).to_be_hidden()
        page.get_by_role("button", name="Launch Run").click()
        # "This job is partitioned. Are you sure you want to launch a run without a partition
        # specified?": the range tags stand for the partitions
        expect(page.get_by_text("without a partition")).to_be_visible()
        page.get_by_role("button", name="Confirm").click()

        deadline = time.monotonic() + 300
        while True:
            runs = _graphql(
                base, "{ runsOrError { ... on Runs { results { status tags { key value } } } } }"
            )["runsOrError"]["results"]
            if runs and runs[0]["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                break
            assert time.monotonic() < deadline, f"the run did not finish within 5 minutes: {runs}"
            time.sleep(3)
        page.screenshot(path=ARTIFACTS / "ui-5-launchpad-run.png")
        browser.close()

    (run,) = runs  # one run for both years, no backfill
    assert run["status"] == "SUCCESS"
    tags = {t["key"]: t["value"] for t in run["tags"]}
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (
        "2019",
        "2020",
    )
    for year in (2019, 2020):
        assert (output / str(year) / f"statusrapport-{year}.pdf").exists()
    summary = json.loads((output / "2020" / "summary.json").read_text(encoding="utf-8"))
    assert summary["grant"]["used_cumulative_nok"] == "904944.48"  # 2019 was computed before 2020
