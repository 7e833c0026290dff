"""Reference data as an asset and the results the report reads (issue 14).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from alis_nord.schema import JsonText

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grant_forecast_years",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("forecast_year", sa.Integer(), nullable=False),
        sa.Column("used_ore", sa.BigInteger(), nullable=False),
        comment="Projected use of Helsedirektoratet's grant in each remaining year, by forecast method.",
    )
    op.create_index(
        op.f("ix_grant_forecast_years_report_year"), "grant_forecast_years", ["report_year"], unique=False
    )
    op.create_table(
        "reference_data",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document", JsonText(), nullable=False),
        comment="The validated reference data of a year's run, as read from those files (one row).",
    )
    op.create_index(op.f("ix_reference_data_report_year"), "reference_data", ["report_year"], unique=False)
    op.create_table(
        "reference_files",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        comment="The reference files (referanse/) a year's figures were computed from, by SHA-256.",
    )
    op.create_index(op.f("ix_reference_files_report_year"), "reference_files", ["report_year"], unique=False)
    op.create_table(
        "report_summary",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("summary", JsonText(), nullable=False),
        comment="The key figures of summary.json (one row), for the status report to read.",
    )
    op.create_index(op.f("ix_report_summary_report_year"), "report_summary", ["report_year"], unique=False)


def downgrade() -> None:
    op.drop_table("report_summary")
    op.drop_table("reference_files")
    op.drop_table("reference_data")
    op.drop_table("grant_forecast_years")
