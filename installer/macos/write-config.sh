#!/bin/sh
# macOS: write the managed configuration /Library/Application Support/Outpost/config.toml
# from the same OUTPOST_* variables as the Linux package (a .dmg has no installer scripts;
# run this from your MDM or as root after copying the app):
#   sudo env OUTPOST_SERVER_URL=https://fhir.example.org/fhir OUTPOST_CLINIC=Riverside \
#        OUTPOST_MFA=required OUTPOST_LOCKED=server_url,mfa ./write-config.sh
# UNTESTED on macOS here. The data folder defaults to /Library/Application Support/Outpost/data.
set -e
APP="${OUTPOST_APP:-/Applications/Outpost EHR.app/Contents/MacOS/outpost}"
DIR="/Library/Application Support/Outpost"
CONFIG="$DIR/config.toml"
DATA_DIR="${OUTPOST_DATA_DIR:-$DIR/data}"
q() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }
mkdir -p "$DIR" "$DATA_DIR"
tmp="$CONFIG.new"
{
  echo "# Written by write-config.sh; see config.example.toml on the disk image."
  [ -n "${OUTPOST_SERVER_URL:-}" ] && echo "server_url = $(q "$OUTPOST_SERVER_URL")"
  [ -n "${OUTPOST_CLINIC:-}" ] && echo "clinic = $(q "$OUTPOST_CLINIC")"
  [ -n "${OUTPOST_LOCATION:-}" ] && echo "location = $(q "$OUTPOST_LOCATION")"
  echo "data_dir = $(q "$DATA_DIR")"
  [ -n "${OUTPOST_IDLE_LOCK_MINUTES:-}" ] && echo "idle_lock_minutes = $OUTPOST_IDLE_LOCK_MINUTES"
  [ -n "${OUTPOST_MFA:-}" ] && echo "mfa = $(q "$OUTPOST_MFA")"
  [ -n "${OUTPOST_UPDATE_CHANNEL:-}" ] && echo "update_channel = $(q "$OUTPOST_UPDATE_CHANNEL")"
  if [ -n "${OUTPOST_LOCKED:-}" ]; then
    printf 'locked = [%s]\n' "$(printf '%s' "$OUTPOST_LOCKED" | tr ',' '\n' | sed -e 's/^ *//' -e 's/ *$//' \
      -e '/^$/d' -e 's/.*/"&"/' | paste -sd, - | sed 's/,/, /g')"
  fi
  true
} > "$tmp"
if ! "$APP" config show --file "$tmp" >/dev/null; then
  rm -f "$tmp"; echo "write-config: the OUTPOST_* values are not valid; $CONFIG was not changed" >&2; exit 1
fi
chmod 0644 "$tmp"; mv "$tmp" "$CONFIG"
chmod 0775 "$DATA_DIR"; chgrp staff "$DATA_DIR"
echo "write-config: wrote $CONFIG"
