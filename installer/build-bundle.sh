#!/usr/bin/env bash
# Build the frozen one-folder program with PyInstaller: dist/outpost/outpost (+ its libraries).
# Usage: installer/build-bundle.sh   (from anywhere; uses the project's .venv, or $PYTHON)
# Installs the optional-dependency group "build" (pyinstaller) into the venv first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$ROOT/.venv/Scripts/python.exe"   # Windows (Git Bash)
OUT="${OUTPOST_DIST:-$ROOT/dist}"
WORK="${OUTPOST_BUILD_WORK:-$ROOT/build/pyinstaller}"

cd "$ROOT"
if ! "$PYTHON" -c "import PyInstaller" 2>/dev/null; then
  "$PYTHON" -m pip install --quiet -e ".[build]"
fi
started=$(date +%s)
# The ICD-10-CM code cache (app/terminology.py), shipped so no client parses the package's XML.
rm -rf "$WORK/icd-cache"
OUTPOST_CACHE_DIR="$WORK/icd-cache" "$PYTHON" -c "from app import terminology; terminology.warm_up()"
export OUTPOST_ICD_CACHE="$WORK/icd-cache/terminology"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$OUT" --workpath "$WORK" installer/pyinstaller/outpost.spec
echo "bundle: $OUT/outpost ($(du -sh "$OUT/outpost" | cut -f1)) built in $(( $(date +%s) - started )) s"
