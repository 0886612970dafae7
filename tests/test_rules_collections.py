"""Collection features (List, Set, Vector): their definitions and their values, in the rules.

The collection types and the dimension's bounds come from botocore's model of SageMaker, not a
copy; the rest is the Developer Guide's "Collection types" page and the kit's documented
choices (:mod:`featurestore_demo.rules.collections`).
"""

from __future__ import annotations

from dataclasses import replace

import botocore.session
import numpy as np
import pytest

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.collections import (
    collection_from_json,
    collection_json,
    collection_types,
    dimension_range,
)
from featurestore_demo.rules.definitions import validate_feature_group_spec
from featurestore_demo.rules.values import (
    MAX_RECORD_BYTES,
    normalize_record,
    normalize_update,
    parse_collection,
    record_size,
)
from featurestore_demo.schemas import DEMO_GROUPS, FeatureDefinition, FeatureGroupSpec

SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")
TAGS = FeatureDefinition("tags", "String", "List")
SIZES = FeatureDefinition("sizes", "Integral", "Set")
EMBEDDING = FeatureDefinition("embedding", "Fractional", "Vector", 3)
ITEMS = FeatureGroupSpec(
    name="items", record_identifier_name="id", event_time_feature_name="event_time",
    features=(FeatureDefinition("id", "String"), TAGS, SIZES, EMBEDDING, FeatureDefinition("score", "Fractional"),
              FeatureDefinition("event_time", "Fractional")),
    offline_store=False, storage_type="InMemory",
)


def with_features(*features: FeatureDefinition, spec: FeatureGroupSpec = ITEMS) -> FeatureGroupSpec:
    return replace(spec, features=(spec.features[0], *features, spec.features[-1]))


def refused(spec: FeatureGroupSpec, message: str) -> None:
    with pytest.raises(ValidationException) as raised:
        validate_feature_group_spec(spec)
    assert str(raised.value) == message


# ---------------------------------------------------------------- definitions


def test_the_kit_takes_the_collection_types_and_the_dimension_bounds_from_the_model():
    assert collection_types() == tuple(SAGEMAKER.shape_for("CollectionType").enum) == ("List", "Set", "Vector")
    dimension = SAGEMAKER.shape_for("Dimension").metadata
    assert dimension_range() == (dimension["min"], dimension["max"]) == (1, 8192)


def test_an_in_memory_group_takes_a_list_a_set_and_a_vector():
    assert validate_feature_group_spec(ITEMS) is ITEMS
    assert list(ITEMS.collections) == ["tags", "sizes", "embedding"]
    assert ITEMS.column_types == {"id": "String", "tags": "String", "sizes": "String", "embedding": "String",
                                  "score": "Fractional", "event_time": "Fractional"}


@pytest.mark.parametrize("spec", DEMO_GROUPS, ids=lambda spec: spec.name)
def test_groups_of_scalars_have_no_collections(spec):
    assert spec.collections == {} and spec.column_types == spec.types


def test_a_definition_goes_to_aws_and_back_with_its_collection():
    shapes = [feature.to_aws() for feature in ITEMS.features]
    assert shapes[1:4] == [
        {"FeatureName": "tags", "FeatureType": "String", "CollectionType": "List"},
        {"FeatureName": "sizes", "FeatureType": "Integral", "CollectionType": "Set"},
        {"FeatureName": "embedding", "FeatureType": "Fractional", "CollectionType": "Vector",
         "CollectionConfig": {"VectorConfig": {"Dimension": 3}}},
    ]
    assert tuple(FeatureDefinition.from_aws(shape) for shape in shapes) == ITEMS.features
    assert FeatureGroupSpec.from_aws(ITEMS.to_create_request(role_arn=None, s3_uri=None)) == ITEMS


@pytest.mark.parametrize(("tier", "online"), [("Standard", True), ("Standard_V2", True), ("InMemory", False)])
def test_collections_need_an_in_memory_online_store(tier, online):
    tier_words = f"a {tier} online store" if online else "no online store"
    refused(replace(ITEMS, storage_type=tier, online_store=online, offline_store=not online),
            "Collection types (List, Set, Vector) are supported only by feature groups whose online store is "
            f"InMemory; this group has {tier_words} and the collection feature(s) tags, sizes, embedding. Set "
            "OnlineStoreConfig.StorageType to InMemory, or make them scalars.")


@pytest.mark.parametrize("element_type", ["String", "Integral"])
def test_a_vector_holds_fractional_elements_only(element_type):
    refused(with_features(replace(EMBEDDING, type=element_type)),
            f"Feature 'embedding' is a Vector of {element_type}: a Vector's elements must be Fractional.")


@pytest.mark.parametrize(("dimension", "constraint"), [
    (0, "Member must have value greater than or equal to 1"),
    (8193, "Member must have value less than or equal to 8192"),
    (True, "Member must have value greater than or equal to 1"),
])
def test_a_vector_dimension_is_1_to_8192(dimension, constraint):
    refused(with_features(replace(EMBEDDING, dimension=dimension)),
            f"1 validation error detected: Value '{dimension}' at "
            f"'featureDefinitions.2.member.collectionConfig.vectorConfig.dimension' failed to satisfy constraint: "
            f"{constraint}")


@pytest.mark.parametrize("dimension", [1, 8192])
def test_the_dimension_bounds_are_inclusive(dimension):
    spec = with_features(replace(EMBEDDING, dimension=dimension))
    assert validate_feature_group_spec(spec) is spec


def test_a_vector_needs_a_dimension():
    refused(with_features(replace(EMBEDDING, dimension=None)),
            "Feature 'embedding' is a Vector without a dimension: give CollectionConfig.VectorConfig.Dimension, the "
            "number of elements of every value.")


def test_a_dimension_belongs_to_a_vector_only():
    refused(with_features(replace(TAGS, dimension=3)),
            "Feature 'tags' is a List: CollectionConfig.VectorConfig (a dimension) applies to a Vector only. "
            "Leave CollectionConfig out.")
    refused(with_features(FeatureDefinition("score", "Fractional", None, 3)),
            "Feature 'score' has a CollectionConfig but no CollectionType; a CollectionConfig "
            "(VectorConfig.Dimension) belongs to a Vector.")


def test_an_unknown_collection_type_is_refused_with_the_model_s_enum():
    refused(with_features(replace(TAGS, collection_type="Map")),  # type: ignore[arg-type]
            "1 validation error detected: Value 'Map' at 'featureDefinitions.2.member.collectionType' failed to "
            "satisfy constraint: Member must satisfy enum value set: [List, Set, Vector]")


def test_a_group_has_at_most_one_vector():
    refused(with_features(EMBEDDING, replace(EMBEDDING, name="other")),
            "A feature group can have only one Vector collection; embedding, other are all Vectors.")


@pytest.mark.parametrize(("role", "name"), [("record identifier", "id"), ("event time", "event_time")])
def test_the_record_identifier_and_the_event_time_are_single_values(role, name):
    features = tuple(replace(f, collection_type="List") if f.name == name else f for f in ITEMS.features)
    refused(replace(ITEMS, features=features),
            f"The {role} feature '{name}' is a List; it must be a single value (leave out its CollectionType).")


# ---------------------------------------------------------------- values


def test_a_list_keeps_its_order_and_its_repeats():
    assert parse_collection(TAGS, ["b", "a", "b"]) == (("b", "a", "b"), None)


def test_a_set_keeps_each_value_once_with_its_first_text():
    assert parse_collection(SIZES, ["42", "7", "+42", "7"]) == ((42, 7), None)
    assert parse_collection(SIZES, ["+7", "7"]) == ((7,), ["+7"])
    fractional = replace(SIZES, type="Fractional")
    assert parse_collection(fractional, ["1", "1.0", 2.5]) == ((1.0, 2.5), ["1", "2.5"])


def test_a_vector_has_exactly_its_dimension():
    assert parse_collection(EMBEDDING, np.array([1.0, 2.5, 3.0])) == ((1.0, 2.5, 3.0), None)
    with pytest.raises(ValidationException, match=r"^Feature 'embedding' is a Vector of dimension 3: it needs "
                                                  r"exactly 3 values, got 4\.$"):
        parse_collection(EMBEDDING, [1.0, 2.0, 3.0, 4.0])


def test_the_texts_put_are_kept_where_the_typed_elements_would_not_give_them_back():
    assert parse_collection(EMBEDDING, ["0.5", "1.50", "25"]) == ((0.5, 1.5, 25.0), ["0.5", "1.50", "25"])
    assert parse_collection(EMBEDDING, ["0.5", "1.5", "25.0"]) == ((0.5, 1.5, 25.0), None)


@pytest.mark.parametrize(("value", "message"), [
    ("a", "Feature 'tags' is a List of String: its value is a list of values (ValueAsStringList), not the single "
          "value 'a' (ValueAsString)."),
    ({"a": 1}, "Feature 'tags' is a List of String: its value is a list of values (ValueAsStringList)"),
    (["a", None], "Element 1 of feature 'tags' is null: every element of a List needs a value."),
    (["a", 3], "Invalid value '3' for feature 'tags[1]' of type String: expected a text value."),
])
def test_a_list_value_is_a_list_of_values_of_the_feature_type(value, message):
    with pytest.raises(ValidationException) as raised:
        parse_collection(TAGS, value)
    assert str(raised.value).startswith(message)


def test_a_record_with_collections_normalizes_with_its_exact_texts():
    normalized = normalize_record(ITEMS, {"id": "i1", "tags": [], "sizes": ["3", "3"], "score": "1.50",
                                          "embedding": ["1", "2", "3"], "event_time": 10})
    assert normalized.record == {"id": "i1", "tags": (), "sizes": (3,), "score": 1.5,
                                 "embedding": (1.0, 2.0, 3.0), "event_time": 10.0}
    assert normalized.exact == {"score": "1.50", "embedding": ["1", "2", "3"]}


def test_a_list_for_a_single_value_feature_is_refused():
    with pytest.raises(ValidationException) as raised:
        normalize_record(ITEMS, {"id": "i1", "score": ["1.0"], "event_time": 10})
    assert str(raised.value) == ("Feature 'score' is a single Fractional value (it has no CollectionType): send one "
                                 "value (ValueAsString), not the list ['1.0'] (ValueAsStringList).")


def test_an_update_parses_its_collections():
    update = normalize_update(ITEMS, "i1", {"sizes": ["2", "+2"], "embedding": [0, 1, 2]}, None)
    assert update.values == {"sizes": (2,), "embedding": (0.0, 1.0, 2.0)}
    assert update.exact == {}


def test_the_record_limit_counts_each_element_text():
    assert record_size({"t": ("ab", "é")}, {"t"}) == 1 + 2 + 2
    big = ["x" * 1000] * (MAX_RECORD_BYTES // 1000 + 1)
    with pytest.raises(ValidationException, match="the limit is 350 KB"):
        normalize_record(ITEMS, {"id": "i1", "tags": big, "event_time": 10})


# ---------------------------------------------------------------- the offline column


@pytest.mark.parametrize("values", [("a", "é", '"q"'), (1, -(2**63)), (1.5, 25.0, 1e-300), ()])
def test_a_collection_column_is_json_text_that_reads_back(values):
    text = collection_json(values)
    assert collection_from_json(text) == values
    assert text.startswith("[") and text.endswith("]")
