"""The write log: the writes sent to the online store, in order; the online store is rebuilt from it.

Of an ingest it holds only the puts that the online store needed (see
``LocalBackend._online_puts``): the others change nothing online, so replaying the log gives
the same state.

One table per group, ``log."<group>"``: the features, then :data:`~local_backend.history.LOG_COLUMNS`
(sequence number, operation, event time, expiry, receipt time). Offline-only writes are not
in it: the offline store keeps those (:mod:`local_backend.offline_store`).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from featurestore_demo.schemas import FeatureGroupSpec
from featurestore_demo.sql import quote_identifier
from local_backend.database import SQL_TYPES, Database
from local_backend.history import LOG_COLUMNS

__all__ = ["WriteLog"]

SCHEMA = "log"


def _table(group: str) -> str:
    return f"{SCHEMA}.{quote_identifier(group)}"


class WriteLog:
    """The online store's write log, in ``database``; callers hold the transaction."""

    def __init__(self, database: Database) -> None:
        self._db = database
        database.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")

    def create(self, spec: FeatureGroupSpec) -> None:
        columns = [f"{quote_identifier(f.name)} {SQL_TYPES[f.column_type]}" for f in spec.features]
        columns += [f"{quote_identifier(column.name)} {column.sql_type}" for column in LOG_COLUMNS]
        self._db.execute(f"CREATE TABLE {_table(spec.name)} ({', '.join(columns)})")

    def add_features(self, spec: FeatureGroupSpec, added: tuple[str, ...]) -> None:
        for name in added:
            kind = SQL_TYPES[spec.column_types[name]]
            self._db.execute(f"ALTER TABLE {_table(spec.name)} ADD COLUMN {quote_identifier(name)} {kind}")

    def append(self, group: str, rows: pd.DataFrame) -> None:
        """Add ``rows`` (features and LOG_COLUMNS, by name) to the group's log."""
        if len(rows):
            self._db.insert(_table(group), rows)

    def drop(self, group: str) -> None:
        self._db.execute(f"DROP TABLE IF EXISTS {_table(group)}")

    def latest_receipt_us(self) -> int:
        """The latest receipt time (epoch µs) over every log, 0 when empty."""
        tables = self._db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [SCHEMA]
        ).fetchall()
        latest = 0
        for (group,) in tables:
            top = self._db.execute(f"SELECT max(__ait_us) FROM {_table(group)}").fetchone()
            latest = max(latest, int(top[0] or 0) if top else 0)
        return latest

    def online_winners(self, spec: FeatureGroupSpec, equal_overwrites: bool) -> pa.Table:
        """The winning put of each id whose log is plain puts without a TTL, ordered by the id's
        text (its record key).

        For such ids the replayed online state is simply the put with the newest event time
        (on a tie, the last one if equal event times overwrite, else the first). DuckDB sorts
        the puts by id, newest first, and the first of each id is kept (cheaper than a window
        over a million ids). Columns: the features, ``__event_seconds`` and ``__texts`` (JSON of
        the exact texts put, or None).
        """
        log, rid = _table(spec.name), quote_identifier(spec.record_identifier_name)
        order = "DESC" if equal_overwrites else "ASC"
        select = ", ".join(quote_identifier(name) for name in spec.feature_names)
        key = rid if spec.types[spec.record_identifier_name] == "String" else f"CAST({rid} AS VARCHAR)"
        puts = self._db.arrow(
            f"SELECT {select}, __event_seconds, __texts FROM {log} WHERE {rid} NOT IN "
            f"(SELECT {rid} FROM {log} WHERE __op <> 'put' OR __expires_at IS NOT NULL) "
            f"ORDER BY {key}, __event_seconds DESC, __seq {order}"
        )
        return _first_of_each(puts, spec.record_identifier_name)

    def online_history(self, spec: FeatureGroupSpec) -> pa.Table:
        """In sequence order, the log of the ids that have a delete or a TTL.

        Columns: the features, ``__op``, ``__event_seconds``, ``__expires_at``, ``__ait_us``
        (the receipt time of each write, its "now" for TTL) and ``__texts``.
        """
        log, rid = _table(spec.name), quote_identifier(spec.record_identifier_name)
        names = [*spec.feature_names, "__op", "__event_seconds", "__expires_at", "__ait_us", "__texts"]
        select = ", ".join(quote_identifier(name) for name in names)
        return self._db.arrow(
            f"SELECT {select} FROM {log} WHERE {rid} IN (SELECT {rid} FROM {log} "
            "WHERE __op <> 'put' OR __expires_at IS NOT NULL) ORDER BY __seq"
        )


def _first_of_each(rows: pa.Table, column: str) -> pa.Table:
    """The first row of each run of equal values of ``column`` (rows grouped by it)."""
    values = rows.column(column).combine_chunks()
    if len(values) < 2:
        return rows
    repeated = pc.equal(values.slice(1), values.slice(0, len(values) - 1))
    if not pc.any(repeated).as_py():
        return rows
    return rows.filter(pa.concat_arrays([pa.array([True]), pc.invert(repeated)]))
