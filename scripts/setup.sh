#!/usr/bin/env bash
# Shared set-up for the two README commands: system packages Qt needs, a virtualenv,
# and the project installed into it. Idempotent: does nothing that is already done.
# Usage: source scripts/setup.sh [test]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

# Qt (offscreen and xcb), fonts so Qt and the PDFs draw real glyphs, poppler for PDF checks.
SYSTEM_PACKAGES=(libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
                 libglib2.0-0 libxcb-cursor0 fonts-dejavu-core fonts-droid-fallback poppler-utils python3-venv
                 debootstrap)  # debootstrap: the .deb install test's clean Debian root

_missing_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  echo "${missing[@]:-}"
}

install_system_packages() {
  command -v dpkg >/dev/null 2>&1 || { echo "setup: not a Debian/Ubuntu system; install Qt's libraries yourself" >&2; return 0; }
  local missing; missing="$(_missing_packages)"
  [ -z "$missing" ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: please install: $missing (needs root)" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing system packages: $missing"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

install_python_env() {
  local extras="${1:-}"
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  local spec="." stamp
  [ -n "$extras" ] && spec=".[$extras]"
  stamp="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-$extras"
  if [ "$(cat "$VENV/.outpost-installed" 2>/dev/null)" != "$stamp" ]; then
    echo "setup: installing Outpost and its dependencies into .venv"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    (cd "$ROOT" && "$VENV/bin/python" -m pip install -q -e "$spec")
    echo "$stamp" > "$VENV/.outpost-installed"
  fi
}

install_system_packages
install_python_env "${1:-}"
