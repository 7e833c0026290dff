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
CODE_SERVER = "code-server"  # the others load the code location from it
DELIVERY_PAGE = "delivery-page"  # the one process reached without a login (nginx's /levering/)
DELIVERY_PAGE_APP = "portal.app:create_app"  # uvicorn's factory (--factory): the delivery page
DELIVERY_PAGE_HEALTH_PATH = "/levering/helse"  # answers 200 "ok" and reveals nothing
# one per core: a process controls one file at a time (Great Expectations keeps its project in a
# process-wide variable), so 25 clerks in the same minute are answered two at a time, not one
DELIVERY_PAGE_WORKERS = 2


@dataclass(frozen=True)
class Ports:
    https: int = 443
    http: int = 80  # only sends browsers on to https
    analysts_ui: int = 3001
    finance_ui: int = 3002
    code_server: int = 4266
    delivery_page: int = 4270  # the municipalities' delivery page (uvicorn), behind nginx's /levering/


@dataclass(frozen=True)
class Site:
    """Where the service's pieces are on one machine."""

    project: Path = Path("/opt/alis-nord")  # the checkout, with its .venv (make venv)
    config: Path = Path("/etc/alis-nord")  # alis-nord.env (secrets), users, groups.map, tls.crt/key
    dagster_home: Path = Path("/var/lib/alis-nord/dagster_home")  # dagster.yaml, compute logs
    ports: Ports = field(default_factory=Ports)
    nginx_logs: Path = Path("/var/log/nginx")  # Debian's (logrotate rotates its *.log)

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
        project=PROJECT_ROOT,
        config=run_dir / "config",
        dagster_home=run_dir / "dagster_home",
        ports=ports,
        nginx_logs=run_dir / "logs",
    )


@dataclass(frozen=True)
class Process:
    name: str  # the systemd unit is alis-nord-<name>.service
    description: str
    argv: tuple[str, ...]
    health: tuple[str, ...] = ()  # a command that exits 0 while the process is healthy
    port: int | None = None  # where it listens on 127.0.0.1 once started (the daemon does not)
    after: tuple[str, ...] = ()  # the units it starts after (beside the network and PostgreSQL)

    @property
    def unit(self) -> str:
        return f"alis-nord-{self.name}.service"


def processes(site: Site) -> list[Process]:
    """Every process, in the order they start: Dagster's four (the code server first: the others
    load it), then the delivery page, which needs none of them."""
    host = LOOPBACK
    ports = site.ports
    webserver = (str(site.bin / "dagster-webserver"), "-h", host, "-w", str(site.workspace))
    code_server = f"alis-nord-{CODE_SERVER}.service"
    return [
        Process(
            CODE_SERVER,
            "ALIS-Nord: the pipeline's code location over gRPC (dagster code-server)",
            (str(site.bin / "dagster"), "code-server", "start", "-h", host, "-p", str(ports.code_server),
             "-m", "pipelines.definitions", "--location-name", LOCATION_NAME),
            (str(site.bin / "dagster"), "api", "grpc-health-check", "-p", str(ports.code_server)),
            ports.code_server,
        ),
        Process(
            "daemon",
            "ALIS-Nord: the Dagster daemon (schedule, sensors, run queue, backfills)",
            (str(site.bin / "dagster-daemon"), "run", "-w", str(site.workspace)),
            (str(site.bin / "dagster-daemon"), "liveness-check"),
            after=(code_server,),
        ),
        Process(
            "webserver-analysts",
            "ALIS-Nord: the full Dagster UI, for analysts (behind nginx)",
            (*webserver, "-p", str(ports.analysts_ui)),
            ("curl", "-fsS", f"http://{host}:{ports.analysts_ui}/server_info"),
            ports.analysts_ui,
            after=(code_server,),
        ),
        Process(
            "webserver-finance",
            "ALIS-Nord: the read-only Dagster UI, for finance officers (behind nginx)",
            (*webserver, "-p", str(ports.finance_ui), "--read-only"),
            ("curl", "-fsS", f"http://{host}:{ports.finance_ui}/server_info"),
            ports.finance_ui,
            after=(code_server,),
        ),
        Process(
            DELIVERY_PAGE,
            "ALIS-Nord: the municipalities' delivery page (uvicorn, behind nginx's /levering/)",
            # nginx is its only client: it trusts nginx's X-Forwarded-For (the clerk's address) from
            # 127.0.0.1 alone, and leaves the access log to nginx, which keeps no link's signature
            (str(site.bin / "uvicorn"), DELIVERY_PAGE_APP, "--factory", "--app-dir", str(site.project), "--host", host,
             "--port", str(ports.delivery_page), "--proxy-headers", "--forwarded-allow-ips", host,
             "--no-server-header", "--no-access-log", "--workers", str(DELIVERY_PAGE_WORKERS)),
            ("curl", "-fsS", f"http://{host}:{ports.delivery_page}{DELIVERY_PAGE_HEALTH_PATH}"),
            ports.delivery_page,
        ),
    ]  # fmt: skip
