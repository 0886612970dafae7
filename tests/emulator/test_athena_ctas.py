"""CREATE TABLE AS SELECT through the emulator's Athena, with plain boto3: Parquet objects in S3,
the data manifest, the table in Athena and Glue, DROP TABLE; and what Athena refuses (a location
holding objects, a table or database that is or is not there, unknown properties...), each
refusal FAILED with the reason and nothing created. A CTAS writes S3 objects only: no location
reaches a host file."""

from __future__ import annotations

import io
import uuid

import pyarrow.parquet as pq
import pytest

from emulator_helpers import ATHENA_OUTPUT, athena_call, output_misfits, record, run_query
from scenarios.emulator_backend import fake_session

BUCKET = "featurestore-demo-emulator"
ROWS = ("SELECT * FROM (VALUES (1, 'a', 1.5, true, timestamp '2024-01-01 10:00:00.123456', 'x'), "
        "(2, NULL, NULL, NULL, NULL, 'y/z'), (3, 'c', 2.0, false, NULL, NULL)) AS v(n, s, d, b, ts, p)")


@pytest.fixture(scope="module")
def glue(emulator):
    return fake_session(emulator).client("glue", endpoint_url=emulator.url)


@pytest.fixture
def place() -> str:
    """A fresh, empty location."""
    return f"s3://{BUCKET}/ctas/{uuid.uuid4().hex}/"


def _name() -> str:
    return f"ctas_{uuid.uuid4().hex[:12]}"


def _run(athena, sql: str, database: str = "default", **request) -> dict:
    return run_query(athena, sql, QueryExecutionContext={"Database": database}, **request)


def _keys(s3, location: str) -> list[str]:
    prefix = location.removeprefix(f"s3://{BUCKET}/")
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


def _body(s3, uri: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=uri.removeprefix(f"s3://{BUCKET}/"))["Body"].read()


def _rows(athena, sql: str, database: str = "default") -> list[list[str | None]]:
    execution = _run(athena, sql, database)
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    rows = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]["Rows"]
    return [[datum.get("VarCharValue") for datum in row["Data"]] for row in rows[1:]]


def _refused(athena, glue, s3, sql: str, database: str, table: str, location: str | None) -> str:
    """Run a CTAS that must FAIL: its reason; no table in Athena or Glue, no object at the location."""
    execution = _run(athena, sql, database)
    assert execution["Status"]["State"] == "FAILED", execution
    assert "DataManifestLocation" not in execution["Statistics"]
    assert _run(athena, f'SELECT * FROM "{table}"', database)["Status"]["State"] == "FAILED"
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName=database, Name=table)
    if location is not None:
        assert _keys(s3, location) == []
    return execution["Status"]["StateChangeReason"]


def test_ctas_writes_parquet_the_manifest_and_the_table(athena, s3, glue, place):
    name = _name()
    execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}', format = 'PARQUET', "
                             f"parquet_compression = 'SNAPPY') AS {ROWS}")
    query_id = execution["QueryExecutionId"]
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DML", "CREATE_TABLE_AS_SELECT")
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{ATHENA_OUTPUT}/{query_id}"
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"{ATHENA_OUTPUT}/{query_id}-manifest.csv"
    objects = _body(s3, manifest).decode().splitlines()
    assert [uri.removeprefix(f"s3://{BUCKET}/") for uri in objects] == _keys(s3, place) and len(objects) == 1

    parquet = pq.ParquetFile(io.BytesIO(_body(s3, objects[0])))
    assert [(column.name, column.physical_type) for column in parquet.schema] == [
        ("n", "INT32"), ("s", "BYTE_ARRAY"), ("d", "DOUBLE"), ("b", "BOOLEAN"), ("ts", "INT96"), ("p", "BYTE_ARRAY")]
    assert parquet.metadata.row_group(0).column(0).compression == "SNAPPY"
    written = parquet.read().to_pylist()
    assert [(row["n"], row["s"], row["d"], row["b"], row["p"]) for row in written] == [
        (1, "a", 1.5, True, "x"), (2, None, None, None, "y/z"), (3, "c", 2.0, False, None)]
    assert str(written[0]["ts"]) == "2024-01-01 10:00:00.123000"  # to the millisecond, as Athena's timestamp

    results = athena.get_query_results(QueryExecutionId=query_id)
    assert results["UpdateCount"] == 3
    assert [(c["Name"], c["Type"]) for c in results["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]] == [
        ("rows", "bigint")]
    statistics = athena.get_query_runtime_statistics(QueryExecutionId=query_id)["QueryRuntimeStatistics"]
    assert statistics["Rows"] == {"OutputRows": 3, "OutputBytes": len(_body(s3, objects[0]))}
    assert _rows(athena, f"SELECT n, s, ts, p FROM {name} ORDER BY n") == [
        ["1", "a", "2024-01-01 10:00:00.123", "x"], ["2", None, None, "y/z"], ["3", "c", None, None]]

    table = glue.get_table(DatabaseName="default", Name=name)["Table"]
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("n", "int"), ("s", "string"), ("d", "double"), ("b", "boolean"), ("ts", "timestamp"), ("p", "string")]
    assert (table["TableType"], table["StorageDescriptor"]["Location"], table["PartitionKeys"]) == (
        "EXTERNAL_TABLE", place, [])
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert table["Parameters"]["parquet.compression"] == "SNAPPY"
    listed = athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="default")["TableMetadataList"]
    assert name in [item["Name"] for item in listed]


def test_every_ctas_answer_fits_the_models_output_shape(emulator, athena, place):
    query_id = _run(athena, f"CREATE TABLE {_name()} WITH (external_location = '{place}') AS SELECT 1 AS one")[
        "QueryExecutionId"]
    for operation, body in {
        "GetQueryExecution": {"QueryExecutionId": query_id},
        "BatchGetQueryExecution": {"QueryExecutionIds": [query_id]},
        "GetQueryResults": {"QueryExecutionId": query_id},
        "GetQueryRuntimeStatistics": {"QueryExecutionId": query_id},
    }.items():
        status, answer = athena_call(emulator, operation, body)
        assert status == 200, (operation, answer)
        assert output_misfits("athena", operation, answer) == [], operation


def test_a_query_is_dml_with_substatement_select(athena):
    execution = _run(athena, "SELECT 1 AS one")
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DML", "SELECT")
    assert "DataManifestLocation" not in execution["Statistics"]


def test_partitions_and_buckets_as_hive_writes_them(athena, s3, glue, place):
    name = _name()
    execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}', partitioned_by = ARRAY['p'], "
                             f"bucketed_by = ARRAY['n'], bucket_count = 2) AS {ROWS}")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    keys = [key.removeprefix(place.removeprefix(f"s3://{BUCKET}/")) for key in _keys(s3, place)]
    assert sorted(key.split("/")[0] for key in keys) == ["p=__HIVE_DEFAULT_PARTITION__", "p=x", "p=y%2Fz"]
    assert all(key.split("/")[1].endswith(f"_0_{execution['QueryExecutionId']}") for key in keys)
    manifest = _body(s3, execution["Statistics"]["DataManifestLocation"]).decode().splitlines()
    assert sorted(manifest) == sorted(place + key for key in keys)
    for uri in manifest:  # the partition column is in the path, not in the file
        assert pq.ParquetFile(io.BytesIO(_body(s3, uri))).schema_arrow.names == ["n", "s", "d", "b", "ts"]

    table = glue.get_table(DatabaseName="default", Name=name)["Table"]
    assert table["PartitionKeys"] == [{"Name": "p", "Type": "string"}]
    assert (table["StorageDescriptor"]["NumberOfBuckets"], table["StorageDescriptor"]["BucketColumns"]) == (2, ["n"])
    partitions = glue.get_partitions(DatabaseName="default", TableName=name)["Partitions"]
    assert sorted((p["Values"], p["StorageDescriptor"]["Location"]) for p in partitions) == sorted(
        [(["__HIVE_DEFAULT_PARTITION__"], f"{place}p=__HIVE_DEFAULT_PARTITION__/"), (["x"], f"{place}p=x/"),
         (["y/z"], f"{place}p=y%2Fz/")])
    assert _rows(athena, f"SELECT n, p FROM {name} ORDER BY n") == [["1", "x"], ["2", "y/z"], ["3", None]]


def test_without_a_location_the_objects_go_under_the_results_tables_folder(athena, s3):
    execution = _run(athena, f"CREATE TABLE {_name()} AS SELECT 7 AS seven")
    manifest = _body(s3, execution["Statistics"]["DataManifestLocation"]).decode().splitlines()
    assert [uri.rsplit("/", 1)[0] for uri in manifest] == [f"{ATHENA_OUTPUT}/tables/{execution['QueryExecutionId']}"]


def test_with_no_data_and_an_empty_result_write_no_object(athena, s3, glue, place):
    for index, sql in enumerate(("SELECT 1 AS one, 'a' AS s WITH NO DATA", "SELECT 1 AS one, 'a' AS s WHERE false")):
        name = _name()
        execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}{index}/') AS {sql}")
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
        assert athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["UpdateCount"] == 0
        assert _body(s3, execution["Statistics"]["DataManifestLocation"]) == b""
        assert _keys(s3, f"{place}{index}/") == []
        columns = glue.get_table(DatabaseName="default", Name=name)["Table"]["StorageDescriptor"]["Columns"]
        assert [(c["Name"], c["Type"]) for c in columns] == [("one", "int"), ("s", "string")]
        assert _rows(athena, f"SELECT count(*) AS n FROM {name}") == [["0"]]


def test_ctas_reads_a_feature_groups_offline_store(athena, runtime, sm, group, place):
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", age=30, score=0.5, event_time=100.0))
    table = sm.describe_feature_group(FeatureGroupName=group)["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
    name = _name()
    execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}') AS "
                             f'SELECT id, age, write_time FROM "{table}"', "sagemaker_featurestore")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert _rows(athena, f"SELECT id, age FROM {name}", "sagemaker_featurestore") == [["u1", "30"]]


def test_drop_table_removes_the_table_from_athena_and_glue_and_leaves_the_objects(athena, s3, glue, place):
    name = _name()
    _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}') AS SELECT 1 AS one")
    drop = _run(athena, f"DROP TABLE {name}")
    assert (drop["Status"]["State"], drop["StatementType"]) == ("SUCCEEDED", "DDL")
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="default", Name=name)
    assert _run(athena, f"SELECT * FROM {name}")["Status"]["State"] == "FAILED"
    assert len(_keys(s3, place)) == 1  # Athena never deletes data
    assert _run(athena, f"DROP TABLE {name}")["Status"]["State"] == "FAILED"
    assert _run(athena, f"DROP TABLE IF EXISTS {name}")["Status"]["State"] == "SUCCEEDED"


def test_a_location_holding_objects_is_refused(athena, s3, glue, place):
    s3.put_object(Bucket=BUCKET, Key=place.removeprefix(f"s3://{BUCKET}/") + "old.csv", Body=b"1")
    name = _name()
    execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place.rstrip('/')}') AS SELECT 1 AS a")
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"].startswith(
        f"HIVE_PATH_ALREADY_EXISTS: Target directory for table 'default.{name}' already exists: {place.rstrip('/')}")
    assert _keys(s3, place) == [place.removeprefix(f"s3://{BUCKET}/") + "old.csv"]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="default", Name=name)


def test_a_location_holding_offline_store_files_is_refused(athena, sm, runtime, group, glue):
    runtime.put_record(FeatureGroupName=group, Record=record(id="u1", age=30, score=0.5, event_time=100.0))
    location = sm.describe_feature_group(FeatureGroupName=group)["OfflineStoreConfig"]["S3StorageConfig"][
        "ResolvedOutputS3Uri"]
    name = _name()
    execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{location}') AS SELECT 1 AS a")
    assert execution["Status"]["StateChangeReason"].startswith("HIVE_PATH_ALREADY_EXISTS"), execution["Status"]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="default", Name=name)


def test_an_existing_table_is_refused_unless_if_not_exists(athena, s3, glue, place):
    name = _name()
    _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}a/') AS SELECT 1 AS a")
    again = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}b/') AS SELECT 2 AS a")
    assert again["Status"]["StateChangeReason"] == (
        f"TABLE_ALREADY_EXISTS: Destination table 'awsdatacatalog.default.{name}' already exists")
    kept = _run(athena, f"CREATE TABLE IF NOT EXISTS {name} WITH (external_location = '{place}b/') AS SELECT 2 AS a")
    assert kept["Status"]["State"] == "SUCCEEDED"
    assert athena.get_query_results(QueryExecutionId=kept["QueryExecutionId"])["UpdateCount"] == 0
    assert _keys(s3, f"{place}b/") == []
    assert _rows(athena, f"SELECT a FROM {name}") == [["1"]]


def test_a_glue_table_of_that_name_is_an_existing_table(athena, s3, glue, place):
    name = _name()
    glue.create_table(DatabaseName="sagemaker_featurestore", TableInput={"Name": name})
    reason = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}') AS SELECT 1 AS a",
                  "sagemaker_featurestore")["Status"]["StateChangeReason"]
    assert reason.startswith("TABLE_ALREADY_EXISTS")
    assert _keys(s3, place) == []


@pytest.mark.parametrize("table", ['"line\nbreak"', '"x' + "y" * 300 + '"'])
def test_a_table_name_glue_cannot_hold_is_refused(athena, s3, glue, place, table):
    sql = f"CREATE TABLE {table} WITH (external_location = '{place}') AS SELECT 1 AS a"
    execution = _run(athena, sql)
    assert execution["Status"]["StateChangeReason"].startswith("INVALID_TABLE_PROPERTY: The table name"), execution
    assert _keys(s3, place) == []


@pytest.mark.parametrize("database", ["no_such_database", "log", "main", "offline_index", "information_schema"])
def test_a_database_athena_does_not_have_is_refused(athena, s3, glue, place, database):
    name = _name()
    sql = f"CREATE TABLE {database}.{name} WITH (external_location = '{place}') AS SELECT 1 AS a"
    reason = _refused(athena, glue, s3, sql, "default", name, place)
    assert reason == f"SCHEMA_NOT_FOUND: Schema '{database}' does not exist"


@pytest.mark.parametrize("properties, reason", [
    ("foo = 'bar'", "INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table property 'foo' does not exist"),
    ("\"Format\" = 'PARQUET'", "INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table property 'Format'"),
    ("format = 'ORC'", "NOT_SUPPORTED: the emulator's CTAS writes PARQUET only, not ORC."),
    ("format = 'CSVISH'", "INVALID_TABLE_PROPERTY: format 'CSVISH'"),
    ("write_compression = 'BZIP2'", "INVALID_TABLE_PROPERTY: write_compression 'BZIP2'"),
    ("write_compression = 'GZIP', parquet_compression = 'GZIP'", "INVALID_TABLE_PROPERTY: Give write_compression"),
    ("bucketed_by = ARRAY['a']", "INVALID_TABLE_PROPERTY: bucketed_by and bucket_count go together"),
    ("bucketed_by = ARRAY['a'], bucket_count = 0", "INVALID_TABLE_PROPERTY: Table property 'bucket_count'"),
    ("partitioned_by = ARRAY['nope']", "INVALID_TABLE_PROPERTY: Column 'nope'"),
    ("partitioned_by = ARRAY['a']", "HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns"),
    ("partitioned_by = 'b'", "INVALID_TABLE_PROPERTY: Table property 'partitioned_by' takes ARRAY"),
    ("table_type = 'ICEBERG'", "NOT_SUPPORTED"),
    ("orc_compression = 'ZLIB'", "NOT_SUPPORTED"),
    ("format = 'PARQUET', format = 'PARQUET'", "INVALID_TABLE_PROPERTY: Table property 'format' is given more than"),
])
def test_table_properties_athena_refuses(athena, s3, glue, place, properties, reason):
    name = _name()
    sql = f"CREATE TABLE {name} WITH (external_location = '{place}', {properties}) AS SELECT 1 AS a, 2 AS b"
    assert _refused(athena, glue, s3, sql, "default", name, place).startswith(reason)


@pytest.mark.parametrize("query, reason", [
    ("SELECT 1 AS a, count(*) FROM (VALUES 1) AS v(x)", "MISSING_COLUMN_NAME: Column name not specified at position 2"),
    ("SELECT 1 AS a, 2 AS A", "DUPLICATE_COLUMN_NAME: Column name 'a' specified more than once"),
    ("SELECT NULL AS a", "COLUMN_TYPE_UNKNOWN: Column type is unknown: a"),
    ("SELECT x AS p FROM UNNEST(sequence(1, 101)) AS t(x)", "HIVE_TOO_MANY_OPEN_PARTITIONS"),
    ("SELECT * FROM read_text('/etc/passwd')", "NOT_SUPPORTED: table functions"),
    ("SELECT * FROM log.anything", "TABLE_NOT_FOUND"),
    ("SELECT current_setting('allowed_directories') AS s", "FUNCTION_NOT_FOUND"),
])
def test_queries_athena_cannot_store_are_refused(athena, s3, glue, place, query, reason):
    name = _name()
    partitioned = ", partitioned_by = ARRAY['p']" if "AS p" in query else ""
    sql = f"CREATE TABLE {name} WITH (external_location = '{place}'{partitioned}) AS {query}"
    if partitioned:  # 101 partitions need a data column too
        sql = sql.replace("SELECT x AS p", "SELECT x AS n, x AS p")
    assert reason in _refused(athena, glue, s3, sql, "default", name, place)


@pytest.mark.parametrize("location, reason", [
    ("file:///tmp/ctas-escape/", "INVALID_TABLE_PROPERTY: external_location 'file:///tmp/ctas-escape/' is not an S3"),
    ("/tmp/ctas-escape/", "INVALID_TABLE_PROPERTY"),
    ("s3a://featurestore-demo-emulator/x/", "INVALID_TABLE_PROPERTY"),
    ("hdfs://namenode/x/", "INVALID_TABLE_PROPERTY"),
    ("", "INVALID_TABLE_PROPERTY"),
    ("s3:///x/", "INVALID_TABLE_PROPERTY"),
    ("s3://../etc/", "HIVE_FILESYSTEM_ERROR: The S3 bucket '..' of the table's location does not exist."),
    ("s3://no-such-bucket-for-ctas/x/", "HIVE_FILESYSTEM_ERROR"),
    ("s3://featurestore-demo-emulator/" + "k" * 1000 + "/", "INVALID_TABLE_PROPERTY: external_location is not"),
    ("S3://featurestore-demo-emulator/x/", "INVALID_TABLE_PROPERTY"),
])
def test_locations_outside_s3_are_refused(athena, s3, glue, location, reason):
    name = _name()
    sql = f"CREATE TABLE {name} WITH (external_location = '{location}') AS SELECT 1 AS a"
    assert _refused(athena, glue, s3, sql, "default", name, None).startswith(reason)


def test_a_dotted_location_is_an_s3_key_and_never_a_file(emulator, athena, s3, tmp_path):
    """``..`` in a location is part of an S3 key, as on S3: the object is moto's, no file is made
    anywhere under the emulator's home (nor beside it), and the S3 root's files are untouched."""
    home = emulator.home.resolve()
    before = {path for path in home.parent.rglob("*") if path.is_file()}
    location = f"s3://{BUCKET}/ctas/{uuid.uuid4().hex}/../../../../../../tmp/escape/"
    execution = _run(athena, f"CREATE TABLE {_name()} WITH (external_location = '{location}') AS SELECT 1 AS a")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    written = _body(s3, execution["Statistics"]["DataManifestLocation"]).decode().splitlines()
    assert len(written) == 1 and written[0].startswith(location)
    assert pq.ParquetFile(io.BytesIO(_body(s3, written[0]))).read().to_pylist() == [{"a": 1}]
    created = {path for path in home.parent.rglob("*") if path.is_file()} - before
    assert not [path for path in created if "escape" in str(path) or execution["QueryExecutionId"] in path.name]


def test_query_and_fragment_marks_are_part_of_the_key(athena, s3, place):
    location = f"{place}a?b#c/"
    execution = _run(athena, f"CREATE TABLE {_name()} WITH (external_location = '{location}') AS SELECT 1 AS a")
    written = _body(s3, execution["Statistics"]["DataManifestLocation"]).decode().splitlines()
    assert [uri.rsplit("/", 1)[0] + "/" for uri in written] == [location]
    assert _keys(s3, location) == [written[0].removeprefix(f"s3://{BUCKET}/")]


def test_a_partition_value_too_long_for_a_key_is_refused(athena, s3, glue, place):
    name = _name()
    sql = (f"CREATE TABLE {name} WITH (external_location = '{place}', partitioned_by = ARRAY['p']) "
           "AS SELECT 1 AS n, rpad('v', 1100, 'v') AS p")
    assert _refused(athena, glue, s3, sql, "default", name, place).startswith("HIVE_PATH_TOO_LONG")


def test_a_missing_output_bucket_fails_the_ctas_before_it_writes(athena, s3, glue, place):
    name = _name()
    execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}') AS SELECT 1 AS a",
                     ResultConfiguration={"OutputLocation": "s3://no-such-results-bucket/out/"})
    assert execution["Status"]["StateChangeReason"] == "Unable to verify/create output bucket no-such-results-bucket"
    assert _keys(s3, place) == []
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="default", Name=name)


def test_many_rows_and_partitions_within_the_limit(athena, s3, glue, place):
    name = _name()
    execution = _run(athena, f"CREATE TABLE {name} WITH (external_location = '{place}', partitioned_by = "
                             "ARRAY['p']) AS SELECT x AS n, x % 100 AS p FROM UNNEST(sequence(1, 50000)) AS t(x)")
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["UpdateCount"] == 50000
    assert len(_keys(s3, place)) == 100
    assert len(glue.get_partitions(DatabaseName="default", TableName=name)["Partitions"]) == 100
    assert _rows(athena, f"SELECT count(*), min(n), max(n), count(DISTINCT p) FROM {name}") == [
        ["50000", "1", "50000", "100"]]
