"""A crash around the offline store's files.

A batch of offline rows is committed with the write log (Athena sees it, the write is
acknowledged); then, on the export worker, staged as files, the files' watermark moved, and the
files renamed into place. A child process dies (``os._exit``) at each step in turn; the store
reopened here must show each row once or not at all, in Athena and in the files alike.
"""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from featurestore_demo.schemas import USERS
from local_backend import LocalBackend

CHILD = """
import os, sys
import numpy as np, pandas as pd
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend, offline_export, offline_store

store = LocalBackend(sys.argv[1])
store.create_feature_group(USERS)
store.put_record("users", {"user_id": "before", "total_purchases": 1, "event_time": 1.0})
store.flush()
store.write_out_offline()
die = lambda *args, **kwargs: os._exit(9)
if sys.argv[2] == "before the commit":
    offline_store.ParquetOfflineStore.append = die
elif sys.argv[2] == "before the files are staged":
    offline_export.stage = die
elif sys.argv[2] == "before the watermark moves":
    store._offline._exporter._set_exported = die  # staged, not yet counted as written
else:
    offline_export.publish = die
rows = pd.DataFrame({"user_id": [f"i{i}" for i in range(50)], "total_purchases": np.arange(50),
                     "event_time": 1_700_000_000.0 + np.arange(50) * 600.0})
store.ingest("users", rows)
store.write_out_offline()
print("survived", flush=True)
"""


def crash(home, when: str) -> None:
    result = subprocess.run([sys.executable, "-c", CHILD, str(home), when], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 9 and "survived" not in result.stdout, result.stderr


def user_ids_in_files(store: LocalBackend) -> list[str]:
    paths = [store.s3_root / file.uri.removeprefix("s3://") for file in store.offline_files(USERS.name)]
    return sorted(user_id for path in paths for user_id in pq.read_table(path)["user_id"].to_pylist())


@pytest.mark.parametrize(("when", "ingested"), [
    ("before the commit", False),
    ("before the files are staged", True),
    ("before the watermark moves", True),
    ("before the files move", True),
])
def test_a_crash_leaves_each_row_once_or_not_at_all(tmp_path, when, ingested):
    crash(tmp_path, when)

    with LocalBackend(tmp_path) as store:
        expected = sorted(["before"] + ([f"i{i}" for i in range(50)] if ingested else []))
        athena = store.query(f"SELECT user_id FROM {store.offline_table(USERS.name)}")["user_id"]
        assert sorted(athena) == expected
        assert user_ids_in_files(store) == expected
        assert (store.get_record(USERS.name, "i0") is not None) == ingested
        assert not any((tmp_path / "staging").iterdir())
