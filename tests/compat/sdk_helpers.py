"""Helpers of the compat tests: SDK v2 feature groups made the way its users make them.

Imported only by modules that have already skipped when ``sagemaker`` is missing.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import pandas as pd
from sagemaker.feature_store.feature_group import FeatureGroup

_names = itertools.count()
POLL_SECONDS = 0.05
POLL_LIMIT = 200  # 10 s: the emulator's lifecycles last 0.1 s


def unique_name(prefix: str) -> str:
    return f"compat-{prefix}-{next(_names)}"


def users_frame(rows: list[tuple[str, int, str, float]]) -> pd.DataFrame:
    """A frame of (user_id, age, tier, event_time) with the dtypes the SDK maps to String,
    Integral, String and Fractional."""
    frame = pd.DataFrame(rows, columns=["user_id", "age", "tier", "event_time"])
    return frame.astype({"user_id": object, "age": "int64", "tier": object, "event_time": "float64"})


def wait_until(describe: Any, ready: Any, what: str) -> dict[str, Any]:
    """Poll ``describe()`` until ``ready(description)``, at most :data:`POLL_LIMIT` times."""
    for _ in range(POLL_LIMIT):
        description = describe()
        if ready(description):
            return description
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"{what} never happened: last description {description}")


def create_group(session: Any, frame: pd.DataFrame, *, s3_uri: str, role_arn: str,
                 record_id: str = "user_id", event_time: str = "event_time", prefix: str = "users",
                 online: bool = True) -> FeatureGroup:
    """A Created feature group with the columns of ``frame``, as the SDK's docs make one:
    ``load_feature_definitions``, ``create``, then ``describe`` until not Creating."""
    group = FeatureGroup(name=unique_name(prefix), sagemaker_session=session)
    group.load_feature_definitions(data_frame=frame)
    group.create(s3_uri=s3_uri, record_identifier_name=record_id, event_time_feature_name=event_time,
                 role_arn=role_arn, enable_online_store=online)
    description = wait_until(group.describe, lambda d: d["FeatureGroupStatus"] != "Creating",
                             f"{group.name} Created")
    assert description["FeatureGroupStatus"] == "Created", description
    return group


def offline_rows(group: FeatureGroup, output: str) -> pd.DataFrame:
    """Every offline row of ``group`` (``SELECT *`` through the SDK's AthenaQuery), with the
    write_time and api_invocation_time columns parsed as timestamps."""
    query = group.athena_query()
    query.run(f'SELECT * FROM "{query.table_name}"', output_location=output)
    query.wait()
    rows = query.as_dataframe()
    for column in ("write_time", "api_invocation_time"):
        rows[column] = pd.to_datetime(rows[column])
    return rows
