"""Alembic environment: vahti runs migrations programmatically (``storage.migrate``)."""

from __future__ import annotations

from alembic import context

from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - vahti always passes its connection
    raise RuntimeError("run migrations through `vahti db upgrade` (storage.migrate.upgrade)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
