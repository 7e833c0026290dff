"""The instance's run launcher (``run_launcher`` in deploy/production/dagster.yaml):
``HealthCheckedRunLauncher``, which lets run monitoring fail a run whose process was killed."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from collections.abc import Mapping
from pathlib import Path

from dagster import DagsterEventType, DefaultRunLauncher

# A run worker found alive must have started before it marked its run STARTED; the margin covers
# the clock's resolution and a small step of the system clock (NTP) while the run is in progress.
WORKER_START_MARGIN_SECONDS = 60


class HealthCheckedRunLauncher(DefaultRunLauncher):
    """Dagster's DefaultRunLauncher (each run a process of the code server), which also answers the
    daemon's run monitoring whether a run's process is still alive. Dagster's own answers nothing
    (``supports_check_run_worker_health`` is False in 1.13), and the code server fails a run whose
    process died only while the code server itself lives: when it is killed with its runs (a
    ``kill -9`` of its unit, the OOM killer, a power cut), or a run's process outlives it and dies
    later, the run stays STARTED for ever. Run monitoring asks this launcher every
    ``poll_interval_seconds`` and fails a run whose process is gone, which e-mails the run-failure
    alert.

    The process is the one that marked the run STARTED (the pid of its RUN_START event), alive in
    ``/proc`` and started before that event (so not a later process given the same pid); the
    daemon sees it because both run as the same user. Only a run launched through a code server
    on this machine is looked at; any other is answered RUNNING, its process being out of sight.
    """

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run):
        # No public name for these in Dagster 1.13; tests/test_service_hardening_run_monitoring.py
        # fails if Dagster moves them or stops asking.
        from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
        from dagster._core.storage.tags import GRPC_INFO_TAG

        code_server = json.loads(run.tags.get(GRPC_INFO_TAG, "{}"))
        if not _on_this_machine(code_server):
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"not on this machine: {code_server}")
        records = self._instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.RUN_START, limit=1
        ).records
        if not records:  # launched, not started yet: run monitoring's start_timeout_seconds applies
            return CheckRunHealthResult(WorkerStatus.RUNNING, "the run's process has not started it yet")
        entry = records[0].event_log_entry
        pid = entry.dagster_event.pid if entry.dagster_event else None
        if pid is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "the run's start names no process")
        started = process_start_time(pid)
        if started is None or started > entry.timestamp + WORKER_START_MARGIN_SECONDS:
            return CheckRunHealthResult(
                WorkerStatus.FAILED,
                f"the run's process (pid {pid}) is gone: killed, or the machine restarted",
            )
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"the run's process (pid {pid}) is alive")


def _on_this_machine(code_server: Mapping) -> bool:
    if "socket" in code_server:
        return True
    host = code_server.get("host")
    if host in ("localhost", socket.gethostname(), socket.getfqdn()):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except (TypeError, ValueError):
        return False


def process_start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch, to the second), or None when there is
    no such process or it has ended (a zombie its parent has not yet collected). Linux's /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        boot = Path("/proc/stat").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, *fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which may hold anything
    if state in ("Z", "X"):
        return None
    booted = next(int(line.split()[1]) for line in boot.splitlines() if line.startswith("btime "))
    return booted + int(fields[18]) / os.sysconf("SC_CLK_TCK")  # field 22 of proc(5): starttime
