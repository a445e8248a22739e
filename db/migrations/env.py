"""Alembic environment: run against the already-unlocked connection handed in by db.migrate."""
from alembic import context

from db.migrations.env_filter import include_object
from db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  include_object=include_object)
with context.begin_transaction():
    context.run_migrations()
