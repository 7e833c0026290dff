"""Shared fixtures. The warehouse fixture runs each test on SQLite and on PostgreSQL.

PostgreSQL is at ``ALIS_TEST_POSTGRES_URL`` (default: the local server every development
machine and CI has, 127.0.0.1:5432, trust auth, database ``test``). When it is not
reachable the PostgreSQL tests fail: they are never skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.small_landing import write_small_landing

POSTGRES_URL = os.environ.get("ALIS_TEST_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _fresh_database(url: str) -> str:
    from alis_nord.warehouse import engine_for, metadata

    engine = engine_for(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """An empty warehouse: a SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        return _fresh_database(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    return _fresh_database(POSTGRES_URL)


@pytest.fixture
def postgres_url() -> str:
    """The PostgreSQL test database, emptied of the warehouse's tables."""
    return _fresh_database(POSTGRES_URL)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return _fresh_database(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")


@pytest.fixture
def small_landing(tmp_path: Path) -> Path:
    return write_small_landing(tmp_path / "landing")
