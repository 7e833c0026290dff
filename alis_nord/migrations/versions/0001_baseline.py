"""The first release's warehouse: submissions, findings and the budget figures.

Revision ID: 0001
Revises: None
"""

import sqlalchemy as sa
from alembic import op

from alis_nord.schema import ExactDecimal, JsonText

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alis",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("alis_id", sa.String(length=8), nullable=False),
        sa.Column("tilsettingsform", sa.String(length=16), nullable=False),
        sa.Column("startdato", sa.Date(), nullable=False),
        sa.Column("sluttdato", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("individuell_veiledning_timer", ExactDecimal(), nullable=False),
        sa.Column("gruppeveiledning_timer", ExactDecimal(), nullable=False),
        sa.Column("kurs_timer", ExactDecimal(), nullable=False),
        sa.Column("sykehustjeneste", sa.String(length=16), nullable=False),
        sa.Column("laeringsmaal_godkjent_prosent", ExactDecimal(), nullable=False),
        comment="Accepted alis rows.",
    )
    op.create_index(op.f("ix_alis_report_year"), "alis", ["report_year"], unique=False)
    op.create_table(
        "alis_grant_entitlement",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("alis_id", sa.String(length=8), nullable=False),
        sa.Column("tilsettingsform", sa.String(length=16), nullable=False),
        sa.Column("days_employed", sa.Integer(), nullable=False),
        sa.Column("days_in_year", sa.Integer(), nullable=False),
        sa.Column("tilskudd_ore", sa.BigInteger(), nullable=False),
        sa.Column("egenandel_ore", sa.BigInteger(), nullable=False),
        comment="ALIS grant and own share per accepted ALIS, pro rata by days, rounded half-up to øre.",
    )
    op.create_index(
        op.f("ix_alis_grant_entitlement_report_year"), "alis_grant_entitlement", ["report_year"], unique=False
    )
    op.create_table(
        "budget_plan_vs_actual",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kategori", sa.String(length=24), nullable=False),
        sa.Column("plan_ore", sa.BigInteger(), nullable=False),
        sa.Column("actual_ore", sa.BigInteger(), nullable=False),
        sa.Column("over_plan", sa.Boolean(), nullable=False),
        comment="Helsedirektoratet's grant per category: the project plan against actual.",
    )
    op.create_index(
        op.f("ix_budget_plan_vs_actual_report_year"), "budget_plan_vs_actual", ["report_year"], unique=False
    )
    op.create_table(
        "costs_by_source",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("finansieringskilde", sa.String(length=24), nullable=False),
        sa.Column("kategori", sa.String(length=24), nullable=False),
        sa.Column("belop_ore", sa.BigInteger(), nullable=False),
        sa.Column("vouchers", sa.Integer(), nullable=False),
        comment="Accepted vouchers summed per funding source and category.",
    )
    op.create_index(op.f("ix_costs_by_source_report_year"), "costs_by_source", ["report_year"], unique=False)
    op.create_table(
        "fastlegedekning",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("fastlegehjemler", sa.Integer(), nullable=False),
        sa.Column("ledige_hjemler", sa.Integer(), nullable=False),
        sa.Column("innbyggere_uten_fastlege", sa.Integer(), nullable=False),
        sa.Column("nye_fastleger", sa.Integer(), nullable=False),
        sa.Column("fastleger_sluttet", sa.Integer(), nullable=False),
        comment="Accepted GP coverage rows.",
    )
    op.create_index(op.f("ix_fastlegedekning_report_year"), "fastlegedekning", ["report_year"], unique=False)
    op.create_table(
        "findings",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("table_name", sa.String(length=24), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("column_name", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        comment="Validation findings, as in findings.csv.",
    )
    op.create_index(op.f("ix_findings_report_year"), "findings", ["report_year"], unique=False)
    op.create_table(
        "grant_forecast",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("remaining_years", sa.Text(), nullable=False),
        sa.Column("used_at_end_ore", sa.BigInteger(), nullable=False),
        sa.Column("remaining_at_end_ore", sa.BigInteger(), nullable=False),
        comment="Use of Helsedirektoratet's grant at the end of the grant period, by forecast method.",
    )
    op.create_index(op.f("ix_grant_forecast_report_year"), "grant_forecast", ["report_year"], unique=False)
    op.create_table(
        "grant_use",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("alis_grant_ore", sa.BigInteger(), nullable=False),
        sa.Column("egenandel_ore", sa.BigInteger(), nullable=False),
        sa.Column("helsedirektoratet_costs_ore", sa.BigInteger(), nullable=False),
        sa.Column("used_in_year_ore", sa.BigInteger(), nullable=False),
        sa.Column("used_cumulative_ore", sa.BigInteger(), nullable=False),
        sa.Column("remaining_ore", sa.BigInteger(), nullable=False),
        sa.Column("grant_total_ore", sa.BigInteger(), nullable=False),
        sa.Column("years_missing", sa.Text(), nullable=False),
        comment="Use of Helsedirektoratet's grant by report year.",
    )
    op.create_index(op.f("ix_grant_use_report_year"), "grant_use", ["report_year"], unique=False)
    op.create_table(
        "input_files",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("tables_used", sa.Text(), nullable=False),
        comment="Every file of the landing area a year's run saw, by SHA-256.",
    )
    op.create_index(op.f("ix_input_files_report_year"), "input_files", ["report_year"], unique=False)
    op.create_table(
        "kostnader",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("bilagsnummer", sa.Text(), nullable=False),
        sa.Column("bilagsdato", sa.Date(), nullable=False),
        sa.Column("kategori", sa.String(length=24), nullable=False),
        sa.Column("finansieringskilde", sa.String(length=24), nullable=False),
        sa.Column("belop_ore", sa.BigInteger(), nullable=False),
        sa.Column("alis_id", sa.String(length=8), nullable=True),
        sa.Column("beskrivelse", sa.Text(), nullable=True),
        comment="Accepted vouchers; belop in whole øre.",
    )
    op.create_index(op.f("ix_kostnader_report_year"), "kostnader", ["report_year"], unique=False)
    op.create_table(
        "quarantined_rows",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=24), nullable=False),
        sa.Column("raw_values", JsonText(), nullable=False),
        comment="Rows kept out of the figures, with the values as the file had them.",
    )
    op.create_index(
        op.f("ix_quarantined_rows_report_year"), "quarantined_rows", ["report_year"], unique=False
    )
    op.create_table(
        "statsforvalter_grant_use",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("granted_ore", sa.BigInteger(), nullable=False),
        sa.Column("costs_ore", sa.BigInteger(), nullable=False),
        comment="The Statsforvalter grant for the year against costs charged to it.",
    )
    op.create_index(
        op.f("ix_statsforvalter_grant_use_report_year"),
        "statsforvalter_grant_use",
        ["report_year"],
        unique=False,
    )
    op.create_table(
        "table_deliveries",
        sa.Column("report_year", sa.Integer(), nullable=False),
        sa.Column("kommunenummer", sa.String(length=4), nullable=False),
        sa.Column("table_name", sa.String(length=24), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("rows_received", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Boolean(), nullable=False),
        comment="One row per table a municipality delivered: what came in and what became of it.",
    )
    op.create_index(
        op.f("ix_table_deliveries_report_year"), "table_deliveries", ["report_year"], unique=False
    )


def downgrade() -> None:
    op.drop_table("table_deliveries")
    op.drop_table("statsforvalter_grant_use")
    op.drop_table("quarantined_rows")
    op.drop_table("kostnader")
    op.drop_table("input_files")
    op.drop_table("grant_use")
    op.drop_table("grant_forecast")
    op.drop_table("findings")
    op.drop_table("fastlegedekning")
    op.drop_table("costs_by_source")
    op.drop_table("budget_plan_vs_actual")
    op.drop_table("alis_grant_entitlement")
    op.drop_table("alis")
