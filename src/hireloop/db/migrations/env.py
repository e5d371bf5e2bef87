"""Alembic's environment: migrations run on the connection ``hireloop.db.engine`` passes in."""

from alembic import context

from hireloop.db.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - hireloop always passes one
    raise RuntimeError("run migrations through `hireloop db upgrade` (hireloop.db.migrate)")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
