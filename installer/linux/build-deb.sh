#!/usr/bin/env bash
# Build the Linux package: the frozen bundle (PyInstaller) and dist/outpost_<version>_<arch>.deb.
#
#   installer/linux/build-deb.sh                 build the bundle, then the .deb
#   OUTPOST_REUSE_BUNDLE=1 installer/linux/build-deb.sh   package an existing dist/outpost/
#   OUTPOST_DEB_VERSION=0.1.1 ...                package under another version (upgrade tests)
#   OUTPOST_DEB_COMPRESSION=xz ...               smaller, much slower to build (default gzip)
#
# The package installs the program to /opt/outpost, a launcher /usr/bin/outpost, a desktop
# entry and icons; its postinst writes /etc/outpost/config.toml from OUTPOST_* environment
# variables (silent fleet installs, no debconf questions). See README "Installing for IT".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="${OUTPOST_DIST:-$ROOT/dist}"
VERSION="${OUTPOST_DEB_VERSION:-$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/app/__init__.py")}"
ARCH="$(dpkg --print-architecture)"
COMPRESSION="${OUTPOST_DEB_COMPRESSION:-gzip}"
started=$(date +%s)

if [ "${OUTPOST_REUSE_BUNDLE:-}" != 1 ] || [ ! -x "$DIST/outpost/outpost" ]; then
  "$ROOT/installer/build-bundle.sh"
fi
"$DIST/outpost/outpost" --version >/dev/null   # the bundle must at least start

STAGE="$ROOT/build/deb/outpost_${VERSION}_${ARCH}"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/scalable/apps" \
         "$STAGE/usr/share/doc/outpost"
cp -a "$DIST/outpost" "$STAGE/opt/outpost"
find "$STAGE/opt/outpost" -type d -exec chmod 0755 {} +
find "$STAGE/opt/outpost" -type f -exec chmod go-w {} +

cat > "$STAGE/usr/bin/outpost" <<'LAUNCHER'
#!/bin/sh
# Outpost EHR launcher (the program lives in /opt/outpost).
exec /opt/outpost/outpost "$@"
LAUNCHER
chmod 0755 "$STAGE/usr/bin/outpost"

cat > "$STAGE/usr/share/applications/outpost.desktop" <<'DESKTOP'
[Desktop Entry]
Type=Application
Name=Outpost EHR
GenericName=Electronic health record
Comment=Offline-first electronic health record for clinics
Exec=/usr/bin/outpost
Icon=outpost
Terminal=false
Categories=Office;MedicalSoftware;
StartupWMClass=outpost
DESKTOP
install -m 0644 "$ROOT/resources/icons/outpost.png" "$STAGE/usr/share/icons/hicolor/256x256/apps/outpost.png"
install -m 0644 "$ROOT/resources/icons/outpost.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/outpost.svg"
install -m 0644 "$ROOT/installer/config.example.toml" "$STAGE/usr/share/doc/outpost/config.example.toml"
cat > "$STAGE/usr/share/doc/outpost/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Outpost EHR
Files: *
License: Apache-2.0
 The bundled Python, Qt (LGPLv3, PySide6), SQLCipher and other libraries keep their own licences.
COPYRIGHT

SIZE_KB=$(du -sk "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: outpost
Version: ${VERSION}
Architecture: ${ARCH}
Maintainer: Outpost EHR maintainers <outpost@example.org>
Installed-Size: ${SIZE_KB}
Section: misc
Priority: optional
Depends: libc6 (>= 2.36), libgl1, libegl1, libfontconfig1, libfreetype6, libglib2.0-0, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libx11-6, libx11-xcb1, libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-shm0, libxcb-sync1, libxcb-xfixes0, libxcb-xinerama0, libxcb-xkb1, libxrender1, libsm6, libice6, libwayland-client0, libwayland-cursor0, libwayland-egl1, fonts-dejavu-core, ca-certificates
Recommends: gnome-keyring | kwalletmanager
Description: Outpost EHR - offline-first electronic health record for clinics
 A desktop electronic health record that keeps the clinic's data in an encrypted
 store on the workstation and syncs it with a central FHIR server when online.
 Bundles its own Python, Qt and SQLCipher.
CONTROL
install -m 0755 "$ROOT/installer/linux/postinst" "$STAGE/DEBIAN/postinst"
install -m 0755 "$ROOT/installer/linux/postrm" "$STAGE/DEBIAN/postrm"

mkdir -p "$DIST"
DEB="$DIST/outpost_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"$COMPRESSION" --build "$STAGE" "$DEB" >/dev/null
rm -rf "$STAGE"
echo "deb: $DEB ($(du -h "$DEB" | cut -f1); bundle $(du -sh "$DIST/outpost" | cut -f1)) in $(( $(date +%s) - started )) s"
