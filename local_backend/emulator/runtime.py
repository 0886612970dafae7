"""The feature-store runtime (``sagemaker-featurestore-runtime``, rest-json: SAGEMAKER_SPEC §2).

Dispatch comes from botocore's model: a request's method and path name its operation
(:func:`~local_backend.emulator.rest.find_route`), the operation's name its handler
(``PutRecord`` → :meth:`RuntimeService.put_record`, by ``botocore.xform_name``), and its input is
gathered from the path, query string and body (:func:`~local_backend.emulator.rest.rest_input`)
and checked against every constraint of the input shape (required members, enums, lengths,
patterns: :func:`~local_backend.emulator.wire.check_constraints`). Serving an operation is
one handler here plus the backend's method. The group segment of the path is percent-decoded,
so an ARN works as well as a name. Errors carry their code in the ``x-amzn-ErrorType`` header
and the status the model gives that error shape: ValidationError 400, ResourceNotFound 404,
ConflictException 409... (§2.2).

GetRecord and BatchGetRecord return the exact texts put (``"12.50"`` stays ``"12.50"``: §2.3),
and a collection feature's (List, Set, Vector) as the ``ValueAsStringList`` put (a Set without
its repeated elements). A record's FeatureValue carries ``ValueAsStringList`` for a collection
feature and ``ValueAsString`` for any other; the other way round, or both at once, is a
ValidationError and writes nothing.

Departures from AWS: PutRecord and DeleteRecord on an unknown group answer ResourceNotFound (404), which AWS does
not document (§7.3). A put whose ExpiresAt (event time + TTL) would fall after
9999-12-31T23:59:59.999Z, or whose event time lies outside the documented range, is a
ValidationError (AWS documents the range, not what it does past it); the record size is the
kit's one rule (:func:`featurestore_demo.rules.values.record_size`), not the body's length.
Query strings and the group segment must be UTF-8 once percent-decoded (else ValidationError).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from botocore import xform_name

from featurestore_demo.errors import FeatureStoreError, ValidationException
from featurestore_demo.runtime_types import BatchWriteResult, WriteEntry
from featurestore_demo.schemas import TtlDuration
from featurestore_demo.service_model import service_model, shape_metadata
from featurestore_demo.wire_format import iso_instant
from local_backend.emulator.rest import find_route, rest_input
from local_backend.emulator.wire import Request, Response, WireError, json_response, resolve_group

__all__ = ["MODEL_NAME", "RuntimeService", "error_statuses"]

MODEL_NAME = "sagemaker-featurestore-runtime"
Handler = Callable[[dict[str, Any]], dict[str, Any]]


@cache
def error_statuses() -> dict[str, int]:
    """Error code -> HTTP status, from the error shapes of the runtime's model."""
    return {shape.name: shape.metadata["error"]["httpStatusCode"] for shape in service_model(MODEL_NAME).error_shapes}


@cache
def _name_or_arn_max() -> int:
    return int(service_model(MODEL_NAME).shape_for("FeatureGroupNameOrArn").metadata["max"])


class RuntimeService:
    """The runtime's operations over a local backend, one handler per operation served."""

    internal_code = "InternalFailure"

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def handle(self, request: Request) -> Response:
        """Route by the model, then parse → backend → serialise; errors as runtime errors."""
        try:
            operation, path = find_route(MODEL_NAME, request)
            handler = self.handler(operation)
            if handler is None:
                raise WireError("UnknownOperationException", f"The emulator does not serve {operation}.", 404)
            params = rest_input(MODEL_NAME, operation, request, path)  # checked against the model
            return json_response(handler(params), content_type="application/json")
        except FeatureStoreError as error:
            return self.error(error)

    def handler(self, operation: str) -> Handler | None:
        """The handler of the model's ``operation`` (``PutRecord`` → ``put_record``), or None."""
        handler = getattr(self, xform_name(operation), None)
        return handler if callable(handler) else None

    @staticmethod
    def error(error: FeatureStoreError) -> Response:
        """The runtime's wire error: code in ``x-amzn-ErrorType``, ``{"message"}`` in the body (§2.2)."""
        code = _code(error)
        status = getattr(error, "status", None) or error_statuses().get(code, 400)
        return json_response({"message": str(error)}, status, content_type="application/json",
                             headers={"x-amzn-ErrorType": code})

    # ---------------------------------------------------------------- handlers

    def put_record(self, params: dict[str, Any]) -> dict[str, Any]:
        """PutRecord: a full overwrite of the record (older event times are ignored online)."""
        self.backend.put_record(self._group(params["FeatureGroupName"]), _record(params["Record"]),
                                target_stores=params.get("TargetStores"), ttl=_ttl(params.get("TtlDuration")))
        return {}

    def get_record(self, params: dict[str, Any]) -> dict[str, Any]:
        """GetRecord: no ``Record`` key when the identifier has no live record (§2.3)."""
        return self._found(self._group(params["FeatureGroupName"]), params["RecordIdentifierValueAsString"],
                           params.get("FeatureNames"), params.get("ExpirationTimeResponse") == "Enabled")

    def delete_record(self, params: dict[str, Any]) -> dict[str, Any]:
        """DeleteRecord: SoftDelete by default; a stale HardDelete is a ValidationError (§2.6)."""
        self.backend.delete_record(
            self._group(params["FeatureGroupName"]),
            params["RecordIdentifierValueAsString"],
            params["EventTime"],
            deletion_mode=params.get("DeletionMode") or "SoftDelete",
            target_stores=params.get("TargetStores"),
        )
        return {}

    def batch_get_record(self, params: dict[str, Any]) -> dict[str, Any]:
        """BatchGetRecord: a group that cannot be read puts each of its ids in ``Errors``."""
        expiration = params.get("ExpirationTimeResponse") == "Enabled"
        records: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for identifier in params["Identifiers"]:
            group, ids = identifier["FeatureGroupName"], identifier["RecordIdentifiersValueAsString"]
            try:
                name = self._group(group)  # once per identifier
            except FeatureStoreError as error:
                errors.extend(_get_error(group, record_id, error) for record_id in ids)
                continue
            for record_id in ids:
                try:
                    found = self._found(name, record_id, identifier.get("FeatureNames"), expiration)
                except FeatureStoreError as error:
                    errors.append(_get_error(group, record_id, error))
                    continue
                if found:
                    records.append({"FeatureGroupName": group, "RecordIdentifierValueAsString": record_id, **found})
        return {"Records": records, "Errors": errors, "UnprocessedIdentifiers": []}

    def batch_write_record(self, params: dict[str, Any]) -> dict[str, Any]:
        """BatchWriteRecord: each entry written as PutRecord writes it; the request's TtlDuration
        applies to entries without their own. An entry that is refused is in ``Errors`` (with
        the entry as sent), one the store cannot take now in ``UnprocessedEntries``.

        Departure: AWS does not document which failures fail the whole request; here a request
        that breaks the model's constraints (1 to 25 entries...) is a ValidationError, and an
        entry whose group does not exist (ResourceNotFound) or whose record is refused is an
        ``Errors`` entry, as BatchGetRecord reports its identifiers.
        """
        sent = params["Entries"]
        entries: dict[int, WriteEntry] = {}
        errors: dict[int, FeatureStoreError] = {}
        for index, item in enumerate(sent):
            try:
                entries[index] = WriteEntry(self._group(item["FeatureGroupName"]), _record(item["Record"]),
                                            item.get("TargetStores"), _ttl(item.get("TtlDuration")))
            except FeatureStoreError as error:
                errors[index] = error
        written = list(entries)
        ttl = _ttl(params.get("TtlDuration"))
        result = (self.backend.batch_write_record(list(entries.values()), ttl=ttl) if entries
                  else BatchWriteResult([], []))  # every entry refused already: nothing to write
        errors.update((written[failure.position], failure.error) for failure in result.errors)
        return {
            "Errors": [{"Entry": sent[index], "ErrorCode": _code(error), "ErrorMessage": _message(error)}
                       for index, error in sorted(errors.items())],
            "UnprocessedEntries": [sent[written[position]] for position in result.unprocessed],
        }

    def list_records(self, params: dict[str, Any]) -> dict[str, Any]:
        """ListRecords: the record identifiers of the online store, a page at a time.

        Departure: AWS documents no order and no default page size; the emulator lists the
        identifiers sorted as strings, 100 a page unless MaxResults says fewer.
        """
        page = self.backend.list_records(self._group(params["FeatureGroupName"]),
                                         max_results=params.get("MaxResults"), next_token=params.get("NextToken"),
                                         include_soft_deleted=bool(params.get("IncludeSoftDeletedRecords")))
        response: dict[str, Any] = {"RecordIdentifiers": page.record_identifiers}
        if page.next_token is not None:
            response["NextToken"] = page.next_token
        return response

    def update_record(self, params: dict[str, Any]) -> dict[str, Any]:
        """UpdateRecord: the named features of a live record change, the others stay (Standard_V2
        and InMemory groups only; an older EventTime is a ConflictException, 409)."""
        self.backend.update_record(self._group(params["FeatureGroupName"]), params["RecordIdentifierValueAsString"],
                                   _record(params["Features"]), target_stores=params.get("TargetStores"),
                                   ttl=_ttl(params.get("TtlDuration")))
        return {}

    # ---------------------------------------------------------------- helpers

    def _group(self, name_or_arn: str) -> str:
        """The group's name (an ARN resolved); ResourceNotFound for an unknown ARN."""
        return resolve_group(self.backend, name_or_arn, _name_or_arn_max())

    def _found(self, group: str, record_id: str, names: list[str] | None, expiration: bool) -> dict[str, Any]:
        """``{"Record", "ExpiresAt"?}`` of a live record (the exact texts put), or an empty dict."""
        record = self.backend.wire_record(group, record_id, names)
        if record is None:
            return {}
        found: dict[str, Any] = {"Record": [{"FeatureName": name, "ValueAsStringList": text}
                                            if isinstance(text, list) else {"FeatureName": name, "ValueAsString": text}
                                            for name, text in record.texts]}
        if expiration and record.expires_at is not None:
            found["ExpiresAt"] = iso_instant(record.expires_at)
        return found


def _get_error(group: str, record_id: str, error: FeatureStoreError) -> dict[str, str]:
    """One BatchGetRecord ``Errors`` entry."""
    return {"FeatureGroupName": group, "RecordIdentifierValueAsString": record_id,
            "ErrorCode": _code(error), "ErrorMessage": _message(error)}


def _code(error: FeatureStoreError) -> str:
    """The runtime's code of a kit error (it spells ValidationException ValidationError)."""
    return "ValidationError" if isinstance(error, ValidationException) else error.code


def _message(error: FeatureStoreError) -> str:
    """The message of an ``Errors`` entry, within the model's Message shape (2048 characters)."""
    return str(error)[:int(shape_metadata(MODEL_NAME, "Message")["max"])]


def _record(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``Record`` (or UpdateRecord's ``Features``) as a dict of what was sent: the string of a
    ValueAsString, the list of a ValueAsStringList (the backend checks which one the feature
    takes); a FeatureValue with neither maps to None (absent)."""
    record: dict[str, Any] = {}
    for item in items:
        name = item["FeatureName"]
        if name in record:
            raise ValidationException(f"Feature '{name}' appears more than once in the record.")
        value, values = item.get("ValueAsString"), item.get("ValueAsStringList")
        if value is not None and values is not None:
            raise ValidationException(
                f"Feature '{name}' has both ValueAsString and ValueAsStringList; send ValueAsString for a "
                "single value, ValueAsStringList for a collection (List, Set, Vector)."
            )
        record[name] = values if values is not None else value
    return record


def _ttl(shape: dict[str, Any] | None) -> TtlDuration | None:
    """A TtlDuration (its Unit and Value are required: the model's constraints checked them)."""
    return None if shape is None else TtlDuration(shape["Unit"], shape["Value"])
