"""A finished in-process run kept on disk and read back, so that test processes which did not run
it (pytest-xdist's workers) see the same result as the one that did: the run and every event it
logged, written with Dagster's own serializer, read back as an ``ExecutionResult`` whose
``success``, ``get_asset_check_evaluations()``, ``get_asset_materialization_events()`` and the
rest are Dagster's own code over those events. What it cannot give is what lived only in the
process: the job's definition and the outputs kept in memory."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from dagster import deserialize_value, serialize_value
from dagster._core.execution.execution_result import ExecutionResult


class StoredResult(ExecutionResult):
    def __init__(self, dagster_run, events):
        self._dagster_run = dagster_run
        self._events = list(events)

    @property
    def job_def(self):
        raise NotImplementedError("a stored run keeps its events, not its job definition")

    @property
    def dagster_run(self):
        return self._dagster_run

    @property
    def all_events(self):
        return self._events

    @property
    def run_id(self) -> str:
        return self._dagster_run.run_id

    def _get_output_for_handle(self, handle, output_name: str) -> object:
        raise NotImplementedError("a stored run keeps its events, not the outputs held in memory")


def write_results(path: Path, results: Mapping[int, ExecutionResult]) -> None:
    """Each year's run and its events, in one JSON file of Dagster's serialized values."""
    written = path.with_name(path.name + ".part")
    written.write_text(
        json.dumps(
            {
                str(year): {
                    "run": serialize_value(result.dagster_run),
                    "events": [serialize_value(event) for event in result.all_events],
                }
                for year, result in results.items()
            }
        ),
        encoding="utf-8",
    )
    written.replace(path)  # whole or not at all: a reader never sees half of it


def read_results(path: Path) -> dict[int, StoredResult]:
    stored = json.loads(path.read_text(encoding="utf-8"))
    return {
        int(year): StoredResult(
            deserialize_value(run["run"]), [deserialize_value(event) for event in run["events"]]
        )
        for year, run in stored.items()
    }
