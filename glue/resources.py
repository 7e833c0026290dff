"""Resources, built from the settings (``alis_nord.settings``, the one place that reads the
environment): ``resources_for(settings)``.

A value read from an environment variable reaches its resource as ``dagster.EnvVar`` (``EnvVar.int``
for a number): Dagster reads it where the resource is used, and the UI's Resources page shows the
variable's name, never its value (the database URLs and the SMTP login hold passwords in
production). A value given in code (``Settings.given(...)``, the tests') is passed as itself, and
a setting left unset as its default. The resources' own field defaults are the settings' defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dagster import ConfigurableResource, EnvVar
from pydantic import PrivateAttr, SecretStr

from alis_nord.settings import PROJECT_ROOT as PROJECT_ROOT  # the project's folder, named here as before
from alis_nord.settings import Settings

if TYPE_CHECKING:
    import datetime as dt

    from alis_nord.deliveries import PageLink
    from alis_nord.delivery_log import DeliveryRecords
    from alis_nord.mail import SmtpSettings
    from alis_nord.mail_queue import MailQueue
    from alis_nord.warehouse import Warehouse

_DEFAULTS = Settings.model_construct()  # every setting at its default; the environment is not read


class LandingArea(ConfigurableResource):
    """The folder the municipalities' files land in (``referanse/`` and one folder per year)."""

    path: str = str(_DEFAULTS.landing_dir)
    # how long a year's folder must be quiet before the landing sensor runs it
    settle_seconds: int = _DEFAULTS.landing_settle_seconds

    @property
    def root(self) -> Path:
        return Path(self.path)


class OutputArea(ConfigurableResource):
    """Where each report year's files are written: ``<path>/<year>/``."""

    path: str = str(_DEFAULTS.output_dir)

    def year_dir(self, year: int) -> Path:
        directory = Path(self.path) / str(year)
        directory.mkdir(parents=True, exist_ok=True)
        return directory


class WarehouseResource(ConfigurableResource):
    """The relational warehouse: SQLite by default, PostgreSQL in production."""

    database_url: str = _DEFAULTS.database_url.get_secret_value()

    def open(self) -> Warehouse:
        from alis_nord.warehouse import Warehouse

        return Warehouse(self.database_url)


class MailQueueResource(ConfigurableResource):
    """The mail queue and its ledger (``alis_nord.mail_queue``): every message and its state. Not
    derived from the landing area, so it is kept apart from the warehouse's figures by default
    (``data/mail.sqlite``); in production it is the PostgreSQL database that is backed up."""

    database_url: str = _DEFAULTS.mail_queue_url.get_secret_value()

    def open(self) -> MailQueue:
        from alis_nord.mail_queue import MailQueue

        return MailQueue(self.database_url)


class MailServer(ConfigurableResource):
    """The SMTP server the pipeline's e-mail goes through; no host means no e-mail is sent.
    ``security``: ``starttls`` (the default: STARTTLS or nothing), ``tls`` (implicit TLS, the
    default on port 465) or ``none`` (a trusted local relay: plain SMTP, never a login)."""

    host: str | None = _DEFAULTS.smtp_host
    port: int = _DEFAULTS.smtp_port
    sender: str = _DEFAULTS.smtp_sender
    username: str | None = None
    password: str | None = None
    security: str | None = _DEFAULTS.smtp_security

    def settings(self) -> SmtpSettings | None:
        from alis_nord.outbox import smtp_settings

        return smtp_settings(self.host, self.port, self.sender, self.username, self.password, self.security)


class DeliveryLinks(ConfigurableResource):
    """The municipalities' personal links to the delivery page (``alis_nord.delivery_links``) and the
    page's records (``alis_nord.delivery_log``: each municipality's link generation and the log of
    every delivery), kept in the mail database beside the mail queue.

    ``secret`` signs the links (``ALIS_DELIVERY_SECRET``); without it no e-mail carries a link (they
    say to send the files by e-mail, as before). A link is ``base_url``/<token> and works until
    ``days_after`` days after the year's deadline."""

    secret: str | None = None
    base_url: str = _DEFAULTS.delivery_base_url
    days_after: int = _DEFAULTS.delivery_link_days
    database_url: str = _DEFAULTS.mail_queue_url.get_secret_value()
    _records: DeliveryRecords | None = PrivateAttr(default=None)

    def records(self) -> DeliveryRecords:
        """The delivery page's records, opened once per resource."""
        from alis_nord.delivery_log import DeliveryRecords

        if self._records is None:
            self._records = DeliveryRecords(self.database_url)
        return self._records

    def link_for(
        self, kommunenummer: str, year: int, deadline: dt.date, today: dt.date | None = None
    ) -> PageLink | None:
        """``kommunenummer``'s link for ``year`` (in its current generation) and the last day it
        works; ``None`` without a secret, or when that day is before ``today`` (Norway's today)."""
        from alis_nord.deliveries import page_link, today_in_norway

        if not self.secret:
            return None  # nothing signed, nothing read
        return page_link(
            self.secret,
            self.base_url,
            self.days_after,
            kommunenummer,
            year,
            deadline,
            today or today_in_norway(),
            self.records().generation,
        )


class ProjectOffice(ConfigurableResource):
    """Who hears of a failed run (``alert_recipients``), and the UI's address for the link."""

    alert_recipients: str = _DEFAULTS.alert_recipients
    ui_base_url: str = _DEFAULTS.ui_base_url

    def run_url(self, run_id: str) -> str:
        return f"{self.ui_base_url.rstrip('/')}/runs/{run_id}"


def _setting(settings: Settings, field: str):
    """``field``'s value for a resource: ``EnvVar`` (``EnvVar.int`` for a number) naming its variable
    when it was read from the environment, else the value itself (a secret's revealed, a path as text)."""
    if settings.read_from_environment(field):
        name = Settings.variable(field)
        return EnvVar.int(name) if Settings.model_fields[field].annotation is int else EnvVar(name)
    value = getattr(settings, field)
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value) if isinstance(value, Path) else value


def resources_for(settings: Settings) -> dict[str, ConfigurableResource]:
    """The code location's resources, configured from ``settings``."""
    mail_queue = settings.mail_queue_setting
    # the mail ledger stays where it was when only the warehouse's database is named (an upgrade
    # must not forget what was sent); ALIS_MAIL_DATABASE_URL moves it apart
    mail_database_url = (
        _setting(settings, mail_queue) if mail_queue else settings.mail_queue_url.get_secret_value()
    )
    return {
        "landing": LandingArea(
            path=_setting(settings, "landing_dir"),
            settle_seconds=_setting(settings, "landing_settle_seconds"),
        ),
        "output": OutputArea(path=_setting(settings, "output_dir")),
        "warehouse": WarehouseResource(database_url=_setting(settings, "database_url")),
        "mail_queue": MailQueueResource(database_url=mail_database_url),
        "mail_server": MailServer(
            host=_setting(settings, "smtp_host"),
            port=_setting(settings, "smtp_port"),
            sender=_setting(settings, "smtp_sender"),
            username=_setting(settings, "smtp_username"),
            password=_setting(settings, "smtp_password"),
            security=_setting(settings, "smtp_security"),
        ),
        # the delivery page's records are in the mail database, beside the queue
        "delivery_links": DeliveryLinks(
            secret=_setting(settings, "delivery_secret"),
            base_url=_setting(settings, "delivery_base_url"),
            days_after=_setting(settings, "delivery_link_days"),
            database_url=mail_database_url,
        ),
        "project_office": ProjectOffice(
            alert_recipients=_setting(settings, "alert_recipients"),
            ui_base_url=_setting(settings, "ui_base_url"),
        ),
    }
