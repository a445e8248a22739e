"""The Linux package, for real: build the .deb, install it into a clean Debian root made here
(debootstrap --variant=minbase, then chroot dpkg -i + apt-get -f install), and run the
installed program: --version, the offscreen self-check, a silent install's managed
configuration, an upgrade that keeps the data, remove, purge keeping the data and purge
with OUTPOST_PURGE_DATA=yes.

Slow (several minutes on 2 cores the first time) but runs in CI. Reuse within one run:
``OUTPOST_DEB`` names an already built .deb; an up-to-date ``dist/outpost`` bundle is
repackaged rather than rebuilt; the finished Debian root and the downloaded packages are
cached under ``OUTPOST_DEB_CACHE`` (default ``build/deb-test-cache``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from app import __version__, config

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("OUTPOST_DEB_CACHE") or ROOT / "build" / "deb-test-cache")
MIRROR = os.environ.get("OUTPOST_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SUITE = "bookworm"
CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/etc/debian_version").exists(),
                       reason="builds and installs a .deb: needs a Debian-based machine (dpkg-deb, debootstrap)"),
]


def _run(*cmd, env: dict | None = None, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def _in_root(root: Path, *cmd, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    base = {"PATH": CHROOT_PATH, "HOME": "/root", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}
    return _run("chroot", root, "env", "-i", *(f"{k}={v}" for k, v in (base | (env or {})).items()), *cmd,
                check=check)


def _newest_source_mtime() -> float:
    newest = 0.0
    for folder in ("app", "db", "sync", "ui", "resources", "installer"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                newest = max(newest, path.stat().st_mtime)
    return newest


def _build_deb(version: str | None = None) -> Path:
    env = dict(os.environ)
    bundle = ROOT / "dist" / "outpost" / "outpost"
    if bundle.exists() and bundle.stat().st_mtime > _newest_source_mtime():
        env["OUTPOST_REUSE_BUNDLE"] = "1"  # built from these very sources earlier in this run
    if version:
        env["OUTPOST_DEB_VERSION"] = version
    _run(ROOT / "installer" / "linux" / "build-deb.sh", env=env, timeout=1800)
    arch = _run("dpkg", "--print-architecture").stdout.strip()
    deb = ROOT / "dist" / f"outpost_{version or __version__}_{arch}.deb"
    assert deb.is_file(), f"build-deb.sh did not write {deb}"
    return deb


@pytest.fixture(scope="module")
def deb() -> Path:
    if os.environ.get("OUTPOST_DEB"):
        return Path(os.environ["OUTPOST_DEB"])
    return _build_deb()


@pytest.fixture(scope="module")
def debian_root(tmp_path_factory):
    """A clean Debian root (minbase), from the cached tarball when this run already made one."""
    root = tmp_path_factory.mktemp("debian") / "root"
    tarball = CACHE / f"{SUITE}-minbase-root.tar"
    if tarball.exists():
        root.mkdir()
        with tarfile.open(tarball) as tar:
            tar.extractall(root, filter="fully_trusted")
    else:
        assert shutil.which("debootstrap"), "debootstrap is missing: scripts/setup.sh installs it"
        _run("debootstrap", "--variant=minbase", SUITE, root, MIRROR, timeout=1800)
        CACHE.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball.with_suffix(".tmp"), "w") as tar:
            tar.add(root, arcname=".")
        tarball.with_suffix(".tmp").replace(tarball)
    shutil.copy("/etc/resolv.conf", root / "etc" / "resolv.conf")
    archives = CACHE / "archives"
    if archives.is_dir():  # packages this run already downloaded once
        for pkg in archives.glob("*.deb"):
            shutil.copy(pkg, root / "var" / "cache" / "apt" / "archives")
    _run("mount", "-t", "proc", "proc", root / "proc")
    try:
        yield root
    finally:
        _run("umount", "-l", root / "proc", check=False)
        archives.mkdir(parents=True, exist_ok=True)
        for pkg in (root / "var" / "cache" / "apt" / "archives").glob("*.deb"):
            if not (archives / pkg.name).exists():
                shutil.copy(pkg, archives)
        shutil.rmtree(root.parent, ignore_errors=True)


SILENT = {"OUTPOST_SERVER_URL": "https://fhir.riverside.example/fhir", "OUTPOST_CLINIC": "Riverside",
          "OUTPOST_LOCATION": "Main Street", "OUTPOST_MFA": "required", "OUTPOST_IDLE_LOCK_MINUTES": "5",
          "OUTPOST_LOCKED": "server_url, mfa,idle_lock_minutes"}


def _digest(folder: Path) -> dict[str, str]:
    """The clinic store's files (the log beside them may grow; the store must not change)."""
    names = ("clinic.db", "clinic.db-wal", "keyslots.json")
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names if (folder / n).exists()}


def test_the_deb_installs_into_a_clean_debian_root_and_the_installed_program_runs(deb, debian_root):
    root = debian_root
    shutil.copy(deb, root / "tmp" / "outpost.deb")
    first = _in_root(root, "dpkg", "-i", "/tmp/outpost.deb", env=SILENT, check=False)
    assert first.returncode != 0 and "dependency problems" in first.stderr  # a clean root lacks Qt's libraries
    _in_root(root, "apt-get", "update", "-q")
    _in_root(root, "apt-get", "-f", "install", "-y", "-q", "--no-install-recommends", env=SILENT)
    assert _in_root(root, "dpkg-query", "-W", "-f=${Status} ${Version}", "outpost").stdout \
        == f"install ok installed {__version__}"

    # Installed where the README says, with the launcher on PATH and a desktop entry.
    assert (root / "opt" / "outpost" / "outpost").is_file()
    assert "Exec=/usr/bin/outpost" in (root / "usr/share/applications/outpost.desktop").read_text()
    assert (root / "usr/share/icons/hicolor/256x256/apps/outpost.png").is_file()
    assert not (root / "usr/bin/python3").exists()  # nothing of Python on the machine but the bundle's
    assert _in_root(root, "/usr/bin/outpost", "--version").stdout.strip() == f"outpost {__version__}"

    # The silent install's parameters became the managed configuration.
    managed = config.parse((root / "etc/outpost/config.toml").read_text(), source="installed")
    assert (managed.server_url, managed.clinic, managed.location) == (
        "https://fhir.riverside.example/fhir", "Riverside", "Main Street")
    assert (managed.mfa, managed.idle_lock_minutes, managed.data_dir) == ("required", 5, "/var/lib/outpost")
    assert managed.locked == {"server_url", "mfa", "idle_lock_minutes"}

    check = _in_root(root, "/usr/bin/outpost", "--json", "self-check", env={"QT_QPA_PLATFORM": "offscreen"})
    assert '"window_shown": true' in check.stdout and '"schema_is_head": true' in check.stdout
    assert '"pdf_pages_rendered": 1' in check.stdout  # QtPdf is in the bundle: printing, viewing
    assert '"icd10cm_cache_shipped": true' in check.stdout  # no XML parse on a clinic's first run

    # A clinic store in the managed data folder; the doctor finds it there.
    _in_root(root, "/usr/bin/outpost", "init", "--clinic", "Riverside", "--admin", "admin",
             env={"OUTPOST_PASSWORD": "a-long-clinic-passphrase"})
    data = root / "var/lib/outpost"
    assert (data / "clinic.db").is_file()
    doctor = _in_root(root, "/usr/bin/outpost", "--json", "doctor", "--timeout", "1", check=False)
    assert '"data_dir": "/var/lib/outpost"' in doctor.stdout and '"encrypted": true' in doctor.stdout
    assert '"source": "/etc/outpost/config.toml"' in doctor.stdout
    before = _digest(data)
    config_before = (root / "etc/outpost/config.toml").read_text()

    # Upgrade over it (no parameters this time): the store and the configuration are kept.
    major, minor, patch = __version__.split(".")
    newer = f"{major}.{minor}.{int(patch) + 1}"
    shutil.copy(_build_deb(newer), root / "tmp" / "outpost-new.deb")
    _in_root(root, "dpkg", "-i", "/tmp/outpost-new.deb")
    assert _in_root(root, "dpkg-query", "-W", "-f=${Version}", "outpost").stdout == newer
    assert _digest(data) == before
    assert (root / "etc/outpost/config.toml").read_text() == config_before

    # A bad parameter is refused naming it, and the configuration is left as it was.
    bad = _in_root(root, "dpkg", "-i", "/tmp/outpost-new.deb", env={"OUTPOST_MFA": "sometimes"}, check=False)
    assert bad.returncode != 0 and "mfa" in bad.stderr
    assert (root / "etc/outpost/config.toml").read_text() == config_before
    _in_root(root, "dpkg", "--configure", "-a")  # retried without the bad value: configured again

    # Remove keeps everything of the clinic's; purge removes the configuration but keeps the data...
    _in_root(root, "dpkg", "--remove", "outpost")
    assert not (root / "opt/outpost").exists() and (root / "etc/outpost/config.toml").exists()
    purge = _in_root(root, "dpkg", "--purge", "outpost")
    assert not (root / "etc/outpost").exists() and _digest(data) == before
    assert "was kept" in purge.stdout + purge.stderr

    # ...unless IT asks: OUTPOST_PURGE_DATA=yes deletes the data folder too.
    _in_root(root, "dpkg", "-i", "/tmp/outpost-new.deb")
    _in_root(root, "dpkg", "--purge", "outpost", env={"OUTPOST_PURGE_DATA": "yes"})
    assert not data.exists()
