"""The code location: cheap to load, the graph as designed, the schedule on the right day."""

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, BackfillPolicy, EnvVar

from alis_nord.mail import SmtpSettings
from alis_nord.settings import Settings
from glue.lineage import written_by
from glue.partitions import report_years, report_years_for
from glue.resources import PROJECT_ROOT, resources_for
from pipelines.definitions import defs

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


def test_a_stage_module_imported_alone_loads_the_writers_it_reads_from():
    code = "import json, assets.report, glue.lineage; print(json.dumps(glue.lineage.written_by()))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    )
    assert json.loads(out.stdout) == written_by()


def test_the_asset_graph():
    graph = defs.resolve_asset_graph()
    deps = {
        key.to_user_string(): sorted(p.to_user_string() for p in graph.get(key).parent_keys)
        for key in graph.get_all_asset_keys()
    }
    # every asset's dependencies are exactly the writers of the tables it reads when it runs
    # (tests/test_lineage.py); the key edges by hand, lest a wrong derivation pass unseen
    assert deps["landing_files"] == deps["reference_data"] == []
    assert deps["validated_submissions"] == ["landing_files", "reference_data"]
    assert deps["grant_use"] == ["alis_grant_entitlement", "costs_by_source", "grant_use", "reference_data"]
    year_before = graph.get_partition_mapping(AssetKey("grant_use"), AssetKey("grant_use"))
    assert (year_before.start_offset, year_before.end_offset) == (-1, -1)  # itself, the year before
    assert "delivery_status" in deps["status_report"]  # table 5.1: each participant's status
    assert "alis_grant_entitlement" in deps["status_report"]  # the auditor's file: every ALIS grant
    assert "budget_plan_vs_actual" not in deps["report_summary"]
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


def test_settings_default_to_a_working_fresh_clone_and_follow_the_environment(tmp_path, monkeypatch):
    defaults = resources_for(Settings.given())
    assert Path(defaults["landing"].path) == PROJECT_ROOT / "sample_landing"
    assert Path(defaults["output"].path) == PROJECT_ROOT / "output"
    assert defaults["warehouse"].database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'warehouse.sqlite'}"
    assert defaults["mail_queue"].database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'mail.sqlite'}"
    chosen = resources_for(Settings.given(database_url="postgresql+psycopg://x@h/db", landing_dir=tmp_path))
    assert chosen["warehouse"].database_url == "postgresql+psycopg://x@h/db"
    assert chosen["mail_queue"].database_url == "postgresql+psycopg://x@h/db"  # the ledger stays with it
    assert chosen["landing"].path == str(tmp_path)
    assert defaults["mail_server"].settings() is None  # no SMTP host: no e-mail
    assert resources_for(Settings.given(smtp_host="smtp.x", smtp_port=2525))[
        "mail_server"
    ].settings() == SmtpSettings("smtp.x", 2525, "alis-nord@localhost")
    # from the environment, an empty variable as if unset; given values never come from it
    monkeypatch.setenv("ALIS_LANDING_DIR", str(tmp_path))
    monkeypatch.setenv("ALIS_LANDING_SENSOR_INTERVAL", "60")
    monkeypatch.setenv("ALIS_MAIL_DATABASE_URL", "sqlite:///mail")
    monkeypatch.setenv("ALIS_OUTPUT_DIR", "")
    read = Settings()
    assert (read.landing_dir, read.landing_sensor_interval) == (tmp_path, 60)
    assert read.output_dir == PROJECT_ROOT / "output"
    assert read.mail_queue_url.get_secret_value() == "sqlite:///mail"
    assert Settings.given().landing_dir == PROJECT_ROOT / "sample_landing"
    assert Settings(landing_dir="/srv").landing_dir == Path("/srv")


def test_settings_from_the_process_environment_are_passed_as_env_vars(monkeypatch):
    """So the UI shows the variable's name, never its value (the URL holds a password)."""
    for name in ("ALIS_SMTP_HOST", "ALIS_MAIL_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIS_DATABASE_URL", "postgresql+psycopg://alis:hemmelig@h/db")
    monkeypatch.setenv("ALIS_SMTP_PORT", "2525")
    monkeypatch.setenv("ALIS_SMTP_PASSWORD", "hemmelig")
    settings = Settings()
    assert "hemmelig" not in repr(settings)
    resources = resources_for(settings)
    assert isinstance(resources["warehouse"].database_url, EnvVar)
    assert resources["warehouse"].database_url == "ALIS_DATABASE_URL"  # an EnvVar is its variable's name
    assert resources["mail_queue"].database_url == "ALIS_DATABASE_URL"  # the ledger stays where it was
    assert resources["mail_server"].password == "ALIS_SMTP_PASSWORD"
    port = resources["mail_server"].port
    assert type(port) is type(EnvVar.int("X")) and port.name == "ALIS_SMTP_PORT"
    assert resources["mail_server"].host is None  # not set: the default, not an EnvVar
    monkeypatch.setenv("ALIS_MAIL_DATABASE_URL", "postgresql+psycopg://alis:hemmelig@h/mail")
    assert resources_for(Settings())["mail_queue"].database_url == "ALIS_MAIL_DATABASE_URL"


def test_every_setting_is_documented_with_its_variable():
    table = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8").split("## Settings", 1)[1]
    documented = set(re.findall(r"`(ALIS_[A-Z_]+)`", table.split("\n## ", 1)[0]))
    assert documented == {Settings.variable(field) for field in Settings.model_fields}
