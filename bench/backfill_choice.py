"""Measures the backfill choice of the README ("Backfills from the UI") on the bundled sample.

1. The five sample years as Dagster's asset backfill, launched through `dagster dev`'s GraphQL
   API exactly as the UI's *Launch backfill* does, worked through by the daemon.
2. The same chain in one process, oldest year first: what a single run over the range costs.

Run: .venv/bin/python bench/backfill_choice.py   (takes about 5 minutes on 2 cores)
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEARS = ["2019", "2020", "2021", "2022", "2023"]


def _environment(work: Path) -> dict:
    return {
        **os.environ,
        "DAGSTER_HOME": str(work / "dagster_home"),
        "ALIS_OUTPUT_DIR": str(work / "output"),
        "ALIS_DATABASE_URL": f"sqlite:///{work / 'warehouse.sqlite'}",
    }


def daemon_backfill(work: Path) -> tuple[float, str, int]:
    (work / "dagster_home").mkdir(parents=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
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
        cwd=ROOT,
        env=_environment(work),
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
        keys = graphql("{ assetNodes { assetKey { path } } }")["assetNodes"]
        start = time.monotonic()
        graphql(
            "mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) { __typename } }",
            {"p": {"assetSelection": [k["assetKey"] for k in keys], "partitionNames": YEARS}},
        )
        status = "REQUESTED"
        while status == "REQUESTED":
            time.sleep(3)
            results = graphql(
                "{ partitionBackfillsOrError { ... on PartitionBackfills { results { status } } } }"
            )
            status = results["partitionBackfillsOrError"]["results"][0]["status"]
        runs = graphql("{ runsOrError { ... on Runs { results { status } } } }")["runsOrError"]["results"]
        return time.monotonic() - start, status, len(runs)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def one_process(work: Path) -> float:
    os.environ.update(_environment(work))
    from dagster import DagsterInstance, materialize

    from pipelines.definitions import defs
    from pipelines.resources import resources_from_environment

    resources = resources_from_environment()
    instance = DagsterInstance.ephemeral()
    start = time.monotonic()
    for year in YEARS:
        assert materialize(
            [*defs.assets, *defs.asset_checks], partition_key=year, resources=resources, instance=instance
        ).success
    return time.monotonic() - start


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        seconds, status, runs = daemon_backfill(Path(first))
        print(f"asset backfill through the daemon: {seconds:.0f} s, {status}, {runs} runs")
        print(f"the same chain in one process:     {one_process(Path(second)):.0f} s")
