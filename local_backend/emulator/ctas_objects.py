"""What a CREATE TABLE AS SELECT writes (:mod:`.athena_ctas`): its rows typed as Athena stores
them, the Parquet objects (one per partition and bucket, in Hive's ``col=value/`` folders), and the
Glue TableInput and PartitionInputs that describe them. Pure: nothing here touches S3 or Glue.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from featurestore_demo.errors import ValidationException
from featurestore_demo.service_model import fits_pattern, shape_metadata
from local_backend.emulator.athena_catalog import hive_type
from local_backend.emulator.athena_results import athena_type, value_text
from local_backend.emulator.glue_tables import PARQUET

__all__ = ["CODECS", "DUCKDB_TYPES", "MAX_WRITERS", "CtasOptions", "ObjectToWrite", "check_glue_name", "check_layout",
           "columns_of", "invalid_property", "parquet_objects", "partition_inputs", "table_input", "typed_rows"]

MAX_WRITERS = 100
"""Athena's limit of partitions and buckets one CTAS writes at once."""
CODECS: dict[str, Any] = {"SNAPPY": "snappy", "GZIP": "gzip", "ZSTD": "zstd", "LZ4": "lz4", "NONE": "none",
                          "UNCOMPRESSED": "none"}
DEFAULT_CODEC = "GZIP"
ARROW_TYPES: dict[str, pa.DataType] = {
    "bigint": pa.int64(), "integer": pa.int32(), "double": pa.float64(), "boolean": pa.bool_(),
    "timestamp": pa.timestamp("ms"), "varchar": pa.string()}
DUCKDB_TYPES = {"bigint": "BIGINT", "integer": "INTEGER", "double": "DOUBLE", "boolean": "BOOLEAN",
                "timestamp": "TIMESTAMP", "varchar": "VARCHAR"}
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_ESCAPED = frozenset('"#%\'*/:=?\\\x7f{[]^')
ObjectToWrite = tuple[str, bytes, tuple[str | None, ...]]
"""(key under the table's location, Parquet bytes, the partition's values as text)."""


@dataclass
class CtasOptions:
    """The table properties of a CTAS, once checked."""

    location: str | None = None
    codec: str = DEFAULT_CODEC
    level: int | None = None
    partitioned_by: list[str] = field(default_factory=list)
    bucketed_by: list[str] = field(default_factory=list)
    bucket_count: int | None = None
    with_data: bool = True


def invalid_property(message: str) -> ValidationException:
    return ValidationException(f"INVALID_TABLE_PROPERTY: {message}")


def check_glue_name(text: str, what: str) -> None:
    meta = shape_metadata("glue", "NameString")
    if not meta["min"] <= len(text) <= meta["max"] or not fits_pattern(text, meta["pattern"]):
        raise ValidationException(f"INVALID_TABLE_PROPERTY: {what} '{text[:80]}' is not a Glue name "
                                  f"({meta['min']} to {meta['max']} printable characters).")


# ---------------------------------------------------------------- the rows


def typed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The query's rows as the CTAS stores them: lower-case names, Athena's types, text for anything
    but a number, boolean or timestamp, timestamps to the millisecond."""
    frame = frame.copy()
    for index, dtype in enumerate(frame.dtypes):
        kind, column = athena_type(dtype), frame.iloc[:, index]
        if kind == "varchar":
            frame.isetitem(index, pd.array([value_text(value, kind) for value in column], dtype=object))
        elif kind == "timestamp":
            times = pd.to_datetime(column)
            if times.dt.tz is not None:  # Athena's timestamp has no zone: UTC, as the engine runs in UTC
                times = times.dt.tz_convert("UTC").dt.tz_localize(None)
            frame.isetitem(index, times.dt.floor("ms").array)
    frame.columns = [str(name).lower() for name in frame.columns]
    return frame


def columns_of(frame: pd.DataFrame) -> list[tuple[str, str]]:
    columns = [(str(name), athena_type(dtype)) for name, dtype in frame.dtypes.items()]
    seen: set[str] = set()
    for name, _ in columns:
        if name in seen:
            raise ValidationException(f"DUPLICATE_COLUMN_NAME: Column name '{name}' specified more than once")
        check_glue_name(name, "The column name")
        seen.add(name)
    return columns


def check_layout(options: CtasOptions, names: list[str]) -> None:
    partitions = options.partitioned_by
    for column in partitions + options.bucketed_by:
        if column not in names:
            raise invalid_property(f"Column '{column}' of partitioned_by or bucketed_by is not a column of the query.")
    if partitions and names[len(names) - len(partitions):] != partitions:
        raise ValidationException(f"HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the "
                                  f"table and in the same order as the table properties: {partitions}")
    if len(partitions) == len(names):
        raise ValidationException("NOT_SUPPORTED: a table needs at least one column that is not a partition column.")
    if set(partitions) & set(options.bucketed_by):
        raise invalid_property("A column cannot be both a partition column and a bucket column.")


def parquet_objects(frame: pd.DataFrame, columns: list[tuple[str, str]], options: CtasOptions,
           query_id: str) -> list[ObjectToWrite]:
    """(key under the location, Parquet bytes, partition values as text) of every object to write."""
    if frame.empty:
        return []
    partitions, kinds = options.partitioned_by, dict(columns)
    groups = list(frame.groupby(partitions, dropna=False, sort=True)) if partitions else [((), frame)]
    parts = []
    for number, (values, rows) in enumerate(groups):
        texts = tuple(value_text(value, kinds[column])
                      for column, value in zip(partitions, values if isinstance(values, tuple) else (values,)))
        folder = "".join(f"{_escape(column)}={_escape(NULL_PARTITION if text is None else text)}/"
                         for column, text in zip(partitions, texts))
        for bucket, part in _buckets(rows, options):
            name = f"{bucket:06d}_0_{query_id}" if options.bucket_count else f"{query_id}_{number}"
            parts.append((folder + name, part, texts))
        if len(parts) > MAX_WRITERS:
            raise ValidationException(f"HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of {MAX_WRITERS} open "
                                      "writers for partitions/buckets")
    data = [(name, kind) for name, kind in columns if name not in partitions]
    return [(key, _parquet(part, data, options), texts) for key, part, texts in parts]


def _buckets(rows: pd.DataFrame, options: CtasOptions) -> list[tuple[int, pd.DataFrame]]:
    if not options.bucket_count:
        return [(0, rows)]
    hashes = pd.util.hash_pandas_object(rows[options.bucketed_by], index=False).to_numpy() % options.bucket_count
    return [(int(bucket), rows[hashes == bucket]) for bucket in sorted(set(hashes.tolist()))]


def _parquet(rows: pd.DataFrame, data: list[tuple[str, str]], options: CtasOptions) -> bytes:
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in data])
    table = pa.Table.from_pandas(rows[[name for name, _ in data]], schema=schema, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression=CODECS[options.codec], compression_level=options.level,
                   use_deprecated_int96_timestamps=True)
    return sink.getvalue()


def _escape(text: str) -> str:
    """A partition column or value as Hive writes it in a path (``/`` is ``%2F``...)."""
    return "".join(f"%{ord(ch):02X}" if ch in _ESCAPED or ord(ch) < 0x20 else ch for ch in text)


# ---------------------------------------------------------------- Glue


def table_input(name: str, columns: list[tuple[str, str]], options: CtasOptions, location: str) -> dict[str, Any]:
    partitions = options.partitioned_by
    glue_type = {kind: hive_type(DUCKDB_TYPES[kind]) for kind in DUCKDB_TYPES}
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", "has_encrypted_data": "false", "parquet.compression": options.codec},
        "PartitionKeys": [{"Name": column, "Type": glue_type[kind]} for column, kind in columns
                          if column in partitions],
        "StorageDescriptor": {
            "Columns": [{"Name": column, "Type": glue_type[kind]} for column, kind in columns
                        if column not in partitions],
            "Location": location,
            **PARQUET,
            "Compressed": False,
            "NumberOfBuckets": options.bucket_count or -1,
            "BucketColumns": list(options.bucketed_by),
            "StoredAsSubDirectories": False,
        },
    }


def partition_inputs(files: list[ObjectToWrite], columns: list[tuple[str, str]],
                options: CtasOptions, location: str) -> list[dict[str, Any]]:
    """The Glue PartitionInput of each partition written."""
    if not options.partitioned_by:
        return []
    table = table_input("", columns, options, location)["StorageDescriptor"]
    found: dict[tuple[str | None, ...], str] = {}
    for key, _, texts in files:
        found.setdefault(texts, key.rsplit("/", 1)[0])
    base = location if location.endswith("/") else location + "/"
    return [{"Values": [NULL_PARTITION if text is None else text for text in texts],
             "StorageDescriptor": {**table, "Location": base + folder + "/"}} for texts, folder in found.items()]
