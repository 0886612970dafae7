"""What the local backend does beyond the common interface, for the emulator to serve.

UpdateFeatureGroup, DescribeFeatureMetadata and UpdateFeatureMetadata (SAGEMAKER_SPEC §1.5),
the expiry time of an online record (GetRecord's ``ExpiresAt``, §2.1), the tables that
Athena's ``CREATE EXTERNAL TABLE`` registers, and the Athena catalog that lists them.
:class:`LocalBackend` mixes this class in; it relies on the backend's lock, catalog, specs
and offline store.

Departures from AWS: an update is applied at once (``LastUpdateStatus`` goes straight to
Successful, where AWS passes through InProgress); a feature's metadata ``CreationTime`` is the
group's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from featurestore_demo.validation import record_key
from featurestore_demo.errors import ResourceNotFound
from featurestore_demo.rules import validate_feature_group_name, validate_feature_group_spec
from featurestore_demo.rules.names import constraint_error
from featurestore_demo.schemas import FeatureDefinition, FeatureGroupSpec, TtlDuration
from local_backend.catalog import METADATA_KEY, table_of, utc

__all__ = ["FeatureGroupUpdates", "UNCHANGED"]

UNCHANGED: Any = object()
"""Default of ``update_feature_group(ttl=...)``: keep the group's TTL (None removes it)."""
MAX_ADDITIONS = 100
MAX_PARAMETERS = 25
MAX_METADATA_TEXT = 255
_PARAMETER_RE = re.compile(r"[\w\s.:/=+\-]*")  # AWS: [\p{L}\p{Z}\p{N}_.:/=+\-]*


class FeatureGroupUpdates:
    """UpdateFeatureGroup, feature metadata, record expiry, external tables and the Athena catalog (a mixin)."""

    def update_feature_group(
        self,
        name: str,
        *,
        feature_additions: Sequence[FeatureDefinition] = (),
        ttl: TtlDuration | None = UNCHANGED,
    ) -> str:
        """Add features and/or set the default online TTL (None removes it); returns the ARN.

        Features can only be added, never removed. A new TTL applies to records written after
        the update (AWS does the same). ValidationException if the result is not a valid group.
        """
        name = validate_feature_group_name(name)
        additions = tuple(feature_additions)
        if len(additions) > MAX_ADDITIONS:
            raise constraint_error(
                f"<{len(additions)} definitions>", "featureAdditions",
                f"Member must have length less than or equal to {MAX_ADDITIONS}",
            )
        with self._lock:
            description = self._stored(name)
            spec = self._specs[name]
            updated = replace(
                spec,
                features=spec.features + additions,
                ttl=spec.ttl if ttl is UNCHANGED else ttl,
            )
            validate_feature_group_spec(updated)
            if additions:
                self.flush()
                table = table_of(description)
                self._offline.add_features(updated, table, tuple(f.name for f in additions))
            _apply_update(description, updated, additions, self.clock())
            self._offline.update_description(name, description)
            self._specs[name] = updated
            return description["FeatureGroupArn"]

    def describe_feature_metadata(self, name: str, feature_name: str) -> dict[str, Any]:
        """The DescribeFeatureMetadata response; ResourceNotFound for an unknown group or feature."""
        with self._lock:
            description, spec = self._feature(name, feature_name)
            metadata = description.get(METADATA_KEY, {}).get(feature_name, {})
            response = {
                "FeatureGroupArn": description["FeatureGroupArn"],
                "FeatureGroupName": spec.name,
                "FeatureName": feature_name,
                "FeatureType": spec.types[feature_name],
                "CreationTime": utc(description["CreationTime"]),
                "LastModifiedTime": utc(metadata.get("LastModifiedTime", description["CreationTime"])),
                "Parameters": [dict(item) for item in metadata.get("Parameters", [])],
            }
            if metadata.get("Description") is not None:
                response["Description"] = metadata["Description"]
            return response

    def update_feature_metadata(
        self,
        name: str,
        feature_name: str,
        *,
        description: str | None = None,
        parameter_additions: Sequence[Mapping[str, str]] = (),
        parameter_removals: Sequence[str] = (),
    ) -> None:
        """Set a feature's description, add parameters (in order; a known key is updated) and remove keys."""
        _check_metadata(description, parameter_additions, parameter_removals)
        with self._lock:
            stored, _ = self._feature(name, feature_name)
            metadata = stored.setdefault(METADATA_KEY, {}).setdefault(feature_name, {})
            if description is not None:
                metadata["Description"] = description
            parameters = {item["Key"]: item["Value"] for item in metadata.get("Parameters", [])}
            parameters.update((item["Key"], item["Value"]) for item in parameter_additions)
            for key in parameter_removals:
                parameters.pop(key, None)
            metadata["Parameters"] = [{"Key": key, "Value": value} for key, value in parameters.items()]
            metadata["LastModifiedTime"] = self.clock()
            self._offline.update_description(stored["FeatureGroupName"], stored)

    def online_expiry(self, feature_group: str, record_id: Any) -> float | None:
        """When the live online record of ``record_id`` expires (epoch seconds); None without a TTL."""
        spec = self.feature_group_spec(feature_group)
        with self._lock:
            entry = self._online.get(spec.name, record_key(spec, record_id), self.clock())
        return None if entry is None else entry.expires_at

    def create_external_table(
        self, database: str, table: str, columns: list[tuple[str, str]], rows: pd.DataFrame
    ) -> None:
        """Register ``rows`` as ``database.table`` for queries (CREATE EXTERNAL TABLE).

        ``columns`` are (name, DuckDB type); ``rows`` holds text values cast by position.
        """
        with self._lock:
            self._offline.create_table(database, table, columns, rows)

    def drop_external_table(self, database: str, table: str, *, if_exists: bool = False) -> None:
        """Drop a table made by :meth:`create_external_table`; ResourceNotFound unless ``if_exists``."""
        with self._lock:
            if not self._offline.drop_table(database, table) and not if_exists:
                raise ResourceNotFound(f"Table {database}.{table} does not exist.")

    def athena_relations(self) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """The databases of the Athena catalog, their tables and columns (ListDatabases, ListTableMetadata).

        Database -> table -> [(column, DuckDB type)], as stored: feature groups' tables in
        ``sagemaker_featurestore``, and the tables of :meth:`create_external_table`.
        """
        return self._offline.athena_relations()

    def _feature(self, name: str, feature_name: str) -> tuple[dict[str, Any], FeatureGroupSpec]:
        description = self._stored(validate_feature_group_name(name))
        spec = self._specs[description["FeatureGroupName"]]
        if feature_name not in spec.types:
            raise ResourceNotFound(
                f"Resource Not Found: Amazon SageMaker can't find a Feature with name {feature_name} "
                f"in FeatureGroup {spec.name}"
            )
        return description, spec


def _apply_update(
    description: dict[str, Any], spec: FeatureGroupSpec, additions: Iterable[FeatureDefinition], now: float
) -> None:
    description["FeatureDefinitions"].extend(feature.to_aws() for feature in additions)
    online = description.get("OnlineStoreConfig")
    if online is not None:
        if spec.ttl is None:
            online.pop("TtlDuration", None)
        else:
            online["TtlDuration"] = spec.ttl.to_aws()
    description["LastModifiedTime"] = now
    description["LastUpdateStatus"] = {"Status": "Successful"}


def _check_metadata(
    description: str | None,
    additions: Sequence[Mapping[str, str]],
    removals: Sequence[str],
) -> None:
    if description is not None and len(description) > MAX_METADATA_TEXT:
        raise constraint_error(
            description, "description", f"Member must have length less than or equal to {MAX_METADATA_TEXT}"
        )
    for field, items in (("parameterAdditions", additions), ("parameterRemovals", removals)):
        if len(items) > MAX_PARAMETERS:
            raise constraint_error(
                f"<{len(items)} items>", field, f"Member must have length less than or equal to {MAX_PARAMETERS}"
            )
    texts = [(f"parameterAdditions.{i}.member.key", item.get("Key")) for i, item in enumerate(additions, 1)]
    texts += [(f"parameterAdditions.{i}.member.value", item.get("Value")) for i, item in enumerate(additions, 1)]
    texts += [(f"parameterRemovals.{i}.member", key) for i, key in enumerate(removals, 1)]
    for field, text in texts:
        _check_parameter_text(text, field)


def _check_parameter_text(text: Any, field: str) -> None:
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_METADATA_TEXT:
        raise constraint_error(text, field, f"Member must have length between 1 and {MAX_METADATA_TEXT}")
    if not _PARAMETER_RE.fullmatch(text):
        raise constraint_error(
            text, field, r"Member must satisfy regular expression pattern: ([\p{L}\p{Z}\p{N}_.:/=+\-]*)"
        )


