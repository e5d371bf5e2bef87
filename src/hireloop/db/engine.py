"""Connecting to the database: SQLite (WAL) in the data dir by default, PostgreSQL by URL.

``open_database`` migrates to the newest schema with Alembic before anything else touches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def default_url(data_dir: Path) -> str:
    """The embedded database: ``hireloop.db`` in the data dir."""
    return f"sqlite:///{(data_dir / 'hireloop.db').resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    del connection_record
    # We issue BEGIN ourselves (see _sqlite_begin), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # synchronous=FULL: an autosave acknowledged to the browser survives a power cut too.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Writers take SQLite's write lock when their transaction starts (BEGIN IMMEDIATE), so they
    queue on the busy timeout instead of failing: a transaction that reads and then writes
    cannot take the lock once another writer has committed since its read began."""
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the settings each backend needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False))
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest Alembic revision (a no-op when it is there)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass
class Database:
    """An engine and its session factories: ``sessions`` for reading (and rare writes),
    ``write_sessions`` for transactions that write (on SQLite they take the write lock at
    BEGIN; elsewhere they are the same)."""

    engine: Engine
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        factory = self.write_sessions if write else self.sessions
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"


def open_database(url: str, *, upgrade: bool = True) -> Database:
    """Connect (and migrate, unless ``upgrade`` is false)."""
    engine = make_engine(url)
    if upgrade:
        migrate(engine)
    writer = engine.execution_options(sqlite_immediate=True)
    return Database(engine, sessionmaker(engine, expire_on_commit=False),
                    sessionmaker(writer, expire_on_commit=False))
