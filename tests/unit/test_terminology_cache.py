"""The ICD-10-CM code cache: read by later processes instead of the package's XML, and
rebuilt when it is missing, damaged or cannot be written."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from app import terminology as t
t.warm_up()
print(json.dumps({"package_loaded": "simple_icd_10_cm" in sys.modules,
                  "search": [c.code for c in t.search("icd10cm", "type 2 diabetes", 5)],
                  "billable": [t.is_billable("E11"), t.is_billable("E11.9"), t.is_billable("S72.001A")],
                  "lookup": t.lookup("icd10cm", "e119").display,
                  "cache": str(t.icd_cache_path())}))
"""


def _probe(cache_dir: Path, **more_env: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OUTPOST_CACHE_DIR=str(cache_dir), **more_env)
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_the_first_process_writes_the_cache_and_the_next_reads_it_without_the_package(tmp_path):
    first = _probe(tmp_path)
    cache = Path(first["cache"])
    assert first["package_loaded"] and cache.is_file() and cache.parent.parent == tmp_path

    second = _probe(tmp_path)

    assert not second["package_loaded"]
    assert second["search"] == first["search"] and second["search"][0] == "E11"
    assert second["billable"] == first["billable"] == [False, True, True]
    assert second["lookup"] == "Type 2 diabetes mellitus without complications"


def test_a_damaged_cache_is_rebuilt_from_the_package(tmp_path):
    cache = Path(_probe(tmp_path)["cache"])
    good = cache.read_text(encoding="utf-8")
    for damage in (good[: len(good) // 2],  # a write cut short
                   good.replace("\t1\n", "\tyes\n", 1),  # a garbled line
                   "something else\n"):
        cache.write_text(damage, encoding="utf-8")
        again = _probe(tmp_path)
        assert again["package_loaded"] and again["search"][0] == "E11"
        assert cache.read_text(encoding="utf-8") == good


def test_a_cache_that_cannot_be_written_only_means_reading_the_package_again(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")

    for _ in range(2):
        result = _probe(blocker)
        assert result["package_loaded"] and result["search"][0] == "E11"
    assert blocker.read_text() == "a file where the cache folder would go"


def test_a_cache_shipped_with_the_terminology_files_is_read_first(tmp_path):
    cache = Path(_probe(tmp_path / "built")["cache"])
    shipped = tmp_path / "resources" / "terminology"
    shutil.copytree(ROOT / "resources" / "terminology", shipped)
    shutil.copy(cache, shipped / cache.name)

    result = _probe(tmp_path / "user-cache", OUTPOST_RESOURCES=str(tmp_path / "resources"))

    assert not result["package_loaded"] and result["search"][0] == "E11"
    assert not (tmp_path / "user-cache").exists()  # nothing to write: the shipped file served
