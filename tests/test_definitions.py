"""The code location: cheap to load, the graph as designed, the schedule on the right day."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, BackfillPolicy, EnvVar

from alis_nord.mail import SmtpSettings
from pipelines.definitions import defs
from glue.partitions import report_years, report_years_for
from glue.resources import PROJECT_ROOT, resources_from_environment

HEAVY = [
    "pandas",
    "sqlalchemy",
    "openpyxl",
    "weasyprint",
    "great_expectations",
    "jinja2",
    "babel",
    "numpy",
    "matplotlib",
    "scipy",
    "markdown_it",
]


def test_loading_the_code_location_imports_no_heavy_library():
    code = f"import sys, pipelines.definitions; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert out.stdout.strip() == "[]"


def test_the_asset_graph():
    graph = defs.resolve_asset_graph()
    deps = {
        key.to_user_string(): sorted(p.to_user_string() for p in graph.get(key).parent_keys)
        for key in graph.get_all_asset_keys()
    }
    # every asset a stage reads stored rows of (tests/test_lineage.py checks the reads themselves)
    assert deps == {
        "landing_files": [],
        "reference_data": [],
        "validated_submissions": ["landing_files", "reference_data"],
        "alis_grant_entitlement": ["reference_data", "validated_submissions"],
        "costs_by_source": ["validated_submissions"],
        "grant_use": [
            "alis_grant_entitlement",
            "costs_by_source",
            "grant_use",
            "reference_data",
        ],  # the year before
        "grant_forecast": ["grant_use", "reference_data"],
        "budget_plan_vs_actual": ["alis_grant_entitlement", "costs_by_source", "reference_data"],
        "statsforvalter_grant_use": ["costs_by_source", "reference_data"],
        "grant_payments": ["reference_data"],
        "unused_funds": ["grant_payments", "grant_use", "reference_data", "statsforvalter_grant_use"],
        "budget_workbook": [
            "alis_grant_entitlement",
            "budget_plan_vs_actual",
            "costs_by_source",
            "grant_forecast",
            "grant_payments",
            "grant_use",
            "reference_data",
            "statsforvalter_grant_use",
            "unused_funds",
            "validated_submissions",
        ],
        "report_summary": [
            "alis_grant_entitlement",
            "costs_by_source",
            "grant_payments",
            "grant_use",
            "reference_data",
            "unused_funds",
            "validated_submissions",
        ],
        "status_report": [
            "alis_grant_entitlement",  # the auditor's file: the ALIS grant per ALIS, every year
            "budget_plan_vs_actual",
            "costs_by_source",
            "delivery_status",  # table 5.1: each participant's status
            "grant_forecast",
            "grant_payments",
            "grant_use",
            "landing_files",
            "reference_data",
            "report_summary",
            "statsforvalter_grant_use",
            "unused_funds",
            "validated_submissions",
        ],
        "delivery_status": ["landing_files", "reference_data", "validated_submissions"],
        "municipality_feedback": [
            "delivery_status",
            "landing_files",
            "reference_data",
            "validated_submissions",
        ],
        "submission_template": ["reference_data"],
    }
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    budget = [
        "alis_grant_entitlement",
        "costs_by_source",
        "grant_use",
        "grant_forecast",
        "budget_plan_vs_actual",
        "statsforvalter_grant_use",
        "grant_payments",
        "unused_funds",
        "budget_workbook",
    ]
    assert {groups[name] for name in budget} == {"budget"}
    assert groups["reference_data"] == groups["landing_files"] == "ingest"
    assert groups["status_report"] == groups["report_summary"] == "report"
    assert groups["municipality_feedback"] == groups["submission_template"] == "to_municipalities"
    assert groups["delivery_status"] == "to_municipalities"
    # the statutory report waits for an unacknowledged overspend; nothing else blocks it but reconciliation
    blocking = {key.name for key in graph.asset_check_keys if graph.get_check_spec(key).blocking}
    assert blocking == {
        "rows_received_equal_accepted_plus_quarantined",
        "overspend_acknowledged_before_report",
    }
    assert graph.get(AssetKey("grant_use")).partitions_def == report_years


def test_a_backfill_is_one_run_and_every_check_is_per_year():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).backfill_policy == BackfillPolicy.single_run(), key
    for key in graph.asset_check_keys:
        assert graph.get_check_spec(key).partitions_def == report_years, key


def test_the_report_years_offered_are_the_years_with_a_landing_folder(tmp_path):
    # the bundled sample has 2019/ … 2023/: 2024 and 2025 have no folder, so no report
    keys = report_years.get_partition_keys(current_time=dt.datetime(2026, 11, 22))
    assert keys == ["2019", "2020", "2021", "2022", "2023"]
    # a landing area with 2019/, 2021/ and 2026/ (and a file and a folder that is no year):
    # every year from 2019 to 2026 but the one still in progress on 22 November 2026
    for name in ("2019", "2021", "2026", "referanse", "20x1"):
        (tmp_path / name).mkdir()
    (tmp_path / "2027").write_text("not a folder")
    keys = report_years_for(tmp_path).get_partition_keys(current_time=dt.datetime(2026, 11, 22))
    assert keys == ["2019", "2020", "2021", "2022", "2023", "2024", "2025"]
    # an empty landing area offers the grant period's first year
    assert report_years_for(tmp_path / "none").get_partition_keys() == ["2019"]


def test_settings_default_to_a_working_fresh_clone_and_follow_the_environment(tmp_path):
    defaults = resources_from_environment({})
    assert Path(defaults["landing"].path) == PROJECT_ROOT / "sample_landing"
    assert Path(defaults["output"].path) == PROJECT_ROOT / "output"
    assert defaults["warehouse"].database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'warehouse.sqlite'}"
    chosen = resources_from_environment(
        {"ALIS_DATABASE_URL": "postgresql+psycopg://x@h/db", "ALIS_LANDING_DIR": str(tmp_path)}
    )
    assert chosen["warehouse"].database_url == "postgresql+psycopg://x@h/db"
    assert chosen["landing"].path == str(tmp_path)
    assert defaults["mail_server"].settings() is None  # no SMTP host: no e-mail
    assert resources_from_environment({"ALIS_SMTP_HOST": "smtp.x", "ALIS_SMTP_PORT": "2525"})[
        "mail_server"
    ].settings() == SmtpSettings("smtp.x", 2525, "alis-nord@localhost")


def test_settings_from_the_process_environment_are_passed_as_env_vars(monkeypatch):
    """So the UI shows the variable's name, never its value (the URL holds a password)."""
    monkeypatch.setenv("ALIS_DATABASE_URL", "postgresql+psycopg://alis:hemmelig@h/db")
    monkeypatch.setenv("ALIS_SMTP_PORT", "2525")
    monkeypatch.delenv("ALIS_SMTP_HOST", raising=False)
    resources = resources_from_environment()
    assert isinstance(resources["warehouse"].database_url, EnvVar)
    assert resources["warehouse"].database_url == "ALIS_DATABASE_URL"  # an EnvVar is its variable's name
    port = resources["mail_server"].port
    assert type(port) is type(EnvVar.int("X")) and port.name == "ALIS_SMTP_PORT"
    assert resources["mail_server"].host is None  # not set: the default, not an EnvVar
