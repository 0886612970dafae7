"""The feature-store runtime (``sagemaker-featurestore-runtime``, rest-json: SAGEMAKER_SPEC §2).

``PUT|GET|DELETE /FeatureGroup/{name}`` and ``POST /BatchGetRecord``. The group segment of the
path is percent-decoded, so an ARN works as well as a name. Errors carry their code in the
``x-amzn-ErrorType`` header: ValidationError (400), ResourceNotFound (404) (§2.2).

Departures from AWS: values come back in the kit's canonical form (``"1e3"`` put on a
Fractional feature reads back as ``"1000.0"``); ``ValueAsStringList`` (collections) is refused;
PutRecord and DeleteRecord on an unknown group answer ResourceNotFound (404), which AWS does
not document (§7.3). A put whose ExpiresAt (event time + TTL) would fall after
9999-12-31T23:59:59.999Z, or whose event time lies outside the documented range, is a
ValidationError (AWS documents the range, not what it does past it); the record size is the
kit's one rule (:func:`featurestore_demo.rules.values.record_size`), not the body's length.
Query strings and the group segment must be UTF-8 once percent-decoded (else ValidationError).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, overload

from featurestore_demo.errors import FeatureStoreError, ValidationException
from featurestore_demo.schemas import TtlDuration
from featurestore_demo.wire_format import iso_instant, to_wire_record
from local_backend.emulator.wire import (
    Request,
    Response,
    WireError,
    check_enum,
    check_length,
    json_response,
    percent_decoded,
    require,
    resolve_group,
)

__all__ = ["RuntimeService"]

MODEL_NAME = "sagemaker-featurestore-runtime"
NAME_OR_ARN_MAX = 150
MAX_VALUE_CHARS = 358_400
EXPIRATION = ("Enabled", "Disabled")
GROUP_PATH = "/FeatureGroup/"
STATUS_BY_CODE = {"ValidationError": 400, "ResourceNotFound": 404, "AccessForbidden": 403,
                  "InternalFailure": 500, "ServiceUnavailable": 503}


class RuntimeService:
    """PutRecord, GetRecord, DeleteRecord and BatchGetRecord over a local backend."""

    internal_code = "InternalFailure"

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def handle(self, request: Request) -> Response:
        """Route by method and path, then parse → backend → serialise; errors as runtime errors."""
        try:
            handler, group = self._route(request)
            request.operation = (MODEL_NAME, handler.__name__.title().replace("_", ""))  # put_record: PutRecord
            return json_response(handler(request, group), content_type="application/json")
        except FeatureStoreError as error:
            return self.error(error)

    @staticmethod
    def error(error: FeatureStoreError) -> Response:
        """The runtime's wire error: code in ``x-amzn-ErrorType``, ``{"message"}`` in the body (§2.2)."""
        code = _code(error)
        status = getattr(error, "status", None) or STATUS_BY_CODE.get(code, 400)
        return json_response({"message": str(error)}, status, content_type="application/json",
                             headers={"x-amzn-ErrorType": code})

    def _route(self, request: Request) -> tuple[Callable[[Request, str], dict[str, Any]], str]:
        if request.raw_path.startswith(GROUP_PATH):
            handlers = {"PUT": self.put_record, "GET": self.get_record, "DELETE": self.delete_record}
            handler = handlers.get(request.method)
            if handler is not None:
                encoded = request.raw_path[len(GROUP_PATH):]
                return handler, resolve_group(self.backend, percent_decoded(encoded, "FeatureGroupName"),
                                              NAME_OR_ARN_MAX)
        if request.raw_path == "/BatchGetRecord" and request.method == "POST":
            return self.batch_get_record, ""
        raise WireError("UnknownOperationException", f"No operation at {request.method} {request.raw_path}.", 404)

    def put_record(self, request: Request, group: str) -> dict[str, Any]:
        """PutRecord: a full overwrite of the record (older event times are ignored online)."""
        body = request.json()
        items = check_length(require(body, "Record"), 1, 10_000, "record")
        self.backend.put_record(
            group,
            _record(items),
            target_stores=body.get("TargetStores"),
            ttl=_ttl(body.get("TtlDuration")),
        )
        return {}

    def get_record(self, request: Request, group: str) -> dict[str, Any]:
        """GetRecord: no ``Record`` key when the identifier has no live record (§2.3)."""
        record_id = _single(request, "RecordIdentifierValueAsString", required=True)
        names = check_length(request.query.get("FeatureName"), 1, 100, "featureNames")
        expiration = check_enum(_single(request, "ExpirationTimeResponse"), EXPIRATION, "expirationTimeResponse")
        return self._found(group, record_id, names, expiration == "Enabled") or {}

    def delete_record(self, request: Request, group: str) -> dict[str, Any]:
        """DeleteRecord: SoftDelete by default; a stale HardDelete is a ValidationError (§2.6)."""
        self.backend.delete_record(
            group,
            _single(request, "RecordIdentifierValueAsString", required=True),
            _single(request, "EventTime", required=True),
            deletion_mode=_single(request, "DeletionMode") or "SoftDelete",
            target_stores=request.query.get("TargetStores"),
        )
        return {}

    def batch_get_record(self, request: Request, _: str) -> dict[str, Any]:
        """BatchGetRecord: a group that cannot be read puts each of its ids in ``Errors``."""
        body = request.json()
        identifiers = check_length(require(body, "Identifiers"), 1, 100, "identifiers")
        expiration = check_enum(body.get("ExpirationTimeResponse"), EXPIRATION, "expirationTimeResponse")
        records: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for index, identifier in enumerate(identifiers, start=1):
            field = f"identifiers.{index}.member"
            group = require(identifier, "FeatureGroupName", f"{field}.featureGroupName")
            ids = check_length(require(identifier, "RecordIdentifiersValueAsString",
                                       f"{field}.recordIdentifiersValueAsString"), 1, 100,
                               f"{field}.recordIdentifiersValueAsString")
            names = check_length(identifier.get("FeatureNames"), 1, 100, f"{field}.featureNames")
            try:
                name = resolve_group(self.backend, group, NAME_OR_ARN_MAX)  # once per identifier
            except FeatureStoreError as error:
                errors.extend(_error_entry(group, record_id, error) for record_id in ids)
                continue
            for record_id in ids:
                try:
                    found = self._found(name, record_id, names, expiration == "Enabled")
                except FeatureStoreError as error:
                    errors.append(_error_entry(group, record_id, error))
                    continue
                if found:
                    records.append({"FeatureGroupName": group, "RecordIdentifierValueAsString": record_id, **found})
        return {"Records": records, "Errors": errors, "UnprocessedIdentifiers": []}

    def _found(self, group: str, record_id: str, names: list[str] | None, expiration: bool) -> dict[str, Any]:
        """``{"Record", "ExpiresAt"?}`` of a live record, or an empty dict."""
        record = self.backend.get_record(group, record_id, names)
        if record is None:
            return {}
        found: dict[str, Any] = {"Record": to_wire_record(record)}
        expires = self.backend.online_expiry(group, record_id) if expiration else None
        if expires is not None:
            found["ExpiresAt"] = iso_instant(expires)
        return found


def _error_entry(group: str, record_id: str, error: FeatureStoreError) -> dict[str, str]:
    """One BatchGetRecord ``Errors`` entry."""
    return {"FeatureGroupName": group, "RecordIdentifierValueAsString": record_id,
            "ErrorCode": _code(error), "ErrorMessage": str(error)}


def _code(error: FeatureStoreError) -> str:
    return "ValidationError" if isinstance(error, ValidationException) else error.code


@overload
def _single(request: Request, key: str, *, required: Literal[True]) -> str: ...
@overload
def _single(request: Request, key: str, *, required: bool = False) -> str | None: ...
def _single(request: Request, key: str, *, required: bool = False) -> str | None:
    values = request.query.get(key)
    value = values[-1] if values else None
    return require({key: value}, key) if required else value


def _record(items: list[Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise WireError("SerializationException", "Each Record entry must be a JSON object.")
        name = require(item, "FeatureName", f"record.{index}.member.featureName")
        if item.get("ValueAsStringList") is not None:
            raise ValidationException(
                f"Feature '{name}' has ValueAsStringList: the emulator supports scalar features only."
            )
        if name in record:
            raise ValidationException(f"Feature '{name}' appears more than once in the record.")
        record[name] = check_length(item.get("ValueAsString"), 0, MAX_VALUE_CHARS,
                                    f"record.{index}.member.valueAsString")
    return record


def _ttl(shape: dict[str, Any] | None) -> TtlDuration | None:
    if shape is None:
        return None
    return TtlDuration(require(shape, "Unit", "ttlDuration.unit"), require(shape, "Value", "ttlDuration.value"))
