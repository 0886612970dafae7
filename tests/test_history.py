"""The history rows: one builder for both write paths, and the columns declared once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from featurestore_demo.frames import validate_frame
from featurestore_demo.schemas import USERS
from local_backend.history import ATHENA_COLUMNS, HISTORY_COLUMNS, consecutive_puts, history_frame, journal_history
from local_backend.journal import Write

ROWS = [["u1", 30, "gold", 3, 12.5, 1e9], ["u2", None, None, 4, None, 1e9 + 1]]


def test_journaled_puts_and_an_ingest_give_the_same_rows():
    entries = [Write(7 + i, "users", "put", row, row[-1], 1_000_000 + i, None, True, False)
               for i, row in enumerate(ROWS)]
    frame, seconds = validate_frame(USERS, pd.DataFrame(ROWS, columns=USERS.feature_names).convert_dtypes())
    bulk = history_frame(frame, consecutive_puts(7, 1_000_000, seconds, np.full(2, np.nan), True, False))
    pd.testing.assert_frame_equal(journal_history(USERS, entries), bulk)
    assert list(bulk.columns) == USERS.feature_names + [column.name for column in HISTORY_COLUMNS]


def test_a_delete_marker_row():
    marker = Write(1, "users", "HardDelete", ["u1", None, None, None, None, 5.0], 5.0, 1_234_567, None, True, True)
    row = journal_history(USERS, [marker]).iloc[0]
    assert row["is_deleted"] and row["__op"] == "HardDelete" and np.isnan(row["__expires_at"])
    assert row["write_time"] == pd.Timestamp(1_234_000, unit="us")  # milliseconds, as Athena shows
    assert row["api_invocation_time"] == pd.Timestamp(1_234_567, unit="us")


def test_athena_sees_the_documented_columns_only():
    assert ATHENA_COLUMNS == ("write_time", "api_invocation_time", "is_deleted")
