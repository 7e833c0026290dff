"""Resources, and the one place that reads the environment.

Each variable, what it sets and its default are in docs/operations.md (Settings); the defaults
themselves are the resources' field defaults below. Every value a resource takes from the
environment is passed as ``dagster.EnvVar``, so the UI's Resources page shows the variable's
name, never its value (the warehouse URL and the SMTP login hold passwords in production).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import ConfigurableResource, EnvVar

if TYPE_CHECKING:
    from alis_nord.mail import SmtpSettings
    from alis_nord.mail_queue import MailQueue
    from alis_nord.warehouse import Warehouse

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class LandingArea(ConfigurableResource):
    """The folder the municipalities' files land in (``referanse/`` and one folder per year)."""

    path: str = str(PROJECT_ROOT / "sample_landing")

    @property
    def root(self) -> Path:
        return Path(self.path)


class OutputArea(ConfigurableResource):
    """Where each report year's files are written: ``<path>/<year>/``."""

    path: str = str(PROJECT_ROOT / "output")

    def year_dir(self, year: int) -> Path:
        directory = Path(self.path) / str(year)
        directory.mkdir(parents=True, exist_ok=True)
        return directory


class WarehouseResource(ConfigurableResource):
    """The relational warehouse: SQLite by default, PostgreSQL in production."""

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'warehouse.sqlite'}"

    def open(self) -> Warehouse:
        from alis_nord.warehouse import Warehouse

        return Warehouse(self.database_url)


class MailQueueResource(ConfigurableResource):
    """The mail queue and its ledger (``alis_nord.mail_queue``): every message and its state. Not
    derived from the landing area, so it is kept apart from the warehouse's figures by default
    (``data/mail.sqlite``); in production it is the PostgreSQL database that is backed up."""

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'mail.sqlite'}"

    def open(self) -> MailQueue:
        from alis_nord.mail_queue import MailQueue

        return MailQueue(self.database_url)


class MailServer(ConfigurableResource):
    """The SMTP server the pipeline's e-mail goes through; no host means no e-mail is sent.
    ``security``: ``starttls`` (the default: STARTTLS or nothing), ``tls`` (implicit TLS, the
    default on port 465) or ``none`` (a trusted local relay: plain SMTP, never a login)."""

    host: str | None = None
    port: int = 587
    sender: str = "alis-nord@localhost"
    username: str | None = None
    password: str | None = None
    security: str | None = None

    def settings(self) -> SmtpSettings | None:
        from alis_nord.mail import IMPLICIT_TLS, IMPLICIT_TLS_PORT, STARTTLS, SmtpSettings

        if not self.host:
            return None
        security = self.security or (IMPLICIT_TLS if self.port == IMPLICIT_TLS_PORT else STARTTLS)
        return SmtpSettings(
            self.host, self.port, self.sender, self.username, self.password, security=security.strip().lower()
        )


class ProjectOffice(ConfigurableResource):
    """Who hears of a failed run (``alert_recipients``), and the UI's address for the link."""

    alert_recipients: str = ""
    ui_base_url: str = "http://127.0.0.1:3000"

    def run_url(self, run_id: str) -> str:
        return f"{self.ui_base_url.rstrip('/')}/runs/{run_id}"


def _configured(
    resource: type[ConfigurableResource], env: Mapping[str, str], **variables: str | tuple[str, ...]
):
    """``resource`` with each field whose variable is set taken from it, the rest at their defaults.
    A field given several variable names takes the first one set.

    From the process's environment a field gets ``EnvVar(name)`` (``EnvVar.int`` for a number): its
    value is read where the resource is used and never shown. From a mapping given by the caller
    (the tests), it gets the value itself."""
    given = {}
    for field, names in variables.items():
        name = next((n for n in ((names,) if isinstance(names, str) else names) if env.get(n)), None)
        if name is None:
            continue
        number = resource.model_fields[field].annotation is int
        if env is os.environ:
            given[field] = EnvVar.int(name) if number else EnvVar(name)
        else:
            given[field] = int(env[name]) if number else env[name]
    return resource(**given)


def database_url_from_environment(env: Mapping[str, str] | None = None) -> str:
    """The warehouse's URL itself, for ``make migrate``; the pipeline's runs get it through ``EnvVar``."""
    env = os.environ if env is None else env
    return env.get("ALIS_DATABASE_URL") or WarehouseResource().database_url


def mail_database_url_from_environment(env: Mapping[str, str] | None = None) -> str:
    """The mail queue's URL itself, for ``make migrate``."""
    env = os.environ if env is None else env
    return (
        env.get("ALIS_MAIL_DATABASE_URL") or env.get("ALIS_DATABASE_URL") or MailQueueResource().database_url
    )


def landing_dir_from_environment(env: Mapping[str, str] | None = None) -> Path:
    """The landing area itself, for the report years offered (read when the code location loads)."""
    env = os.environ if env is None else env
    return Path(env.get("ALIS_LANDING_DIR") or LandingArea().path)


def resources_from_environment(env: Mapping[str, str] | None = None) -> dict[str, ConfigurableResource]:
    """Resources configured from the environment, each with a default that works on a fresh clone."""
    env = os.environ if env is None else env
    return {
        "landing": _configured(LandingArea, env, path="ALIS_LANDING_DIR"),
        "output": _configured(OutputArea, env, path="ALIS_OUTPUT_DIR"),
        "warehouse": _configured(WarehouseResource, env, database_url="ALIS_DATABASE_URL"),
        # the mail ledger stays where it was when only the warehouse's database is named (an upgrade
        # must not forget what was sent); ALIS_MAIL_DATABASE_URL moves it apart
        "mail_queue": _configured(
            MailQueueResource, env, database_url=("ALIS_MAIL_DATABASE_URL", "ALIS_DATABASE_URL")
        ),
        "mail_server": _configured(
            MailServer,
            env,
            host="ALIS_SMTP_HOST",
            port="ALIS_SMTP_PORT",
            sender="ALIS_SMTP_SENDER",
            username="ALIS_SMTP_USERNAME",
            password="ALIS_SMTP_PASSWORD",
            security="ALIS_SMTP_SECURITY",
        ),
        "project_office": _configured(
            ProjectOffice, env, alert_recipients="ALIS_ALERT_RECIPIENTS", ui_base_url="ALIS_UI_BASE_URL"
        ),
    }


DEFAULT_REPORT_SCHEDULE = "0 6 15 3 *"  # the municipalities' deadline, 15 March, at 06:00 Oslo time


def report_schedule_from_environment(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("ALIS_REPORT_SCHEDULE") or DEFAULT_REPORT_SCHEDULE


DEFAULT_LANDING_SENSOR_INTERVAL = 300  # seconds: a municipality's upload is seen within five minutes


def landing_sensor_interval_from_environment(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    return int(env.get("ALIS_LANDING_SENSOR_INTERVAL") or DEFAULT_LANDING_SENSOR_INTERVAL)
