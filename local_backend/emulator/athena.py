"""Athena (JSON 1.1, ``X-Amz-Target: AmazonAthena.<Op>``) over the local backend's offline store.

A query runs on a worker thread: QUEUED when accepted, RUNNING while DuckDB works, then
SUCCEEDED, FAILED (with ``StateChangeReason``) or CANCELLED, so polling code runs as on AWS.
A successful query writes ``<OutputLocation>/<QueryExecutionId>.csv`` and ``.csv.metadata`` to
the in-process S3 (DDL writes ``<id>.txt``), and ``ResultConfiguration.OutputLocation`` names
that file (SAGEMAKER_SPEC §5). Errors: ``{"__type": "InvalidRequestException", "Message"}``.

Departures from AWS: workgroups are not modelled (every query is in ``primary`` and needs an
OutputLocation); results are also kept in memory for GetQueryResults; Statistics report
elapsed time only (no bytes scanned).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from featurestore_demo.errors import FeatureStoreError, ResourceNotFound
from local_backend.emulator.athena_results import ResultSet
from local_backend.emulator.athena_statements import run_statement
from local_backend.emulator.s3_objects import S3Objects, split_s3_uri
from local_backend.catalog import utc
from local_backend.emulator.wire import Response, TargetService, WireError, check_length, json_response, require
from local_backend.running_query import QueryHandle

__all__ = ["AthenaService"]

log = logging.getLogger(__name__)
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


def _invalid(message: str) -> WireError:
    return WireError("InvalidRequestException", message)


@dataclass
class Execution:
    """One query execution and what it produced."""

    id: str
    query: str
    database: str | None
    catalog: str
    output_dir: str
    submitted: float = field(default_factory=time.time)
    state: str = "QUEUED"
    reason: str | None = None
    completed: float | None = None
    statement_type: str = "DML"
    result: ResultSet | None = None
    handle: QueryHandle = field(default_factory=QueryHandle)
    """Stops the query's DuckDB work (StopQueryExecution, or the emulator stopping)."""
    cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def output_location(self) -> str:
        suffix = "txt" if self.statement_type == "DDL" else "csv"
        return f"{self.output_dir.rstrip('/')}/{self.id}.{suffix}"

    def describe(self) -> dict[str, Any]:
        """The ``QueryExecution`` of GetQueryExecution."""
        status: dict[str, Any] = {"State": self.state, "SubmissionDateTime": utc(self.submitted)}
        if self.completed is not None:
            status["CompletionDateTime"] = utc(self.completed)
        if self.reason is not None:
            status["StateChangeReason"] = self.reason
            status["AthenaError"] = {"ErrorCategory": 2, "ErrorType": 1006, "Retryable": False,
                                     "ErrorMessage": self.reason}
        elapsed = int(((self.completed or time.time()) - self.submitted) * 1000)
        context = {"Catalog": self.catalog, **({"Database": self.database} if self.database else {})}
        return {
            "QueryExecutionId": self.id,
            "Query": self.query,
            "StatementType": self.statement_type,
            "ResultConfiguration": {"OutputLocation": self.output_location},
            "QueryExecutionContext": context,
            "Status": status,
            "Statistics": {"EngineExecutionTimeInMillis": elapsed, "TotalExecutionTimeInMillis": elapsed,
                           "DataScannedInBytes": 0},
            "WorkGroup": "primary",
            "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
        }


class AthenaService(TargetService):
    """StartQueryExecution, GetQueryExecution, GetQueryResults, StopQueryExecution, ListQueryExecutions.

    ``min_seconds`` keeps each query RUNNING at least that long, so clients see it poll.
    ``min_seconds=0`` answers StartQueryExecution only once the query has finished, so a client
    that checks at once and then sleeps (the SageMaker SDK sleeps 5 s) never has to wait.
    """

    target_prefix = "AmazonAthena."
    model_name = "athena"
    internal_code = "InternalServerException"

    def __init__(self, backend: Any, s3: S3Objects, *, min_seconds: float = 0.0, workers: int = 2) -> None:
        self.backend, self.s3, self.min_seconds = backend, s3, min_seconds
        self._lock = threading.Lock()
        self._executions: dict[str, Execution] = {}
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="athena")
        self.operations = {
            "StartQueryExecution": self.start_query_execution,
            "GetQueryExecution": self.get_query_execution,
            "GetQueryResults": self.get_query_results,
            "StopQueryExecution": self.stop_query_execution,
            "ListQueryExecutions": self.list_query_executions,
        }

    @staticmethod
    def error(error: FeatureStoreError) -> Response:
        """Athena's wire error: ``{"__type", "Message"}``; the kit's errors are InvalidRequestException."""
        code = error.code if isinstance(error, WireError) else "InvalidRequestException"
        return json_response({"__type": code, "Message": str(error)}, getattr(error, "status", 400))

    def close(self) -> None:
        """Cancel every query still queued or running, then stop the workers."""
        with self._lock:
            unfinished = [e for e in self._executions.values() if e.state not in TERMINAL]
        for execution in unfinished:
            self._cancel(execution)
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ---------------------------------------------------------------- handlers

    def start_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        query = check_length(require(body, "QueryString"), 1, 262_144, "queryString")
        context = body.get("QueryExecutionContext") or {}
        output = (body.get("ResultConfiguration") or {}).get("OutputLocation")
        if not output:
            raise _invalid("No output location provided. An output location is required either through "
                           "the Workgroup result configuration setting or as an API input.")
        split_s3_uri(output)
        execution = Execution(str(uuid.uuid4()), query, context.get("Database"),
                              context.get("Catalog") or "AwsDataCatalog", output)
        with self._lock:
            self._executions[execution.id] = execution
        running = self._pool.submit(self._run, execution)
        if self.min_seconds <= 0:
            running.result()
        return {"QueryExecutionId": execution.id}

    def get_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(body)
        with self._lock:
            return {"QueryExecution": execution.describe()}

    def get_query_results(self, body: dict[str, Any]) -> dict[str, Any]:
        """Pages of header + rows: the first row of the first page is the header (as Athena does)."""
        execution = self._find(body)
        if execution.state != "SUCCEEDED":
            raise _invalid(f"Query has not yet finished. Current state: {execution.state}"
                           if execution.state not in TERMINAL else f"Query {execution.state}: {execution.reason or ''}")
        size = body.get("MaxResults", 1000)
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1000:
            raise _invalid(f"MaxResults must be between 1 and 1000, got {size!r}.")
        result = execution.result or ResultSet()
        rows, following = result.page(_offset(body.get("NextToken")), size)
        response: dict[str, Any] = {
            "UpdateCount": 0,
            "ResultSet": {"Rows": rows, "ResultSetMetadata": {"ColumnInfo": result.column_info()}},
        }
        if following is not None:
            response["NextToken"] = str(following)
        return response

    def stop_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        """CANCELLED at once; the query's DuckDB work is interrupted, so it holds nothing after."""
        self._cancel(self._find(body))
        return {}

    def _cancel(self, execution: Execution) -> None:
        with self._lock:
            if execution.state in TERMINAL:
                return
            execution.state, execution.completed = "CANCELLED", time.time()
        execution.cancelled.set()
        execution.handle.stop()

    def list_query_executions(self, body: dict[str, Any]) -> dict[str, Any]:
        """Newest first, up to MaxResults (0-50, default 50) per page."""
        size = body.get("MaxResults", 50)
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= 50:
            raise _invalid(f"MaxResults must be between 0 and 50, got {size!r}.")
        with self._lock:
            ids = list(reversed(self._executions))
        start = _offset(body.get("NextToken"))
        response: dict[str, Any] = {"QueryExecutionIds": ids[start:start + (size or 50)]}
        if start + (size or 50) < len(ids):
            response["NextToken"] = str(start + (size or 50))
        return response

    # ---------------------------------------------------------------- execution

    def _find(self, body: dict[str, Any]) -> Execution:
        execution_id = require(body, "QueryExecutionId")
        with self._lock:
            execution = self._executions.get(execution_id)
        if execution is None:
            raise _invalid(f"QueryExecution {execution_id} was not found")
        return execution

    def _run(self, execution: Execution) -> None:
        with self._lock:
            if execution.state == "CANCELLED":
                return
            execution.state = "RUNNING"
        started = time.monotonic()
        state, reason, kind, result = "SUCCEEDED", None, "DML", None
        try:
            kind, result = run_statement(self.backend, self.s3, execution.query, execution.database,
                                         execution.handle)
            execution.statement_type = kind
            self._write_output(execution, result)
        except FeatureStoreError as error:
            state, reason = "FAILED", str(error)
        except Exception as error:  # a bug must fail the query, never the worker
            log.exception("Athena query %s crashed", execution.id)
            state, reason = "FAILED", f"INTERNAL_ERROR: {type(error).__name__}: {error}"
        execution.cancelled.wait(max(0.0, self.min_seconds - (time.monotonic() - started)))
        with self._lock:
            if execution.state == "CANCELLED":
                return
            execution.state, execution.reason, execution.result = state, reason, result
            execution.completed = time.time()

    def _write_output(self, execution: Execution, result: ResultSet) -> None:
        bucket, key = split_s3_uri(execution.output_location)
        try:
            if execution.statement_type == "DDL":
                self.s3.put(bucket, key, b"")
            else:
                self.s3.put(bucket, key, result.csv())
                self.s3.put(bucket, key + ".metadata", result.metadata())
        except ResourceNotFound:
            raise ResourceNotFound(f"Unable to verify/create output bucket {bucket}") from None


def _offset(token: Any) -> int:
    if token is None:
        return 0
    if not isinstance(token, str) or not token.isdigit():
        raise _invalid(f"Invalid NextToken {token!r}.")
    return int(token)


