"""The mail queue (issue 32): each message's own state, a lease while one tick sends it, when a
deferred message is tried again, and each recipient's outcome (RFC 3464's action, status and the
server's answer); the From's display name and the Reply-To from prosjekt.yaml (issue 31).
Messages already sent are ``sent``; the rest ``queued``.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _queue_columns() -> list[sa.Column]:
    return [
        sa.Column("state", sa.String(length=16), nullable=False, server_default="queued"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("recipient_status", sa.Text(), nullable=True),
        sa.Column("sender_name", sa.Text(), nullable=True),
        sa.Column("reply_to", sa.Text(), nullable=True),
    ]


COMMENT = (
    "The mail queue and ledger (alerts, feedback, reminders): each message's state, kept after it is sent."
)


def upgrade() -> None:
    with op.batch_alter_table("outgoing_mail") as batch:
        for column in _queue_columns():
            batch.add_column(column)
    op.execute("UPDATE outgoing_mail SET state = 'eml' WHERE channel = 'eml'")
    op.execute("UPDATE outgoing_mail SET state = 'sent' WHERE sent_at IS NOT NULL AND state = 'queued'")
    if op.get_bind().dialect.name == "postgresql":  # SQLite keeps no comments
        op.create_table_comment(
            "outgoing_mail",
            COMMENT,
            existing_comment="Messages to send (alerts, feedback, reminders): queued once per subject, kept until sent.",
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_mail") as batch:
        for column in _queue_columns():
            batch.drop_column(column.name)
