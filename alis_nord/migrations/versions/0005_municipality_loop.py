"""The municipalities' loop (issue 26): each file's time of delivery, each participant's status per
table, and the outgoing mail's kind, recipient municipality, version, channel and HTML part.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MAIL_COLUMNS = [
    sa.Column("html_body", sa.Text(), nullable=True),
    sa.Column("kind", sa.String(length=16), nullable=True),
    sa.Column("about_year", sa.Integer(), nullable=True),
    sa.Column("kommunenummer", sa.String(length=4), nullable=True),
    sa.Column("version", sa.Text(), nullable=True),
    sa.Column("channel", sa.String(length=8), nullable=True),
]


def upgrade() -> None:
    op.add_column("input_files", sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "delivery_status",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("table_name", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        comment="Per participant and table: mangler, har feil, godkjent or ingenting å rapportere.",
    )
    op.create_index(op.f("ix_delivery_status_report_year"), "delivery_status", ["report_year"], unique=False)
    with op.batch_alter_table("outgoing_mail") as batch:
        for column in MAIL_COLUMNS:
            batch.add_column(column.copy())
    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no comments
        op.create_table_comment(
            "outgoing_mail",
            "Messages to send (alerts, feedback, reminders): queued once per subject, kept until sent.",
            existing_comment="Messages to send (alerts to the project office): queued once per subject, kept until sent.",
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail") as batch:
        for column in MAIL_COLUMNS:
            batch.drop_column(column.name)
    op.drop_index(op.f("ix_delivery_status_report_year"), table_name="delivery_status")
    op.drop_table("delivery_status")
    op.drop_column("input_files", "received_at")
