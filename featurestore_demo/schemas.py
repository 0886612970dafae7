"""The feature groups of the demo, and the dataclasses that describe any feature group.

A :class:`FeatureGroupSpec` is what a user asks for; it converts to and from the AWS
CreateFeatureGroup / DescribeFeatureGroup shapes, so the same spec drives every backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "FeatureType",
    "FeatureDefinition",
    "TtlDuration",
    "FeatureGroupSpec",
    "data_catalog",
    "USERS",
    "PRODUCTS",
    "TRANSACTIONS",
    "DEMO_GROUPS",
]

FeatureType = Literal["Integral", "Fractional", "String"]
FEATURE_TYPES: tuple[str, ...] = ("Integral", "Fractional", "String")
PANDAS_TYPES: dict[str, str] = {"Integral": "Int64", "Fractional": "float64", "String": "object"}
"""The pandas dtype a feature type comes back as (nullable, so missing values stay missing)."""
TTL_UNITS_IN_SECONDS: dict[str, int] = {
    "Seconds": 1,
    "Minutes": 60,
    "Hours": 3600,
    "Days": 86400,
    "Weeks": 604800,
}


@dataclass(frozen=True)
class FeatureDefinition:
    """One feature: its name and its SageMaker type."""

    name: str
    type: FeatureType

    def to_aws(self) -> dict[str, str]:
        return {"FeatureName": self.name, "FeatureType": self.type}


@dataclass(frozen=True)
class TtlDuration:
    """A time to live, e.g. ``TtlDuration("Days", 7)``; counted from a record's event time."""

    unit: str
    value: int

    @property
    def seconds(self) -> int:
        return TTL_UNITS_IN_SECONDS[self.unit] * self.value

    def to_aws(self) -> dict[str, Any]:
        return {"Unit": self.unit, "Value": self.value}

    @classmethod
    def from_aws(cls, shape: dict[str, Any] | None) -> TtlDuration | None:
        if not shape or shape.get("Unit") is None or shape.get("Value") is None:
            return None
        return cls(shape["Unit"], shape["Value"])


@dataclass(frozen=True)
class FeatureGroupSpec:
    """What a feature group is: schema, identifier, event time, and which stores it has."""

    name: str
    record_identifier_name: str
    event_time_feature_name: str
    features: tuple[FeatureDefinition, ...]
    online_store: bool = True
    offline_store: bool = True
    ttl: TtlDuration | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = field(default=())
    storage_type: str = "Standard"
    """The online store's tier, ``OnlineStoreConfig.StorageType``: Standard (AWS's default),
    Standard_V2 or InMemory (the sagemaker model's enum)."""

    @property
    def feature_names(self) -> list[str]:
        return [feature.name for feature in self.features]

    @property
    def types(self) -> dict[str, str]:
        """Feature name -> FeatureType."""
        return {feature.name: feature.type for feature in self.features}

    def with_name(self, name: str) -> FeatureGroupSpec:
        """The same spec under another name (e.g. with a prefix)."""
        return replace(self, name=name)

    def to_create_request(self, *, role_arn: str | None, s3_uri: str | None) -> dict[str, Any]:
        """The CreateFeatureGroup request for this spec (boto3 keyword arguments)."""
        request: dict[str, Any] = {
            "FeatureGroupName": self.name,
            "RecordIdentifierFeatureName": self.record_identifier_name,
            "EventTimeFeatureName": self.event_time_feature_name,
            "FeatureDefinitions": [feature.to_aws() for feature in self.features],
        }
        if self.online_store:
            online: dict[str, Any] = {"EnableOnlineStore": True, "StorageType": self.storage_type}
            if self.ttl is not None:
                online["TtlDuration"] = self.ttl.to_aws()
            request["OnlineStoreConfig"] = online
        if self.offline_store:
            request["OfflineStoreConfig"] = {
                "S3StorageConfig": {"S3Uri": s3_uri or "s3://featurestore-demo-local/offline-store"},
                "DisableGlueTableCreation": False,
            }
        if role_arn:
            request["RoleArn"] = role_arn
        if self.description:
            request["Description"] = self.description
        if self.tags:
            request["Tags"] = [{"Key": key, "Value": value} for key, value in self.tags]
        return request

    @classmethod
    def from_aws(cls, shape: dict[str, Any]) -> FeatureGroupSpec:
        """The spec of a CreateFeatureGroup request or a DescribeFeatureGroup response."""
        online = shape.get("OnlineStoreConfig") or {}
        return cls(
            name=shape["FeatureGroupName"],
            record_identifier_name=shape["RecordIdentifierFeatureName"],
            event_time_feature_name=shape["EventTimeFeatureName"],
            features=tuple(
                FeatureDefinition(item.get("FeatureName"), item.get("FeatureType"))
                for item in shape["FeatureDefinitions"]
            ),
            online_store=bool(online.get("EnableOnlineStore", False)),
            offline_store=shape.get("OfflineStoreConfig") is not None,
            ttl=TtlDuration.from_aws(online.get("TtlDuration")),
            description=shape.get("Description"),
            tags=tuple((tag["Key"], tag["Value"]) for tag in shape.get("Tags") or ()),
            storage_type=online.get("StorageType") or "Standard",
        )


def data_catalog(description: dict[str, Any]) -> tuple[str, str] | None:
    """(Database, TableName) of a DescribeFeatureGroup response's ``OfflineStoreConfig.DataCatalogConfig``.

    None for a group without an offline store.
    """
    offline = description.get("OfflineStoreConfig")
    if offline is None:
        return None
    catalog = offline["DataCatalogConfig"]
    return catalog["Database"], catalog["TableName"]


def _features(**types: FeatureType) -> tuple[FeatureDefinition, ...]:
    return tuple(FeatureDefinition(name, kind) for name, kind in types.items())


USERS = FeatureGroupSpec(
    name="users",
    record_identifier_name="user_id",
    event_time_feature_name="event_time",
    features=_features(
        user_id="String",
        age="Integral",
        membership_tier="String",
        total_purchases="Integral",
        avg_order_value="Fractional",
        event_time="Fractional",
    ),
    description="Customer profile and purchase behaviour",
)

PRODUCTS = FeatureGroupSpec(
    name="products",
    record_identifier_name="product_id",
    event_time_feature_name="event_time",
    features=_features(
        product_id="String",
        category="String",
        price="Fractional",
        avg_rating="Fractional",
        stock_level="Integral",
        event_time="Fractional",
    ),
    description="Product catalogue: price, rating and stock",
)

TRANSACTIONS = FeatureGroupSpec(
    name="transactions",
    record_identifier_name="transaction_id",
    event_time_feature_name="event_time",
    features=_features(
        transaction_id="String",
        user_id="String",
        product_id="String",
        purchase_amount="Fractional",
        event_time="Fractional",
    ),
    online_store=False,
    description="Purchases: the labels of the point-in-time demo (offline store only)",
)

DEMO_GROUPS: tuple[FeatureGroupSpec, ...] = (USERS, PRODUCTS, TRANSACTIONS)
