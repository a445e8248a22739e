"""Alembic environment: run against the already-unlocked connection handed in by db.migrate."""
from alembic import context

from db.tables import FTS_TABLES, metadata


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001 - Alembic hook
    # FTS5 virtual tables and their shadow tables are managed by hand in migrations.
    if type_ == "table" and any(name == f or name.startswith(f + "_") for f in FTS_TABLES):
        return False
    return True


connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  include_object=include_object)
with context.begin_transaction():
    context.run_migrations()
