"""The emulator's HTTP/1.1 server: persistent connections, bounded and timed out, for a WSGI app.

werkzeug's development server closes every connection after one response, so each boto3 call
paid a TCP connect, a new thread and a 10 ms drain, and it parses headers with the standard
library's e-mail parser. This server keeps a connection open between requests, reads the
request line and headers itself, and hands the application the environ werkzeug would.

- A connection that sends nothing for ``idle_timeout`` seconds (between requests, mid-request
  line, mid-headers or mid-body) is closed. At most ``max_connections`` are served at once;
  further ones wait in the listen backlog. When every slot is taken and a connection waits, a
  connection idle *between* requests is closed to free its slot (as a keep-alive timeout would
  close it; clients open a new one).
- A connection is kept only while the framing of its requests is certain: HTTP/1.1 without
  ``Connection: close``, at most one Content-Length, a byte count, no Transfer-Encoding, and
  the body read to the end its Content-Length announced (what the application leaves unread is
  read and dropped, up to :data:`DRAIN_LIMIT`). Otherwise the response says
  ``Connection: close`` and the connection is closed after it.
- A malformed request line or header is answered 400 (414 or 431 for one too long, 505 for
  HTTP/2 and later) and the connection closed. A HEAD response never carries a body.
"""

from __future__ import annotations

import contextlib
import io
import logging
import select
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug.serving import DechunkedInput

__all__ = ["HttpServer", "listen"]

log = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MAX_LINE = 65536
"""Longest request line or header line read, as the standard library's http.server."""
MAX_HEADERS = 100
DRAIN_LIMIT = 1 << 20
"""Unread body bytes read and dropped after a response so that the connection can be kept."""
LINGER_SECONDS = 0.01
"""How long a closing connection waits for more of what the client sent, so it is not reset."""
LISTEN_BACKLOG = 128
SLOT_WAIT_SECONDS = 0.1
"""How long the accept loop waits for a free slot before it looks for a shutdown request again."""
SHUTDOWN_POLL_SECONDS = 0.05
"""How long the accept loop waits for a connection before it looks for a shutdown request again:
how long a stop waits for the loop at most (socketserver's default, 0.5 s, was paid by every stop)."""
SERVER_NAME = "featurestore-demo-emulator"
_NO_BODY_STATUSES = frozenset({204, 304})
_REASONS = {status.value: status.phrase for status in HTTPStatus}


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port``; OSError (such as EADDRINUSE) if it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(LISTEN_BACKLOG)
    except OSError:
        listener.close()
        raise
    return listener


class HttpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A thread per connection, at most ``max_connections`` at once, serving ``app`` on ``listener``
    (which it takes over and closes)."""

    daemon_threads = True

    def __init__(self, listener: socket.socket, app: WsgiApp, *, idle_timeout: float, max_connections: int) -> None:
        super().__init__(listener.getsockname()[:2], socketserver.BaseRequestHandler, bind_and_activate=False)
        self.socket.close()
        self.socket, self.server_address = listener, listener.getsockname()
        self.host, self.port = self.server_address[0], self.server_address[1]
        self.app, self.idle_timeout = app, idle_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        self._waiting: dict[socket.socket, bool] = {}
        """Connections waiting for a request line: True once they have served one (pre-emptible)."""
        self._closing = False

    def serve_forever(self, poll_interval: float = SHUTDOWN_POLL_SECONDS) -> None:
        super().serve_forever(poll_interval)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept once a slot is free (closing a connection idle between requests if none is); OSError
        (which the loop ignores) if no slot freed in time."""
        if not self._slots.acquire(blocking=False):
            self._close_an_idle_connection()
            if not self._slots.acquire(timeout=SLOT_WAIT_SECONDS):
                raise OSError("every connection slot is taken")
        try:
            return super().get_request()
        except OSError:
            self._slots.release()
            raise

    def _close_an_idle_connection(self) -> None:
        with self._lock:
            idle = next((sock for sock, served in self._waiting.items() if served), None)
            if idle is not None:
                del self._waiting[idle]
        if idle is not None:
            _shut(idle)

    def finish_request(self, request: Any, client_address: Any) -> None:
        _Connection(self, request, client_address).serve()

    def shutdown_request(self, request: Any) -> None:
        """Close the connection and free its slot (called once per accepted connection)."""
        try:
            super().shutdown_request(request)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("Unexpected error serving a connection")

    def server_close(self) -> None:
        """Stop listening and close every connection waiting for a request (the others close after
        their response)."""
        with self._lock:
            self._closing = True
            waiting, self._waiting = list(self._waiting), {}
        for sock in waiting:
            _shut(sock)
        super().server_close()

    def waiting(self, sock: socket.socket, served: bool) -> bool:
        """Mark ``sock`` as waiting for a request line; False if the server is closing."""
        with self._lock:
            if self._closing:
                return False
            self._waiting[sock] = served
            return True

    def working(self, sock: socket.socket) -> bool:
        """Mark ``sock`` as busy with a request; False if it was closed meanwhile (pre-empted)."""
        with self._lock:
            return self._waiting.pop(sock, None) is not None

    @property
    def closing(self) -> bool:
        return self._closing


def _shut(sock: socket.socket) -> None:
    """Wake the thread reading ``sock`` with an end of file; it then closes the connection."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _Refused(Exception):
    """A request that cannot be read: answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Body(io.RawIOBase):
    """The request body as the application reads it: at most ``length`` bytes of the connection."""

    def __init__(self, rfile: Any, length: int) -> None:
        super().__init__()
        self._rfile, self.remaining, self.broken = rfile, length, False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        wanted = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self._take(self._rfile.read, wanted)
        if len(data) < wanted:
            self.broken = True  # the client closed before the announced end
        return data

    def readline(self, size: int | None = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        return self._take(self._rfile.readline, self.remaining if size is None or size < 0 else
                          min(size, self.remaining))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def _take(self, reader: Callable[[int], bytes], size: int) -> bytes:
        try:
            data = reader(size)
        except OSError:  # the socket timeout (idle_timeout) or a reset: the framing is lost
            self.broken = True
            raise
        self.remaining -= len(data)
        return data


_NO_BODY = _Body(None, 0)
"""The body of every request without one (nothing to read: shared by all connections)."""


class _Connection:
    """One client connection: requests read and answered in turn until it is to be closed."""

    def __init__(self, server: HttpServer, sock: socket.socket, address: Any) -> None:
        self.server, self.sock = server, sock
        self.address = address if isinstance(address, tuple) else ("<local>", 0)
        sock.settimeout(server.idle_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = sock.makefile("rb")

    def serve(self) -> None:
        served = False
        try:
            with contextlib.suppress(OSError, ValueError):  # a timeout, a reset or a closed socket: it ends
                while self._next_request(served):
                    served = True
        finally:
            self.rfile.close()

    def _next_request(self, served: bool) -> bool:
        """Read and answer one request; whether the connection is to be kept."""
        if not self.server.waiting(self.sock, served):
            return False
        try:
            line = self.rfile.readline(MAX_LINE + 1)
        finally:
            kept = self.server.working(self.sock)
        if not line or not kept:
            return False
        try:
            environ, keep = self._environ(line)
        except _Refused as refused:
            self._send_error(refused.status, str(refused))
            keep = False
        else:
            keep = self._respond(environ, keep) and not self.server.closing and self._finish_body(environ["wsgi.input"])
        if not keep:
            self._linger()
        return keep

    def _environ(self, line: bytes) -> tuple[dict[str, Any], bool]:
        """The WSGI environ of a request (as werkzeug builds it) and whether its framing allows
        keeping the connection; _Refused if the request line or a header cannot be read."""
        if len(line) > MAX_LINE:
            raise _Refused(414, "Request-URI Too Long")
        words = line.decode("latin-1").rstrip("\r\n").split()
        if len(words) != 3:
            raise _Refused(400, f"Bad request syntax ({line[:80]!r})")
        method, target, version = words
        http11 = _version(version) >= (1, 1)
        if target.startswith("//"):  # as http.server: not a network location
            target = "/" + target.lstrip("/")
        url = urlsplit(target)
        path = f"/{url.netloc}{url.path}" if not url.scheme and url.netloc else url.path
        environ: dict[str, Any] = {
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": _LOG_STREAM,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
            "werkzeug.socket": self.sock, "SERVER_SOFTWARE": SERVER_NAME, "REQUEST_METHOD": method,
            "SCRIPT_NAME": "", "PATH_INFO": _dance(unquote(path)), "QUERY_STRING": _dance(url.query),
            "REQUEST_URI": _dance(target), "RAW_URI": _dance(target), "REMOTE_ADDR": self.address[0],
            "REMOTE_PORT": self.address[1], "SERVER_NAME": self.server.host, "SERVER_PORT": str(self.server.port),
            "SERVER_PROTOCOL": version,
        }
        lengths = self._headers(environ)
        if url.scheme and url.netloc:
            environ["HTTP_HOST"] = url.netloc
        connection = environ.get("HTTP_CONNECTION", "").lower()
        keep = http11 and "close" not in connection
        if "HTTP_TRANSFER_ENCODING" in environ:
            keep = False
            if "chunked" in environ["HTTP_TRANSFER_ENCODING"].lower():
                environ["wsgi.input_terminated"] = True
                environ["wsgi.input"] = DechunkedInput(self.rfile)
                return environ, keep
        length = lengths[-1].strip() if lengths else "0"
        if len(lengths) > 1 or not length.isdigit():
            keep, length = False, "0"  # the application answers; what follows cannot be framed
        environ["wsgi.input"] = _Body(self.rfile, int(length)) if length != "0" else _NO_BODY
        return environ, keep

    def _headers(self, environ: dict[str, Any]) -> list[str]:
        """Read the header fields into ``environ`` as werkzeug puts them (``HTTP_X_AMZ_TARGET``, a
        repeated field joined with commas, a name with "_" left out); the Content-Length values
        met. _Refused for a line that is not a field (a folded line included), too long, or too many."""
        lengths: list[str] = []
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(MAX_LINE + 1)
            if line == b"\r\n" or line == b"\n":
                return lengths
            if not line:
                raise OSError("the client closed the connection mid-headers")
            if len(line) > MAX_LINE:
                raise _Refused(431, "Line too long")
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or not name or name != name.strip():
                raise _Refused(400, f"Bad header line ({line[:80]!r})")
            key = _KEYS.get(name) or _environ_key(name)
            if not key:  # as werkzeug: a name with "_" could pose as one with "-"
                continue
            value = value.strip(" \t\r\n")
            if key == "CONTENT_LENGTH":
                lengths.append(value)
            elif key in environ and key != "CONTENT_TYPE":
                value = f"{environ[key]},{value}"
            environ[key] = value
        raise _Refused(431, "Too many headers")

    def _respond(self, environ: dict[str, Any], keep: bool) -> bool:
        """Run the application and send its response; whether the connection may be kept.

        An application that fails before anything is sent is answered 500 (and logged)."""
        if environ.get("HTTP_EXPECT", "").lower().strip(" \t") == "100-continue":
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", environ["REQUEST_METHOD"], environ["PATH_INFO"])
        started: list[Any] = []
        written: list[bytes] = []  # what the application gave write(): sent ahead of what it returns

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if started and not exc_info:
                raise AssertionError("start_response called twice without exc_info")
            started[:] = [status, headers]
            return written.append

        try:
            answer = self.server.app(environ, start_response)
        except Exception:
            log.exception("Unexpected error in the WSGI application")
            self._send_error(500, "Internal error in the emulator.")
            return False
        try:
            return self._send(environ, answer, started, keep, written)
        finally:
            getattr(answer, "close", lambda: None)()

    def _send(self, environ: dict[str, Any], answer: Iterable[bytes], started: list[Any], keep: bool,
              written: list[bytes]) -> bool:
        """Send the response: one write when the application returned a list, else as it yields;
        what it gave ``write()`` first (PEP 3333 lets a server buffer it until the application returns)."""
        chunks = iter(answer)
        streamed = not isinstance(answer, (list, tuple))
        try:
            first = b"".join(answer) if not streamed else next((chunk for chunk in chunks if chunk), b"")
            first = b"".join([*written, first])
        except Exception:
            log.exception("Unexpected error in the WSGI application")
            self._send_error(500, "Internal error in the emulator.")
            return False
        status, headers = started
        code = int(status.split(None, 1)[0])
        no_body = environ["REQUEST_METHOD"] == "HEAD" or code in _NO_BODY_STATUSES or code < 200
        has_length = any(name.lower() == "content-length" for name, _ in headers)
        chunked = False
        if not no_body and not has_length:
            if not streamed:
                headers = [*headers, ("Content-Length", str(len(first)))]
            elif environ["SERVER_PROTOCOL"] == "HTTP/1.1":
                chunked, headers = True, [*headers, ("Transfer-Encoding", "chunked")]
            else:
                keep = False  # the end of the body is the end of the connection
        lines = [f"HTTP/1.1 {status}", f"Server: {SERVER_NAME}", f"Date: {_date()}",
                 *(f"{name}: {value}" for name, value in headers)]
        if not keep:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if no_body:
            self.sock.sendall(head)
            return keep
        self.sock.sendall(head + (_chunk(first) if chunked else first))
        if streamed:
            for chunk in chunks:  # an error now cannot be answered: the connection ends (serve())
                if chunk:
                    self.sock.sendall(_chunk(chunk) if chunked else chunk)
            if chunked:
                self.sock.sendall(b"0\r\n\r\n")
        return keep

    def _finish_body(self, body: Any) -> bool:
        """Read what the application left of the body (up to DRAIN_LIMIT); whether the connection
        can read its next request."""
        if not isinstance(body, _Body) or body.broken:
            return False
        if body.remaining > DRAIN_LIMIT:
            return False
        while body.remaining > 0:
            if not body.read(1 << 16):
                return False
        return True

    def _send_error(self, status: int, message: str) -> None:
        """A plain-text error response that closes the connection."""
        body = f"{status} {_REASONS.get(status, '')}: {message}\n".encode("latin-1", "replace")
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\nServer: {SERVER_NAME}\r\nDate: {_date()}\r\n"
                f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        self.sock.sendall(head.encode("latin-1") + body)

    def _linger(self) -> None:
        """Before closing: read and drop what the client is still sending, briefly, so that the
        close does not reset the connection before the client has read the response."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
            for _ in range(1000):
                readable, _, _ = select.select([self.sock], [], [], LINGER_SECONDS)
                if not readable or not self.sock.recv(1 << 20):
                    return
        except OSError:
            return


_KEYS: dict[str, str] = {}
"""Header name -> environ key ("" for a name with "_"), for the names met (at most 1,024 kept)."""


def _environ_key(name: str) -> str:
    key = "" if "_" in name else name.upper().replace("-", "_")
    if key and key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        key = "HTTP_" + key
    if len(_KEYS) < 1024:
        _KEYS[name] = key
    return key


def _version(text: str) -> tuple[int, int]:
    """(major, minor) of ``HTTP/x.y``; _Refused if it is not one, or is HTTP/2 and later."""
    name, _, number = text.partition("/")
    major, dot, minor = number.partition(".")
    if name != "HTTP" or not dot or not (major.isdigit() and minor.isdigit()) or len(major) > 10 or len(minor) > 10:
        raise _Refused(400, f"Bad request version ({text[:40]!r})")
    if int(major) >= 2:
        raise _Refused(505, f"Invalid HTTP version ({text[:40]})")
    return int(major), int(minor)


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _dance(text: str) -> str:
    """A str as WSGI carries it (latin-1 code points for UTF-8 bytes), as werkzeug does."""
    return text if text.isascii() else text.encode().decode("latin-1")


class _Dates(threading.local):
    second = -1
    text = ""


_dates = _Dates()


def _date() -> str:
    """The Date header's value, formatted once a second (per thread)."""
    now = int(time.time())
    if now != _dates.second:
        _dates.second, _dates.text = now, formatdate(now, usegmt=True)
    return _dates.text


class _LogStream(io.TextIOBase):
    """``wsgi.errors``: what an application writes there goes to the log."""

    def write(self, text: str) -> int:
        if text.strip():
            log.warning("%s", text.rstrip())
        return len(text)


_LOG_STREAM = _LogStream()
