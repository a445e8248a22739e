#!/usr/bin/env bash
# macOS: build "Outpost EHR.app" (PyInstaller BUNDLE, see installer/pyinstaller/outpost.spec) and
# dist/outpost-<version>.dmg with an Applications link.  UNTESTED on this platform: it runs only
# on a macOS runner (.github/workflows/installers.yml). Needs Xcode's command-line tools
# (sips, iconutil, hdiutil). Signing/notarisation: set OUTPOST_CODESIGN_ID to a
# "Developer ID Application" identity to sign the app (notarise with notarytool afterwards).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/app/__init__.py")"
cd "$ROOT"

# The icon: an .icns made from the PNG.
ICONSET="$ROOT/build/macos/outpost.iconset"
rm -rf "$ICONSET"; mkdir -p "$ICONSET"
for size in 16 32 128 256; do
  sips -z "$size" "$size" resources/icons/outpost.png --out "$ICONSET/icon_${size}x${size}.png" >/dev/null
  double=$((size * 2))
  sips -z "$double" "$double" resources/icons/outpost.png --out "$ICONSET/icon_${size}x${size}@2x.png" >/dev/null
done
iconutil -c icns "$ICONSET" -o "$ROOT/build/macos/outpost.icns"

"$ROOT/installer/build-bundle.sh"
APP="$ROOT/dist/Outpost EHR.app"
[ -d "$APP" ] || { echo "build-dmg: PyInstaller did not make $APP" >&2; exit 1; }
"$APP/Contents/MacOS/outpost" --version
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/outpost" self-check

if [ -n "${OUTPOST_CODESIGN_ID:-}" ]; then
  codesign --deep --force --options runtime --timestamp --sign "$OUTPOST_CODESIGN_ID" "$APP"
fi

STAGE="$ROOT/build/macos/dmg"
rm -rf "$STAGE"; mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
cp installer/config.example.toml installer/macos/write-config.sh "$STAGE/"
DMG="$ROOT/dist/outpost-$VERSION.dmg"
rm -f "$DMG"
hdiutil create -volname "Outpost EHR $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
echo "dmg: $DMG ($(du -h "$DMG" | cut -f1))"
