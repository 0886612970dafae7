"""Athena over the local backend's offline store: rest-json, as botocore 1.44 speaks it, and JSON 1.1
(``X-Amz-Target: AmazonAthena.<Op>``), as earlier releases do.

A query runs on a worker thread: QUEUED when accepted, RUNNING while DuckDB works, then
SUCCEEDED, FAILED (with ``StateChangeReason``) or CANCELLED, so polling code runs as on AWS.
A successful query writes ``<OutputLocation>/<QueryExecutionId>.csv`` and ``.csv.metadata`` to
the in-process S3 (DDL writes ``<id>.txt``), and ``ResultConfiguration.OutputLocation`` names
that file (SAGEMAKER_SPEC §5). A CREATE TABLE AS SELECT (:mod:`.athena_ctas`) is DML with
SubstatementType ``CREATE_TABLE_AS_SELECT``: it writes no CSV (its OutputLocation is
``<OutputLocation>/<id>``), but the data manifest ``<id>-manifest.csv`` (one ``s3://`` object it
wrote per line), named by ``Statistics.DataManifestLocation``, and ``<id>.metadata``; the rows it
wrote are GetQueryResults' UpdateCount. A query's SubstatementType is ``SELECT``.
GetQueryExecution and BatchGetQueryExecution echo what
StartQueryExecution was given (context, result configuration, result reuse), but not its
ExecutionParameters (the SQL literals that fill the query's ``?`` in order), which AWS does
not return either (botocore's model says so). The workgroup and the data catalog are
:mod:`.athena_catalog`'s. Errors: ``{"__type": "InvalidRequestException", "Message"}``, the code also in
``x-amzn-ErrorType``.

Departures from AWS: there is one workgroup, ``primary``, with no result location of its own,
so every query needs an OutputLocation; results are also kept in memory for GetQueryResults;
result reuse is echoed but never reuses a result (every query runs); an execution parameter
may fill a ``?`` anywhere in the statement (Athena takes them in WHERE only); DataScannedInBytes is
always 0, and the runtime statistics report the timeline and the result's rows and bytes,
never what was read. Result columns are named as Athena names them (an unnamed expression is
``_col<position>``) except when two have the same name: DuckDB answers ``id``, ``id_1`` where
Athena answers ``id`` twice.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from featurestore_demo.errors import FeatureStoreError, ResourceNotFound
from featurestore_demo.query_handle import QueryHandle
from local_backend.catalog import utc
from local_backend.emulator.athena_catalog import ENGINE_VERSION, PRIMARY, AthenaCatalog, workgroup
from local_backend.emulator.athena_ctas import CtasPlace
from local_backend.emulator.athena_requests import invalid, offset, page_size, paged
from local_backend.emulator.athena_results import ResultSet
from local_backend.emulator.athena_statements import Outcome, run_statement
from local_backend.emulator.rest import RestOrTargetService
from local_backend.emulator.s3_objects import S3Objects, split_s3_uri
from local_backend.emulator.wire import Response, WireError, json_response, require

if TYPE_CHECKING:
    from local_backend.emulator.glue_tables import GlueTables

__all__ = ["AthenaService"]

log = logging.getLogger(__name__)
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
NO_REUSE = {"ResultReuseByAgeConfiguration": {"Enabled": False}}


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


@dataclass
class Execution:
    """One query execution: what StartQueryExecution was given, and what it produced."""

    id: str
    query: str
    context: dict[str, Any]
    """QueryExecutionContext as given ({} when none)."""
    result_configuration: dict[str, Any]
    """ResultConfiguration as given; its OutputLocation is the folder of the results."""
    reuse: dict[str, Any] | None = None
    parameters: list[str] | None = None
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    engine_seconds: float | None = None
    writing_seconds: float | None = None
    state: str = "QUEUED"
    reason: str | None = None
    completed: float | None = None
    statement_type: str = "DML"
    substatement_type: str | None = None
    update_count: int | None = None
    """The rows a CTAS wrote."""
    manifest: list[str] | None = None
    """The ``s3://`` objects a CTAS wrote (its data manifest); None for any other statement."""
    result: ResultSet | None = None
    output_bytes: int = 0
    handle: QueryHandle = field(default_factory=QueryHandle)
    """Stops the query's DuckDB work (StopQueryExecution, or the emulator stopping)."""
    cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def folder(self) -> str:
        """Where the execution's results go (its OutputLocation as given, without a trailing ``/``)."""
        return str(self.result_configuration["OutputLocation"]).rstrip("/")

    @property
    def output_location(self) -> str:
        if self.manifest is not None:
            return f"{self.folder}/{self.id}"
        return f"{self.folder}/{self.id}.{'txt' if self.statement_type == 'DDL' else 'csv'}"

    @property
    def manifest_location(self) -> str:
        return f"{self.folder}/{self.id}-manifest.csv"

    def apply(self, outcome: Outcome) -> None:
        """Take what the statement did (before the execution's state moves on)."""
        self.statement_type, self.substatement_type = outcome.statement_type, outcome.substatement_type
        self.update_count, self.manifest = outcome.update_count, outcome.written
        if outcome.written is not None:
            self.output_bytes = outcome.written_bytes

    def timeline(self) -> dict[str, int]:
        """The phases measured so far, in milliseconds: in the queue, in the engine, writing
        the result, and in all."""
        end = self.completed or time.time()
        timeline = {"QueryQueueTimeInMillis": _ms((self.started or end) - self.submitted)}
        if self.started is not None:
            engine = self.engine_seconds if self.engine_seconds is not None else end - self.started
            timeline["EngineExecutionTimeInMillis"] = _ms(engine)
        if self.writing_seconds is not None:
            timeline["ServiceProcessingTimeInMillis"] = _ms(self.writing_seconds)
        timeline["TotalExecutionTimeInMillis"] = _ms(end - self.submitted)
        return timeline

    def describe(self) -> dict[str, Any]:
        """The ``QueryExecution`` of GetQueryExecution."""
        status: dict[str, Any] = {"State": self.state, "SubmissionDateTime": utc(self.submitted)}
        if self.completed is not None:
            status["CompletionDateTime"] = utc(self.completed)
        if self.reason is not None:
            status["StateChangeReason"] = self.reason
            status["AthenaError"] = {"ErrorCategory": 2, "ErrorType": 1006, "Retryable": False,
                                     "ErrorMessage": self.reason}
        statistics = {**self.timeline(), "DataScannedInBytes": 0,
                      "ResultReuseInformation": {"ReusedPreviousResult": False}}
        if self.manifest is not None:
            statistics["DataManifestLocation"] = self.manifest_location
        substatement = {"SubstatementType": self.substatement_type} if self.substatement_type else {}
        return {
            "QueryExecutionId": self.id,
            "Query": self.query,
            "StatementType": self.statement_type,
            **substatement,
            "ResultConfiguration": {**self.result_configuration, "OutputLocation": self.output_location},
            "ResultReuseConfiguration": self.reuse or NO_REUSE,
            "QueryExecutionContext": self.context,
            "Status": status,
            "Statistics": statistics,
            "WorkGroup": PRIMARY,
            "EngineVersion": dict(ENGINE_VERSION),
        }


class AthenaService(RestOrTargetService):
    """Query executions over a local backend, and :class:`.AthenaCatalog`'s workgroup and catalog.

    ``min_seconds`` keeps each query RUNNING at least that long, so clients see it poll.
    ``min_seconds=0`` answers StartQueryExecution only once the query has finished, so a client
    that checks at once and then sleeps (the SageMaker SDK sleeps 5 s) never has to wait.
    """

    target_prefix = "AmazonAthena."
    model_name = "athena"
    internal_code = "InternalServerException"

    def __init__(self, backend: Any, s3: S3Objects, *, glue: GlueTables | None = None,
                 write_out: Callable[[], None] | None = None, min_seconds: float = 0.0, workers: int = 2) -> None:
        """``glue``: the Glue tables a CTAS registers its table in and DROP TABLE removes (none: Athena
        only); ``write_out`` writes the offline stores' files out, as before an S3 listing."""
        self.backend, self.s3, self.glue, self.min_seconds = backend, s3, glue, min_seconds
        self.write_out = write_out or (lambda: backend.write_out_offline())
        self._lock = threading.Lock()
        self._executions: dict[str, Execution] = {}
        self._tokens: dict[str, str] = {}
        """ClientRequestToken -> the QueryExecutionId it started."""
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="athena")
        self.operations = {
            "StartQueryExecution": self.start_query_execution,
            "GetQueryExecution": self.get_query_execution,
            "BatchGetQueryExecution": self.batch_get_query_execution,
            "GetQueryResults": self.get_query_results,
            "GetQueryRuntimeStatistics": self.get_query_runtime_statistics,
            "StopQueryExecution": self.stop_query_execution,
            "ListQueryExecutions": self.list_query_executions,
            **AthenaCatalog(backend).operations,
        }

    @staticmethod
    def error(error: FeatureStoreError) -> Response:
        """Athena's wire error: ``{"__type", "Message"}``; the kit's errors are InvalidRequestException."""
        code = error.code if isinstance(error, WireError) else "InvalidRequestException"
        return json_response({"__type": code, "Message": str(error)}, getattr(error, "status", 400),
                             headers={"x-amzn-ErrorType": code})

    def close(self) -> None:
        """Cancel every query still queued or running, then stop the workers."""
        with self._lock:
            unfinished = [e for e in self._executions.values() if e.state not in TERMINAL]
        for execution in unfinished:
            self._cancel(execution)
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ---------------------------------------------------------------- handlers

    def start_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        """StartQueryExecution. A ClientRequestToken seen before answers the QueryExecutionId it
        started, and nothing runs again; with another QueryString it is InvalidRequestException."""
        workgroup(body)
        results = dict(body.get("ResultConfiguration") or {})
        if not results.get("OutputLocation"):
            raise invalid("No output location provided. An output location is required either through "
                          "the Workgroup result configuration setting or as an API input.")
        split_s3_uri(results["OutputLocation"])
        execution = Execution(str(uuid.uuid4()), body["QueryString"], dict(body.get("QueryExecutionContext") or {}),
                              results, body.get("ResultReuseConfiguration"), body.get("ExecutionParameters"))
        token = body.get("ClientRequestToken")
        with self._lock:
            earlier = self._executions.get(self._tokens.get(token, "")) if token else None
            if earlier is None:
                self._executions[execution.id] = execution
                if token:
                    self._tokens[token] = execution.id
        if earlier is not None:
            if earlier.query != execution.query:
                raise invalid("The ClientRequestToken was already used to start a query with another QueryString.")
            return {"QueryExecutionId": earlier.id}
        running = self._pool.submit(self._run, execution)
        if self.min_seconds <= 0:
            running.result()
        return {"QueryExecutionId": execution.id}

    def get_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        execution = self._find(body)
        with self._lock:
            return {"QueryExecution": execution.describe()}

    def batch_get_query_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        """BatchGetQueryExecution, in the order asked. Departure: an unknown id's ErrorCode
        (``InvalidRequestException``) and ErrorMessage are the emulator's own; AWS documents neither."""
        found, unprocessed = [], []
        with self._lock:
            for execution_id in body["QueryExecutionIds"]:
                execution = self._executions.get(execution_id)
                if execution is not None:
                    found.append(execution.describe())
                else:
                    unprocessed.append({"QueryExecutionId": execution_id, "ErrorCode": "InvalidRequestException",
                                        "ErrorMessage": f"QueryExecution {execution_id} was not found"})
        return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": unprocessed}

    def get_query_results(self, body: dict[str, Any]) -> dict[str, Any]:
        """Pages of header + rows: the first row of the first page is the header (as Athena does)."""
        execution = self._find(body)
        if execution.state != "SUCCEEDED":
            raise invalid(f"Query has not yet finished. Current state: {execution.state}"
                          if execution.state not in TERMINAL else f"Query {execution.state}: {execution.reason or ''}")
        result = execution.result or ResultSet()
        rows, following = result.page(offset(body.get("NextToken")), page_size(body, "GetQueryResults"))
        response: dict[str, Any] = {
            "UpdateCount": execution.update_count or 0,
            "ResultSet": {"Rows": rows, "ResultSetMetadata": {"ColumnInfo": result.column_info()}},
        }
        if following is not None:
            response["NextToken"] = str(following)
        return response

    def get_query_runtime_statistics(self, body: dict[str, Any]) -> dict[str, Any]:
        """The timeline measured so far (each phase once it is measured) and, once a query has
        succeeded, the rows and bytes of its result CSV. Departure: no InputRows, InputBytes or
        OutputStage (the emulator does not measure what a query reads)."""
        execution = self._find(body)
        with self._lock:
            statistics: dict[str, Any] = {"Timeline": execution.timeline()}
            if execution.state == "SUCCEEDED" and execution.statement_type == "DML" and execution.result:
                rows = execution.update_count if execution.update_count is not None else len(execution.result.rows)
                statistics["Rows"] = {"OutputRows": rows, "OutputBytes": execution.output_bytes}
        return {"QueryRuntimeStatistics": statistics}

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
        """Newest first, up to MaxResults (0-50; 0 or none: 50) per page."""
        workgroup(body)
        with self._lock:
            ids = list(reversed(self._executions))
        page, following = paged(ids, body, "ListQueryExecutions")
        return {"QueryExecutionIds": page, **({"NextToken": following} if following else {})}

    # ---------------------------------------------------------------- execution

    def _find(self, body: dict[str, Any]) -> Execution:
        execution_id = require(body, "QueryExecutionId")
        with self._lock:
            execution = self._executions.get(execution_id)
        if execution is None:
            raise invalid(f"QueryExecution {execution_id} was not found")
        return execution

    def _run(self, execution: Execution) -> None:
        with self._lock:
            if execution.state == "CANCELLED":
                return
            execution.state, execution.started = "RUNNING", time.time()
        started = time.monotonic()
        state, reason, result = "SUCCEEDED", None, None
        place = CtasPlace(self.backend, self.s3, self.glue, execution.id, execution.folder, self.write_out)
        try:
            self._check_output_bucket(execution)
            outcome = run_statement(place, execution.query, execution.context.get("Database"), execution.handle,
                                    execution.parameters)
            execution.engine_seconds = time.monotonic() - started
            execution.apply(outcome)
            result = outcome.result
            self._write_output(execution, result)
            execution.writing_seconds = time.monotonic() - started - execution.engine_seconds
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

    def _check_output_bucket(self, execution: Execution) -> None:
        """ResourceNotFound, before the statement runs, if the results' bucket does not exist."""
        bucket = split_s3_uri(execution.folder)[0]
        if not self.s3.has_bucket(bucket):
            raise ResourceNotFound(f"Unable to verify/create output bucket {bucket}")

    def _write_output(self, execution: Execution, result: ResultSet) -> None:
        bucket, key = split_s3_uri(execution.output_location)
        try:
            if execution.manifest is not None:
                manifest = "".join(f"{uri}\n" for uri in execution.manifest).encode()
                self.s3.put(bucket, split_s3_uri(execution.manifest_location)[1], manifest)
                self.s3.put(bucket, key + ".metadata", result.metadata())
            elif execution.statement_type == "DDL":
                self.s3.put(bucket, key, b"")
            else:
                body = result.csv()
                self.s3.put(bucket, key, body)
                self.s3.put(bucket, key + ".metadata", result.metadata())
                execution.output_bytes = len(body)
        except ResourceNotFound:
            raise ResourceNotFound(f"Unable to verify/create output bucket {bucket}") from None
