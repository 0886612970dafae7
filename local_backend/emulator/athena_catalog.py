"""Athena's workgroup and data catalog, over the local offline store.

One workgroup, ``primary``: ENABLED, Athena engine version 3, no result location of its own
and nothing enforced (so a query names its OutputLocation), which is how a new account's
``primary`` starts. One data catalog, ``AwsDataCatalog`` (GLUE). Its databases are ``default``,
``sagemaker_featurestore`` with every feature group's offline-store table, and each database
that CREATE EXTERNAL TABLE made; the kit's and the engine's own schemas are never listed.
Names are lower case, as Glue keeps them; a column's type is the Hive type Athena shows
(``bigint``, ``double``, ``string``, ``timestamp``, ``boolean``...); every table is an
EXTERNAL_TABLE (the only type Athena has). Lengths, enums and patterns of a request, and the
largest page, come from botocore's model (:mod:`.athena_requests`).

Errors: an unknown workgroup is InvalidRequestException ``WorkGroup is not found.``, an
unknown catalog InvalidRequestException ``DataCatalog <name> was not found.``, an unknown
database or table MetadataException with Glue's EntityNotFoundException text.

Departures from AWS: workgroups and data catalogs cannot be created, updated or deleted;
GetDataCatalog describes AwsDataCatalog, which one public report (mondoohq/mql#10109) says
AWS refuses with ``DataCatalog AwsDataCatalog was not found``; an external table's metadata
has no CreateTime and no ``location`` (the local store keeps neither); PartitionKeys is always
empty, as the offline store's tables show no partition columns (SAGEMAKER_SPEC §3.3).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from sqlglot import exp
from sqlglot.errors import ParseError

from local_backend.catalog import utc
from local_backend.emulator.athena_requests import invalid, paged
from local_backend.emulator.wire import WireError

__all__ = ["AthenaCatalog", "CATALOG", "ENGINE_VERSION", "PRIMARY", "hive_type", "workgroup"]

PRIMARY = "primary"
CATALOG = "AwsDataCatalog"
ALWAYS_THERE = ("default",)
"""The database every account's Glue catalog has, tables or none."""
ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}
PARQUET_TABLE = {
    "EXTERNAL": "TRUE",
    "classification": "parquet",
    "inputformat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "outputformat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "serde.serialization.lib": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
}
"""The Parameters of a feature group's table: Parquet files under its ``location``."""
ENTITY_NOT_FOUND = "(Service: AmazonDataCatalog; Status Code: 400; Error Code: EntityNotFoundException)"


def _not_found(message: str) -> WireError:
    return WireError("MetadataException", f"{message} {ENTITY_NOT_FOUND}")


def workgroup(body: dict[str, Any]) -> str:
    """The (checked) request's workgroup: ``primary`` when it names none; InvalidRequestException
    for any other."""
    name = body.get("WorkGroup")
    if name is not None and name != PRIMARY:
        raise invalid("WorkGroup is not found.")
    return PRIMARY


def hive_type(duckdb_type: str) -> str:
    """The type Athena shows for a column of ``duckdb_type`` (``VARCHAR`` -> ``string``)."""
    try:
        shown = exp.DataType.build(duckdb_type, dialect="duckdb").sql(dialect="hive")
    except (ParseError, ValueError):
        shown = duckdb_type
    return shown.lower().replace(", ", ",").replace(": ", ":")


class AthenaCatalog:
    """GetWorkGroup, ListWorkGroups, ListDataCatalogs, GetDataCatalog, ListDatabases,
    GetDatabase, ListTableMetadata and GetTableMetadata over a local backend."""

    def __init__(self, backend: Any, created: float | None = None) -> None:
        self.backend = backend
        self.created = time.time() if created is None else created
        """When ``primary`` was created: when this emulator started."""
        self.operations: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "GetWorkGroup": self.get_work_group,
            "ListWorkGroups": self.list_work_groups,
            "ListDataCatalogs": self.list_data_catalogs,
            "GetDataCatalog": self.get_data_catalog,
            "ListDatabases": self.list_databases,
            "GetDatabase": self.get_database,
            "ListTableMetadata": self.list_table_metadata,
            "GetTableMetadata": self.get_table_metadata,
        }

    # ---------------------------------------------------------------- workgroups

    def _summary(self) -> dict[str, Any]:
        return {"Name": PRIMARY, "State": "ENABLED", "Description": "", "CreationTime": utc(self.created)}

    def get_work_group(self, body: dict[str, Any]) -> dict[str, Any]:
        workgroup(body)
        configuration = {
            "ResultConfiguration": {},
            "EnforceWorkGroupConfiguration": False,
            "PublishCloudWatchMetricsEnabled": False,
            "RequesterPaysEnabled": False,
            "EngineVersion": dict(ENGINE_VERSION),
            "EnableMinimumEncryptionConfiguration": False,
        }
        return {"WorkGroup": {**self._summary(), "Configuration": configuration}}

    def list_work_groups(self, body: dict[str, Any]) -> dict[str, Any]:
        summaries = [{**self._summary(), "EngineVersion": dict(ENGINE_VERSION)}]
        return _page("WorkGroups", summaries, body, "ListWorkGroups")

    # ---------------------------------------------------------------- data catalogs

    def list_data_catalogs(self, body: dict[str, Any]) -> dict[str, Any]:
        workgroup(body)
        return _page("DataCatalogsSummary", [{"CatalogName": CATALOG, "Type": "GLUE"}], body, "ListDataCatalogs")

    def get_data_catalog(self, body: dict[str, Any]) -> dict[str, Any]:
        """GetDataCatalog of AwsDataCatalog (see the module's Departures)."""
        _catalog(body["Name"])
        workgroup(body)
        parameters = {"catalog-id": str(self.backend.account_id)}
        return {"DataCatalog": {"Name": CATALOG, "Type": "GLUE", "Parameters": parameters}}

    # ---------------------------------------------------------------- databases

    def _databases(self, body: dict[str, Any], operation: str) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """Lower-case database -> table -> columns, once the request is checked and names
        the catalog and the workgroup."""
        _catalog(body["CatalogName"])
        workgroup(body)
        databases: dict[str, dict[str, list[tuple[str, str]]]] = {name: {} for name in ALWAYS_THERE}
        for name, tables in self.backend.athena_relations().items():
            databases.setdefault(name.lower(), {}).update((table.lower(), columns) for table, columns in tables.items())
        return databases

    def list_databases(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListDatabases; AttributesToGet can only be ``[NAME]``, which is all a database shows."""
        names = sorted(self._databases(body, "ListDatabases"))
        return _page("DatabaseList", [{"Name": name} for name in names], body, "ListDatabases")

    def get_database(self, body: dict[str, Any]) -> dict[str, Any]:
        databases, name = self._databases(body, "GetDatabase"), body["DatabaseName"]
        if name.lower() not in databases:
            raise _not_found(f"Database {name} not found.")
        return {"Database": {"Name": name.lower()}}

    # ---------------------------------------------------------------- tables

    def _tables(self, body: dict[str, Any], operation: str) -> dict[str, list[tuple[str, str]]]:
        databases = self._databases(body, operation)
        tables = databases.get(body["DatabaseName"].lower())
        if tables is None:
            raise _not_found(f"Database {body['DatabaseName']} not found.")
        return tables

    def list_table_metadata(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListTableMetadata; ``Expression`` is a regular expression the whole table name matches
        (case-insensitively)."""
        tables = self._tables(body, "ListTableMetadata")
        attributes = body.get("AttributesToGet")
        if attributes is not None and "NAME" not in attributes:
            raise invalid("AttributesToGet must include NAME.")
        matches = _matcher(body.get("Expression"))
        chosen = sorted(name for name in tables if matches(name))
        if attributes is not None:
            kind = {"TableType": "EXTERNAL_TABLE"} if "TABLE_TYPE" in attributes else {}
            return _page("TableMetadataList", [{"Name": name, **kind} for name in chosen], body, "ListTableMetadata")
        page, following = paged(chosen, body, "ListTableMetadata")
        groups, database = self._groups(), body["DatabaseName"].lower()
        described = [_table(name, tables[name], groups.get((database, name))) for name in page]
        return _with_token({"TableMetadataList": described}, following)

    def get_table_metadata(self, body: dict[str, Any]) -> dict[str, Any]:
        tables = self._tables(body, "GetTableMetadata")
        name = body["TableName"].lower()
        if name not in tables:
            raise _not_found("Entity Not Found")
        group = self._groups().get((body["DatabaseName"].lower(), name))
        return {"TableMetadata": _table(name, tables[name], group)}

    def _groups(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(database, table) -> the description of the feature group whose offline store it is."""
        groups = {}
        for summary in self.backend.list_feature_groups():
            description = self.backend.describe_feature_group(summary["FeatureGroupName"])
            catalog = (description.get("OfflineStoreConfig") or {}).get("DataCatalogConfig") or {}
            if catalog:
                groups[(catalog["Database"].lower(), catalog["TableName"].lower())] = description
        return groups


def _table(name: str, columns: list[tuple[str, str]], group: dict[str, Any] | None) -> dict[str, Any]:
    """The TableMetadata of table ``name``; ``group`` is the feature group it belongs to, if any."""
    described: dict[str, Any] = {"Name": name, "TableType": "EXTERNAL_TABLE"}
    if group is not None:
        described["CreateTime"] = group["CreationTime"]
    described["Columns"] = [{"Name": column.lower(), "Type": hive_type(kind)} for column, kind in columns]
    described["PartitionKeys"] = []
    if group is None:
        described["Parameters"] = {"EXTERNAL": "TRUE"}
    else:
        location = group["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
        described["Parameters"] = {**PARQUET_TABLE, "location": location}
    return described


def _catalog(name: str) -> None:
    if name.lower() != CATALOG.lower():
        raise invalid(f"DataCatalog {name} was not found.")


def _matcher(expression: str | None) -> Callable[[str], bool]:
    """Whether a table name matches ListTableMetadata's Expression, all of it (any name without one)."""
    if not expression:
        return lambda name: True
    try:
        pattern = re.compile(expression, re.IGNORECASE)
    except re.error as exc:
        raise invalid(f"Expression {expression!r} is not a valid regular expression: {exc}.") from None
    return lambda name: pattern.fullmatch(name) is not None


def _page(key: str, items: list[Any], body: dict[str, Any], operation: str) -> dict[str, Any]:
    page, following = paged(items, body, operation)
    return _with_token({key: page}, following)


def _with_token(response: dict[str, Any], following: str | None) -> dict[str, Any]:
    return response if following is None else {**response, "NextToken": following}
