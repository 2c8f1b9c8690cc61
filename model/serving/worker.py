"""gunicorn's threaded worker with a read timeout on client connections.

gunicorn's gthread worker waits for a new connection's first bytes without holding a thread,
but then switches the socket to blocking mode, without a timeout, to read the request: a client
that sends part of its headers (or body) and stalls holds that thread until it goes away, and
eight of them starve `/ping`. Here blocking mode means "block at most `read_timeout_s` per
read"; a stalled client's connection is closed at once, with one log line.
"""

from __future__ import annotations

import errno
import logging
import socket
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

log = logging.getLogger("serving")


class _TimedSocket(socket.socket):
    """A client socket whose blocking reads and writes give up after `read_timeout_s`."""

    read_timeout_s: float = 10.0
    stalled = False  # once it timed out, reads see end-of-stream (nothing left to drain)

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(self.read_timeout_s)
        else:
            super().setblocking(False)

    def recv(self, *args: Any) -> bytes:
        if self.stalled:
            return b""
        try:
            return super().recv(*args)
        except TimeoutError:
            raise self._stalled() from None

    def recv_into(self, *args: Any) -> int:
        if self.stalled:
            return 0
        try:
            return super().recv_into(*args)
        except TimeoutError:
            raise self._stalled() from None

    def _stalled(self) -> ConnectionResetError:
        # gunicorn closes a reset connection quietly; the log says why it was ours. Its graceful
        # close drains the socket for up to 2 s on the worker's main thread, which also accepts
        # connections: a stalled client's socket has nothing more to give.
        self.stalled = True
        log.warning(
            "client %s sent nothing for %.0f s mid-request: connection closed",
            _peer(self),
            self.read_timeout_s,
        )
        return ConnectionResetError(errno.ECONNRESET, "read timeout")


def _peer(sock: socket.socket) -> str:
    try:
        return str(sock.getpeername())
    except OSError:
        return "?"


class _TimedListener:
    """The worker's listener, handing out `_TimedSocket`s."""

    def __init__(self, listener: Any, read_timeout_s: float) -> None:
        self._listener = listener
        self._timeout = read_timeout_s

    def accept(self) -> tuple[socket.socket, Any]:
        sock, addr = self._listener.accept()
        timed = _TimedSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
        timed.read_timeout_s = self._timeout
        return timed, addr

    def __getattr__(self, name: str) -> Any:
        return getattr(self._listener, name)


class ReadTimeoutThreadWorker(ThreadWorker):  # type: ignore[misc]
    """`gthread` with `Settings.read_timeout_s` on every client connection."""

    def accept(self, listener: Any) -> None:
        super().accept(_TimedListener(listener, self.app.settings.read_timeout_s))
