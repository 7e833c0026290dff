"""Payments received and unused funds, for the accounts chapter (issue 12).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grant_payments",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kilde", sa.String(length=24), nullable=False),
        sa.Column("received_in_year_ore", sa.BigInteger(), nullable=False),
        sa.Column("received_cumulative_ore", sa.BigInteger(), nullable=False),
        comment="Payments received per source (referanse/utbetalinger.csv): in the year, and up to its end.",
    )
    op.create_index(op.f("ix_grant_payments_report_year"), "grant_payments", ["report_year"], unique=False)
    op.create_table(
        "unused_funds",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kilde", sa.String(length=24), nullable=False),
        sa.Column("received_ore", sa.BigInteger(), nullable=False),
        sa.Column("used_ore", sa.BigInteger(), nullable=False),
        sa.Column("unused_ore", sa.BigInteger(), nullable=False),
        sa.Column("final_year", sa.Boolean(), nullable=False),
        comment="Received against used per source, up to the end of the year; in the grant's last year, to repay.",
    )
    op.create_index(op.f("ix_unused_funds_report_year"), "unused_funds", ["report_year"], unique=False)


def downgrade() -> None:
    op.drop_table("unused_funds")
    op.drop_table("grant_payments")
