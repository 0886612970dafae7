"""What CreateFeatureGroup refuses beyond its input shape, which the model checks first
(:func:`local_backend.emulator.wire.check_constraints`: required members, enums, lengths, patterns).

Names, feature types, TTL, storage tier, throughput, offline configuration, tags and description
are the kit's rules (:mod:`featurestore_demo.rules`), checked when the backend creates the group.
"""

from __future__ import annotations

from typing import Any

from featurestore_demo.rules.names import constraint_error

__all__ = ["check_create_request"]


def check_create_request(body: dict[str, Any]) -> None:
    """Raise the AWS ValidationException for a feature definition with a collection type.

    Departure: collection types (List, Set, Vector) are refused, since the kit's records hold
    scalar values only.
    """
    for index, item in enumerate(body["FeatureDefinitions"], start=1):
        if item.get("CollectionType") is not None:
            raise constraint_error(
                item["CollectionType"], f"featureDefinitions.{index}.member.collectionType",
                "the emulator supports scalar features only (no List, Set or Vector)",
            )
