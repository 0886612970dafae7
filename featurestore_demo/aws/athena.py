"""Athena for the AWS backend: start a query, poll it with bounded backoff, read typed results.

Results are read with GetQueryResults: the first row of the first page is the header, the
types come from ``ColumnInfo`` (bigint -> Int64, double -> float64, boolean -> boolean,
timestamp -> datetime64, anything else -> text).
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

from featurestore_demo.aws.calls import call
from featurestore_demo.errors import FeatureStoreError, ValidationException
from featurestore_demo.query_handle import QueryHandle, cancelled
from featurestore_demo.sql import DEFAULT_CATALOG, DEFAULT_DATABASE

__all__ = ["AthenaRunner", "typed_frame"]

INTEGER_TYPES = ("bigint", "integer", "int", "smallint", "tinyint")
FLOAT_TYPES = ("double", "float", "real", "decimal")


class AthenaRunner:
    """Runs SQL on Athena in the feature store's database, results under ``output_uri``."""

    def __init__(self, client: Any, output_uri: str | None, *, timeout: float = 600.0) -> None:
        self.client, self.output_uri, self.timeout = client, output_uri, timeout

    def run(self, sql: str, handle: QueryHandle | None = None) -> pd.DataFrame:
        """The result of a query as a typed DataFrame; ``handle`` stops it (StopQueryExecution)."""
        query_id = self._start(sql)
        with (handle or QueryHandle()).running(lambda: self._stop(query_id)):
            self._wait(query_id, sql)
        return self._results(query_id)

    def execute(self, sql: str) -> None:
        """Run a statement (DDL) to completion; its result is not read."""
        self._wait(self._start(sql), sql)

    def _start(self, sql: str) -> str:
        if not self.output_uri:
            raise ValidationException(
                "Athena needs an S3 location for its results: set FEATURESTORE_S3_URI (s3://bucket/prefix)."
            )
        response = call(
            self.client.start_query_execution,
            QueryString=sql,
            QueryExecutionContext={"Catalog": DEFAULT_CATALOG, "Database": DEFAULT_DATABASE},
            ResultConfiguration={"OutputLocation": self.output_uri},
        )
        return response["QueryExecutionId"]

    def _wait(self, query_id: str, sql: str) -> None:
        """Poll GetQueryExecution (50 ms doubling to 2 s) until a final state.

        After ``timeout`` the query is stopped and TimeoutError names it (id and SQL); a
        cancelled query raises USER_CANCELLED, as a stopped query does on every backend.
        """
        deadline = time.monotonic() + self.timeout
        delay = 0.05
        while True:
            status = call(self.client.get_query_execution, QueryExecutionId=query_id)["QueryExecution"]["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state == "CANCELLED":
                raise cancelled()
            if state == "FAILED":
                raise ValidationException(f"Athena query FAILED: {status.get('StateChangeReason', '')}")
            if time.monotonic() + delay > deadline:
                self._stop(query_id)
                raise TimeoutError(f"Athena query {query_id} ({_excerpt(sql)}) still {state} after "
                                   f"{self.timeout:g} s; stopped it.")
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _stop(self, query_id: str) -> None:
        call(self.client.stop_query_execution, QueryExecutionId=query_id)

    def _results(self, query_id: str) -> pd.DataFrame:
        pages = self.client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        rows: list[list[str | None]] = []
        columns: list[dict[str, Any]] = []
        for page in call(lambda: list(pages)):
            columns = columns or page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
            rows.extend([datum.get("VarCharValue") for datum in row["Data"]] for row in page["ResultSet"]["Rows"])
        return typed_frame(columns, rows[1:])


def _excerpt(sql: str, limit: int = 80) -> str:
    """``sql`` on one line, cut to ``limit`` characters."""
    line = " ".join(sql.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def typed_frame(columns: list[dict[str, Any]], rows: list[list[str | None]]) -> pd.DataFrame:
    """Rows of Athena text values as a DataFrame typed by ``ColumnInfo``."""
    return pd.DataFrame(
        {info["Name"]: _typed([row[index] for row in rows], info["Type"].lower())
         for index, info in enumerate(columns)}
    )


def _typed(values: list[str | None], kind: str) -> Any:
    base = kind.split("(", 1)[0]
    try:
        if base in INTEGER_TYPES:
            return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
        if base in FLOAT_TYPES:
            return pd.array([None if v is None else float(v) for v in values], dtype="float64")
        if base == "boolean":
            return pd.array([None if v is None else v == "true" for v in values], dtype="boolean")
        if base in ("timestamp", "date"):
            return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
    except ValueError as exc:
        raise FeatureStoreError(f"Cannot read an Athena {kind} value: {exc}") from None
    return pd.array(values, dtype=object)
