"""Athena's SQL sees the Athena catalog and nothing else, locally and through the emulator.

Each attack below is refused with Athena's error and changes nothing: host files, settings,
extensions and the kit's own tables stay out of reach, and the store answers as before.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from emulator_helpers import unique_name
from featurestore_demo.errors import ValidationException
from featurestore_demo.schemas import USERS
from local_backend import LocalBackend

HOST_READERS = [
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT content FROM read_text('/proc/self/environ')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM read_parquet('/tmp/*.parquet')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM read_json_auto('https://example.com/x.json')",
]
ENGINE_STATEMENTS = [
    "COPY (SELECT 1) TO '/tmp/featurestore-demo-escape.csv'",
    "ATTACH '/tmp/featurestore-demo-escape.duckdb' AS escape",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "SET enable_external_access = true",
    "SET threads = 1",
    "CALL duckdb_settings()",
]
INTERNAL_SQL = [  # {group}: the feature group's name, {table}: its quoted Athena table
    'SELECT * FROM log."{group}"',
    'SELECT * FROM offline_index."{group}"',
    'SELECT * FROM offline_buffer."{group}"',
    "SELECT * FROM main.feature_groups",
    "SELECT * FROM feature_groups",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM query_table('log.\"{group}\"')",
    "SELECT current_setting('allowed_directories')",
    "SELECT * FROM {table} UNION ALL SELECT * FROM log.\"{group}\"",
    "WITH h AS (SELECT * FROM log.\"{group}\") SELECT * FROM h",
    'DROP TABLE log."{group}"',
    'DELETE FROM log."{group}"',
    "DELETE FROM {table}",
    'INSERT INTO log."{group}" (user_id) VALUES (\'intruder\')',
    "UPDATE main.feature_groups SET description = '{{}}'",
    "CREATE TABLE log.intruder AS SELECT 1 AS x",
    "CREATE EXTERNAL TABLE log.intruder (x string) LOCATION 's3://featurestore-demo-emulator/x/'",
    "CREATE EXTERNAL TABLE main.intruder (x string) LOCATION 's3://featurestore-demo-emulator/x/'",
    "DROP VIEW {table}",
    "DROP TABLE {table}",
    "ALTER TABLE {table} RENAME TO stolen",
]


@pytest.fixture
def users(store) -> str:
    name = unique_name("sandbox")
    store.create_feature_group(replace(USERS, name=name))
    store.wait_for_status(name, timeout=30)
    store.put_record(name, {"user_id": "u1", "total_purchases": 3, "event_time": 10.0})
    return name


def state(store, group: str) -> tuple:
    """What an attack must not change: the offline rows, the online record, the description."""
    rows = store.query(f"SELECT user_id, total_purchases, is_deleted FROM {store.offline_table(group)}")
    description = store.describe_feature_group(group)
    return (sorted(map(tuple, rows.astype(str).values.tolist())), store.get_record(group, "u1"),
            description["FeatureGroupArn"], description["OfflineStoreConfig"]["DataCatalogConfig"])


def refused(store, group: str, sql: str) -> str:
    """Run ``sql``; it must fail with a ValidationException and leave the store as it was."""
    before = state(store, group)
    with pytest.raises(ValidationException) as caught:
        store.query(sql.format(group=group, table=store.offline_table(group)))
    assert state(store, group) == before
    return str(caught.value)


@pytest.mark.parametrize("sql", HOST_READERS)
def test_no_query_reads_a_host_file_or_url(store, users, sql):
    message = refused(store, users, sql)
    assert "root:" not in message and "AWS_" not in message


@pytest.mark.parametrize("sql", ENGINE_STATEMENTS)
def test_no_statement_reaches_the_engine_settings_files_or_extensions(store, users, sql):
    refused(store, users, sql)


@pytest.mark.parametrize("sql", INTERNAL_SQL)
def test_the_kits_own_tables_are_invisible_and_untouchable(store, users, sql):
    refused(store, users, sql)


def test_after_every_attack_the_store_works_and_the_name_is_free(store, users):
    for sql in HOST_READERS + ENGINE_STATEMENTS + INTERNAL_SQL:
        with pytest.raises(ValidationException):
            store.query(sql.format(group=users, table=store.offline_table(users)))
    store.put_record(users, {"user_id": "u2", "total_purchases": 5, "event_time": 20.0})
    assert store.get_record(users, "u2")["total_purchases"] == 5
    count = store.query(f"SELECT COUNT(*) AS n FROM {store.offline_table(users)}")
    assert int(count.iloc[0, 0]) == 2
    intruder = unique_name("intruder")  # a group whose name an attack tried to take
    store.create_feature_group(replace(USERS, name=intruder))
    store.wait_for_status(intruder, timeout=30)


def test_a_local_store_opens_after_the_attacks(tmp_path):
    with LocalBackend(tmp_path) as store:
        store.create_feature_group(USERS)
        store.put_record(USERS.name, {"user_id": "u1", "total_purchases": 3, "event_time": 10.0})
        for sql in ('DROP TABLE log."users"', "DROP TABLE main.feature_groups", "CHECKPOINT"):
            with pytest.raises(ValidationException):
                store.query(sql)
    with LocalBackend(tmp_path) as reopened:
        assert reopened.get_record(USERS.name, "u1")["total_purchases"] == 3


def test_queries_of_the_athena_catalog_still_run(store, users):
    table = store.offline_table(users)
    frame = store.query(f"WITH t AS (SELECT * FROM {table}) SELECT user_id, x FROM t "
                        "CROSS JOIN UNNEST(ARRAY[1, 2]) AS u(x) ORDER BY x")
    assert frame.values.tolist() == [["u1", 1], ["u1", 2]]
    assert store.query("SELECT * FROM (VALUES (1, 'a')) AS v(n, s)").values.tolist() == [[1, "a"]]
