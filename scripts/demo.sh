#!/usr/bin/env bash
# Set up everything and launch the desktop client on an encrypted demo clinic in ./demo-data.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
DATA="${OUTPOST_DATA_DIR:-$ROOT/demo-data}"
if [ ! -f "$DATA/keyslots.json" ]; then
  "$VENV/bin/outpost" demo --data-dir "$DATA" --patients "${DEMO_PATIENTS:-200}" --seed 1
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "demo: no display found. Run this from a desktop session (or set QT_QPA_PLATFORM=offscreen" >&2
  echo "      to start the client without a screen). The demo clinic is ready in $DATA." >&2
  exit 1
fi
exec "$VENV/bin/outpost" --data-dir "$DATA"
