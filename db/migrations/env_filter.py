"""Which database objects Alembic compares (shared by env.py and the schema test)."""
from db.tables import FTS_TABLES


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001 - Alembic hook
    # FTS5 virtual tables and their shadow tables are managed by hand in migrations.
    if type_ == "table" and any(name == f or name.startswith(f + "_") for f in FTS_TABLES):
        return False
    return True
