"""CREATE TABLE AS SELECT through the emulator's Athena: Parquet objects in S3, the table in Athena and Glue.

``CREATE TABLE [IF NOT EXISTS] db.t WITH (external_location = 's3://bucket/prefix/', format =
'PARQUET', write_compression | parquet_compression = 'SNAPPY', partitioned_by = ARRAY['c'],
bucketed_by = ARRAY['b'], bucket_count = 4) AS <query> [WITH [NO] DATA]`` runs the query, writes
its rows as Parquet objects under the location (one object per partition and bucket, in
``col=value/`` folders, Hive's escaping and ``__HIVE_DEFAULT_PARTITION__`` for NULL), creates the
table in the Athena catalog and in Glue (columns with their Hive types, partition keys, one Glue
partition per partition written, the Parquet SerDe), and answers the objects it wrote, which
:mod:`.athena` lists in the data manifest ``<OutputLocation>/<QueryExecutionId>-manifest.csv``.
Column names are lower case, as Glue keeps them; types are those of the query's result
(``bigint``, ``integer``, ``double``, ``boolean``, ``timestamp`` to the millisecond, written as
INT96 as Athena's Hive writer does, and ``varchar``, ``string`` in Glue). Without
``external_location`` the objects go to ``<OutputLocation>/tables/<QueryExecutionId>/``. An
empty result writes no object. The default compression is GZIP, as Athena's.

Refused as Athena refuses them, the query FAILED with the reason: a database that does not exist
(SCHEMA_NOT_FOUND); a table that exists, in Athena or in Glue (TABLE_ALREADY_EXISTS; with IF NOT
EXISTS nothing happens); a location that holds objects (HIVE_PATH_ALREADY_EXISTS: Athena never
overwrites); an unknown table property, a property of the wrong kind (INVALID_TABLE_PROPERTY);
an expression without a name, a column named twice, a NULL column (whose type is unknown);
partition columns that are not the query's last, in order; more than 100 partitions and buckets
at once (HIVE_TOO_MANY_OPEN_PARTITIONS).

The location is only ever an S3 key prefix of a bucket that exists: the objects go to the
emulator's in-memory S3 (moto), never to a file, so no location (``..``, another scheme, another
bucket) reaches the host. Its query runs as any query does, seeing the Athena catalog only.

Departures from AWS: only PARQUET is written (ORC, AVRO, JSON, TEXTFILE and Iceberg tables are
NOT_SUPPORTED); rows go to buckets by a hash of the bucket columns that is not Hive's; the
objects live in the emulator's memory, so they, and the Glue table, are gone when the emulator
stops, while the Athena table (kept by the local store) stays; an external location whose
bucket does not exist fails with HIVE_FILESYSTEM_ERROR, and an object key past S3's 1,024 bytes
(a long location or partition value) with HIVE_PATH_TOO_LONG, both the emulator's wording. Where AWS does
not document it, the emulator chooses: GetQueryResults of a CTAS has the one column ``rows``
(``bigint``), no data row, and UpdateCount the rows written; object names are
``<QueryExecutionId>_<n>`` (bucketed: ``<bucket>_0_<QueryExecutionId>``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlglot import exp

from featurestore_demo.errors import ResourceInUse, ValidationException
from local_backend.emulator.ctas_objects import (
    CODECS,
    DUCKDB_TYPES,
    MAX_WRITERS,
    CtasOptions,
    check_glue_name,
    check_layout,
    columns_of,
    invalid_property,
    parquet_objects,
    partition_inputs,
    table_input,
    typed_rows,
)
from local_backend.emulator.s3_files import DiskObjects
from local_backend.emulator.s3_objects import S3Objects

if TYPE_CHECKING:
    from local_backend.emulator.glue_tables import GlueTables

__all__ = ["CtasPlace", "Written", "create_table_as_select", "ctas_query"]

MAX_KEY_BYTES = 1024
"""S3's longest object key."""
MAX_FOLDER_BYTES = 900
NOT_WRITTEN_FORMATS = ("ORC", "AVRO", "JSON", "TEXTFILE", "ION")
"""Formats Athena's CTAS writes and the emulator does not."""
PROPERTIES = ("external_location", "format", "write_compression", "parquet_compression", "compression_level",
              "partitioned_by", "bucketed_by", "bucket_count", "field_delimiter", "table_type", "is_external")
"""The CTAS table properties the emulator reads; any other is INVALID_TABLE_PROPERTY."""
NOT_WRITTEN_PROPERTIES = ("orc_compression", "location", "vacuum_min_snapshots_to_keep",
                          "vacuum_max_snapshot_age_seconds", "optimize_rewrite_delete_file_threshold")
"""Athena's properties of the formats and table types the emulator does not write."""
_WRITING = threading.Lock()
"""Held from "is the location empty?" to the objects written, so two CTAS never share a location."""


@dataclass(frozen=True)
class CtasPlace:
    """Where a CTAS writes: the store, the S3 and Glue beside it, the execution's id and result folder."""

    backend: Any
    s3: S3Objects
    glue: GlueTables | None
    query_id: str
    output: str
    """The execution's OutputLocation (a folder)."""
    write_out: Callable[[], None] = lambda: None
    """Writes the offline stores' acknowledged rows out as files, as before any S3 listing."""


class Written(NamedTuple):
    """What a CTAS did: the rows of its table, the ``s3://`` objects it wrote and their bytes."""

    rows: int
    objects: list[str]
    bytes: int


def ctas_query(tree: exp.Create) -> exp.Query | None:
    """The query of a CREATE TABLE AS statement, or None if ``tree`` is another CREATE."""
    query = tree.expression
    return query if isinstance(query, exp.Query) and not isinstance(tree.this, exp.Schema) else None


def create_table_as_select(place: CtasPlace, tree: exp.Create, database: str | None,
                           run: Any) -> Written:
    """Run the CTAS ``tree``; ``run(query)`` runs its query (an ``exp.Query``, its tables put in the
    execution's database) and returns the rows as a DataFrame. ValidationException (the reason the
    query FAILED) for anything Athena refuses, with nothing written."""
    query = ctas_query(tree)
    assert query is not None, "a CREATE TABLE AS statement"
    options = _options(tree)
    db, name = _names(tree.this, database)
    _check_columns_named(query)
    _check_database(place, db)
    if _table_exists(place, db, name):
        if tree.args.get("exists"):
            return Written(0, [], 0)
        raise _exists(db, name)
    location = options.location if options.location is not None else \
        f"{place.output.rstrip('/')}/tables/{place.query_id}/"
    bucket, folder = _checked_location(place, location)
    _check_empty(place, bucket, folder, location, db, name)
    if not options.with_data:
        query = exp.select("*").from_(query.subquery("__ctas")).limit(0)
    frame = typed_rows(run(query))
    columns = columns_of(frame)
    check_layout(options, [column for column, _ in columns])
    files = parquet_objects(frame, columns, options, place.query_id)
    too_long = next((key for key, _, _ in files if len((folder + key).encode("utf-8")) > MAX_KEY_BYTES), None)
    if too_long is not None:
        raise ValidationException(f"HIVE_PATH_TOO_LONG: the object key {folder + too_long[:80]}... would be longer "
                                  f"than S3's {MAX_KEY_BYTES} bytes (a partition value too long for a path).")
    with _WRITING:
        _check_empty(place, bucket, folder, location, db, name)
        try:
            place.backend.create_external_table(db, name, [(c, DUCKDB_TYPES[t]) for c, t in columns], frame)
        except ResourceInUse:
            raise _exists(db, name) from None
        try:
            for key, body, _ in files:
                place.s3.put(bucket, folder + key, body)
            if place.glue is not None:
                place.glue.create_table(db, table_input(name, columns, options, location),
                                        partition_inputs(files, columns, options, location))
        except Exception:
            place.backend.drop_external_table(db, name, if_exists=True)
            raise
    return Written(len(frame), [f"s3://{bucket}/{folder}{key}" for key, _, _ in files],
                   sum(len(body) for _, body, _ in files))


# ---------------------------------------------------------------- the statement


def _exists(db: str, name: str) -> ValidationException:
    return ValidationException(f"TABLE_ALREADY_EXISTS: Destination table 'awsdatacatalog.{db}.{name}' already exists")


def _options(tree: exp.Create) -> CtasOptions:
    options = CtasOptions()
    seen: set[str] = set()
    for prop in (tree.args.get("properties") or exp.Properties(expressions=[])).expressions:
        if isinstance(prop, exp.WithDataProperty):
            options.with_data = not prop.args.get("no")
            continue
        if type(prop) is exp.Property:
            name, value = prop.name, prop.args.get("value")
        else:
            name, value = exp.Properties.PROPERTY_TO_NAME.get(type(prop), prop.key).lower(), prop.this
        if name in seen:
            raise invalid_property(f"Table property '{name}' is given more than once.")
        seen.add(name)
        _option(options, name, value)
    if "write_compression" in seen and "parquet_compression" in seen:
        raise invalid_property("Give write_compression or parquet_compression, not both.")
    if bool(options.bucketed_by) != (options.bucket_count is not None):
        raise invalid_property("bucketed_by and bucket_count go together: give both, or neither.")
    return options


def _option(options: CtasOptions, name: str, value: Any) -> None:
    if name in NOT_WRITTEN_PROPERTIES:
        raise ValidationException(f"NOT_SUPPORTED: the emulator writes Hive tables in PARQUET only; "
                                  f"table property '{name}' is not emulated.")
    if name not in PROPERTIES:
        raise invalid_property(f"Catalog 'awsdatacatalog' table property '{name}' does not exist. "
                       f"Table properties are lower case: {', '.join(PROPERTIES)}.")
    if name == "external_location":
        options.location = _text(name, value)
    elif name == "format":
        _check_format(_text(name, value).upper())
    elif name in ("write_compression", "parquet_compression"):
        codec = _text(name, value).upper()
        if codec not in CODECS:
            raise invalid_property(f"{name} '{codec}' is not a Parquet compression ({', '.join(CODECS)}).")
        options.codec = codec
    elif name == "compression_level":
        options.level = _number(name, value, 1, 22)
    elif name in ("partitioned_by", "bucketed_by"):
        setattr(options, name, _names_list(name, value))
    elif name == "bucket_count":
        options.bucket_count = _number(name, value, 1, MAX_WRITERS)
    elif name == "table_type" and _text(name, value).upper() != "HIVE":
        raise ValidationException("NOT_SUPPORTED: the emulator's CTAS writes Hive tables (table_type 'HIVE') only.")
    elif name == "is_external" and not (isinstance(value, exp.Boolean) and value.this):
        raise ValidationException("NOT_SUPPORTED: a Hive table made by CTAS is external (is_external = true).")


def _check_format(kind: str) -> None:
    if kind in NOT_WRITTEN_FORMATS:
        raise ValidationException(f"NOT_SUPPORTED: the emulator's CTAS writes PARQUET only, not {kind}.")
    if kind != "PARQUET":
        raise invalid_property(f"format '{kind}' is not a storage format of Athena's CTAS.")


def _text(name: str, value: Any) -> str:
    if not (isinstance(value, exp.Literal) and value.is_string):
        raise invalid_property(f"Table property '{name}' takes a string ('...').")
    return str(value.this)


def _number(name: str, value: Any, low: int, high: int) -> int:
    if not (isinstance(value, exp.Literal) and not value.is_string and str(value.this).isdigit()
            and low <= int(value.this) <= high):
        raise invalid_property(f"Table property '{name}' takes a whole number from {low} to {high}.")
    return int(value.this)


def _names_list(name: str, value: Any) -> list[str]:
    if not isinstance(value, exp.Array) or not value.expressions:
        raise invalid_property(f"Table property '{name}' takes ARRAY['column', ...].")
    return [_text(name, item).lower() for item in value.expressions]


def _names(table: exp.Table, database: str | None) -> tuple[str, str]:
    """(database, table), lower case as Glue keeps them; INVALID for a name Glue cannot hold."""
    if table.catalog and table.catalog.lower() != "awsdatacatalog":
        raise ValidationException(f"CATALOG_NOT_FOUND: Catalog '{table.catalog}' does not exist")
    db, name = (table.db or database or "default").lower(), table.name.lower()
    for kind, text in (("database", db), ("table", name)):
        check_glue_name(text, f"The {kind} name")
    return db, name


def _check_columns_named(query: exp.Query) -> None:
    """Athena's CTAS needs a name and a known type for every column of its query."""
    inner = query.unnest()
    selects, names = (inner.selects, inner.named_selects) if isinstance(inner, exp.Query) else ([], [])
    for position, column in enumerate(selects, 1):
        if isinstance(column, exp.Alias) and isinstance(column.this, exp.Null):
            raise ValidationException(f"COLUMN_TYPE_UNKNOWN: Column type is unknown: {column.alias}")
        if not isinstance(column, (exp.Alias, exp.Column, exp.Star)):
            raise ValidationException(f"MISSING_COLUMN_NAME: Column name not specified at position {position}")
    names = [name.lower() for name in names]
    twice = next((name for index, name in enumerate(names) if name != "*" and name in names[:index]), None)
    if twice is not None:
        raise ValidationException(f"DUPLICATE_COLUMN_NAME: Column name '{twice}' specified more than once")


def _check_database(place: CtasPlace, db: str) -> None:
    known = {name.lower() for name in place.backend.athena_relations()} | {"default"}
    if db not in known and (place.glue is None or not place.glue.has_database(db)):
        raise ValidationException(f"SCHEMA_NOT_FOUND: Schema '{db}' does not exist")


def _table_exists(place: CtasPlace, db: str, name: str) -> bool:
    relations = place.backend.athena_relations()
    tables = [table for schema in relations if schema.lower() == db for table in relations[schema]]
    return any(table.lower() == name for table in tables) or (
        place.glue is not None and place.glue.has_table(db, name))


def _checked_location(place: CtasPlace, location: str) -> tuple[str, str]:
    """(bucket, folder) of an ``s3://`` location whose bucket exists."""
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    if not location.startswith("s3://") or not bucket:
        raise invalid_property(f"external_location '{location[:200]}' is not an S3 location (s3://bucket/prefix/).")
    folder = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    if "\x00" in folder or len(folder.encode("utf-8", "surrogatepass")) > MAX_FOLDER_BYTES:
        raise invalid_property(f"external_location is not an S3 key prefix an object key can start with (at most "
                       f"{MAX_FOLDER_BYTES} bytes, leaving room for the objects' names in S3's 1,024).")
    files = DiskObjects(place.backend.s3_root)
    if files.has_bucket(bucket):
        place.s3.ensure_bucket(bucket, place.backend.region)
    elif not place.s3.has_bucket(bucket):
        raise ValidationException(f"HIVE_FILESYSTEM_ERROR: The S3 bucket '{bucket}' of the table's location "
                                  "does not exist.")
    return bucket, folder


def _check_empty(place: CtasPlace, bucket: str, folder: str, location: str, db: str, name: str) -> None:
    place.write_out()
    if place.s3.has_objects(bucket, folder) or DiskObjects(place.backend.s3_root).has_objects(bucket, folder):
        raise ValidationException(
            f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{db}.{name}' already exists: {location}. "
            f"You may need to manually clean the data at location '{location}' before retrying. "
            "Athena will not delete data in your account.")
