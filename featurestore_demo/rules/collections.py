"""Collection features: List, Set and Vector, their definitions and their offline column.

Their values parse in :func:`featurestore_demo.rules.values.parse_collection`.

What AWS documents (Developer Guide, "Collection types"; botocore's sagemaker model, shapes
FeatureDefinition, CollectionType, CollectionConfig, VectorConfig, Dimension; the runtime model's
FeatureValue):

- a collection's elements all have the feature's type (String, Integral or Fractional); its value
  travels as ``ValueAsStringList``, a scalar's as ``ValueAsString``;
- only feature groups whose online store is ``InMemory`` support collection types;
- a List keeps its order and its repeats; a Set holds unique elements ("['a', 'b', 'a'] ... the
  set will instead have the elements ['a', 'b']");
- a Vector is a fixed-size list of Fractional elements whose dimension (1 to 8192, the model's
  ``Dimension``) is set by ``CollectionConfig.VectorConfig.Dimension``; an InMemory feature
  group has at most one Vector;
- a collection's length is bounded only by the record size (350 KB).

The SageMaker SDK's own tests observe the rest: elements read back as the exact strings put
(``"25"`` in a Fractional list stays ``"25"``), and a put whose collection has a missing element
fails.

Departure: where AWS documents nothing, the kit chooses: a record identifier or an event time
cannot be a collection; a CollectionConfig on a List or a Set is refused, and a Vector without
one too; a Set drops repeated elements by value (``"1"`` and ``"1.0"`` of a Fractional Set are
one element), keeping the first one's text, and keeps the order in which the elements first
came (AWS calls a Set unordered); an empty List or Set is a value (read back as an empty
``ValueAsStringList``). AWS does not replicate InMemory feature groups to an offline store;
the kit does, and writes a collection there as a ``string`` column holding the JSON array of its
typed elements (``["a", "abc"]``, ``[1.4, 25.0]``): query it with Athena's ``json_parse`` /
``json_extract``; ``query`` and ``point_in_time_join`` return that text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from featurestore_demo.errors import ValidationException
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.rules.values import VECTOR
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec
from featurestore_demo.service_model import model_enum, service_model

__all__ = [
    "COLLECTION_TIERS",
    "collection_from_json",
    "collection_json",
    "collection_types",
    "dimension_range",
    "validate_collections",
]

COLLECTION_TIERS = ("InMemory",)
"""The online-store tiers that support collection types (Developer Guide, "Collection types")."""


def collection_types() -> tuple[str, ...]:
    """The CollectionType values of the installed botocore model (List, Set, Vector)."""
    return model_enum("sagemaker", "CollectionType")


@cache
def dimension_range() -> tuple[int, int]:
    """(min, max) of a Vector's dimension: the model's ``Dimension`` shape (1, 8192)."""
    meta = service_model("sagemaker").shape_for("Dimension").metadata
    return int(meta["min"]), int(meta["max"])


# ---------------------------------------------------------------- definitions


def validate_collections(spec: FeatureGroupSpec) -> None:
    """ValidationException unless the collection features of ``spec`` are ones CreateFeatureGroup
    accepts (see the module docstring); nothing to check for a group of scalars."""
    vectors = []
    for index, feature in enumerate(spec.features, start=1):
        field = f"featureDefinitions.{index}.member"
        if feature.collection_type is None:
            if feature.dimension is not None:
                raise ValidationException(
                    f"Feature '{feature.name}' has a CollectionConfig but no CollectionType; a "
                    "CollectionConfig (VectorConfig.Dimension) belongs to a Vector."
                )
            continue
        _validate_collection(feature, field)
        if feature.collection_type == VECTOR:
            vectors.append(feature.name)
    if len(vectors) > 1:
        raise ValidationException(
            f"A feature group can have only one Vector collection; {', '.join(vectors)} are all Vectors."
        )
    if not spec.collections:
        return
    for role, name in (("record identifier", spec.record_identifier_name),
                       ("event time", spec.event_time_feature_name)):
        if name in spec.collections:
            raise ValidationException(
                f"The {role} feature '{name}' is a {spec.collections[name].collection_type}; it must be a "
                "single value (leave out its CollectionType)."
            )
    if not spec.online_store or spec.storage_type not in COLLECTION_TIERS:
        tier = f"a {spec.storage_type} online store" if spec.online_store else "no online store"
        raise ValidationException(
            f"Collection types (List, Set, Vector) are supported only by feature groups whose online store "
            f"is {' or '.join(COLLECTION_TIERS)}; this group has {tier} and the collection feature(s) "
            f"{', '.join(spec.collections)}. Set OnlineStoreConfig.StorageType to InMemory, or make them scalars."
        )


def _validate_collection(feature: FeatureDefinition, field: str) -> None:
    kinds = collection_types()
    if feature.collection_type not in kinds:
        raise constraint_error(feature.collection_type, f"{field}.collectionType",
                               f"Member must satisfy enum value set: [{', '.join(kinds)}]")
    if feature.collection_type != VECTOR:
        if feature.dimension is not None:
            raise ValidationException(
                f"Feature '{feature.name}' is a {feature.collection_type}: CollectionConfig.VectorConfig "
                "(a dimension) applies to a Vector only. Leave CollectionConfig out."
            )
        return
    if feature.type != "Fractional":
        raise ValidationException(
            f"Feature '{feature.name}' is a Vector of {feature.type}: a Vector's elements must be Fractional."
        )
    if feature.dimension is None:
        raise ValidationException(
            f"Feature '{feature.name}' is a Vector without a dimension: give "
            "CollectionConfig.VectorConfig.Dimension, the number of elements of every value."
        )
    low, high = dimension_range()
    dimension, path = feature.dimension, f"{field}.collectionConfig.vectorConfig.dimension"
    if isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < low:
        raise constraint_error(dimension, path, f"Member must have value greater than or equal to {low}")
    if dimension > high:
        raise constraint_error(dimension, path, f"Member must have value less than or equal to {high}")


# ---------------------------------------------------------------- offline column


def collection_json(values: Iterable[Any]) -> str:
    """A collection's typed elements as its offline-store column holds them: a JSON array."""
    return json.dumps(list(values), ensure_ascii=False)


def collection_from_json(text: str) -> tuple[Any, ...]:
    """The typed elements of an offline-store (or write-log) column's JSON array."""
    return tuple(json.loads(text))
