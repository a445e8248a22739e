"""Imports flow one way: app/ never imports Qt, SQLAlchemy, httpx or the SQLCipher driver."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_APP = ("PySide6", "shiboken6", "sqlalchemy", "httpx", "sqlcipher3", "alembic",
                    "db", "ui", "sync")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_app_imports_no_framework_and_no_outer_layer():
    offenders = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        bad = _imports(path) & set(FORBIDDEN_IN_APP)
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_the_scan_would_catch_a_forbidden_import(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from PySide6.QtWidgets import QWidget\n    import sqlalchemy as sa\n")
    assert {"PySide6", "sqlalchemy"} <= _imports(sample)


def test_db_and_sync_never_import_qt():
    for folder in ("db", "sync"):
        for path in (ROOT / folder).rglob("*.py"):
            assert "PySide6" not in _imports(path), path
