"""The settings: every environment variable the pipeline and its commands read, with its default.

``Settings()`` reads the environment (pydantic-settings): each field from ``ALIS_`` and the
field's name in capitals (``landing_dir`` from ``ALIS_LANDING_DIR``); an unset or empty variable
leaves the field at its default, which works on a fresh clone. docs/operations.md (Settings)
lists them for operators, and deploy/production/alis-nord.env.example is production's file.

The code location reads them once, when it loads (``from_environment()``); a command (``make
migrate``, ``make check-file``, ``service.users``) reads them when it starts (``Settings()``).
Tests build theirs with ``Settings.given(landing_dir=…, database_url=…)``: those values and the
defaults, the environment unread. The database URLs and the SMTP login are ``SecretStr`` (printed,
they show ``**********``); Dagster's resources get a value read from the environment as
``dagster.EnvVar`` (glue/resources.py), so its UI shows the variable's name, never the value.

Dagster-free: the domain's commands use it too. Dagster's own variables (``DAGSTER_HOME``,
``DAGSTER_POSTGRES_URL``) are read by Dagster, and the tests' own (``ALIS_TEST_POSTGRES_URL``) by
the tests.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "ALIS_"


class Settings(BaseSettings):
    """Every setting, read from the environment unless given; see docs/operations.md (Settings)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True)

    landing_dir: Path = PROJECT_ROOT / "sample_landing"
    """The landing area: ``referanse/`` and one folder per report year."""
    output_dir: Path = PROJECT_ROOT / "output"
    """Where report files go: ``<output_dir>/<year>/``."""
    database_url: SecretStr = SecretStr(f"sqlite:///{PROJECT_ROOT / 'data' / 'warehouse.sqlite'}")
    """The warehouse, any SQLAlchemy URL (PostgreSQL in production: it holds a password)."""
    mail_database_url: SecretStr | None = None
    """The mail queue and its record of what was sent; unset: see ``mail_queue_url``."""
    report_schedule: str = "0 6 15 3 *"
    """When the annual report runs (cron, Europe/Oslo): the municipalities' deadline, 15 March, 06:00."""
    landing_sensor_interval: int = 30
    """Seconds between the landing-area sensor's looks: an upload is seen within half a minute (an
    unchanged landing area costs one ``stat`` per file), and its run starts once the year's folder
    has been quiet ``landing_settle_seconds``."""
    smtp_host: str | None = None
    """The mail server for alerts, feedback and reminders; none: no e-mail, ``.eml`` files instead."""
    smtp_port: int = 587
    smtp_security: str | None = None
    """``starttls``, ``tls`` or ``none``; unset: ``tls`` on port 465, else ``starttls``."""
    smtp_sender: str = "alis-nord@localhost"
    smtp_username: SecretStr | None = None
    """The mail server's login, with ``smtp_password``; none: no login."""
    smtp_password: SecretStr | None = None
    alert_recipients: str = ""
    """The project office's addresses for a failed run, comma-separated."""
    ui_base_url: str = "http://127.0.0.1:3000"
    """The UI's address as its users reach it, for the link in an alert."""
    users_file: Path = Path("/etc/alis-nord/users")
    """``python -m service.users``'s file (nginx's ``auth_basic_user_file``) when ``--file`` is not given."""
    delivery_secret: SecretStr | None = None
    """The key that signs the municipalities' delivery links (``alis_nord.delivery_links``); none:
    the e-mails carry no link and the delivery page lets no one in. Long and random
    (``python -c "import secrets; print(secrets.token_urlsafe(48))"``); a new key voids every link."""
    delivery_base_url: str = "https://localhost:8443/levering"
    """The delivery page's address as the municipalities reach it: a link is this and its token."""
    delivery_link_days: int = 60
    """How many days after the year's deadline (``prosjekt.yaml``'s ``frist``) a delivery link works."""
    landing_settle_seconds: int = 20
    """How long a year's folder must be unchanged before the landing sensor runs it: a clerk sending
    three files one after another starts one run, not three."""
    check_files: str = ""
    """``make check-file``'s ``FILE``, as typed (``alis_nord.self_check.files_named_by`` splits it)."""
    check_year: str = ""
    """``make check-file``'s ``YEAR``, as typed; empty: last year."""

    _read: frozenset[str] = PrivateAttr(frozenset())

    def __init__(self, **given: Any) -> None:
        super().__init__(**given)
        # every field set but not given was read from its variable
        self._read = frozenset(self.model_fields_set - given.keys())

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable of ``field``: ``ALIS_`` and its name in capitals."""
        if field not in cls.model_fields:
            raise KeyError(field)
        return PREFIX + field.upper()

    @classmethod
    def given(cls, **values: Any) -> Settings:
        """``values``, and every other setting at its default: the environment is not read, so a
        test's settings are its own, whatever variables the shell it runs in has set."""
        return _Given(**values)

    def read_from_environment(self, field: str) -> bool:
        """Whether ``field``'s value came from its variable (not given, not the default)."""
        return field in self._read

    @property
    def mail_queue_setting(self) -> str | None:
        """The field the mail queue's URL comes from: ``mail_database_url`` when set, else
        ``database_url`` when that is set (an upgrade keeps the record of what was sent where it
        was), else None (the default, ``data/mail.sqlite``, apart from the warehouse's figures)."""
        if self.mail_database_url is not None:
            return "mail_database_url"
        if "database_url" in self.model_fields_set:
            return "database_url"
        return None

    @property
    def mail_queue_url(self) -> SecretStr:
        """The mail queue's URL (see ``mail_queue_setting``)."""
        field = self.mail_queue_setting
        if field is None:
            return SecretStr(f"sqlite:///{PROJECT_ROOT / 'data' / 'mail.sqlite'}")
        return getattr(self, field)


class _Given(Settings):
    """Settings from the values given only (``Settings.given``)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


@functools.cache
def from_environment() -> Settings:
    """The process's settings, read from the environment once, on first use: the code location's
    report years, schedule, sensor and resources all come from this one object."""
    return Settings()
