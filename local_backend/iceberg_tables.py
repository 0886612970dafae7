"""The offline data of ``TableFormat: Iceberg`` groups, as Iceberg tables in SageMaker's layout.

SAGEMAKER_SPEC §3.3: the data files of an Iceberg group live under its ``ResolvedOutputS3Uri``
in daily partitions of the (String) event time, and the table's metadata beside them::

    <location>/data/<8 alphanumerics>/<event time feature>_trunc=YYYY-MM-DD/<file>.parquet
    <location>/metadata/<n>-<uuid>.metadata.json, manifests and snapshots

where ``<location>`` is the ``ResolvedOutputS3Uri`` without its last ``/data``. The partition
is Iceberg's ``truncate(10)`` of the ISO event time, so pyiceberg, Spark or Athena read the
table as it is (``StaticTable.from_metadata(metadata_location)`` in pyiceberg). The tables are
registered in a SQLite catalog in the store's home (pyiceberg's SqlCatalog); each append
records, in its snapshot's summary, the latest ``api_invocation_time`` it holds, so that rows
committed to the store but not yet appended when a crash came are appended on recovery.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from featurestore_demo.schemas import FeatureGroupSpec
from local_backend.parquet_layout import OfflineFolder, code

if TYPE_CHECKING:  # pyiceberg is imported when a store first holds an Iceberg group
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.table import Table

__all__ = ["IcebergTables"]

NAMESPACE = "featurestore"
LAST_AIT = "featurestore.last-api-invocation-us"
"""Snapshot-summary key: the latest api_invocation_time (epoch µs) the table holds."""


class IcebergTables:
    """The Iceberg tables of a store whose files live below ``s3_root``; catalog in ``catalog_path``."""

    def __init__(self, catalog_path: Path, s3_root: Path) -> None:
        self.catalog_path, self.s3_root = catalog_path, s3_root
        self._catalog: SqlCatalog | None = None

    def _opened(self) -> SqlCatalog:
        if self._catalog is None:
            from pyiceberg.catalog.sql import SqlCatalog

            self._catalog = SqlCatalog("featurestore", uri=f"sqlite:///{self.catalog_path}",
                                       warehouse=self.s3_root.as_uri())
            self._catalog.create_namespace_if_not_exists(NAMESPACE)
        return self._catalog

    def create(self, spec: FeatureGroupSpec, folder: OfflineFolder, schema: pa.Schema) -> None:
        """Create the group's table, partitioned by ``truncate(10)`` of its event time."""
        from pyiceberg.transforms import TruncateTransform

        location = (self.s3_root / folder.path.removesuffix("/data")).as_uri()
        table = self._opened().create_table(
            (NAMESPACE, spec.name), schema, location=location,
            properties={"write.data.path": f"{location}/data/{code(spec.name)[:8]}"},
        )
        with table.update_spec() as update:
            update.add_field(spec.event_time_feature_name, TruncateTransform(10),
                             f"{spec.event_time_feature_name}_trunc")

    def add_features(self, spec: FeatureGroupSpec, added: tuple[str, ...]) -> None:
        """Add the ``added`` features of ``spec`` (UpdateFeatureGroup) as optional columns."""
        from pyiceberg.types import DoubleType, LongType, StringType

        types = {"Integral": LongType(), "Fractional": DoubleType(), "String": StringType()}
        with self._table(spec.name).update_schema() as update:
            for name in added:
                update.add_column(name, types[spec.column_types[name]])

    def _table(self, group: str) -> Table:
        return self._opened().load_table((NAMESPACE, group))

    def append(self, group: str, rows: pa.Table, last_ait_us: int) -> None:
        """Append ``rows`` as one snapshot that records ``last_ait_us``."""
        self._table(group).append(rows, snapshot_properties={LAST_AIT: str(last_ait_us)})

    def last_appended_us(self, group: str) -> int:
        """The latest api_invocation_time (epoch µs) appended to the group's table, 0 if none."""
        snapshot = self._table(group).current_snapshot()
        return int(snapshot.summary.get(LAST_AIT, 0)) if snapshot is not None and snapshot.summary else 0

    def drop(self, group: str) -> None:
        """Forget the table in the catalog (its files are the caller's to keep or remove)."""
        self._opened().drop_table((NAMESPACE, group))
