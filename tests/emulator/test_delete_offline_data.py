"""What the AWS backend removes beside a deleted group: the Glue table and the S3 objects, unless kept.

DeleteFeatureGroup leaves a group's offline data on AWS (SAGEMAKER_SPEC §1.5), and so does the
emulator's; the kit's ``delete_feature_group`` removes it by default (Glue's DeleteTable, which
takes the Athena table with it), and ``keep_offline_data=True`` leaves it.
"""

from __future__ import annotations

from collections import Counter

import pytest

from emulator_helpers import unique_name
from featurestore_demo.schemas import USERS
from scenarios.emulator_backend import emulator_backend

PURGE_CALLS = ("DeleteTable", "ListObjectsV2")


@pytest.mark.parametrize(("keep", "purged"), [(False, True), (True, False)])
def test_offline_data_is_removed_unless_kept(emulator, keep, purged):
    backend = emulator_backend(emulator)
    calls: Counter[str] = Counter()
    for client in (backend._glue, backend._s3):  # the clients only a purge uses
        client.meta.events.register("before-call.*.*", lambda model, **_: calls.update([model.name]))
    name = unique_name("users")
    backend.create_feature_group(USERS.with_name(name))
    backend.wait_for_status(name, "Created", timeout=30)
    backend.put_record(name, {"user_id": "u1", "event_time": 1.0})
    table = backend.offline_table(name)

    backend.delete_feature_group(name, keep_offline_data=keep)

    assert all(calls[call] == (1 if purged else 0) for call in PURGE_CALLS), calls
    backend.wait_for_status(name, "Deleted", timeout=30)
    glue_table = table.split(".")[1].strip('"')
    assert (glue_table in emulator.backend.athena_relations()["sagemaker_featurestore"]) is keep
    if keep:  # the kept rows still answer queries
        assert backend.query(f"SELECT user_id FROM {table}")["user_id"].tolist() == ["u1"]
