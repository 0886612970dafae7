"""What the newer runtime operations take and give across the interface (SAGEMAKER_SPEC §2.7).

BatchWriteRecord's entries and results, and a page of ListRecords, as named tuples: records
inside them are dicts of typed values, as everywhere on the interface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from featurestore_demo.errors import FeatureStoreError
from featurestore_demo.schemas import TtlDuration

__all__ = ["WriteEntry", "EntryError", "BatchWriteResult", "RecordPage"]


class WriteEntry(NamedTuple):
    """One record of a :meth:`~featurestore_demo.backend.FeatureStoreBackend.batch_write_record`:
    a full overwrite of the record, as PutRecord writes it."""

    feature_group: str
    """The group's name (or, through the emulator and on AWS, its ARN)."""
    record: Mapping[str, Any]
    target_stores: Sequence[str] | None = None
    """Default: every store of the group."""
    ttl: TtlDuration | None = None
    """Overrides the batch's ``ttl``, which overrides the group's TTL."""


class EntryError(NamedTuple):
    """An entry that was not written, and why: ``error.code`` and ``str(error)`` are the AWS
    ErrorCode and ErrorMessage."""

    position: int
    """The entry's position in the request, from 0."""
    entry: WriteEntry
    error: FeatureStoreError


class BatchWriteResult(NamedTuple):
    """What a batch write did not do: every other entry was written."""

    errors: list[EntryError]
    """Entries refused for good (a bad value, an unknown group...): retrying them fails again."""
    unprocessed: list[int]
    """Positions (from 0) of the entries not written for now (the store could not take them):
    retry those entries as they are."""


class RecordPage(NamedTuple):
    """One page of ListRecords: record identifiers as strings, and the token of the next page."""

    record_identifiers: list[str]
    next_token: str | None
    """None on the last page; else pass it back as ``next_token``."""
