"""Helpers of the fault, load and bad-input tests: an oracle of the stores, offline reads, a scripted HTTP server."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

from featurestore_demo.backend import FeatureStoreBackend


class Put(NamedTuple):
    """One put of the ``users`` group."""

    user_id: str
    event_time: float
    total_purchases: int


def shuffled_puts(ids: int, versions: int, seed: int) -> list[Put]:
    """``versions`` puts of each of ``ids`` ids, distinct event times per id, in a shuffled order."""
    puts = [Put(f"u{i}", float(1_000 + v), i * 1_000 + v) for i in range(ids) for v in range(versions)]
    random.Random(seed).shuffle(puts)
    return puts


def offline_puts(backend: FeatureStoreBackend, group: str) -> list[Put]:
    """The put rows of the ``users``-shaped group's offline store, sorted."""
    rows = backend.query(
        f"SELECT user_id, event_time, total_purchases FROM {backend.offline_table(group)} WHERE NOT is_deleted"
    )
    return sorted(Put(str(u), float(e), int(t)) for u, e, t in rows.itertuples(index=False))


def check_oracle(backend: FeatureStoreBackend, group: str, puts: Iterable[Put]) -> None:
    """Online: the newest event time of each id; offline: every put, once."""
    puts = list(puts)
    newest: dict[str, Put] = {}
    for put in puts:
        if put.user_id not in newest or put.event_time > newest[put.user_id].event_time:
            newest[put.user_id] = put
    ids = sorted(newest)
    online: dict[str, Any] = {}
    for start in range(0, len(ids), 100):
        online.update(backend.batch_get_record(group, ids[start:start + 100]))
    assert {k: (r["event_time"], r["total_purchases"]) for k, r in online.items()} == {
        k: (p.event_time, p.total_purchases) for k, p in newest.items()}
    assert offline_puts(backend, group) == sorted(puts)


class ScriptedServer:
    """An HTTP server on 127.0.0.1 that answers each request with the next scripted response.

    ``responses`` are ``(status, headers, body)``; the last one repeats. ``requests`` records
    ``(method, path, X-Amz-Target)`` of each request. Use as a context manager.
    """

    def __init__(self, responses: list[tuple[int, dict[str, str], bytes]]) -> None:
        self.responses, self.requests = list(responses), []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requests.append((self.command, self.path, self.headers.get("X-Amz-Target")))
                status, headers, body = server.responses.pop(0) if len(server.responses) > 1 else server.responses[0]
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_port}"

    def __enter__(self) -> ScriptedServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
