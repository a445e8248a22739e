"""Noticing that sync can work again: the OS's word that the network is back
(QNetworkInformation, where the platform has a backend), and a probe that, while rounds
fail for want of a network, tries a TCP connection to the server now and then (no request,
nothing sent). Either one asks the controller for a round at once (``network_back()``)."""
from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtNetwork import QAbstractSocket, QNetworkInformation, QTcpSocket


def watch_network(control) -> QObject | None:
    """Call ``control.network_back()`` when the OS says the network is reachable again;
    None where the platform has no backend for it (the probe still works there)."""
    try:
        if QNetworkInformation.instance() is None:
            QNetworkInformation.loadDefaultBackend()
        info = QNetworkInformation.instance()
    except Exception:  # noqa: BLE001 - no backend on this platform
        return None
    return _NetworkRelay(control, info) if info is not None else None


class _NetworkRelay(QObject):
    def __init__(self, control, info: QNetworkInformation):
        super().__init__(control)
        self.control = control
        info.reachabilityChanged.connect(self._changed)

    @Slot(QNetworkInformation.Reachability)
    def _changed(self, reachability) -> None:
        if reachability in (QNetworkInformation.Reachability.Online, QNetworkInformation.Reachability.Site):
            self.control.network_back()


class Probe(QObject):
    """While rounds fail for want of a network, try a TCP connection to the server now and
    then (no request, nothing sent); when it answers, sync at once instead of at the back-off."""

    def __init__(self, control, every_ms: int):
        super().__init__(control)
        self.control = control
        self.target: tuple[str, int] | None = None
        self.socket = QTcpSocket(self)
        self.socket.connected.connect(self._answered)
        self.timer = QTimer(self, interval=every_ms, timeout=self._try)

    def watch(self, server: str | None) -> None:
        parts = urlsplit(server or "")
        if not parts.hostname:
            return
        self.target = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        if not self.timer.isActive():
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.socket.abort()

    @Slot()
    def _try(self) -> None:
        if self.target is None:
            return
        if self.socket.state() != QAbstractSocket.SocketState.UnconnectedState:
            self.socket.abort()
        self.socket.connectToHost(*self.target)

    @Slot()
    def _answered(self) -> None:
        self.socket.abort()
        self.timer.stop()
        self.control.network_back()
