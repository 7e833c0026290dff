"""Resources, and the one place that reads the environment.

| variable | what | default |
|---|---|---|
| ``ALIS_LANDING_DIR`` | the landing area | the bundled ``sample_landing/`` |
| ``ALIS_OUTPUT_DIR`` | where reports go | ``output/`` |
| ``ALIS_DATABASE_URL`` | the warehouse (any SQLAlchemy URL) | SQLite file ``data/warehouse.sqlite`` |
| ``ALIS_REPORT_SCHEDULE`` | when the annual report runs (cron, Europe/Oslo) | ``0 6 15 3 *``: 15 March, 06:00 |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import ConfigurableResource

if TYPE_CHECKING:
    from alis_nord.warehouse import Warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class LandingArea(ConfigurableResource):
    """The folder the municipalities' files land in (``referanse/`` and one folder per year)."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


class OutputArea(ConfigurableResource):
    """Where each report year's files are written: ``<path>/<year>/``."""

    path: str

    def year_dir(self, year: int) -> Path:
        directory = Path(self.path) / str(year)
        directory.mkdir(parents=True, exist_ok=True)
        return directory


class WarehouseResource(ConfigurableResource):
    """The relational warehouse: SQLite by default, PostgreSQL in production."""

    database_url: str

    def open(self) -> Warehouse:
        from alis_nord.warehouse import Warehouse

        return Warehouse(self.database_url)


def landing_dir_from_environment(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("ALIS_LANDING_DIR") or PROJECT_ROOT / "sample_landing")


def resources_from_environment(env: Mapping[str, str] | None = None) -> dict[str, ConfigurableResource]:
    """Resources configured from the environment, each with a default that works on a fresh clone."""
    env = os.environ if env is None else env
    default_db = f"sqlite:///{PROJECT_ROOT / 'data' / 'warehouse.sqlite'}"
    return {
        "landing": LandingArea(path=str(landing_dir_from_environment(env))),
        "output": OutputArea(path=env.get("ALIS_OUTPUT_DIR") or str(PROJECT_ROOT / "output")),
        "warehouse": WarehouseResource(database_url=env.get("ALIS_DATABASE_URL") or default_db),
    }


DEFAULT_REPORT_SCHEDULE = "0 6 15 3 *"  # the municipalities' deadline, 15 March, at 06:00 Oslo time


def report_schedule_from_environment(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("ALIS_REPORT_SCHEDULE") or DEFAULT_REPORT_SCHEDULE
