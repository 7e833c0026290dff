"""Running the topology on this machine: ``make serve`` (``serve``) and the service tests
(``running_service``), with the commands of the unit files (``service.topology.processes``) and
nginx with the same site as on a server (``service.config``)."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from glue.resources import PROJECT_ROOT
from service.config import (
    DELIVERY_PATH,
    LOCAL_NGINX_SITE,
    NGINX_TEMP_PATHS,
    nginx_main_config,
    nginx_site,
    workspace_file,
)
from service.topology import CODE_SERVER, Ports, Site, local_site, processes
from service.users import ensure_demo_users

NGINX = "/usr/sbin/nginx"  # Debian's package (make system-deps installs nginx-light)
DELIVERY_SECRET_FILE = "delivery-secret"  # a local run's key for the delivery links, in its config folder


def nginx_command(run_dir: Path) -> tuple[str, ...]:
    conf = run_dir / "nginx" / "nginx.conf"
    return (NGINX, "-e", str(run_dir / "logs" / "nginx.log"), "-c", str(conf), "-g", "daemon off;")


def self_signed_certificate(config: Path, host: str = "localhost") -> None:
    """A self-signed certificate for ``host`` (tls.crt, tls.key), unless one is there already."""
    if (config / "tls.crt").exists() and (config / "tls.key").exists():
        return
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj", f"/CN={host}",
         "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1",
         "-keyout", str(config / "tls.key"), "-out", str(config / "tls.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    (config / "tls.key").chmod(0o600)


def wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"{process.args[0]} stopped with exit code {process.returncode} before it listened"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def _stop(running: list[subprocess.Popen]) -> None:
    for process in reversed(running):  # the reverse of the start order
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in reversed(running):
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def write_nginx_config(site: Site, run_dir: Path) -> None:
    """nginx's files for a local run: the site in ``site.config``, the top-level configuration and
    nginx's own folders in ``run_dir``."""
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    for kind in NGINX_TEMP_PATHS:
        (run_dir / "nginx" / kind).mkdir(parents=True, exist_ok=True)
    (site.config / LOCAL_NGINX_SITE).write_text(nginx_site(site), encoding="utf-8")
    (run_dir / "nginx" / "nginx.conf").write_text(nginx_main_config(run_dir, site), encoding="utf-8")


def write_workspace(site: Site) -> None:
    site.workspace.write_text(workspace_file(site), encoding="utf-8")


def nginx_config_test(run_dir: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on a local run's configuration (``write_nginx_config``): what a reload would say."""
    conf = run_dir / "nginx" / "nginx.conf"
    return subprocess.run(
        [NGINX, "-t", "-e", str(run_dir / "logs" / "nginx.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )


@contextlib.contextmanager
def running_service(
    site: Site, run_dir: Path, env: Mapping[str, str], only: Collection[str] | None = None
) -> Iterator[dict[str, subprocess.Popen]]:
    """Starts every process of the topology (Dagster's four, the delivery page) and nginx with
    ``env``, each in its own process group with its log in ``run_dir/logs/``, and waits until each
    listens; stops them all on leaving, nothing left running. ``only`` names the processes to start
    (nginx always starts): a test of the delivery page needs none of Dagster's.
    ``site.config`` must hold tls.crt/key, users and groups.map; PostgreSQL must be up."""
    write_nginx_config(site, run_dir)
    write_workspace(site)
    env = {**env, "DAGSTER_HOME": str(site.dagster_home)}
    chosen = [p for p in processes(site) if only is None or p.name in only]
    started: dict[str, subprocess.Popen] = {}
    try:
        for process in chosen:
            started[process.name] = _start(process.name, process.argv, run_dir, env)
            if process.name == CODE_SERVER:  # the others load the code location from it
                wait_for_port(process.port, 120, started[process.name])
        for process in chosen:
            if process.port is not None:
                wait_for_port(process.port, 120, started[process.name])
        started["nginx"] = _start("nginx", nginx_command(run_dir), run_dir, env)
        wait_for_port(site.ports.https, 30, started["nginx"])
        yield started
    finally:
        _stop(list(started.values()))


def _start(name: str, argv: tuple[str, ...], run_dir: Path, env: Mapping[str, str]) -> subprocess.Popen:
    log = (run_dir / "logs" / f"{name}.log").open("ab")
    return subprocess.Popen(
        argv, cwd=PROJECT_ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def prepare_site(site: Site) -> None:
    """The instance (deploy/production/dagster.yaml) and a certificate, for a local run."""
    site.config.mkdir(parents=True, exist_ok=True)
    site.dagster_home.mkdir(parents=True, exist_ok=True)
    instance = (PROJECT_ROOT / "deploy" / "production" / "dagster.yaml").read_text(encoding="utf-8")
    (site.dagster_home / "dagster.yaml").write_text(instance, encoding="utf-8")
    self_signed_certificate(site.config)


def _own_postgres(run_dir: Path, env: dict[str, str], stack: contextlib.ExitStack) -> None:
    """Without DAGSTER_POSTGRES_URL: a PostgreSQL of the run's own in ``run_dir``, stopped on leaving
    ``stack``, for Dagster and (unless ALIS_DATABASE_URL is set) the warehouse."""
    import pgserver

    server = pgserver.get_server(run_dir / "postgresql", cleanup_mode="stop")
    stack.callback(server.cleanup)
    if "alis" not in server.psql("SELECT datname FROM pg_database;"):
        server.psql("CREATE DATABASE alis;")
    url = server.get_uri("alis")
    env["DAGSTER_POSTGRES_URL"] = url
    env.setdefault("ALIS_DATABASE_URL", url.replace("postgresql://", "postgresql+psycopg://", 1))


def _until_stopped(started: Mapping[str, subprocess.Popen], run_dir: Path) -> None:
    """Waits for Ctrl-C (or SIGTERM), or for one of the processes to stop on its own."""
    stop = {"now": False}
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.update(now=True))
    while not stop["now"]:
        gone = [name for name, p in started.items() if p.poll() is not None]
        if gone:
            print(f"{', '.join(gone)} stopped (see {run_dir / 'logs'}); stopping the rest.")
            break
        time.sleep(1)


def local_delivery_settings(site: Site, env: dict[str, str]) -> None:
    """The delivery page's key and address for a run on this machine, where ``env`` has none: a
    random key kept in the run's config folder (mode 0600, so a link made for this run still works
    in the next), printed nowhere, and the page behind this run's nginx."""
    if not env.get("ALIS_DELIVERY_SECRET"):
        path = site.config / DELIVERY_SECRET_FILE
        if not path.exists():
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
        env["ALIS_DELIVERY_SECRET"] = path.read_text(encoding="utf-8").strip()
    if not env.get("ALIS_DELIVERY_BASE_URL"):
        env["ALIS_DELIVERY_BASE_URL"] = f"https://localhost:{site.ports.https}{DELIVERY_PATH}"


def serve(run_dir: Path, ports: Ports) -> None:
    """make serve: the whole topology on this machine until Ctrl-C."""
    site = local_site(run_dir, ports)
    prepare_site(site)
    env = dict(os.environ)
    with contextlib.ExitStack() as stack:
        if not env.get("DAGSTER_POSTGRES_URL"):
            _own_postgres(run_dir, env, stack)
        env.setdefault("ALIS_UI_BASE_URL", f"https://localhost:{ports.https}")
        local_delivery_settings(site, env)
        subprocess.run([sys.executable, "-m", "service.migrate"], env=env, check=True, cwd=PROJECT_ROOT)
        for line in ensure_demo_users(site.config):
            print(line)
        with running_service(site, run_dir, env) as started:
            print(
                f"ALIS-Nord serves https://localhost:{ports.https}/ and the delivery page under "
                f"{env['ALIS_DELIVERY_BASE_URL']}/ (logs in {run_dir / 'logs'}); Ctrl-C stops it."
            )
            _until_stopped(started, run_dir)
        print("Stopped.")
