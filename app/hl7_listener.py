"""An MLLP listener for a lab or hospital interface (off unless started): each framed
message is taken by :func:`app.hl7_import.take` and answered with its framed ACK.

Connections are served one at a time on the caller's thread: the session and the store
are not shared between threads, and a lab interface sends one message after another.
"""
from __future__ import annotations

import socket
import socketserver

from app import hl7_import
from app import hl7_messages as h
from app.permissions import Permission
from app.session import Session

MAX_MESSAGE = 4 * 1024 * 1024


def _handler(session: Session, clinic_code: str, counter: list[int]):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            buffer = b""
            self.request.settimeout(60)
            while True:
                try:
                    chunk = self.request.recv(65536)
                except (socket.timeout, ConnectionError):
                    return
                if not chunk:
                    return
                buffer += chunk
                if len(buffer) > MAX_MESSAGE:
                    return  # not MLLP, or far too big: drop the connection
                while h.MLLP_START in buffer and b"\x1c" in buffer:
                    start = buffer.index(h.MLLP_START)
                    end = buffer.find(b"\x1c", start)
                    if end < 0:
                        break
                    frame, buffer = buffer[start + 1:end], buffer[end + 1:].lstrip(b"\r")
                    counter[0] += 1
                    raw = h.RawMessage(counter[0], 0, h._segments_text(frame.decode("utf-8", "replace")))
                    outcome = hl7_import.take(session, raw, clinic_code)
                    self.request.sendall(h.frame(outcome.ack))
    return Handler


def serve(session: Session, *, host: str = "127.0.0.1", port: int = 2575, limit: int | None = None,
          ready=None) -> int:
    """Serve until interrupted (or ``limit`` messages); returns how many were answered.

    ``ready(port)`` is called once listening (port 0 picks a free one)."""
    session.require(Permission.IMPORT)
    clinic_code = hl7_import._clinic_code(session)
    counter = [0]
    socketserver.TCPServer.allow_reuse_address = True
    with socketserver.TCPServer((host, port), _handler(session, clinic_code, counter)) as server:
        if ready:
            ready(server.server_address[1])
        try:
            while limit is None or counter[0] < limit:
                server.handle_request()
        except KeyboardInterrupt:
            pass
    return counter[0]
