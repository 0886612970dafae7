"""The rows of a batch of writes: one builder for both write paths, the columns declared once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from featurestore_demo.frames import validate_frame
from featurestore_demo.schemas import USERS
from local_backend.history import (
    ATHENA_COLUMNS,
    LOG_COLUMNS,
    OFFLINE_COLUMNS,
    consecutive_puts,
    journal_writes,
    log_frame,
    offline_frame,
)
from local_backend.journal import Write

ROWS = [["u1", 30, "gold", 3, 12.5, 1e9], ["u2", None, None, 4, None, 1e9 + 1]]


def test_journaled_puts_and_an_ingest_give_the_same_rows():
    entries = [Write(7 + i, "users", "put", row, row[-1], 1_000_000 + i, None, True, True)
               for i, row in enumerate(ROWS)]
    frame, seconds = validate_frame(USERS, pd.DataFrame(ROWS, columns=USERS.feature_names).convert_dtypes())
    bulk = consecutive_puts(7, 1_000_000, seconds, np.full(2, np.nan), True, True)
    features, writes = journal_writes(USERS, entries)
    for build, columns in ((log_frame, LOG_COLUMNS), (offline_frame, OFFLINE_COLUMNS)):
        pd.testing.assert_frame_equal(build(features, writes), build(frame, bulk))
        assert list(build(frame, bulk).columns) == USERS.feature_names + [column.name for column in columns]


def test_each_table_takes_only_the_writes_sent_to_its_store():
    entries = [Write(1, "users", "put", ROWS[0], 1e9, 10, None, True, False),
               Write(2, "users", "put", ROWS[1], 1e9, 11, None, False, True)]
    features, writes = journal_writes(USERS, entries)
    assert log_frame(features, writes)["user_id"].tolist() == ["u1"]
    assert offline_frame(features, writes)["user_id"].tolist() == ["u2"]
    ingest = consecutive_puts(0, 0, np.array([1.0, 2.0]), np.full(2, np.nan), online=True, offline=False)
    assert len(log_frame(features, ingest)) == 2 and len(offline_frame(features, ingest)) == 0


def test_a_delete_marker_row():
    marker = Write(1, "users", "HardDelete", ["u1", None, None, None, None, 5.0], 5.0, 1_234_567, None, True, True)
    features, writes = journal_writes(USERS, [marker])
    logged, offline = log_frame(features, writes).iloc[0], offline_frame(features, writes).iloc[0]
    assert logged["__op"] == "HardDelete" and np.isnan(logged["__expires_at"]) and logged["__ait_us"] == 1_234_567
    assert offline["is_deleted"]
    assert offline["write_time"] == pd.Timestamp(1_234_000, unit="us")  # milliseconds, as Athena shows
    assert offline["api_invocation_time"] == pd.Timestamp(1_234_567, unit="us")


def test_athena_sees_the_documented_columns_only():
    assert ATHENA_COLUMNS == ("write_time", "api_invocation_time", "is_deleted")
    assert not any(column.name.startswith("__") for column in OFFLINE_COLUMNS)
