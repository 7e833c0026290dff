"""The warehouse schema: SQLAlchemy Core tables, one slice per report year.

The one declaration of every stored table and its columns. Money columns hold whole øre
(``*_ore``, BIGINT) so sums are exact in SQL on every database; hours and percentages use
``ExactDecimal`` (NUMERIC on PostgreSQL, decimal text on SQLite). The stored figures of
``alis_nord.budget`` are converted to and from these rows by the columns' names
(``alis_nord.stored``); the migrations in ``alis_nord/migrations/`` are how a database gets to
this schema, and a test compares the two.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator):
    """A decimal kept exact: NUMERIC(12, 2) on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""

    impl = sa.String(32)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.Numeric(12, 2, asdecimal=True))
        return dialect.type_descriptor(sa.String(32))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value) if dialect.name == "postgresql" else str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class UtcDateTime(TypeDecorator):
    """A moment, read back in UTC with its zone on every database (SQLite keeps no zone: what it
    stores is UTC), so rows compare equal whichever database they came from."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class JsonText(TypeDecorator):
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


metadata = sa.MetaData()


def _year_table(name: str, *columns: sa.Column, comment: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("report_year", sa.Integer, nullable=False, index=True),
        *columns,
        comment=comment,
    )


def _provenance() -> list[sa.Column]:
    return [
        sa.Column("kommunenummer", sa.String(4), nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
    ]


input_files = _year_table(
    "input_files",
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("kommunenummer", sa.String(4)),
    sa.Column("version", sa.Integer),
    sa.Column("tables_used", sa.Text, nullable=False, default=""),
    sa.Column("received_at", UtcDateTime),  # the file's modification time
    comment="Every file of the landing area a year's run saw, by SHA-256.",
)
alis = _year_table(
    "alis",
    *_provenance(),
    sa.Column("alis_id", sa.String(8), nullable=False),
    sa.Column("tilsettingsform", sa.String(16), nullable=False),
    sa.Column("startdato", sa.Date, nullable=False),
    sa.Column("sluttdato", sa.Date),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("individuell_veiledning_timer", ExactDecimal, nullable=False),
    sa.Column("gruppeveiledning_timer", ExactDecimal, nullable=False),
    sa.Column("kurs_timer", ExactDecimal, nullable=False),
    sa.Column("sykehustjeneste", sa.String(16), nullable=False),
    sa.Column("laeringsmaal_godkjent_prosent", ExactDecimal, nullable=False),
    comment="Accepted alis rows.",
)
kostnader = _year_table(
    "kostnader",
    *_provenance(),
    sa.Column("bilagsnummer", sa.Text, nullable=False),
    sa.Column("bilagsdato", sa.Date, nullable=False),
    sa.Column("kategori", sa.String(24), nullable=False),
    sa.Column("finansieringskilde", sa.String(24), nullable=False),
    sa.Column("belop_ore", sa.BigInteger, nullable=False),
    sa.Column("alis_id", sa.String(8)),
    sa.Column("beskrivelse", sa.Text),
    comment="Accepted vouchers; belop in whole øre.",
)
fastlegedekning = _year_table(
    "fastlegedekning",
    *_provenance(),
    sa.Column("fastlegehjemler", sa.Integer, nullable=False),
    sa.Column("ledige_hjemler", sa.Integer, nullable=False),
    sa.Column("innbyggere_uten_fastlege", sa.Integer, nullable=False),
    sa.Column("nye_fastleger", sa.Integer, nullable=False),
    sa.Column("fastleger_sluttet", sa.Integer, nullable=False),
    comment="Accepted GP coverage rows.",
)
table_deliveries = _year_table(
    "table_deliveries",
    sa.Column("kommunenummer", sa.String(4), nullable=False),
    sa.Column("table_name", sa.String(24), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("rows_received", sa.Integer, nullable=False),
    sa.Column("rows_accepted", sa.Integer, nullable=False),
    sa.Column("rows_quarantined", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Boolean, nullable=False),
    comment="One row per table a municipality delivered: what came in and what became of it.",
)
quarantined_rows = _year_table(
    "quarantined_rows",
    *_provenance(),
    sa.Column("table_name", sa.String(24), nullable=False),
    sa.Column("raw_values", JsonText, nullable=False),
    comment="Rows kept out of the figures, with the values as the file had them.",
)
findings = _year_table(
    "findings",
    sa.Column("kommunenummer", sa.String(4), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("table_name", sa.String(24), nullable=False),
    sa.Column("row_number", sa.Integer),
    sa.Column("column_name", sa.String(64), nullable=False),
    sa.Column("rule", sa.String(40), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    comment="Validation findings, as in findings.csv.",
)
alis_grant_entitlement = _year_table(
    "alis_grant_entitlement",
    sa.Column("kommunenummer", sa.String(4), nullable=False),
    sa.Column("alis_id", sa.String(8), nullable=False),
    sa.Column("tilsettingsform", sa.String(16), nullable=False),
    sa.Column("days_employed", sa.Integer, nullable=False),
    sa.Column("days_in_year", sa.Integer, nullable=False),
    sa.Column("tilskudd_ore", sa.BigInteger, nullable=False),
    sa.Column("egenandel_ore", sa.BigInteger, nullable=False),
    comment="ALIS grant and own share per accepted ALIS, pro rata by days, rounded half-up to øre.",
)
costs_by_source = _year_table(
    "costs_by_source",
    sa.Column("finansieringskilde", sa.String(24), nullable=False),
    sa.Column("kategori", sa.String(24), nullable=False),
    sa.Column("belop_ore", sa.BigInteger, nullable=False),
    sa.Column("vouchers", sa.Integer, nullable=False),
    comment="Accepted vouchers summed per funding source and category.",
)
grant_use = _year_table(
    "grant_use",
    sa.Column("alis_grant_ore", sa.BigInteger, nullable=False),
    sa.Column("egenandel_ore", sa.BigInteger, nullable=False),
    sa.Column("helsedirektoratet_costs_ore", sa.BigInteger, nullable=False),
    sa.Column("used_in_year_ore", sa.BigInteger, nullable=False),
    sa.Column("used_cumulative_ore", sa.BigInteger, nullable=False),
    sa.Column("remaining_ore", sa.BigInteger, nullable=False),
    sa.Column("grant_total_ore", sa.BigInteger, nullable=False),
    sa.Column("years_missing", sa.Text, nullable=False),
    comment="Use of Helsedirektoratet's grant by report year.",
)

budget_plan_vs_actual = _year_table(
    "budget_plan_vs_actual",
    sa.Column("kategori", sa.String(24), nullable=False),
    sa.Column("plan_ore", sa.BigInteger, nullable=False),
    sa.Column("actual_ore", sa.BigInteger, nullable=False),
    sa.Column("over_plan", sa.Boolean, nullable=False),
    comment="Helsedirektoratet's grant per category: the project plan against actual.",
)
grant_forecast = _year_table(
    "grant_forecast",
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("remaining_years", sa.Text, nullable=False),
    sa.Column("used_at_end_ore", sa.BigInteger, nullable=False),
    sa.Column("remaining_at_end_ore", sa.BigInteger, nullable=False),
    comment="Use of Helsedirektoratet's grant at the end of the grant period, by forecast method.",
)
grant_forecast_years = _year_table(
    "grant_forecast_years",
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("forecast_year", sa.Integer, nullable=False),
    sa.Column("used_ore", sa.BigInteger, nullable=False),
    comment="Projected use of Helsedirektoratet's grant in each remaining year, by forecast method.",
)
grant_payments = _year_table(
    "grant_payments",
    sa.Column("kilde", sa.String(24), nullable=False),
    sa.Column("received_in_year_ore", sa.BigInteger, nullable=False),
    sa.Column("received_cumulative_ore", sa.BigInteger, nullable=False),
    comment="Payments received per source (referanse/utbetalinger.csv): in the year, and up to its end.",
)
unused_funds = _year_table(
    "unused_funds",
    sa.Column("kilde", sa.String(24), nullable=False),
    sa.Column("received_ore", sa.BigInteger, nullable=False),
    sa.Column("used_ore", sa.BigInteger, nullable=False),
    sa.Column("unused_ore", sa.BigInteger, nullable=False),
    sa.Column("final_year", sa.Boolean, nullable=False),
    comment="Received against used per source, up to the end of the year; in the grant's last year, to repay.",
)
reference_files = _year_table(
    "reference_files",
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    comment="The reference files (referanse/) a year's figures were computed from, by SHA-256.",
)
reference_data = _year_table(
    "reference_data",
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("document", JsonText, nullable=False),
    comment="The validated reference data of a year's run, as read from those files (one row).",
)
report_summary = _year_table(
    "report_summary",
    sa.Column("summary", JsonText, nullable=False),
    comment="The key figures of summary.json (one row), for the status report to read.",
)
statsforvalter_grant_use = _year_table(
    "statsforvalter_grant_use",
    sa.Column("granted_ore", sa.BigInteger, nullable=False),
    sa.Column("costs_ore", sa.BigInteger, nullable=False),
    comment="The Statsforvalter grant for the year against costs charged to it.",
)

delivery_status = _year_table(
    "delivery_status",
    sa.Column("kommunenummer", sa.String(4), nullable=False),
    sa.Column("table_name", sa.String(24), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("file", sa.Text),
    sa.Column("version", sa.Integer),
    sa.Column("received_at", UtcDateTime),
    comment="Per participant and table: mangler, har feil, godkjent or ingenting å rapportere.",
)

# Not a year's slice: the messages the pipeline sends, kept until the SMTP server has taken them
# (``alis_nord.mail_queue``; ``alis_nord.outbox`` hands them over, ``pipelines.alerts`` delivers).
# ``mail_key`` says what a message is about (``run-failure:<run id>``), so the same thing is never
# queued, or sent, twice.
outgoing_mail = sa.Table(
    "outgoing_mail",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("mail_key", sa.String(200), nullable=False, unique=True),
    sa.Column("recipients", sa.Text, nullable=False),  # a@x.no, b@x.no (mail.recipients_as_text)
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("queued_at", UtcDateTime, nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=True),  # handed over (to every recipient that took it)
    sa.Column("message_id", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("html_body", sa.Text, nullable=True),  # an HTML alternative to the plain text
    sa.Column("kind", sa.String(16), nullable=True),  # alert, feedback, reminder
    sa.Column("about_year", sa.Integer, nullable=True),  # the report year it is about
    sa.Column("kommunenummer", sa.String(4), nullable=True),  # the municipality it goes to
    sa.Column("version", sa.Text, nullable=True),  # which delivery: its files' versions and hashes
    sa.Column("channel", sa.String(8), nullable=True),  # smtp, or eml: written for the office to send
    # the queue (alis_nord.mail_queue): queued, sending, deferred, sent, failed; eml: written
    sa.Column("state", sa.String(16), nullable=False, server_default="queued"),
    sa.Column("next_attempt_at", UtcDateTime, nullable=True),  # deferred: not before then
    sa.Column("lease_until", UtcDateTime, nullable=True),  # sending: claimed by one tick until then
    sa.Column("claimed_by", sa.String(120), nullable=True),
    # per recipient: RFC 3464's action, status and diagnostic
    sa.Column("recipient_status", JsonText, nullable=True),
    sa.Column("sender_name", sa.Text, nullable=True),  # the From's display name (prosjekt.yaml)
    sa.Column("reply_to", sa.Text, nullable=True),  # the project office's contact (prosjekt.yaml)
    comment="The mail queue and ledger (alerts, feedback, reminders): each message's state, kept after it is sent.",
)

delivery_log = sa.Table(
    "delivery_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("about_year", sa.Integer, nullable=False),  # the report year it was delivered for
    sa.Column("kommunenummer", sa.String(4), nullable=False),  # whose link it came through
    sa.Column("table_name", sa.String(32), nullable=True),  # recognised from the header; none: not recognised
    sa.Column("sent_name", sa.Text, nullable=False),  # the file's name as sent: text, never a path
    sa.Column(
        "stored_name", sa.Text, nullable=True
    ),  # <year>/<kommunenummer>_<table>_vN.csv; none: not stored
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),  # bytes as received
    sa.Column("link_id", sa.String(16), nullable=False),  # which link (a digest of it: never the link)
    sa.Column("client_address", sa.String(64), nullable=True),  # as nginx saw it; blanked after 90 days
    # stored, stored_with_errors, refused, nothing_to_report (alis_nord.delivery_log)
    sa.Column("outcome", sa.String(24), nullable=False),
    sa.Column("answer", JsonText, nullable=True),  # the control's findings, as the page showed them
    comment="Every file a municipality delivered through the delivery page, stored or refused.",
)

delivery_links = sa.Table(
    "delivery_links",
    metadata,
    sa.Column("kommunenummer", sa.String(4), primary_key=True),
    # a link carries the generation it was made in; revoking one municipality's links moves it on
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    comment="The municipalities whose delivery links were revoked, and the generation their links are in now.",
)

# Every table that holds one slice per report year (all but the outgoing mail and the delivery log).
yearly_tables = [table for table in metadata.sorted_tables if "report_year" in table.c]
