"""Collection features in the local backend: online as put, across reopening, in ingested frames,
and in the kit's offline store (a ``string`` column of JSON text, on Glue and Iceberg tables).

AWS replicates no InMemory group (the only tier with collections) to an offline store; the kit
does, and the format of the column is its choice (featurestore_demo.rules.collections).
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from fakes import Clock
from pyiceberg.table import StaticTable

from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, OfflineStoreConfig, TtlDuration
from local_backend import LocalBackend

T0 = 1_700_000_000.0
ITEMS = FeatureGroupSpec(
    name="items", record_identifier_name="id", event_time_feature_name="event_time",
    features=(FeatureDefinition("id", "String"), FeatureDefinition("tags", "String", "List"),
              FeatureDefinition("sizes", "Integral", "Set"), FeatureDefinition("embedding", "Fractional", "Vector", 3),
              FeatureDefinition("score", "Fractional"), FeatureDefinition("event_time", "Fractional")),
    storage_type="InMemory",
)
PUT = {"id": "i1", "tags": ["b", "a", "b"], "sizes": ["42", "7", "+42"], "embedding": ["0.5", "1.50", "25"],
       "score": "1.0", "event_time": T0}
TEXTS = [("id", "i1"), ("tags", ["b", "a", "b"]), ("sizes", ["42", "7"]), ("embedding", ["0.5", "1.50", "25"]),
         ("score", "1.0"), ("event_time", repr(T0))]
TYPED = {"id": "i1", "tags": ["b", "a", "b"], "sizes": [42, 7], "embedding": [0.5, 1.5, 25.0], "score": 1.0,
         "event_time": T0}


@pytest.fixture
def store(tmp_path):
    with LocalBackend(tmp_path, clock=Clock(T0 + 10)) as backend:
        backend.create_feature_group(ITEMS)
        yield backend


def test_reads_return_the_collections_as_put(store):
    store.put_record("items", PUT)
    assert store.wire_record("items", "i1").texts == TEXTS
    assert store.get_record("items", "i1") == TYPED
    assert store.batch_get_record("items", ["i1"], ["sizes"]) == {"i1": {"sizes": [42, 7]}}


@pytest.mark.parametrize("flushed", [True, False], ids=["from the write log", "from the journal"])
@pytest.mark.parametrize("history", ["puts only", "with a TTL and a delete"])
def test_collections_and_their_texts_survive_reopening(tmp_path, flushed, history):
    clock = Clock(T0 + 10)
    with LocalBackend(tmp_path, clock=clock) as store:
        store.create_feature_group(ITEMS)
        store.put_record("items", {**PUT, "event_time": T0 - 5})
        store.put_record("items", PUT, ttl=TtlDuration("Days", 1) if history != "puts only" else None)
        if history != "puts only":
            store.put_record("items", {**PUT, "id": "gone", "sizes": [1]})
            store.delete_record("items", "gone", T0 + 1)
        store.update_record("items", "i1", {"tags": ("only",)})
        before = store.wire_record("items", "i1").texts, store.get_record("items", "i1")
        if flushed:
            store.flush()
        else:  # as after a crash: the writes are only in the journal
            store._journal.close()
            store._db.close()
            store._db = None
    with LocalBackend(tmp_path, clock=clock) as reopened:
        assert (reopened.wire_record("items", "i1").texts, reopened.get_record("items", "i1")) == before
        assert before[1]["tags"] == ["only"] and before[1]["embedding"] == [0.5, 1.5, 25.0]
        assert reopened.get_record("items", "gone") is None


def test_the_offline_store_holds_a_collection_as_json_text_of_its_typed_elements(store):
    store.put_record("items", PUT)
    table = store.offline_table("items")
    rows = store.query(f"SELECT tags, sizes, embedding, json_extract_scalar(embedding, '$[1]') AS second, "
                       f"CAST(json_parse(sizes) AS ARRAY(BIGINT))[1] AS first_size FROM {table}")
    assert rows.to_dict("records") == [{"tags": '["b", "a", "b"]', "sizes": "[42, 7]",
                                        "embedding": "[0.5, 1.5, 25.0]", "second": "1.5", "first_size": 42}]
    files = store.offline_files("items")
    parquet = pq.read_table(store.s3_root / files[0].uri.removeprefix("s3://"))
    assert {name: str(parquet.schema.field(name).type) for name in ("tags", "sizes", "embedding", "score")} == {
        "tags": "string", "sizes": "string", "embedding": "string", "score": "double"}
    assert json.loads(parquet.column("embedding")[0].as_py()) == [0.5, 1.5, 25.0]


def test_an_iceberg_table_holds_collections_as_json_text_too(tmp_path):
    spec = replace(ITEMS, features=(*ITEMS.features[:-1], FeatureDefinition("event_time", "String")),
                   offline_config=OfflineStoreConfig(table_format="Iceberg"))
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(spec)
        store.put_record("items", {**PUT, "event_time": "2024-01-31T12:00:00Z"})
        rows = store.query(f"SELECT tags, embedding FROM {store.offline_table('items')}")
        assert rows.values.tolist() == [['["b", "a", "b"]', "[0.5, 1.5, 25.0]"]]
        store.write_out_offline()
        location = store.describe_feature_group("items")["OfflineStoreConfig"]["S3StorageConfig"][
            "ResolvedOutputS3Uri"].removeprefix("s3://").removesuffix("/data")
        newest = sorted((store.s3_root / location / "metadata").glob("*.metadata.json"))[-1]
        table = StaticTable.from_metadata(str(newest)).scan().to_arrow()
        assert str(table.schema.field("sizes").type) in ("string", "large_string")
        assert table.column("sizes").to_pylist() == ["[42, 7]"]


def test_a_point_in_time_join_returns_a_collection_as_its_json_text(store):
    store.put_record("items", {**PUT, "event_time": T0 - 5})
    labels = pd.DataFrame({"id": ["i1", "i1"], "event_time": [T0 - 10, T0]})
    joined = store.point_in_time_join(labels, ["items"], features={"items": ["tags", "score"]})
    assert pd.isna(joined["tags"][0]) and joined["tags"][1] == '["b", "a", "b"]'
    assert joined["score"].tolist()[1] == 1.0


def test_ingest_takes_lists_tuples_and_arrays_and_none_as_absent(store):
    frame = pd.DataFrame({"id": ["a", "b", "c"],
                          "tags": [["x"], ("y", "z"), None],
                          "embedding": [np.array([1.0, 2.0, 3.0]), [4, 5, 6], np.nan],
                          "event_time": [T0, T0, T0]})
    assert store.ingest("items", frame) == 3
    assert store.batch_get_record("items", ["a", "b", "c"]) == {
        "a": {"id": "a", "tags": ["x"], "embedding": [1.0, 2.0, 3.0], "event_time": T0},
        "b": {"id": "b", "tags": ["y", "z"], "embedding": [4.0, 5.0, 6.0], "event_time": T0},
        "c": {"id": "c", "event_time": T0}}
    rows = store.query(f"SELECT id, coalesce(embedding, 'null') AS e FROM {store.offline_table('items')} ORDER BY id")
    assert rows.values.tolist() == [["a", "[1.0, 2.0, 3.0]"], ["b", "[4.0, 5.0, 6.0]"], ["c", "null"]]


@pytest.mark.parametrize(("column", "cells", "message"), [
    ("embedding", [[1.0, 2.0, 3.0], [1.0]], "Row 1: Feature 'embedding' is a Vector of dimension 3: it needs "
                                            "exactly 3 values, got 1."),
    ("sizes", [[1], ["x"]], "Row 1: Invalid value 'x' for feature 'sizes[0]' of type Integral"),
    ("tags", [["a"], "a"], "Row 1: Feature 'tags' is a List of String: its value is a list of values"),
])
def test_a_bad_collection_in_a_frame_names_its_row_and_nothing_is_written(store, column, cells, message):
    frame = pd.DataFrame({"id": ["a", "b"], column: cells, "event_time": [T0, T0]})
    with pytest.raises(ValidationException) as raised:
        store.ingest("items", frame)
    assert str(raised.value).startswith(message)
    assert store.batch_get_record("items", ["a", "b"]) == {}


def test_a_collection_is_added_to_an_in_memory_group_only(tmp_path):
    scalars = replace(ITEMS, features=(ITEMS.features[0], ITEMS.features[-1]))
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(scalars)
        store.create_feature_group(replace(scalars, name="standard", storage_type="Standard"))
        store.update_feature_group("items", feature_additions=[ITEMS.features[3]])
        store.put_record("items", {"id": "a", "embedding": [1, 2, 3], "event_time": T0})
        assert store.get_record("items", "a")["embedding"] == [1.0, 2.0, 3.0]
        with pytest.raises(ValidationException, match="supported only by feature groups whose online store is "
                                                      "InMemory; this group has a Standard online store"):
            store.update_feature_group("standard", feature_additions=[ITEMS.features[1]])
        assert store.feature_group_spec("standard").collections == {}
