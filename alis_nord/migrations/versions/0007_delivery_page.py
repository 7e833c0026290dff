"""The delivery page (issue 34): the log of every file a municipality delivered through it, and
the generation of each municipality's delivery links (revoking them moves it on). Both live where
the mail queue does (the mail database): records of what happened, not derived from the landing area.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("about_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=True),
        sa.Column("sent_name", sa.Text(), nullable=False),
        sa.Column("stored_name", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("link_id", sa.String(length=16), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        comment="Every file a municipality delivered through the delivery page, stored or refused.",
    )
    op.create_table(
        "delivery_links",
        sa.Column("kommunenummer", sa.String(length=4), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        comment="The municipalities whose delivery links were revoked, and the generation their links are in now.",
    )


def downgrade() -> None:
    op.drop_table("delivery_links")
    op.drop_table("delivery_log")
