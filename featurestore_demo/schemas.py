"""The feature groups of the demo, and the dataclasses that describe any feature group.

A :class:`FeatureGroupSpec` is what a user asks for; it converts to and from the AWS
CreateFeatureGroup / DescribeFeatureGroup shapes, so the same spec drives every backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

__all__ = [
    "FeatureType",
    "CollectionType",
    "FeatureDefinition",
    "TtlDuration",
    "DataCatalogConfig",
    "OfflineStoreConfig",
    "ThroughputConfig",
    "FeatureGroupSpec",
    "data_catalog",
    "USERS",
    "PRODUCTS",
    "TRANSACTIONS",
    "DEMO_GROUPS",
]

FeatureType = Literal["Integral", "Fractional", "String"]
FEATURE_TYPES: tuple[str, ...] = ("Integral", "Fractional", "String")
CollectionType = Literal["List", "Set", "Vector"]
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
    """One feature: its name and its SageMaker type, and for a collection its CollectionType
    (List, Set or Vector) and, for a Vector, its dimension (``CollectionConfig.VectorConfig.Dimension``).

    A collection's elements are all of ``type``; records carry its value as a list
    (``ValueAsStringList`` on the wire). ``FeatureDefinition("tags", "String", "List")``,
    ``FeatureDefinition("embedding", "Fractional", "Vector", 128)``.
    """

    name: str
    type: FeatureType
    collection_type: CollectionType | None = None
    dimension: int | None = None

    @property
    def is_collection(self) -> bool:
        return self.collection_type is not None

    @property
    def column_type(self) -> str:
        """The feature type of its offline-store column: its own for a scalar, String for a
        collection (the column holds the collection as JSON text, see
        :mod:`featurestore_demo.rules.collections`)."""
        return self.type if self.collection_type is None else "String"

    def to_aws(self) -> dict[str, Any]:
        shape: dict[str, Any] = {"FeatureName": self.name, "FeatureType": self.type}
        if self.collection_type is not None:
            shape["CollectionType"] = self.collection_type
        if self.dimension is not None:
            shape["CollectionConfig"] = {"VectorConfig": {"Dimension": self.dimension}}
        return shape

    @classmethod
    def from_aws(cls, shape: dict[str, Any]) -> FeatureDefinition:
        """A FeatureDefinition shape, its members as sent (the rules refuse what AWS refuses)."""
        vector = (shape.get("CollectionConfig") or {}).get("VectorConfig") or {}
        return cls(shape.get("FeatureName"), shape.get("FeatureType"),  # type: ignore[arg-type]
                   shape.get("CollectionType"), vector.get("Dimension"))


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
class DataCatalogConfig:
    """The Glue table of an offline store: ``OfflineStoreConfig.DataCatalogConfig`` (all three required)."""

    table_name: str
    database: str
    catalog: str

    def to_aws(self) -> dict[str, str]:
        return {"TableName": self.table_name, "Catalog": self.catalog, "Database": self.database}

    @classmethod
    def from_aws(cls, shape: dict[str, Any] | None) -> DataCatalogConfig | None:
        if not shape:
            return None
        # Wire values as sent (a missing member is None): the emulator's request checks refuse them
        return cls(shape.get("TableName"), shape.get("Database"), shape.get("Catalog"))  # type: ignore[arg-type]


@dataclass(frozen=True)
class OfflineStoreConfig:
    """How an offline store is catalogued, beyond its S3 location (which the backend's configuration gives).

    ``disable_glue_table_creation`` and ``data_catalog`` pick what SageMaker does with the Glue
    table (SAGEMAKER_SPEC §1.2): without either it creates one under generated names; with a
    DataCatalogConfig it creates it under those names, or, with creation disabled, associates
    the table you bring; with creation disabled and no DataCatalogConfig there is no table.
    ``table_format`` is Default, Glue or Iceberg (None: not sent); ``kms_key_id`` encrypts the
    S3 objects.
    """

    disable_glue_table_creation: bool = False
    data_catalog: DataCatalogConfig | None = None
    table_format: str | None = None
    kms_key_id: str | None = None

    def to_aws(self, s3_uri: str) -> dict[str, Any]:
        """The CreateFeatureGroup ``OfflineStoreConfig`` with its S3 location ``s3_uri``."""
        storage: dict[str, Any] = {"S3Uri": s3_uri}
        if self.kms_key_id is not None:
            storage["KmsKeyId"] = self.kms_key_id
        shape: dict[str, Any] = {
            "S3StorageConfig": storage,
            "DisableGlueTableCreation": self.disable_glue_table_creation,
        }
        if self.data_catalog is not None:
            shape["DataCatalogConfig"] = self.data_catalog.to_aws()
        if self.table_format is not None:
            shape["TableFormat"] = self.table_format
        return shape

    @classmethod
    def from_aws(cls, shape: dict[str, Any]) -> OfflineStoreConfig:
        return cls(
            disable_glue_table_creation=bool(shape.get("DisableGlueTableCreation", False)),
            data_catalog=DataCatalogConfig.from_aws(shape.get("DataCatalogConfig")),
            table_format=shape.get("TableFormat"),
            kms_key_id=(shape.get("S3StorageConfig") or {}).get("KmsKeyId"),
        )


@dataclass(frozen=True)
class ThroughputConfig:
    """How a group's reads and writes are billed: ``ThroughputMode`` OnDemand or Provisioned, with
    the provisioned read and write capacity units (None: not given)."""

    mode: str | None = "OnDemand"
    """OnDemand or Provisioned; None only in an UpdateFeatureGroup ThroughputConfig that keeps the mode."""
    read_units: int | None = None
    write_units: int | None = None

    def to_aws(self) -> dict[str, Any]:
        """The ThroughputConfig shape (a ThroughputConfigUpdate without a mode has no ThroughputMode)."""
        shape: dict[str, Any] = {} if self.mode is None else {"ThroughputMode": self.mode}
        for key, units in (("ProvisionedReadCapacityUnits", self.read_units),
                           ("ProvisionedWriteCapacityUnits", self.write_units)):
            if units is not None:
                shape[key] = units
        return shape

    @classmethod
    def from_aws(cls, shape: dict[str, Any] | None) -> ThroughputConfig | None:
        if not shape:
            return None
        return cls(shape.get("ThroughputMode"), shape.get("ProvisionedReadCapacityUnits"),
                   shape.get("ProvisionedWriteCapacityUnits"))


@dataclass(frozen=True)
class FeatureGroupSpec:
    """What a feature group is: schema, identifier, event time, and which stores it has.

    ``offline_config`` says how the offline store (if ``offline_store``) is catalogued in Glue;
    ``throughput`` is the ThroughputConfig (None: not sent, OnDemand); ``online_kms_key_id`` the
    KMS key of ``OnlineStoreConfig.SecurityConfig``.
    """

    name: str
    record_identifier_name: str
    event_time_feature_name: str
    features: tuple[FeatureDefinition, ...]
    online_store: bool = True
    offline_store: bool = True
    ttl: TtlDuration | None = None
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = field(default=())
    offline_config: OfflineStoreConfig = OfflineStoreConfig()
    storage_type: str = "Standard"
    """The online store's tier, ``OnlineStoreConfig.StorageType``: Standard (AWS's default),
    Standard_V2 or InMemory (the sagemaker model's enum)."""
    throughput: ThroughputConfig | None = None
    online_kms_key_id: str | None = None

    @cached_property
    def feature_names(self) -> list[str]:
        """The feature names in definition order (computed once: do not change the list)."""
        return [feature.name for feature in self.features]

    @cached_property
    def types(self) -> dict[str, str]:
        """Feature name -> FeatureType (computed once: do not change the dict); a collection's
        is the type of its elements."""
        return {feature.name: feature.type for feature in self.features}

    @cached_property
    def number_positions(self) -> tuple[tuple[int, str, str], ...]:
        """(position, name, FeatureType) of each Integral or Fractional feature (computed once)."""
        return tuple((index, feature.name, feature.type) for index, feature in enumerate(self.features)
                     if feature.type != "String")

    @cached_property
    def collections(self) -> dict[str, FeatureDefinition]:
        """Feature name -> definition of the collection features (List, Set, Vector), in
        definition order; empty for a group of scalars (computed once: do not change it)."""
        return {feature.name: feature for feature in self.features if feature.collection_type is not None}

    @cached_property
    def column_types(self) -> dict[str, str]:
        """Feature name -> the feature type of its offline-store column
        (:attr:`FeatureDefinition.column_type`; computed once: do not change the dict)."""
        return {feature.name: feature.column_type for feature in self.features}

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
            if self.online_kms_key_id is not None:
                online["SecurityConfig"] = {"KmsKeyId": self.online_kms_key_id}
            request["OnlineStoreConfig"] = online
        if self.offline_store:
            request["OfflineStoreConfig"] = self.offline_config.to_aws(
                s3_uri or "s3://featurestore-demo-local/offline-store"
            )
        if self.throughput is not None:
            request["ThroughputConfig"] = self.throughput.to_aws()
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
        offline = shape.get("OfflineStoreConfig")
        return cls(
            name=shape["FeatureGroupName"],
            record_identifier_name=shape["RecordIdentifierFeatureName"],
            event_time_feature_name=shape["EventTimeFeatureName"],
            features=tuple(FeatureDefinition.from_aws(item) for item in shape["FeatureDefinitions"]),
            online_store=bool(online.get("EnableOnlineStore", False)),
            offline_store=offline is not None,
            ttl=TtlDuration.from_aws(online.get("TtlDuration")),
            description=shape.get("Description"),
            tags=tuple((tag["Key"], tag["Value"]) for tag in shape.get("Tags") or ()),
            offline_config=OfflineStoreConfig.from_aws(offline) if offline is not None else OfflineStoreConfig(),
            storage_type=online.get("StorageType") or "Standard",
            throughput=ThroughputConfig.from_aws(shape.get("ThroughputConfig")),
            online_kms_key_id=(online.get("SecurityConfig") or {}).get("KmsKeyId"),
        )


def data_catalog(description: dict[str, Any]) -> tuple[str, str] | None:
    """(Database, TableName) of a DescribeFeatureGroup response's ``OfflineStoreConfig.DataCatalogConfig``.

    None for a group without an offline store, or whose offline store has no Glue table
    (DisableGlueTableCreation without a DataCatalogConfig).
    """
    catalog = (description.get("OfflineStoreConfig") or {}).get("DataCatalogConfig")
    if not catalog:
        return None
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
