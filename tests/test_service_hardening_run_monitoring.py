"""A killed run is marked failed: the production instance's run monitoring, with the real daemon.

Dagster's code server (a code location of its own here: one job that waits ten minutes) and
``dagster-daemon``, on a DAGSTER_HOME holding ``deploy/production/dagster.yaml`` as it is (its run
launcher, ``service.run_launcher.HealthCheckedRunLauncher``, and its run monitoring settings) and a
PostgreSQL database of its own on the tests' server. Two ways a run's process dies:

- ``kill -9`` of the run's process alone: the code server, which started it, fails the run;
- ``kill -9`` of the code server with the run's process in it (what the OOM killer, ``systemctl
  kill -s KILL`` or a power cut does): nothing is left to notice but the daemon's run monitoring,
  which must first leave the living run alone and then fail it within its poll interval.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from glue.resources import PROJECT_ROOT
from service.processes import wait_for_port
from service.run_launcher import process_start_time
from tests.network import free_port

PRODUCTION_INSTANCE = PROJECT_ROOT / "deploy" / "production" / "dagster.yaml"
DATABASE = f"alis_run_monitoring_test_{os.getpid()}"
BIN = Path(sys.executable).parent
WAITING_LOCATION = """
import time

from dagster import Definitions, in_process_executor, job, op


@op
def wait_ten_minutes():
    time.sleep(600)


@job(executor_def=in_process_executor)
def waiting_job():
    wait_ten_minutes()


defs = Definitions(jobs=[waiting_job])
"""


@dataclass
class Deployment:
    home: Path
    workspace: Path
    logs: Path
    env: dict
    code_server: subprocess.Popen
    daemon: subprocess.Popen

    def launch(self) -> str:
        run_id = str(uuid.uuid4())
        launched = subprocess.run(
            [str(BIN / "dagster"), "job", "launch", "-w", str(self.workspace), "-j", "waiting_job",
             "--run-id", run_id],
            env=self.env, cwd=self.home.parent, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert launched.returncode == 0, launched.stdout + launched.stderr
        return run_id


def _administer(server_url: str, *statements: str) -> None:
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    admin.dispose()


def _start(argv: list[str], log: Path, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # whatever its process group left behind (a run's process, the compute-log tails)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_server_url):
    root = tmp_path_factory.mktemp("run_monitoring")
    home, logs = root / "dagster_home", root / "logs"
    home.mkdir()
    logs.mkdir()
    (home / "dagster.yaml").write_text(PRODUCTION_INSTANCE.read_text(encoding="utf-8"), encoding="utf-8")
    (root / "waiting.py").write_text(WAITING_LOCATION, encoding="utf-8")
    port = free_port()
    workspace = root / "workspace.yaml"
    workspace.write_text(
        f"load_from:\n  - grpc_server:\n      host: 127.0.0.1\n      port: {port}\n      location_name: waiting\n",
        encoding="utf-8",
    )
    _administer(
        postgres_server_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}"
    )
    url = sa.engine.make_url(postgres_server_url).set(drivername="postgresql", database=DATABASE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "ALIS_"))}
    env.update(DAGSTER_HOME=str(home), DAGSTER_POSTGRES_URL=url.render_as_string(hide_password=False))
    code_server = _start(
        [str(BIN / "dagster"), "code-server", "start", "-h", "127.0.0.1", "-p", str(port), "-f", "waiting.py",
         "--location-name", "waiting"],
        logs / "code-server.log", env, root,
    )  # fmt: skip
    daemon = None
    try:
        wait_for_port(port, 120, code_server)
        daemon = _start(
            [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)], logs / "daemon.log", env, root
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DAGSTER_POSTGRES_URL", env["DAGSTER_POSTGRES_URL"])
            yield Deployment(home, workspace, logs, env, code_server, daemon)
    finally:
        for process in (daemon, code_server):
            if process is not None:
                _stop(process)
        _administer(postgres_server_url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _instance(deployment: Deployment):
    from dagster import DagsterInstance

    return DagsterInstance.from_config(str(deployment.home))


def _wait_until_started(instance, run_id: str, timeout: float = 120) -> int:
    """The pid of the run's process, once it has marked the run STARTED."""
    from dagster import DagsterEventType, DagsterRunStatus

    deadline = time.monotonic() + timeout
    while True:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status == DagsterRunStatus.STARTED:
            (record,) = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START).records
            return record.event_log_entry.dagster_event.pid
        assert time.monotonic() < deadline, f"run {run_id} is {run and run.status} after {timeout:.0f} s"
        time.sleep(0.5)


def _wait_for_status(instance, run_id: str, timeout: float) -> tuple[str, float]:
    """The run's status once it is finished, and how long that took."""
    start = time.monotonic()
    while True:
        run = instance.get_run_by_id(run_id)
        if run.is_finished:
            return run.status.value, time.monotonic() - start
        assert time.monotonic() - start < timeout, (
            f"run {run_id} still {run.status.value} after {timeout:.0f} s"
        )
        time.sleep(0.5)


def _failure_message(instance, run_id: str) -> str:
    from dagster import DagsterEventType

    events = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_FAILURE).records
    return "\n".join(r.event_log_entry.dagster_event.message or "" for r in events)


def test_the_production_instance_states_its_run_monitoring():
    settings = yaml.safe_load(PRODUCTION_INSTANCE.read_text(encoding="utf-8"))
    assert settings["run_launcher"] == {"module": "service.run_launcher", "class": "HealthCheckedRunLauncher"}
    monitoring = settings["run_monitoring"]
    assert monitoring["enabled"] is True
    assert monitoring["poll_interval_seconds"] <= 60  # a dead run is failed within a minute or so
    assert monitoring["max_resume_run_attempts"] == 0  # the launcher cannot resume a run


def test_dagsters_own_run_launcher_still_cannot_tell_a_dead_run_process():
    """When this fails, Dagster's DefaultRunLauncher answers run monitoring itself (a newer
    Dagster): service.run_launcher.HealthCheckedRunLauncher can then go, and dagster.yaml's run_launcher."""
    from dagster import DefaultRunLauncher

    from service.run_launcher import HealthCheckedRunLauncher

    assert DefaultRunLauncher().supports_check_run_worker_health is False
    assert HealthCheckedRunLauncher().supports_check_run_worker_health is True


def test_a_process_start_time_is_read_from_proc_and_a_dead_process_has_none():
    before = time.time()
    child = subprocess.Popen(["sleep", "60"])
    try:
        started = process_start_time(child.pid)
        assert started is not None and before - 2 <= started <= time.time() + 1
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not Path(f"/proc/{child.pid}/stat").read_text().split(") ")[1].startswith("Z"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert process_start_time(child.pid) is None  # killed, not yet collected by its parent (us)
    finally:
        child.kill()
        child.wait()
    assert process_start_time(child.pid) is None  # gone
    assert process_start_time(os.getpid()) < before  # a living process that started earlier


@pytest.mark.parametrize(
    ("where", "process", "started_before", "answer"),
    [
        ("127.0.0.1", "this test", 0, "RUNNING"),  # alive, and started before the run did
        ("localhost", "a dead one", 0, "FAILED"),
        ("socket", "a new one", 3600, "FAILED"),  # alive, but started an hour after the run: a reused pid
        ("10.0.0.7", "a dead one", 0, "RUNNING"),  # a code server on another machine: out of sight
        (None, "a dead one", 0, "RUNNING"),  # not launched through a code server (the CLI)
    ],
)
def test_the_launcher_answers_from_the_process_that_started_the_run(where, process, started_before, answer):
    """HealthCheckedRunLauncher's answer for one STARTED run, on an instance in this process."""
    from dagster import DagsterEvent, DagsterEventType, DagsterInstance, DagsterRun, DagsterRunStatus

    from service.run_launcher import HealthCheckedRunLauncher

    if process == "this test":
        pid = os.getpid()
    else:
        child = subprocess.Popen(["sleep", "60"])
        if process == "a dead one":
            child.kill()
            child.wait()
        pid = child.pid
    tags = {}
    if where is not None:
        info = {"socket": "/tmp/grpc.sock"} if where == "socket" else {"host": where, "port": 4266}
        tags[".dagster/grpc_info"] = json.dumps(info)
    try:
        with DagsterInstance.ephemeral() as instance:
            launcher = HealthCheckedRunLauncher()
            launcher.register_instance(instance)
            run = instance.add_run(
                DagsterRun(job_name="waiting_job", status=DagsterRunStatus.STARTED, tags=tags)
            )
            start = DagsterEvent(DagsterEventType.RUN_START.value, "waiting_job", pid=pid)
            instance.report_dagster_event(start, run.run_id, timestamp=time.time() - started_before)
            result = launcher.check_run_worker_health(run)
    finally:
        if process != "this test":
            child.kill()
            child.wait()
    assert result.status.value == answer, result.msg


def test_a_run_whose_process_is_killed_is_failed_by_the_code_server(deployment):
    instance = _instance(deployment)
    run_id = deployment.launch()
    pid = _wait_until_started(instance, run_id)
    os.kill(pid, signal.SIGKILL)
    status, took = _wait_for_status(instance, run_id, timeout=60)
    assert status == "FAILURE"
    assert took < 20  # the code server looks at its runs' processes every half second
    assert deployment.code_server.poll() is None  # it lives on, and runs the next test's run


def test_a_run_killed_with_its_code_server_is_failed_by_run_monitoring(deployment):
    """The run outlives a monitoring pass while its process is alive, then is failed within one
    poll interval of the kill (plus a margin for the daemon's loop) with run monitoring's message."""
    poll = yaml.safe_load(PRODUCTION_INSTANCE.read_text(encoding="utf-8"))["run_monitoring"][
        "poll_interval_seconds"
    ]
    instance = _instance(deployment)
    run_id = deployment.launch()
    pid = _wait_until_started(instance, run_id)

    daemon_log = deployment.logs / "daemon.log"
    deadline = time.monotonic() + poll + 30
    while f"Checking run {run_id}" not in daemon_log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline, f"run monitoring did not look at the run within {poll + 30} s"
        time.sleep(0.5)
    time.sleep(3)  # the check takes milliseconds; a wrong answer would have failed the run by now
    assert instance.get_run_by_id(run_id).status.value == "STARTED"
    assert process_start_time(pid) is not None

    os.killpg(deployment.code_server.pid, signal.SIGKILL)  # the code server, its server process and the run's
    deployment.code_server.wait()
    deadline = time.monotonic() + 10
    while process_start_time(pid) is not None:
        assert time.monotonic() < deadline, f"the run's process {pid} outlived the kill"
        time.sleep(0.1)
    assert instance.get_run_by_id(run_id).status.value == "STARTED"  # nobody else fails it

    status, took = _wait_for_status(instance, run_id, timeout=poll + 60)
    assert status == "FAILURE"
    assert took <= poll + 15, f"failed {took:.0f} s after the kill; run monitoring polls every {poll} s"
    message = _failure_message(instance, run_id)
    assert "Detected run worker status FAILED" in message and f"(pid {pid}) is gone" in message, message
