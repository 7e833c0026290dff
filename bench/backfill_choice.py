"""A backfill as an analyst launches it from the UI, against the same years in one process.

1. `ui_backfill`: the years as Dagster's asset backfill of every asset, launched through
   `dagster dev`'s GraphQL API exactly as the UI's *Materialize all → Launch backfill* does,
   and worked through by the daemon. Two times are kept: until the last run has ended (every
   year's figures and report are there) and until the backfill itself shows as completed (the
   daemon's next tick, up to 30 s later: Dagster's backfill daemon ticks every 30 s, fixed).
2. `one_process`: the same years in one Python process, one `materialize()` per year, oldest
   first, with no daemon, no run queue and no run process: the single-process figure.

`make bench` measures both side by side (bench/pipeline_bench.py). On its own:
    .venv/bin/python bench/backfill_choice.py [landing]   (the bundled sample by default)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def environment(work: Path, landing: Path) -> dict:
    return {
        **os.environ,
        "DAGSTER_HOME": str(work / "dagster_home"),
        "ALIS_LANDING_DIR": str(landing),
        "ALIS_OUTPUT_DIR": str(work / "output"),
        "ALIS_DATABASE_URL": f"sqlite:///{work / 'warehouse.sqlite'}",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ui_range_run(work: Path, landing: Path, years: list[int]) -> dict:
    """One run of annual_report_job over the years, launched from its Launchpad with the two
    partition-range tags (what a single-run backfill launches): no backfill daemon involved,
    only the run queue."""
    with dagster_dev(work, landing) as graphql:
        (repository,) = graphql(
            "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"
        )["repositoriesOrError"]["nodes"]
        launched = time.time()
        launch = graphql(
            "mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename } }",
            {
                "p": {
                    "selector": {
                        "repositoryLocationName": repository["location"]["name"],
                        "repositoryName": repository["name"],
                        "jobName": "annual_report_job",
                    },
                    "executionMetadata": {
                        "tags": [
                            {"key": "dagster/asset_partition_range_start", "value": str(years[0])},
                            {"key": "dagster/asset_partition_range_end", "value": str(years[-1])},
                        ]
                    },
                }
            },
        )
        assert launch["launchRun"]["__typename"] == "LaunchRunSuccess", launch
        while True:
            time.sleep(0.5)
            (run,) = graphql(RUNS)["runsOrError"]["results"]
            if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                break
        return {
            "years": years,
            "status": run["status"],
            "runs": 1,
            "first_run_started_s": run["startTime"] - launched,
            "data_s": run["endTime"] - launched,
        }


RUNS = "{ runsOrError { ... on Runs { results { status startTime endTime assetSelection { path } tags { key value } } } } }"


@contextmanager
def dagster_dev(work: Path, landing: Path) -> Iterator:
    """`dagster dev` on a free port with the dev instance the Makefile makes
    (deploy/dev/dagster.yaml); yields a GraphQL client for it."""
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "deploy" / "dev" / "dagster.yaml", work / "dagster_home" / "dagster.yaml")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(BIN / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment(work, landing),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def graphql(query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"{base}/graphql", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)["data"]

    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(f"{base}/server_info", timeout=5)
                break
            except OSError:
                time.sleep(1)
        yield graphql
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a run process still winding down: stop everything
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=60)


def ui_backfill(work: Path, landing: Path, years: list[int]) -> dict:
    """The years' backfill through the UI's API and the daemon, as the asset graph's
    *Materialize all → Launch backfill* sends it (an asset backfill of every asset)."""
    with dagster_dev(work, landing) as graphql:
        keys = graphql("{ assetNodes { assetKey { path } } }")["assetNodes"]
        params = {"assetSelection": [k["assetKey"] for k in keys], "partitionNames": [str(y) for y in years]}
        launched = time.time()
        launch = graphql(
            "mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) { __typename } }",
            {"p": params},
        )
        assert launch["launchPartitionBackfill"]["__typename"] == "LaunchBackfillSuccess", launch
        status = "REQUESTED"
        while status == "REQUESTED":
            time.sleep(0.5)
            backfills = graphql(
                "{ partitionBackfillsOrError { ... on PartitionBackfills { results { status } } } }"
            )
            status = backfills["partitionBackfillsOrError"]["results"][0]["status"]
        completed = time.time()
        runs = graphql(RUNS)["runsOrError"]["results"]
        return {
            "years": years,
            "status": status,
            "runs": len(runs),
            "run_targets": [
                {
                    "assets": len(r["assetSelection"] or []),
                    "years": _run_years({t["key"]: t["value"] for t in r["tags"]}),
                    "seconds": r["endTime"] - r["startTime"],
                }
                for r in reversed(runs)
            ],
            "run_statuses": sorted({r["status"] for r in runs}),
            # the daemon's first tick after the launch: up to 30 s of waiting before a run starts
            "first_run_started_s": min(r["startTime"] for r in runs) - launched,
            "data_s": max(r["endTime"] for r in runs) - launched,
            "completed_s": completed - launched,
        }


def _run_years(tags: dict) -> str:
    if "dagster/asset_partition_range_start" in tags:
        return f"{tags['dagster/asset_partition_range_start']}–{tags['dagster/asset_partition_range_end']}"
    return tags.get("dagster/partition", "")


def one_process(work: Path, landing: Path, years: list[int]) -> dict:
    """The years in a fresh Python process, one materialize() per year: wall seconds from the
    process start (imports included) to the last year's end."""
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "python"), __file__, "--one-process", *map(str, years)],
        cwd=ROOT,
        env=environment(work, landing),
        check=True,
        capture_output=True,
    )
    return {"years": years, "seconds": time.perf_counter() - started}


def _one_process_here(years: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from dagster import DagsterInstance, materialize

    from alis_nord.settings import from_environment
    from glue.resources import resources_for
    from pipelines.definitions import defs

    resources = resources_for(from_environment())
    with DagsterInstance.ephemeral() as instance:
        for year in years:
            assets = [*defs.assets, *defs.asset_checks]
            assert materialize(assets, partition_key=year, resources=resources, instance=instance).success


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one-process"]:
        _one_process_here(sys.argv[2:])
        sys.exit(0)
    landing = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sample_landing"
    years = [2019, 2020, 2021, 2022, 2023]
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        ranged = ui_range_run(Path(first) / "range", landing, years)
        print(f"{datetime.now():%H:%M} one run of annual_report_job over the years: {json.dumps(ranged)}")
        assets = ui_backfill(Path(first) / "assets", landing, years)
        print(f"{datetime.now():%H:%M} asset backfill of every asset: {json.dumps(assets)}")
        print(f"the same years in one process: {one_process(Path(second), landing, years)['seconds']:.1f} s")
