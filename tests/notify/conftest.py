"""Fixtures of the notification tests: a migrated SQLite database, settings that let
webhooks reach the local receiver, and the receiver itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hireloop.config import Settings
from hireloop.db import Database, open_database
from tests.notify.receiver import Receiver
from tests.web.conftest import make_site  # noqa: F401 - the web tests' site, reused


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'hireloop.db'}",
                    webhook_allow_hosts=["127.0.0.1"], webhook_timeout_s=5,
                    grading_threads=0)


@pytest.fixture
def db(settings: Settings) -> Database:
    return open_database(settings.db_url())


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()
