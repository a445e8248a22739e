"""A real FHIR R4 server (sekmet-fhir) on a free loopback port, in a subprocess.

Used by the sync integration tests and the ``sync`` benchmark. The server keeps its
data in a temporary SQLite file; its workflow simulator is off (it would answer
orders by itself) and it validates what it receives (``inbound: strict``), so an
invalid resource is rejected as a real server would.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TOKEN = "outpost-test-token"
CLIENT_ID, CLIENT_SECRET = "outpost-workstation", "outpost-test-client-secret"  # SMART Backend Services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FhirServer:
    """``start()`` / ``stop()`` / ``kill()`` a sekmet server; ``url`` is its FHIR base."""

    def __init__(self, folder: Path, *, port: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}/fhir"
        self.proc: subprocess.Popen | None = None
        config = self.folder / "settings.yaml"
        config.write_text(
            f"base_url: {self.url}\nhost: 127.0.0.1\nport: {self.port}\n"
            f"data_dir: {self.folder}\ndb_path: {self.folder / 'fhir.db'}\n"
            f"log_inbound: false\nsimulator:\n  enabled: false\n"
            f"validation:\n  inbound: strict\n"
            f"server_auth:\n  types: [bearer, smart]\n  tokens: [{TOKEN}]\n  enforce_scopes: false\n"
            f"  smart_clients:\n    - client_id: {CLIENT_ID}\n      client_secret: {CLIENT_SECRET}\n"
            f"      scopes: system/*.*\n")
        self.config = config

    def start(self) -> "FhirServer":
        env = {**os.environ, "SEKMET_CONFIG": str(self.config)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "sekmet.main:app_factory", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=open(self.folder / "server.log", "ab"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the FHIR server exited: {(self.folder / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/metadata", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the FHIR server did not start within 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """Die at once, as a crashed server or a pulled cable would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None


# -- pytest fixtures (imported by tests/conftest.py) -------------------------------
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def fhir_server(tmp_path_factory):
    """One real FHIR server for the whole test run (tests keep apart by clinic code)."""
    server = FhirServer(tmp_path_factory.mktemp("fhir-server")).start()
    yield server
    server.stop()


@pytest.fixture
def own_fhir_server(tmp_path):
    """A FHIR server of the test's own, which the test may kill and restart."""
    server = FhirServer(tmp_path / "fhir-server").start()
    yield server
    server.stop()
