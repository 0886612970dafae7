"""One size rule: a record of exactly 350 KB (358,400 bytes by ``record_size``: feature names and
values in UTF-8) is accepted by the local backend and through the emulator; one byte more is
refused by both, with the same message. The emulator's body cap is only a framing guard."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from emulator_helpers import create_request, record, unique_name, wait_created
from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.values import MAX_RECORD_BYTES
from featurestore_demo.schemas import FeatureGroupSpec
from local_backend import LocalBackend

NOTE = {"FeatureName": "note", "FeatureType": "String"}


def values(extra_bytes: int) -> dict[str, str]:
    """A record whose size is MAX_RECORD_BYTES + extra_bytes, its note made of 2-byte characters and ASCII."""
    fixed = {"id": "big", "age": "1", "score": "1.5", "event_time": "100.0"}
    used = sum(len(name) + len(value) for name, value in fixed.items()) + len("note")
    room = MAX_RECORD_BYTES + extra_bytes - used
    return {**fixed, "note": "é" * 1000 + "n" * (room - 2000)}


def request(name: str) -> dict:
    base = create_request(name)
    return {**base, "FeatureDefinitions": base["FeatureDefinitions"] + [NOTE]}


@pytest.fixture
def local(tmp_path):
    with LocalBackend(tmp_path, lifecycle_seconds=0) as backend:
        backend.create_feature_group(FeatureGroupSpec.from_aws(request("sized")))
        yield backend


def test_exactly_the_limit_is_accepted_and_one_byte_more_refused_locally(local):
    with pytest.raises(ValidationException, match=f"{MAX_RECORD_BYTES + 1} bytes"):
        local.put_record("sized", values(1))
    assert local.get_record("sized", "big") is None
    local.put_record("sized", values(0))
    assert local.get_record("sized", "big")["note"] == values(0)["note"]


def test_exactly_the_limit_is_accepted_and_one_byte_more_refused_by_the_emulator(emulator, sm, runtime):
    name = unique_name("sized")
    sm.create_feature_group(**request(name))
    wait_created(sm, name)
    with pytest.raises(ClientError) as raised:
        runtime.put_record(FeatureGroupName=name, Record=record(**values(1)))
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert f"{MAX_RECORD_BYTES + 1} bytes" in raised.value.response["Error"]["Message"]
    assert emulator.backend.get_record(name, "big") is None
    runtime.put_record(FeatureGroupName=name, Record=record(**values(0)))
    found = runtime.get_record(FeatureGroupName=name, RecordIdentifierValueAsString="big")["Record"]
    assert {item["FeatureName"]: item["ValueAsString"] for item in found}["note"] == values(0)["note"]
