"""SDK v2 collection types against the emulator, nothing changed but the endpoint variables.

What the SDK does with them: ``load_feature_definitions(frame, online_storage_type=InMemory)``
turns a column of lists into a List feature of the elements' type; ``create`` sends the
definitions; ``ingest`` describes the group to learn which features are collections, sends their
cells as ``ValueAsStringList`` of ``str(element)`` (an empty list or a missing cell is left out)
and any other cell as ``ValueAsString``; ``get_record`` returns the Record as the service sends
it. On a Standard group the same frame's lists become String features holding ``str(list)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from compat_clients import require_sdk

require_sdk()

from sagemaker.feature_store.feature_definition import (  # noqa: E402
    FractionalFeatureDefinition,
    StringFeatureDefinition,
    VectorCollectionType,
)
from sagemaker.feature_store.feature_group import FeatureGroup, IngestionError  # noqa: E402
from sagemaker.feature_store.inputs import FeatureValue, OnlineStoreStorageTypeEnum  # noqa: E402

from sdk_helpers import unique_name, wait_until  # noqa: E402

IN_MEMORY = OnlineStoreStorageTypeEnum.IN_MEMORY


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "item_id": pd.Series(["a", "b", "c"], dtype="string"),
        "event_time": pd.Series([1_700_000_000.0, 1_700_000_001.0, 1_700_000_002.0]),
        "labels": pd.Series([["x", "yz", "x"], ["w"], []], dtype="object"),
        "counts": pd.Series([[1, 2], [3], np.nan], dtype="object"),
        "weights": pd.Series([[0.5, 25], [1.25], [2.0, 3]], dtype="object"),
    })


def created(session, role_arn: str, frame: pd.DataFrame, storage, definitions=None) -> FeatureGroup:
    group = FeatureGroup(name=unique_name("collections"), sagemaker_session=session)
    if definitions is None:
        group.load_feature_definitions(data_frame=frame, online_storage_type=storage)
    else:
        group.feature_definitions = definitions
    group.create(s3_uri=False, record_identifier_name="item_id", event_time_feature_name="event_time",
                 role_arn=role_arn, enable_online_store=True, online_store_storage_type=storage)
    description = wait_until(group.describe, lambda d: d["FeatureGroupStatus"] != "Creating", group.name)
    assert description["FeatureGroupStatus"] == "Created", description
    return group


@pytest.fixture(scope="module")
def in_memory(session, role_arn) -> FeatureGroup:
    return created(session, role_arn, frame(), IN_MEMORY)


def test_load_feature_definitions_makes_list_features_that_describe_shows(in_memory) -> None:
    assert [(d["FeatureName"], d["FeatureType"], d.get("CollectionType"))
            for d in in_memory.describe()["FeatureDefinitions"]] == [
        ("item_id", "String", None), ("event_time", "Fractional", None), ("labels", "String", "List"),
        ("counts", "Integral", "List"), ("weights", "Fractional", "List")]


@pytest.mark.parametrize("workers", [1, 3])
def test_ingest_sends_lists_and_get_record_returns_them_as_put(in_memory, workers) -> None:
    in_memory.ingest(frame(), max_workers=workers, wait=True)

    assert in_memory.get_record("a") == [
        {"FeatureName": "item_id", "ValueAsString": "a"},
        {"FeatureName": "event_time", "ValueAsString": "1700000000.0"},
        {"FeatureName": "labels", "ValueAsStringList": ["x", "yz", "x"]},
        {"FeatureName": "counts", "ValueAsStringList": ["1", "2"]},
        {"FeatureName": "weights", "ValueAsStringList": ["0.5", "25"]}]
    assert in_memory.get_record("c") == [  # the empty list and the missing cell are not sent
        {"FeatureName": "item_id", "ValueAsString": "c"},
        {"FeatureName": "event_time", "ValueAsString": "1700000002.0"},
        {"FeatureName": "weights", "ValueAsStringList": ["2.0", "3"]}]


def test_a_row_with_a_missing_element_fails_to_ingest(in_memory) -> None:
    bad = frame().head(1).assign(item_id=pd.Series(["d"], dtype="string"),
                                 counts=pd.Series([[1, 2, None]], dtype="object"))
    with pytest.raises(IngestionError) as raised:
        in_memory.ingest(bad, max_workers=1, wait=True)
    assert raised.value.failed_rows == [0]
    assert in_memory.get_record("d") is None


def test_put_record_with_value_as_string_list_and_a_vector(session, role_arn) -> None:
    group = created(session, role_arn, frame(), IN_MEMORY, definitions=[
        StringFeatureDefinition("item_id"), FractionalFeatureDefinition("event_time"),
        FractionalFeatureDefinition("embedding", VectorCollectionType(3))])
    assert group.describe()["FeatureDefinitions"][-1] == {
        "FeatureName": "embedding", "FeatureType": "Fractional", "CollectionType": "Vector",
        "CollectionConfig": {"VectorConfig": {"Dimension": 3}}}
    record = [FeatureValue("item_id", value_as_string="v1"), FeatureValue("event_time", value_as_string="5"),
              FeatureValue("embedding", value_as_string_list=["0.1", "0.20", "3"])]
    group.put_record(record)
    assert group.get_record("v1") == [value.to_dict() for value in record]
    with pytest.raises(Exception, match="is a Vector of dimension 3: it needs exactly 3 values, got 2"):
        group.put_record([record[0], record[1], FeatureValue("embedding", value_as_string_list=["1", "2"])])
    assert group.get_record("v1") == [value.to_dict() for value in record]


def test_on_a_standard_group_the_lists_become_strings(session, role_arn) -> None:
    standard = created(session, role_arn, frame(), OnlineStoreStorageTypeEnum.STANDARD)
    assert [d["FeatureType"] for d in standard.describe()["FeatureDefinitions"]][2:] == ["String"] * 3
    standard.ingest(frame(), max_workers=1, wait=True)
    assert standard.get_record("b", feature_names=["labels", "weights"]) == [
        {"FeatureName": "labels", "ValueAsString": "['w']"}, {"FeatureName": "weights", "ValueAsString": "[1.25]"}]
