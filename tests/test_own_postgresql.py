"""The tests bring their own PostgreSQL when ALIS_TEST_POSTGRES_URL is unset, stop it at the end,
and refuse to empty a database that is not marked as a test database."""

import os
import subprocess
import sys

import psutil
import pytest

from glue.resources import PROJECT_ROOT
from tests.conftest import refuse_unless_test_database

PROBE = """
import sqlalchemy as sa


def test_probe(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        listen = conn.scalar(sa.text("show listen_addresses"))
        print("PROBE", postgres_url, "LISTEN", repr(listen), "DB", conn.scalar(sa.text("select current_database()")))
    engine.dispose()
"""


def test_without_a_url_the_tests_start_their_own_server_and_stop_it(tmp_path):
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    base = tmp_path / "base"
    env = {k: v for k, v in os.environ.items() if k != "ALIS_TEST_POSTGRES_URL"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "tests.conftest",
            "-p",
            "no:cacheprovider",
            f"--basetemp={base}",
            str(tmp_path / "test_probe.py"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("PROBE")]
    # its own database, over a Unix socket in the session's temporary folder: no TCP port at all,
    # so neither 127.0.0.1:5432 nor any other running server is touched
    assert "LISTEN ''" in line and "DB alis_test" in line and f"host={base}" in line
    leftover = [
        p.info["cmdline"]
        for p in psutil.process_iter(attrs=["name", "cmdline"])
        if p.info["name"] == "postgres" and str(base) in " ".join(p.info["cmdline"] or [])
    ]
    assert leftover == []  # stopped when the session ended


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:5432/alis", True),
        ("postgresql+psycopg://postgres@db.example:5432/production", True),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/test", False),
        ("postgresql+psycopg://postgres@/alis_test?host=/tmp/x", False),
    ],
)
def test_the_destructive_fixture_refuses_a_database_not_named_for_tests(url, refused):
    if refused:
        with pytest.raises(
            RuntimeError, match="Refusing to empty the database .* whose name contains 'test'"
        ):
            refuse_unless_test_database(url)
    else:
        refuse_unless_test_database(url)  # no error: it may be emptied
