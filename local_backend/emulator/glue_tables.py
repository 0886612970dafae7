"""The Glue Data Catalog tables of feature groups, in the Glue that moto serves in the same process.

CreateFeatureGroup through the emulator creates the group's Glue table, as SageMaker does
unless DisableGlueTableCreation is set (SAGEMAKER_SPEC §1.2): in the DataCatalogConfig's
database (``sagemaker_featurestore``, made if missing), the features with their Athena types
then ``write_time``, ``api_invocation_time`` and ``is_deleted`` (§3.3), stored as Parquet under
the group's ResolvedOutputS3Uri, an EXTERNAL_TABLE; an Iceberg group's table carries
``table_type=ICEBERG``. DeleteFeatureGroup leaves it (§1.5); Glue's DeleteTable, BatchDeleteTable
and DeleteDatabase, once moto has done them, also drop the Athena tables that a deleted group's
kept offline data became (:meth:`GlueTables.after_delete`), so that what the AWS backend's
cleanup removes from Glue is gone from Athena too.

The emulator reads and writes moto's in-memory Glue directly, not over HTTP; every touch of
moto's Glue internals is in this module.

Departures from AWS: an Iceberg group's table has no ``metadata_location`` (no Iceberg metadata
is written); names are kept as given, where Glue lowercases them; a Glue table that already
exists makes CreateFeatureGroup fail with ResourceInUse and create nothing, where AWS creates
the group and lets it end CreateFailed; deleting a live group's Glue table leaves its Athena
table, which the local offline store keeps while the group lives.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from featurestore_demo.errors import ResourceInUse, ValidationException

if TYPE_CHECKING:  # moto is the emulator extra's; imported when used
    from moto.glue.models import GlueBackend

__all__ = ["GlueTables", "table_input", "ATHENA_TYPES", "SYSTEM_COLUMNS"]

log = logging.getLogger(__name__)
ATHENA_TYPES = {"Integral": "bigint", "Fractional": "double", "String": "string"}
"""The Athena (Hive) type of each feature type's column (SAGEMAKER_SPEC §3.3); a collection's
column is a ``string`` holding its JSON array (:mod:`featurestore_demo.rules.collections`)."""
SYSTEM_COLUMNS = (("write_time", "timestamp"), ("api_invocation_time", "timestamp"), ("is_deleted", "boolean"))
"""The columns the offline store adds after the features, with their Athena types."""
PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}
DELETES = ("DeleteTable", "BatchDeleteTable", "DeleteDatabase")
"""The Glue operations whose success drops tables from Athena too."""


def table_input(description: dict[str, Any]) -> dict[str, Any]:
    """The Glue TableInput of a stored description's offline store (one with a DataCatalogConfig)."""
    offline = description["OfflineStoreConfig"]
    columns = [{"Name": item["FeatureName"],
                "Type": ATHENA_TYPES["String" if item.get("CollectionType") else item["FeatureType"]]}
               for item in description["FeatureDefinitions"]]
    columns += [{"Name": name, "Type": kind} for name, kind in SYSTEM_COLUMNS]
    parameters = {"EXTERNAL": "TRUE", "classification": "parquet"}
    if offline.get("TableFormat") == "Iceberg":
        parameters["table_type"] = "ICEBERG"
    return {
        "Name": offline["DataCatalogConfig"]["TableName"],
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": columns,
            "Location": offline["S3StorageConfig"]["ResolvedOutputS3Uri"],
            **PARQUET,
            "Compressed": False,
            "NumberOfBuckets": -1,
            "StoredAsSubDirectories": False,
        },
    }


def creates_table(description: dict[str, Any]) -> bool:
    """Whether SageMaker creates a Glue table for this description (an offline store with a
    DataCatalogConfig and DisableGlueTableCreation False)."""
    offline = description.get("OfflineStoreConfig") or {}
    return "DataCatalogConfig" in offline and not offline.get("DisableGlueTableCreation")


class GlueTables:
    """Feature groups' tables in moto's Glue of ``account_id`` and ``region``, kept in step with Athena."""

    def __init__(self, backend: Any, account_id: str, region: str) -> None:
        self.backend, self.account_id, self.region = backend, account_id, region

    def _glue(self) -> GlueBackend:
        from moto.glue.models import glue_backends

        return glue_backends[self.account_id][self.region]

    def _exists(self, catalog: dict[str, str]) -> bool:
        database = self._glue().databases.get(catalog["Database"])
        return database is not None and catalog["TableName"] in database.tables

    def check_free(self, description: dict[str, Any]) -> None:
        """ResourceInUse if the Glue table this description would create exists already."""
        if not creates_table(description):
            return
        catalog = description["OfflineStoreConfig"]["DataCatalogConfig"]
        if self._exists(catalog):
            raise ResourceInUse(
                f"The Glue table {catalog['Database']}.{catalog['TableName']} already exists (AWS would "
                "leave the feature group CreateFailed). Delete the table, or choose another DataCatalogConfig."
            )

    def create_for(self, description: dict[str, Any]) -> None:
        """Create the group's Glue table (and its database if missing), if SageMaker would."""
        if not creates_table(description):
            return
        glue = self._glue()
        database = description["OfflineStoreConfig"]["DataCatalogConfig"]["Database"]
        if database not in glue.databases:
            glue.create_database(database, {"Name": database})
        table = table_input(description)
        glue.create_table(database, table["Name"], table)

    def has_database(self, database: str) -> bool:
        return database in self._glue().databases

    def has_table(self, database: str, table: str) -> bool:
        return self._exists({"Database": database, "TableName": table})

    def create_table(self, database: str, table: dict[str, Any], partitions: list[dict[str, Any]]) -> None:
        """Create the Glue table ``table`` (a TableInput) with its ``partitions`` (PartitionInputs), and
        the database if Glue lacks it (Athena's CTAS: :mod:`.athena_ctas`)."""
        glue = self._glue()
        if database not in glue.databases:
            glue.create_database(database, {"Name": database})
        glue.create_table(database, table["Name"], table)
        for partition in partitions:
            glue.create_partition(database, table["Name"], partition)

    def delete_table(self, database: str, table: str) -> bool:
        """Delete a Glue table (Athena's DROP TABLE); False if there is none."""
        if not self.has_table(database, table):
            return False
        self._glue().delete_table(database, table)
        return True

    def restore(self) -> None:
        """Create the Glue tables of the backend's groups that moto's Glue lacks (moto keeps its
        state in memory: a store reopened by a new emulator process has groups but no tables)."""
        for summary in self.backend.list_feature_groups():
            description = self.backend.describe_feature_group(summary["FeatureGroupName"])
            if creates_table(description) and not self._exists(description["OfflineStoreConfig"]["DataCatalogConfig"]):
                self.create_for(description)

    def after_delete(self, operation: str, body: bytes, response: bytes) -> None:
        """Drop from Athena what a successful Glue ``operation`` (one of :data:`DELETES`) removed.

        Only tables go (a deleted group's kept offline data, an external table); a live group's
        table stays, as the local offline store serves it while the group lives.
        """
        request = json.loads(body or b"{}")
        if operation == "DeleteTable":
            self._drop(request.get("DatabaseName"), [request.get("Name")])
        elif operation == "BatchDeleteTable":
            failed = {error.get("TableName") for error in json.loads(response or b"{}").get("Errors", [])}
            self._drop(request.get("DatabaseName"), [t for t in request.get("TablesToDelete", []) if t not in failed])
        elif operation == "DeleteDatabase":
            database = request.get("Name")
            tables = self.backend.athena_relations().get(database, {}) if isinstance(database, str) else {}
            self._drop(database, list(tables))

    def _drop(self, database: Any, tables: list[Any]) -> None:
        if not isinstance(database, str):
            return
        for table in tables:
            if not isinstance(table, str):
                continue
            try:
                self.backend.drop_external_table(database, table, if_exists=True)
            except ValidationException:  # a live feature group's table: it stays while the group lives
                log.info("Glue dropped %s.%s; its feature group still serves it in Athena", database, table)
