"""A trivial keep-alive HTTP server answering one fixed response: the floor under an HTTP call.

The emulator's GetRecord is measured beside the same client call against this server, which
answers the very bytes the emulator answered (captured once by :func:`captured_response`) and
does nothing else: it reads a request's head and body and writes the response, on a
connection it keeps open, one thread per connection as the emulator does, in the same process.
What the client costs is then in both; the difference is the emulator's own work.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from types import TracebackType

from local_backend.emulator.http_server import HttpServer, listen

__all__ = ["TrivialServer", "FixedAnswerServer", "captured_response", "TRIVIAL_SERVER", "FIXED_ANSWER_SERVER"]

TRIVIAL_SERVER = "boto3, trivial keep-alive server, same bytes"  # the reference's role in the table
FIXED_ANSWER_SERVER = "the emulator's HTTP server, same bytes from a one-line app"

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length"}
SERVER_HEADERS = {"content-length", "date", "server"}


def captured_response(host: str, port: int, method: str, path: str, headers: dict[str, str]) -> bytes:
    """The server's response to one request as raw HTTP/1.1 bytes, re-framed for keep-alive.

    Status, reason, headers and body are the server's; the hop-by-hop headers (Connection,
    Keep-Alive, Transfer-Encoding) go and the body is framed by its Content-Length.
    """
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        kept = [(name, value) for name, value in response.getheaders() if name.lower() not in HOP_HEADERS]
    finally:
        connection.close()
    head = [f"HTTP/1.1 {response.status} {response.reason}", *(f"{name}: {value}" for name, value in kept),
            f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class TrivialServer:
    """``with TrivialServer(response) as server:`` serves ``response`` to every request at ``server.url``."""

    def __init__(self, response: bytes, host: str = "127.0.0.1") -> None:
        self.response = response
        self._listener = socket.create_server((host, 0))
        self.host, self.port = self._listener.getsockname()[:2]
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> TrivialServer:
        self._spawn(self._accept)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        with contextlib.suppress(OSError):  # wakes the accept(): closing alone leaves it blocked (Linux)
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):  # already closed by the client
                    connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="trivial-server")
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # the listener was closed: stop
                return
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._connections.append(connection)
            self._spawn(self._serve, connection)

    def _serve(self, connection: socket.socket) -> None:
        buffer = b""
        with connection:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                length = _content_length(head)
                while len(buffer) < length:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                buffer = buffer[length:]
                try:
                    connection.sendall(self.response)
                except OSError:
                    return


class FixedAnswerServer:
    """``with FixedAnswerServer(response) as server:``: the emulator's own HTTP server
    (local_backend/emulator/http_server.py) whose WSGI application answers ``response``'s status,
    headers and body to every request. Beside :class:`TrivialServer`, it splits the emulator's
    cost into its HTTP layer and its application."""

    def __init__(self, response: bytes, host: str = "127.0.0.1") -> None:
        head, _, body = response.partition(b"\r\n\r\n")
        status, *fields = head.decode("latin-1").split("\r\n")
        headers = [(name, value) for name, _, value in (field.partition(": ") for field in fields)
                   if name.lower() not in SERVER_HEADERS]  # the server sets these itself

        def answer(environ: dict, start_response) -> list[bytes]:
            start_response(status.split(" ", 1)[1], headers)
            return [body]

        self._server = HttpServer(listen(host, 0), answer, idle_timeout=60, max_connections=16)
        self.host, self.port = host, self._server.port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="fixed-answer")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> FixedAnswerServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0
