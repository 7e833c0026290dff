"""The production service: every process as one command, and ``make serve``.

The topology (``deploy/production/``; the README's production section installs it):

    browser ──TLS──▶ nginx :443 ── basic auth (users file) ── the user's group picks the webserver
                       ├── analytiker ─▶ dagster-webserver 127.0.0.1:3001 (full UI)
                       ├── okonomi    ─▶ dagster-webserver 127.0.0.1:3002 --read-only
                       └── /levering/ (no login: a signed link) ─▶ uvicorn 127.0.0.1:4270 (portal.app)
    dagster-daemon (schedule, sensors, run queue, backfills)
    code server 127.0.0.1:4266 (``dagster code-server start``: the code location over gRPC)
    PostgreSQL: Dagster's runs and events, and the warehouse

This module is the command line; the service is in four modules beside it:

- ``service.topology``: the commands, paths and ports, declared once (``processes``, ``Site``).
- ``service.config``: ``render`` writes them into the files on a server (the systemd units,
  nginx's site, the workspace) from the Jinja templates in ``service/templates/``; the files in
  ``deploy/production/`` are that rendering for the paths and ports of ``PRODUCTION``, and a test
  keeps them in step (``python -m service.serve render deploy/production`` regenerates them).
- ``service.processes``: ``make serve`` and ``tests/test_service.py`` start the same commands on
  this machine with ``running_service``.
- ``service.run_launcher``: the instance's run launcher (``deploy/production/dagster.yaml``),
  ``HealthCheckedRunLauncher``, which lets run monitoring fail a run whose process was killed.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from glue.resources import PROJECT_ROOT
from service.config import render
from service.processes import serve
from service.run_launcher import HealthCheckedRunLauncher
from service.topology import PRODUCTION, Ports

# An instance file ($DAGSTER_HOME/dagster.yaml) copied before the launcher moved to
# service.run_launcher names it service.serve.HealthCheckedRunLauncher, and keeps loading.
__all__ = ["HealthCheckedRunLauncher", "main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service.serve", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the whole topology on this machine (make serve)")
    run.add_argument("--run-dir", type=Path, default=PROJECT_ROOT / ".serve")
    for name, default in (
        ("https", 8443),
        ("http", 8080),
        ("analysts-ui", 3001),
        ("finance-ui", 3002),
        ("code-server", 4266),
        ("delivery-page", 4270),
    ):
        run.add_argument(f"--{name}-port", type=int, default=default)
    out = commands.add_parser("render", help="write the unit files, nginx site and workspace for a server")
    out.add_argument("directory", type=Path)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "run":
        ports = Ports(**{f.name: getattr(args, f"{f.name}_port") for f in fields(Ports)})
        serve(args.run_dir.resolve(), ports)
    else:
        for name, text in render(PRODUCTION).items():
            path = args.directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(path)


if __name__ == "__main__":
    main()
