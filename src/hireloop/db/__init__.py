"""Storage of the web platform: SQLAlchemy models and Alembic migrations."""

from hireloop.db.engine import Database, default_url, make_engine, migrate, open_database

__all__ = ["Database", "default_url", "make_engine", "migrate", "open_database"]
