"""The offline store is files: Parquet in S3, in the layout SageMaker gives it.

Every put and every delete marker sent to the offline store ends up in a Parquet file under the
group's ``ResolvedOutputS3Uri`` (DescribeFeatureGroup), partitioned by the **event time** per
hour, not by when it was written::

    <ResolvedOutputS3Uri>/year=2023/month=11/day=14/hour=22/20231114T221321Z_<16 characters>.parquet

The file name starts with the latest event time in the file. On AWS the files appear within
about 15 minutes of the writes; code that needs them waits, as AWS's own sample notebooks do,
by listing the folder until Parquet objects are there.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone

from featurestore_demo.polling import poll
from featurestore_demo.schemas import USERS

LAYOUT = re.compile(r"/year=(\d{4})/month=(\d\d)/day=(\d\d)/hour=(\d\d)/(\d{8}T\d{6}Z)_[A-Za-z0-9]{16}\.parquet")
T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z
OFFLINE_LAG_SECONDS = 20 * 60  # AWS writes the offline store within about 15 minutes


def wait_for_rows(backend, group: str, rows: int) -> list:
    """The group's offline files once they hold ``rows`` rows (the notebooks' wait loop)."""
    def probe() -> tuple[str, dict]:
        files = backend.offline_files(group)
        return ("written" if sum(f.rows for f in files) >= rows else "waiting"), {"files": files}

    return poll(probe, "written", subject=f"the offline files of {group}", timeout=OFFLINE_LAG_SECONDS)["files"]


def hour_of(seconds: float) -> tuple[str, str, str, str]:
    stamp = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return f"{stamp:%Y}", f"{stamp:%m}", f"{stamp:%d}", f"{stamp:%H}"


def test_puts_and_deletes_land_as_parquet_files_partitioned_by_event_hour(backend, feature_groups):
    spec = feature_groups.create(USERS)
    event_times = {"u1": T0, "u2": T0 + 1, "u3": T0 + 25 * 3600}  # u3: the next day
    for user, seconds in event_times.items():
        backend.put_record(spec.name, {"user_id": user, "total_purchases": 1, "event_time": seconds})
    backend.put_record(spec.name, {"user_id": "u1", "total_purchases": 0, "event_time": T0 - 3600})  # older: offline
    backend.delete_record(spec.name, "u2", T0 + 2 * 3600)  # a marker, in its own hour
    written = [T0, T0 + 1, T0 + 25 * 3600, T0 - 3600, T0 + 2 * 3600]

    files = wait_for_rows(backend, spec.name, len(written))

    resolved = backend.describe_feature_group(spec.name)["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    assert all(f.uri.startswith(resolved + "/") and f.size > 0 for f in files)
    placed = [LAYOUT.fullmatch(f.uri[len(resolved):]) for f in files]
    assert all(placed), [f.uri for f in files]
    rows_per_hour: Counter = Counter()
    for match, file in zip(placed, files):
        rows_per_hour[match.groups()[:4]] += file.rows
        assert match.group(5)[:11] == "{}{}{}T{}".format(*match.groups()[:4])  # latest event time: that hour
    assert rows_per_hour == Counter(hour_of(seconds) for seconds in written)


def test_an_online_only_write_adds_no_offline_file(backend, feature_groups):
    spec = feature_groups.create(USERS)
    backend.put_record(spec.name, {"user_id": "u1", "total_purchases": 1, "event_time": T0})
    backend.put_record(spec.name, {"user_id": "u2", "total_purchases": 2, "event_time": T0},
                       target_stores=["OnlineStore"])

    files = wait_for_rows(backend, spec.name, 1)

    assert sum(f.rows for f in files) == 1
    assert backend.get_record(spec.name, "u2")["total_purchases"] == 2
