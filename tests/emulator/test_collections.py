"""Collection features (List, Set, Vector) on the wire, driven by plain boto3 and raw requests.

CreateFeatureGroup takes ``CollectionType`` and a Vector's ``CollectionConfig.VectorConfig.Dimension``
on the InMemory tier and DescribeFeatureGroup shows them; records carry a collection's value as
``ValueAsStringList``, which every read returns exactly as put (a Set without its repeats).
Every refusal is AWS's error, and changes nothing. Raw responses are checked against the
operation's output shape in botocore's model (:func:`output_misfits`).
"""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest

from emulator_helpers import (
    SIGNED_RUNTIME,
    output_misfits,
    raw_post,
    run_query,
    send,
    unique_name,
    wait_created,
)
from scenarios.emulator_backend import emulator_backend, fake_session

RUNTIME = "sagemaker-featurestore-runtime"
DEFINITIONS = [
    {"FeatureName": "id", "FeatureType": "String"},
    {"FeatureName": "tags", "FeatureType": "String", "CollectionType": "List"},
    {"FeatureName": "sizes", "FeatureType": "Integral", "CollectionType": "Set"},
    {"FeatureName": "embedding", "FeatureType": "Fractional", "CollectionType": "Vector",
     "CollectionConfig": {"VectorConfig": {"Dimension": 3}}},
    {"FeatureName": "score", "FeatureType": "Fractional"},
    {"FeatureName": "event_time", "FeatureType": "Fractional"},
]
IN_MEMORY = {"EnableOnlineStore": True, "StorageType": "InMemory"}
OFFLINE = {"S3StorageConfig": {"S3Uri": "s3://featurestore-demo-emulator/offline"}}
ROLE = "arn:aws:iam::123456789012:role/featurestore-demo"
ITEM = [
    {"FeatureName": "id", "ValueAsString": "i1"},
    {"FeatureName": "tags", "ValueAsStringList": ["b", "a", "b"]},
    {"FeatureName": "sizes", "ValueAsStringList": ["42", "7", "42", "+7"]},
    {"FeatureName": "embedding", "ValueAsStringList": ["0.5", "1.50", "25"]},
    {"FeatureName": "score", "ValueAsString": "1.0"},
    {"FeatureName": "event_time", "ValueAsString": "100"},
]
ITEM_READ = [*ITEM[:2], {"FeatureName": "sizes", "ValueAsStringList": ["42", "7"]}, *ITEM[3:]]
"""ITEM as every read returns it: the exact texts put, the Set without its repeated values."""


def create(name: str, definitions: list[dict] = DEFINITIONS, **members) -> dict:
    return {"FeatureGroupName": name, "RecordIdentifierFeatureName": "id", "EventTimeFeatureName": "event_time",
            "FeatureDefinitions": definitions, "OnlineStoreConfig": IN_MEMORY, "RoleArn": ROLE, **members}


@pytest.fixture(scope="module")
def items(sm) -> str:
    """An InMemory group with a List, a Set and a Vector, online only (as AWS has InMemory groups)."""
    name = unique_name("items")
    sm.create_feature_group(**create(name))
    wait_created(sm, name)
    return name


@pytest.fixture(scope="module")
def offline_items(sm) -> str:
    """The same group with an offline store, which the kit keeps (AWS replicates no InMemory group)."""
    name = unique_name("items-offline")
    sm.create_feature_group(**create(name, OfflineStoreConfig=OFFLINE))
    wait_created(sm, name)
    return name


def sagemaker_raw(emulator, operation: str, body: dict) -> tuple[int, dict]:
    status, _, answer = raw_post(emulator, "/", json.dumps(body).encode(),
                                 {"X-Amz-Target": f"SageMaker.{operation}",
                                  "Content-Type": "application/x-amz-json-1.1"})
    return status, answer


def runtime_raw(emulator, method: str, path: str, body: dict | None = None) -> tuple[int, dict, dict]:
    status, headers, payload = send(emulator, method, path, json.dumps(body).encode() if body is not None else b"",
                                    {**SIGNED_RUNTIME, "Content-Type": "application/json"})
    return status, headers, json.loads(payload or b"{}")


def read(runtime, group: str, record_id: str, **extra) -> list[dict] | None:
    return runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString=record_id, **extra).get("Record")


def group_names(sm) -> list[str]:
    return [g["FeatureGroupName"] for g in sm.list_feature_groups(MaxResults=100)["FeatureGroupSummaries"]]


# ---------------------------------------------------------------- CreateFeatureGroup, DescribeFeatureGroup


def test_describe_shows_the_collection_definitions_as_created(emulator, sm, items):
    status, description = sagemaker_raw(emulator, "DescribeFeatureGroup", {"FeatureGroupName": items})
    assert status == 200 and output_misfits("sagemaker", "DescribeFeatureGroup", description) == []
    assert description["FeatureDefinitions"] == DEFINITIONS
    assert description["OnlineStoreConfig"] == IN_MEMORY
    metadata = sm.describe_feature_metadata(FeatureGroupName=items, FeatureName="embedding")
    assert metadata["FeatureType"] == "Fractional"


def test_a_collection_added_by_update_feature_group_is_described(sm):
    name = unique_name("items-update")
    sm.create_feature_group(**create(name, DEFINITIONS[:1] + DEFINITIONS[-1:]))
    wait_created(sm, name)
    sm.update_feature_group(FeatureGroupName=name, FeatureAdditions=[DEFINITIONS[3]])
    assert sm.describe_feature_group(FeatureGroupName=name)["FeatureDefinitions"][-1] == DEFINITIONS[3]


def vector(dimension: object) -> dict:
    return {"FeatureName": "embedding", "FeatureType": "Fractional", "CollectionType": "Vector",
            "CollectionConfig": {"VectorConfig": {"Dimension": dimension}}}


def with_feature(feature: dict) -> list[dict]:
    return [DEFINITIONS[0], feature, DEFINITIONS[-1]]


REFUSED_CREATES = {
    "a collection on the Standard tier": (
        {"OnlineStoreConfig": {"EnableOnlineStore": True}},
        "Collection types (List, Set, Vector) are supported only by feature groups whose online store is InMemory; "
        "this group has a Standard online store and the collection feature(s) tags, sizes, embedding. Set "
        "OnlineStoreConfig.StorageType to InMemory, or make them scalars."),
    "a collection on the Standard_V2 tier": (
        {"OnlineStoreConfig": {"EnableOnlineStore": True, "StorageType": "Standard_V2"}},
        "Collection types (List, Set, Vector) are supported only by feature groups whose online store is InMemory; "
        "this group has a Standard_V2 online store"),
    "a collection in an offline-only group": (
        {"OnlineStoreConfig": {"EnableOnlineStore": False}, "OfflineStoreConfig": OFFLINE},
        "this group has no online store"),
    "a Vector of Integral": (
        {"FeatureDefinitions": with_feature({**vector(3), "FeatureType": "Integral"})},
        "Feature 'embedding' is a Vector of Integral: a Vector's elements must be Fractional."),
    "a Vector without CollectionConfig": (
        {"FeatureDefinitions": with_feature({"FeatureName": "embedding", "FeatureType": "Fractional",
                                             "CollectionType": "Vector"})},
        "Feature 'embedding' is a Vector without a dimension: give CollectionConfig.VectorConfig.Dimension, the "
        "number of elements of every value."),
    "a Vector of dimension 0": (
        {"FeatureDefinitions": with_feature(vector(0))},
        "1 validation error detected: Value '0' at 'featureDefinitions.2.member.collectionConfig.vectorConfig."
        "dimension' failed to satisfy constraint: Member must have value greater than or equal to 1"),
    "a Vector of dimension 8193": (
        {"FeatureDefinitions": with_feature(vector(8193))},
        "1 validation error detected: Value '8193' at 'featureDefinitions.2.member.collectionConfig.vectorConfig."
        "dimension' failed to satisfy constraint: Member must have value less than or equal to 8192"),
    "an unknown CollectionType": (
        {"FeatureDefinitions": with_feature({"FeatureName": "tags", "FeatureType": "String",
                                             "CollectionType": "Map"})},
        "1 validation error detected: Value 'Map' at 'featureDefinitions.2.member.collectionType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [List, Set, Vector]"),
    "a CollectionConfig on a List": (
        {"FeatureDefinitions": with_feature({**vector(3), "CollectionType": "List"})},
        "Feature 'embedding' is a List: CollectionConfig.VectorConfig (a dimension) applies to a Vector only."),
    "two Vectors": (
        {"FeatureDefinitions": [*DEFINITIONS, {**vector(2), "FeatureName": "other"}]},
        "A feature group can have only one Vector collection; embedding, other are all Vectors."),
    "a collection as record identifier": (
        {"FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "String", "CollectionType": "Set"},
                                DEFINITIONS[-1]]},
        "The record identifier feature 'id' is a Set; it must be a single value (leave out its CollectionType)."),
}


@pytest.mark.parametrize("case", REFUSED_CREATES, ids=str)
def test_a_collection_aws_does_not_allow_is_refused_and_nothing_is_created(emulator, sm, case):
    members, message = REFUSED_CREATES[case]
    name = unique_name("refused")
    status, answer = sagemaker_raw(emulator, "CreateFeatureGroup", create(name, **members))
    assert (status, answer["__type"]) == (400, "ValidationException")
    assert message in answer["message"]
    assert name not in group_names(sm)


def test_adding_a_collection_to_a_standard_group_is_refused(sm, group):
    with pytest.raises(sm.exceptions.ClientError) as raised:
        sm.update_feature_group(FeatureGroupName=group, FeatureAdditions=[DEFINITIONS[1]])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "supported only by feature groups whose online store is InMemory" in raised.value.response["Error"][
        "Message"]
    assert "tags" not in [d["FeatureName"] for d in sm.describe_feature_group(FeatureGroupName=group)[
        "FeatureDefinitions"]]


# ---------------------------------------------------------------- records


def test_get_record_returns_each_value_list_exactly_as_put(emulator, runtime, items):
    runtime.put_record(FeatureGroupName=items, Record=ITEM)
    status, _, body = runtime_raw(emulator, "GET", f"/FeatureGroup/{items}?RecordIdentifierValueAsString=i1")
    assert status == 200 and output_misfits(RUNTIME, "GetRecord", body) == []
    assert body == {"Record": ITEM_READ}
    assert read(runtime, items, "i1", FeatureNames=["embedding", "tags"]) == [ITEM_READ[3], ITEM_READ[1]]


def test_batch_write_and_batch_get_carry_value_lists(emulator, runtime, items):
    second = [{"FeatureName": "id", "ValueAsString": "i2"}, {"FeatureName": "tags", "ValueAsStringList": []},
              {"FeatureName": "embedding", "ValueAsStringList": ["1e3", "-0.0", "7"]},
              {"FeatureName": "event_time", "ValueAsString": "5"}]
    written = runtime.batch_write_record(Entries=[{"FeatureGroupName": items, "Record": ITEM},
                                                  {"FeatureGroupName": items, "Record": second}])
    assert (written["Errors"], written["UnprocessedEntries"]) == ([], [])
    status, _, body = runtime_raw(emulator, "POST", "/BatchGetRecord", {"Identifiers": [
        {"FeatureGroupName": items, "RecordIdentifiersValueAsString": ["i1", "i2"]}]})
    assert status == 200 and output_misfits(RUNTIME, "BatchGetRecord", body) == []
    assert [entry["Record"] for entry in body["Records"]] == [ITEM_READ, second]


def test_update_record_replaces_a_collection_and_keeps_the_others(runtime, items):
    runtime.put_record(FeatureGroupName=items, Record=[{**item, "ValueAsString": "u1"} if item["FeatureName"] == "id"
                                                       else item for item in ITEM])
    runtime.update_record(FeatureGroupName=items, RecordIdentifierValueAsString="u1",
                          Features=[{"FeatureName": "tags", "ValueAsStringList": ["only"]}])
    expected = [{"FeatureName": "id", "ValueAsString": "u1"}, {"FeatureName": "tags", "ValueAsStringList": ["only"]},
                *ITEM_READ[2:]]
    assert read(runtime, items, "u1") == expected


def bad_item(name: str, **value) -> list[dict]:
    return [{"FeatureName": name, **value} if item["FeatureName"] == name else item for item in ITEM]


REFUSED_PUTS = {
    "an element that is not of the feature's type": (
        bad_item("sizes", ValueAsStringList=["1", "1.5"]),
        "Invalid value '1.5' for feature 'sizes[1]' of type Integral: expected a whole number"),
    "a Vector of the wrong dimension": (
        bad_item("embedding", ValueAsStringList=["1.0", "2.0"]),
        "Feature 'embedding' is a Vector of dimension 3: it needs exactly 3 values, got 2."),
    "ValueAsString for a collection": (
        bad_item("tags", ValueAsString="a"),
        "Feature 'tags' is a List of String: its value is a list of values (ValueAsStringList), not the single "
        "value 'a' (ValueAsString)."),
    "ValueAsStringList for a scalar": (
        bad_item("score", ValueAsStringList=["1.0"]),
        "Feature 'score' is a single Fractional value (it has no CollectionType): send one value (ValueAsString), "
        "not the list ['1.0'] (ValueAsStringList)."),
    "both ValueAsString and ValueAsStringList": (
        bad_item("tags", ValueAsString="a", ValueAsStringList=["a"]),
        "Feature 'tags' has both ValueAsString and ValueAsStringList"),
    "an element that is not a number": (
        bad_item("embedding", ValueAsStringList=["1.0", "NaN", "2.0"]),
        "Invalid value 'NaN' for feature 'embedding[1]' of type Fractional: expected a finite number"),
}


@pytest.mark.parametrize("write", ["PutRecord", "BatchWriteRecord"])
@pytest.mark.parametrize("case", REFUSED_PUTS, ids=str)
def test_a_bad_value_list_is_a_validation_error_that_changes_nothing(emulator, runtime, offline_items, case, write):
    runtime.put_record(FeatureGroupName=offline_items, Record=ITEM)
    before = read(runtime, offline_items, "i1"), offline_count(emulator, offline_items)
    sent, message = REFUSED_PUTS[case]
    newer = [{**item, "ValueAsString": "200"} if item["FeatureName"] == "event_time" else item for item in sent]
    if write == "PutRecord":
        status, headers, body = runtime_raw(emulator, "PUT", f"/FeatureGroup/{offline_items}", {"Record": newer})
        assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
        assert body["message"].startswith(message)
    else:
        entry = {"FeatureGroupName": offline_items, "Record": newer}
        result = runtime.batch_write_record(Entries=[entry])
        assert [(e["ErrorCode"], e["ErrorMessage"][:len(message)]) for e in result["Errors"]] == [
            ("ValidationError", message)]
    assert (read(runtime, offline_items, "i1"), offline_count(emulator, offline_items)) == before


def test_a_null_element_is_refused_before_the_handler(emulator, runtime, items):
    before = read(runtime, items, "n1")
    status, headers, body = runtime_raw(emulator, "PUT", f"/FeatureGroup/{items}", {"Record": [
        {"FeatureName": "id", "ValueAsString": "n1"}, {"FeatureName": "tags", "ValueAsStringList": ["a", None]},
        {"FeatureName": "event_time", "ValueAsString": "1"}]})
    assert (status, headers["x-amzn-errortype"]) == (400, "SerializationException")
    assert "a list member cannot be null" in body["message"]
    assert read(runtime, items, "n1") == before is None


# ---------------------------------------------------------------- the offline store (the kit's)


def offline_count(emulator, group: str) -> int:
    table = emulator.backend.offline_table(group)
    return int(emulator.backend.query(f"SELECT COUNT(*) AS n FROM {table}").iloc[0, 0])


def test_the_glue_table_types_collections_as_string(emulator, sm, offline_items):
    glue = fake_session(emulator).client("glue", endpoint_url=emulator.url)
    catalog = sm.describe_feature_group(FeatureGroupName=offline_items)["OfflineStoreConfig"]["DataCatalogConfig"]
    table = glue.get_table(DatabaseName=catalog["Database"], Name=catalog["TableName"])["Table"]
    columns = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]]
    assert columns[:6] == [("id", "string"), ("tags", "string"), ("sizes", "string"), ("embedding", "string"),
                           ("score", "double"), ("event_time", "double")]


def test_athena_and_the_parquet_files_hold_a_collection_as_json_text(emulator, sm, runtime, athena, s3):
    name = unique_name("items-json")
    sm.create_feature_group(**create(name, OfflineStoreConfig=OFFLINE))
    wait_created(sm, name)
    runtime.put_record(FeatureGroupName=name, Record=ITEM)
    catalog = sm.describe_feature_group(FeatureGroupName=name)["OfflineStoreConfig"]
    table = catalog["DataCatalogConfig"]["TableName"]
    execution = run_query(athena, f'SELECT tags, sizes, embedding, json_extract_scalar(embedding, \'$[2]\') AS third '
                                  f'FROM "{table}"')
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    rows = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]["Rows"]
    assert [[cell.get("VarCharValue") for cell in row["Data"]] for row in rows] == [
        ["tags", "sizes", "embedding", "third"],
        ['["b", "a", "b"]', "[42, 7]", "[0.5, 1.5, 25.0]", "25.0"]]
    bucket, _, prefix = catalog["S3StorageConfig"]["ResolvedOutputS3Uri"].removeprefix("s3://").partition("/")
    key = next(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
               if o["Key"].endswith(".parquet"))
    parquet = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
    assert str(parquet.schema.field("embedding").type) == "string"
    assert parquet.column("sizes").to_pylist() == ["[42, 7]"]


# ---------------------------------------------------------------- the AWS backend


def test_the_aws_backend_writes_and_reads_collections_as_lists(emulator, runtime, items):
    backend = emulator_backend(emulator)
    backend.put_record(items, {"id": "b1", "tags": ("x", "y"), "sizes": [3, 3, 4], "embedding": ["1.0", "2.50", "3"],
                               "event_time": 7.0})
    assert read(runtime, items, "b1") == [
        {"FeatureName": "id", "ValueAsString": "b1"}, {"FeatureName": "tags", "ValueAsStringList": ["x", "y"]},
        {"FeatureName": "sizes", "ValueAsStringList": ["3", "4"]},
        {"FeatureName": "embedding", "ValueAsStringList": ["1.0", "2.50", "3"]},
        {"FeatureName": "event_time", "ValueAsString": "7.0"}]
    assert backend.get_record(items, "b1") == {"id": "b1", "tags": ["x", "y"], "sizes": [3, 4],
                                               "embedding": [1.0, 2.5, 3.0], "event_time": 7.0}
    assert backend.batch_get_record(items, ["b1"], ["sizes"]) == {"b1": {"sizes": [3, 4]}}


def test_a_standard_group_takes_no_value_list(emulator, runtime, group):
    status, headers, body = runtime_raw(emulator, "PUT", f"/FeatureGroup/{group}", {"Record": [
        {"FeatureName": "id", "ValueAsString": "s1"}, {"FeatureName": "age", "ValueAsStringList": ["1"]},
        {"FeatureName": "event_time", "ValueAsString": "1"}]})
    assert (status, headers["x-amzn-errortype"]) == (400, "ValidationError")
    assert body["message"].startswith("Feature 'age' is a single Integral value (it has no CollectionType)")
    assert read(runtime, group, "s1") is None
