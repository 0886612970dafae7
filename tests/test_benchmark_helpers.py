"""The benchmarks' own parts, tested in `make test` (the benchmarks themselves run only in `make bench`).

The data generator (vectorised, yet the values of the plain version) and the trivial keep-alive server.
"""

from __future__ import annotations

import http.client

import numpy as np
import pandas as pd
import pytest

from tests.benchmarks.data import SIZES, Size, ids, labels_frame, products_frame, users_frame
from tests.benchmarks.trivial_server import TrivialServer, captured_response


@pytest.mark.parametrize("count", [1, 9, 10_000, 10_001, 123_457])
def test_ids_are_those_of_the_format_string(count: int) -> None:
    assert ids("user", count).to_pylist() == [f"user_{i:07d}" for i in range(count)]


def test_ids_widen_past_seven_digits() -> None:
    assert ids("t", 10_000_001)[-1].as_py() == "t_10000000"


def _plain_users(rows: int, versions: int = 10, seed: int = 1) -> pd.DataFrame:
    """The generator as it was written before it was vectorised (Python strings, object arrays)."""
    rng = np.random.default_rng(seed)
    users = np.array([f"user_{i:07d}" for i in range(max(rows // versions, 1))], dtype=object)
    entity = rng.integers(0, len(users), rows)
    return pd.DataFrame({
        "user_id": users[entity],
        "age": rng.integers(18, 80, rows),
        "membership_tier": np.array(["bronze", "silver", "gold", "platinum"], dtype=object)[rng.integers(0, 4, rows)],
        "total_purchases": rng.integers(0, 100, rows),
        "avg_order_value": np.round(rng.uniform(5, 200, rows), 2),
        "event_time": np.round(1_704_067_200.0 + rng.uniform(0, 90 * 86_400.0, rows), 3),
    })


def test_the_vectorised_generator_draws_the_same_values() -> None:
    pd.testing.assert_frame_equal(users_frame(5_000), _plain_users(5_000))


def test_one_label_in_a_hundred_sits_exactly_on_a_user_row() -> None:
    size = Size("tiny", labels=2_000, user_rows=1_000, product_rows=100)
    users = users_frame(size.user_rows)
    labels = labels_frame(size, users)
    tied = labels.merge(users, on=["user_id", "event_time"])
    assert len(tied) == 20
    assert labels["transaction_id"].is_unique
    assert set(labels["product_id"]) <= set(products_frame(size.product_rows)["product_id"])
    pd.testing.assert_frame_equal(labels, labels_frame(size, users))  # the same in every run
    assert labels_frame(size, users, tied=0).merge(users, on=["user_id", "event_time"]).empty


def test_xl_is_ten_times_l() -> None:
    large, xl = SIZES["L"], SIZES["XL"]
    assert (xl.labels, xl.user_rows, xl.product_rows) == (10 * large.labels, 10 * large.user_rows,
                                                          10 * large.product_rows)


def test_the_trivial_server_answers_its_bytes_on_one_kept_connection() -> None:
    body = b'{"Record": []}'
    response = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n" + body
    with TrivialServer(response) as server:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
        connection.request("POST", "/x", body=b"some request body")
        assert connection.getresponse().read() == body
        socket_used = connection.sock
        connection.request("GET", "/y")
        assert connection.getresponse().read() == body
        assert connection.sock is socket_used  # kept alive
        connection.close()


def test_a_captured_response_is_reframed_for_keep_alive() -> None:
    closing = b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nX-Amzn-RequestId: r1\r\nContent-Length: 2\r\n\r\n{}"
    with TrivialServer(closing) as server:
        captured = captured_response(server.host, server.port, "GET", "/", {})
    head, body = captured.split(b"\r\n\r\n")
    assert body == b"{}"
    assert head.splitlines()[0] == b"HTTP/1.1 404 Not Found"
    assert b"X-Amzn-RequestId: r1" in head and b"Content-Length: 2" in head
    assert b"Connection" not in head


