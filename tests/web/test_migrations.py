"""The Alembic migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL, and running them again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hireloop.db import open_database
from hireloop.db.models import Base
from tests.web.conftest import _drop_postgres, _fresh_postgres, postgres_url


def _diff(url: str) -> list[object]:
    db = open_database(url)
    open_database(url)  # a second upgrade is a no-op
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    assert _diff(f"sqlite:///{tmp_path / 'm.db'}") == []


def test_migrations_match_the_models_on_postgresql() -> None:
    if postgres_url() is None:
        pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
    url = _fresh_postgres(postgres_url())
    try:
        assert _diff(url) == []
    finally:
        _drop_postgres(url)
