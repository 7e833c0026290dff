"""What runs where: the service's processes, their commands and ports, declared once.

``service.config`` writes them into the files on a server (systemd units, nginx's site, the
workspace); ``service.processes`` starts the same commands on this machine (``make serve``, the
service test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from glue.resources import PROJECT_ROOT

LOCATION_NAME = "alis_nord"
SERVICE_USER = "alis-nord"  # the dedicated system user every process runs as
LOOPBACK = "127.0.0.1"  # every process but nginx listens here only


@dataclass(frozen=True)
class Ports:
    https: int = 443
    http: int = 80  # only sends browsers on to https
    analysts_ui: int = 3001
    finance_ui: int = 3002
    code_server: int = 4266


@dataclass(frozen=True)
class Site:
    """Where the service's pieces are on one machine."""

    project: Path = Path("/opt/alis-nord")  # the checkout, with its .venv (make venv)
    config: Path = Path("/etc/alis-nord")  # alis-nord.env (secrets), users, groups.map, tls.crt/key
    dagster_home: Path = Path("/var/lib/alis-nord/dagster_home")  # dagster.yaml, compute logs
    ports: Ports = field(default_factory=Ports)

    @property
    def bin(self) -> Path:
        return self.project / ".venv" / "bin"

    @property
    def workspace(self) -> Path:
        return self.config / "workspace.yaml"

    @property
    def environment_file(self) -> Path:
        return self.config / "alis-nord.env"


PRODUCTION = Site()


def local_site(run_dir: Path, ports: Ports) -> Site:
    """The site of a run on this machine (``make serve``, the service test): everything in ``run_dir``."""
    return Site(
        project=PROJECT_ROOT, config=run_dir / "config", dagster_home=run_dir / "dagster_home", ports=ports
    )


@dataclass(frozen=True)
class Process:
    name: str  # the systemd unit is alis-nord-<name>.service
    description: str
    argv: tuple[str, ...]
    health: tuple[str, ...] = ()  # a command that exits 0 while the process is healthy

    @property
    def unit(self) -> str:
        return f"alis-nord-{self.name}.service"


def processes(site: Site) -> list[Process]:
    """Dagster's processes, in the order they start (the code server first: the others load it)."""
    host = LOOPBACK
    webserver = (str(site.bin / "dagster-webserver"), "-h", host, "-w", str(site.workspace))
    return [
        Process(
            "code-server",
            "ALIS-Nord: the pipeline's code location over gRPC (dagster code-server)",
            (str(site.bin / "dagster"), "code-server", "start", "-h", host, "-p", str(site.ports.code_server),
             "-m", "pipelines.definitions", "--location-name", LOCATION_NAME),
            (str(site.bin / "dagster"), "api", "grpc-health-check", "-p", str(site.ports.code_server)),
        ),
        Process(
            "daemon",
            "ALIS-Nord: the Dagster daemon (schedule, sensors, run queue, backfills)",
            (str(site.bin / "dagster-daemon"), "run", "-w", str(site.workspace)),
            (str(site.bin / "dagster-daemon"), "liveness-check"),
        ),
        Process(
            "webserver-analysts",
            "ALIS-Nord: the full Dagster UI, for analysts (behind nginx)",
            (*webserver, "-p", str(site.ports.analysts_ui)),
            ("curl", "-fsS", f"http://{host}:{site.ports.analysts_ui}/server_info"),
        ),
        Process(
            "webserver-finance",
            "ALIS-Nord: the read-only Dagster UI, for finance officers (behind nginx)",
            (*webserver, "-p", str(site.ports.finance_ui), "--read-only"),
            ("curl", "-fsS", f"http://{host}:{site.ports.finance_ui}/server_info"),
        ),
    ]  # fmt: skip
