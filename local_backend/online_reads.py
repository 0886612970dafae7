"""What reads of the local online store give the emulator: GetRecord's exact texts
(:class:`WireRecord`) and ListRecords' pages (:func:`record_page`).

ListRecords pages over sorted keys, resumed after the last one shown. A NextToken is opaque to
clients: here the URL-safe base64 of ``{"after": <last key>}``, so a page resumes after that key
even if records came or went meanwhile (none is shown twice; a record added before the resume
point is not shown). AWS documents no order and no default page size: the kit sorts the
identifiers as strings and pages by :data:`DEFAULT_PAGE_SIZE`.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_right
from typing import NamedTuple

from featurestore_demo.errors import ValidationException
from featurestore_demo.runtime_types import RecordPage

__all__ = ["DEFAULT_PAGE_SIZE", "WireRecord", "record_page"]

DEFAULT_PAGE_SIZE = 100
"""Identifiers per page when MaxResults is not given (the most MaxResults allows)."""


class WireRecord(NamedTuple):
    """A live online record as GetRecord sends it (:meth:`local_backend.LocalBackend.wire_record`)."""

    texts: list[tuple[str, str | list[str]]]
    """(FeatureName, the exact text put): a ValueAsString, or a collection's ValueAsStringList (a list)."""
    expires_at: float | None  # epoch seconds; None without a TTL


def record_page(keys: list[str], max_results: int | None, next_token: str | None) -> RecordPage:
    """The page of the sorted ``keys`` that ``next_token`` (None: the first page) starts."""
    start = 0 if next_token is None else bisect_right(keys, _after(next_token))
    stop = start + (max_results or DEFAULT_PAGE_SIZE)
    shown = keys[start:stop]
    token = _token(shown[-1]) if stop < len(keys) else None
    return RecordPage(shown, token)


def _token(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def _after(token: str) -> str:
    """The key a token resumes after; ValidationException for a token this store did not issue."""
    try:
        after = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))["after"]
    except (ValueError, UnicodeError, binascii.Error, KeyError, TypeError):
        after = None
    if not isinstance(after, str):
        raise ValidationException(
            f"Invalid NextToken '{token[:64]}': pass the NextToken of the previous ListRecords page as it was."
        )
    return after
