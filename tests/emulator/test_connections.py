"""Slow clients cannot exhaust the emulator: idle connections are closed, a lying Content-Length
is answered 400 once the read times out, and beyond ``max_connections`` new connections wait
in the backlog until a slot frees (one kept open between requests gives its slot up). A
connection is kept between requests only while its framing is certain. Bounds are generous:
these tests assert behaviour, not speed."""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time

import pytest

from emulator_helpers import parse_response, read_response
from local_backend.emulator import Emulator
from local_backend.emulator.http_server import HttpServer, listen

BOUND = 20.0
"""Seconds within which something that should happen "soon" must have happened."""
GOOD_REQUEST = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: SageMaker.ListFeatureGroups\r\n"
                b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}")


@pytest.fixture
def strict(tmp_path):
    """A dedicated emulator: 0.5 s idle timeout, 2 connections at most."""
    with Emulator(tmp_path, port=0, idle_timeout=0.5, max_connections=2, creating_seconds=0) as emulator:
        yield emulator


def connect(emulator: Emulator) -> socket.socket:
    return socket.create_connection((emulator.host, emulator.port), timeout=BOUND)


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_an_idle_connection_is_closed_by_the_server(strict):
    for sent in (b"", b"POST / HTTP/1.1\r\nHost: x\r\n"):  # nothing at all; headers never finished
        with connect(strict) as sock:
            sock.sendall(sent)
            assert sock.recv(1) == b""  # closed by the server (a hang would raise TimeoutError)


def test_a_content_length_larger_than_the_body_is_a_400_after_the_timeout(strict):
    with connect(strict) as sock:
        sock.sendall(GOOD_REQUEST.replace(b"Content-Length: 2", b"Content-Length: 100"))
        status, _headers, body = parse_response(read_all(sock))
    assert status == 400 and b"SerializationException" in body
    with connect(strict) as sock:
        sock.sendall(GOOD_REQUEST)
        assert parse_response(read_response(sock))[0] == 200


def test_connections_beyond_the_bound_wait_until_a_slot_frees(tmp_path):
    # Its own emulator, idle timeout 2 s: the 0.3 s look below ends well before the slots free,
    # even on a loaded machine (with 0.5 s, a late look once saw the waiting one served).
    with Emulator(tmp_path, port=0, idle_timeout=2.0, max_connections=2, creating_seconds=0) as emulator:
        stalled = [connect(emulator) for _ in range(2)]
        try:
            time.sleep(0.1)  # let the server accept both (it accepts only these two)
            waiting = connect(emulator)  # sits in the listen backlog
            waiting.sendall(GOOD_REQUEST)
            readable, _, _ = select.select([waiting], [], [], 0.3)
            assert not readable  # not served while both slots are held
            # the stalled ones time out (idle_timeout) and free their slots; then it is served
            assert parse_response(read_response(waiting))[0] == 200
        finally:
            for sock in stalled:
                sock.close()
            waiting.close()


def test_stop_returns_while_every_slot_is_taken_and_connections_wait(tmp_path):
    emulator = Emulator(tmp_path, port=0, idle_timeout=30, max_connections=1).start()
    held, waiting = connect(emulator), connect(emulator)
    stopper = threading.Thread(target=emulator.stop)
    try:
        time.sleep(0.1)
        stopper.start()
        stopper.join(BOUND)
        assert not stopper.is_alive()
    finally:
        held.close()
        waiting.close()


def test_a_client_reusing_its_connection_is_served_on_the_same_connection(strict):
    connection = http.client.HTTPConnection(strict.host, strict.port, timeout=BOUND)
    try:
        sockets = set()
        for _ in range(5):
            connection.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "SageMaker.ListFeatureGroups"})
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b'{"FeatureGroupSummaries": []}')
            assert response.getheader("Connection") is None
            sockets.add(connection.sock)
        assert len(sockets) == 1  # kept open: no reconnect
    finally:
        connection.close()


def test_pipelined_requests_are_answered_in_order(strict):
    unknown = GOOD_REQUEST.replace(b"ListFeatureGroups", b"Bogus")
    with connect(strict) as sock:
        sock.sendall(GOOD_REQUEST + unknown + GOOD_REQUEST)
        stream = sock.makefile("rb")
        statuses = [parse_response(read_response(stream))[0] for _ in range(3)]
    assert statuses == [200, 400, 200]


@pytest.mark.parametrize("request_bytes", [
    GOOD_REQUEST.replace(b"HTTP/1.1", b"HTTP/1.0"),
    GOOD_REQUEST.replace(b"Host: x", b"Host: x\r\nConnection: close"),
    GOOD_REQUEST.replace(b"Content-Length: 2", b"Content-Length: abc"),  # answered; what follows is unframed
    GOOD_REQUEST.replace(b"Content-Length: 2", b"Content-Length: 2\r\nContent-Length: 3"),
    GOOD_REQUEST.replace(b"Content-Length: 2\r\n\r\n{}", b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
], ids=["http-1.0", "connection-close", "bad-length", "two-lengths", "chunked"])
def test_a_connection_whose_next_request_cannot_be_framed_is_closed_after_the_response(strict, request_bytes):
    with connect(strict) as sock:
        sock.sendall(request_bytes)
        status, headers, _ = parse_response(read_response(sock))
        assert 200 <= status < 500 and headers["connection"] == "close"
        assert sock.recv(1) == b""


def test_a_head_response_has_no_body_and_the_connection_goes_on(strict):
    with connect(strict) as sock:
        sock.sendall(b"HEAD /FeatureGroup/none HTTP/1.1\r\nHost: x\r\n\r\n" + GOOD_REQUEST)
        received = b""
        while received.count(b"HTTP/1.1 ") < 2 or not received.endswith(b"}"):
            received += sock.recv(65536)
    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404") and rest.startswith(b"HTTP/1.1 200")


def test_a_connection_idle_between_requests_gives_its_slot_to_a_waiting_one(tmp_path):
    with Emulator(tmp_path, port=0, idle_timeout=60, max_connections=2, creating_seconds=0) as emulator:
        kept = [connect(emulator) for _ in range(2)]
        try:
            for sock in kept:
                sock.sendall(GOOD_REQUEST)
                assert parse_response(read_response(sock))[0] == 200
            started = time.monotonic()
            with connect(emulator) as waiting:
                waiting.sendall(GOOD_REQUEST)
                assert parse_response(read_response(waiting))[0] == 200
            assert time.monotonic() - started < BOUND  # long before the 60 s idle timeout
            readable, _, _ = select.select(kept, [], [], BOUND)
            assert readable and readable[0].recv(1) == b""  # the one idle longest was closed
        finally:
            for sock in kept:
                sock.close()


def test_stop_closes_the_connections_kept_open(tmp_path):
    emulator = Emulator(tmp_path, port=0, idle_timeout=60).start()
    with connect(emulator) as sock:
        sock.sendall(GOOD_REQUEST)
        assert parse_response(read_response(sock))[0] == 200
        emulator.stop()
        assert sock.recv(1) == b""


def test_stop_right_after_start_returns_at_once(tmp_path):
    """The accept loop looks for a stop every 0.05 s; with socketserver's 0.5 s poll every stop of an
    emulator waited about that long."""
    emulator = Emulator(tmp_path, port=0).start()
    started = time.monotonic()
    emulator.stop()
    assert time.monotonic() - started < 0.4


@pytest.mark.parametrize("options", [{"idle_timeout": 0}, {"max_connections": 0}, {"query_timeout": 0}])
def test_limits_out_of_range_are_refused(tmp_path, options):
    with pytest.raises(ValueError):
        Emulator(tmp_path, port=0, **options)


@pytest.mark.parametrize("returned", [list, iter], ids=["list", "iterator"])
def test_what_an_application_writes_is_sent_before_what_it_returns(returned):
    """PEP 3333's write(): the server may buffer it, but must send it, ahead of the returned body."""

    def app(environ, start_response):
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written")
        return returned([b" and returned"])

    server = HttpServer(listen("127.0.0.1", 0), app, idle_timeout=BOUND, max_connections=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=BOUND)
        for _ in range(2):  # and the connection is kept, its framing intact
            connection.request("GET", "/")
            assert connection.getresponse().read() == b"written and returned"
        connection.close()
    finally:
        server.shutdown()
        thread.join(BOUND)
        server.server_close()
