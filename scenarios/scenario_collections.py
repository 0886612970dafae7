"""Collection features: a feature whose value is a List, a Set or a Vector of values.

A feature definition may carry a ``CollectionType`` (SageMaker's Developer Guide, "Collection
types"): its value is then a list of elements of the feature's type, sent as
``ValueAsStringList`` instead of ``ValueAsString``.

- **List**: ordered, repeats allowed (``["b", "a", "b"]`` stays as it is).
- **Set**: each value once (``[42, 7, 42]`` is kept as ``[42, 7]``).
- **Vector**: exactly ``dimension`` Fractional values (``FeatureDefinition("embedding",
  "Fractional", "Vector", 3)``), at most one per group: an embedding, say.

Only feature groups whose online store is ``InMemory`` take collections, and AWS replicates no
InMemory group to an offline store, so the groups here are online only. Reads return the
collections as they were put; every refusal names the feature and changes nothing.

An InMemory group takes 10 to 15 minutes to create on AWS (botocore's CreateFeatureGroup
documentation); the wait here allows for it.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pandas as pd
import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.runtime_types import WriteEntry
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec

ITEMS = FeatureGroupSpec(
    name="items",
    record_identifier_name="item_id",
    event_time_feature_name="event_time",
    features=(
        FeatureDefinition("item_id", "String"),
        FeatureDefinition("tags", "String", "List"),
        FeatureDefinition("sizes", "Integral", "Set"),
        FeatureDefinition("embedding", "Fractional", "Vector", 3),
        FeatureDefinition("price", "Fractional"),
        FeatureDefinition("event_time", "Fractional"),
    ),
    offline_store=False,
    storage_type="InMemory",
)
IN_MEMORY_CREATION = 1200.0
"""Seconds to wait for an InMemory group to be Created (AWS: about 10 to 15 minutes)."""


@pytest.fixture
def now() -> float:
    return float(int(time.time()) - 10)


@pytest.fixture
def items(backend, feature_groups) -> str:
    named = ITEMS.with_name(feature_groups.unique_name(ITEMS.name))
    backend.create_feature_group(named)
    feature_groups.names.append(named.name)
    backend.wait_for_status(named.name, "Created", timeout=IN_MEMORY_CREATION)
    return named.name


def item(now: float, item_id: str = "i1", **values) -> dict:
    return {"item_id": item_id, "tags": ["b", "a", "b"], "sizes": [42, 7, 42], "embedding": [0.5, -1.0, 2.25],
            "price": 9.5, "event_time": now, **values}


def read_back(record: dict) -> dict:
    """``record`` as a read returns it: collections as lists, a Set without its repeats."""
    return {**record, "tags": list(record["tags"]), "sizes": list(dict.fromkeys(record["sizes"])),
            "embedding": list(record["embedding"])}


def test_the_collections_are_described(backend, items):
    definitions = backend.describe_feature_group(items)["FeatureDefinitions"]
    assert definitions[1:4] == [
        {"FeatureName": "tags", "FeatureType": "String", "CollectionType": "List"},
        {"FeatureName": "sizes", "FeatureType": "Integral", "CollectionType": "Set"},
        {"FeatureName": "embedding", "FeatureType": "Fractional", "CollectionType": "Vector",
         "CollectionConfig": {"VectorConfig": {"Dimension": 3}}},
    ]
    assert backend.feature_group_spec(items).features == ITEMS.features


def test_a_record_reads_back_its_collections(backend, items, now):
    backend.put_record(items, item(now))

    assert backend.get_record(items, "i1") == read_back(item(now))
    assert backend.get_record(items, "i1", ["sizes"]) == {"sizes": [42, 7]}


def test_batch_write_batch_get_and_ingest_carry_collections(backend, items, now):
    result = backend.batch_write_record([WriteEntry(items, item(now, "i1")),
                                         WriteEntry(items, item(now, "i2", tags=[], sizes=[1]))])
    assert (result.errors, result.unprocessed) == ([], [])
    frame = pd.DataFrame({"item_id": ["i3"], "tags": [("x", "y")], "embedding": [[1, 2, 3]], "event_time": [now]})
    assert backend.ingest(items, frame) == 1

    assert backend.batch_get_record(items, ["i1", "i2", "i3"]) == {
        "i1": read_back(item(now, "i1")),
        "i2": read_back(item(now, "i2", tags=[], sizes=[1])),
        "i3": {"item_id": "i3", "tags": ["x", "y"], "embedding": [1.0, 2.0, 3.0], "event_time": now},
    }


def test_an_update_replaces_a_collection_and_keeps_the_others(backend, items, now):
    backend.put_record(items, item(now))
    backend.update_record(items, "i1", {"embedding": [0.0, 0.0, 1.0]})

    assert backend.get_record(items, "i1") == read_back(item(now, embedding=[0.0, 0.0, 1.0]))


BAD_VALUES = {
    "an element that is not of the feature's type": ({"sizes": [1, "1.5"]},
                                                     "Invalid value '1.5' for feature 'sizes[1]'"),
    "a Vector of the wrong dimension": ({"embedding": [1.0, 2.0]},
                                        "Feature 'embedding' is a Vector of dimension 3: it needs exactly 3 values"),
    "a single value for a collection": ({"tags": "b"}, "Feature 'tags' is a List of String: its value is a list"),
    "a list for a single-value feature": ({"price": [9.5]}, "Feature 'price' is a single Fractional value"),
    "a missing element": ({"tags": ["a", None]}, "Element 1 of feature 'tags' is null"),
}


@pytest.mark.parametrize("case", BAD_VALUES, ids=str)
def test_a_bad_collection_value_is_refused_and_changes_nothing(backend, items, now, case):
    backend.put_record(items, item(now))
    values, message = BAD_VALUES[case]

    with pytest.raises(ValidationException, match=re.escape(message)) as raised:
        backend.put_record(items, item(now + 1, **values))

    assert raised.value.code == "ValidationException"
    assert backend.get_record(items, "i1") == read_back(item(now))


BAD_DEFINITIONS = {
    "a collection on the Standard tier": (
        replace(ITEMS, storage_type="Standard"),
        "Collection types (List, Set, Vector) are supported only by feature groups whose online store is InMemory"),
    "a Vector of Integral": (
        replace(ITEMS, features=tuple(replace(f, type="Integral") if f.name == "embedding" else f
                                      for f in ITEMS.features)),
        "Feature 'embedding' is a Vector of Integral: a Vector's elements must be Fractional."),
    "a Vector of dimension 8193": (
        replace(ITEMS, features=tuple(replace(f, dimension=8193) if f.name == "embedding" else f
                                      for f in ITEMS.features)),
        "Member must have value less than or equal to 8192"),
}


@pytest.mark.parametrize("case", BAD_DEFINITIONS, ids=str)
def test_a_collection_aws_does_not_allow_is_refused_and_no_group_is_created(backend, unique_name, case):
    spec, message = BAD_DEFINITIONS[case]
    named = spec.with_name(unique_name("refused"))

    with pytest.raises(ValidationException, match=re.escape(message)):
        backend.create_feature_group(named)

    assert named.name not in [group["FeatureGroupName"] for group in backend.list_feature_groups(named.name)]
