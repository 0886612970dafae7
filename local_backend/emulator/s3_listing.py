"""ListObjects (v1) and ListObjectsV2 over a merged set of objects: parameters, paging, XML.

Pure code: it sees :class:`S3Entry` values, whoever holds them (files on disk, moto), and
renders the ``ListBucketResult`` body. Keys are listed in S3's order: by Unicode code point,
which is also the order of their UTF-8 bytes.

Paging rule. With a delimiter, a key that contains it after the prefix rolls up into a common
prefix (``prefix + up to and including the delimiter``); each common prefix is listed once and
counts as one of ``max-keys``. A resume point (``marker``, ``start-after``, or the position a
continuation token carries) skips every key ``<=`` it, and every key that rolls up into a
common prefix equal to it, so that a page ending on a common prefix is never listed again.
Since the listed names (keys and common prefixes) never decrease along the key order, this
walks every object exactly once across pages. ``max-keys`` is capped at 1000, as on S3; 0
lists nothing and is not truncated (moto's choice, which botocore's paginator survives).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import NamedTuple
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, tostring

__all__ = ["S3Entry", "ListRequest", "Page", "ListError", "merge", "parse_list_request", "paginate", "render",
           "encode_token", "iso_time"]

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
MAX_KEYS = 1000
MAX_KEYS_ARGUMENT = 2**31 - 1
LIST_PARAMETERS = frozenset({
    "list-type", "prefix", "delimiter", "marker", "max-keys", "encoding-type", "continuation-token",
    "start-after", "fetch-owner", "x-id",
})
"""The query parameters of ListObjects / ListObjectsV2; a GET on a bucket with any other one is not a listing."""
_TOKEN_TAG = "fs1:"


class S3Entry(NamedTuple):
    """One object as a listing shows it; ``etag`` is quoted, ``last_modified`` is aware (UTC)."""

    key: str
    size: int
    etag: str
    last_modified: datetime
    storage_class: str = "STANDARD"
    checksum_algorithm: str = ""
    """The algorithm of the checksum stored with the object ('' for none, as files have)."""


class ListRequest(NamedTuple):
    """A parsed listing request. ``version`` is 1 or 2; ``token`` is the continuation token as sent."""

    version: int
    prefix: str
    delimiter: str
    max_keys: int
    marker: str
    start_after: str
    token: str
    fetch_owner: bool
    url_encoded: bool

    def resume_points(self) -> list[str]:
        """The positions this page starts after (see the module docstring)."""
        if self.version == 1:
            points = [self.marker]
        else:
            points = [self.start_after, _decode_token(self.token) if self.token else ""]
        return [point for point in points if point]


class Page(NamedTuple):
    contents: list[S3Entry]
    common_prefixes: list[str]
    truncated: bool
    last: str
    """The last name listed (key or common prefix), where the next page resumes; '' if none."""


class ListError(Exception):
    """A listing request S3 refuses: 400 with ``code`` and ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def merge(preferred: Iterable[S3Entry], others: Iterable[S3Entry]) -> list[S3Entry]:
    """Both sets in key order; a key in both is listed once, as ``preferred`` has it."""
    by_key = {entry.key: entry for entry in others}
    by_key.update((entry.key, entry) for entry in preferred)
    return [by_key[key] for key in sorted(by_key)]


def parse_list_request(params: Mapping[str, str]) -> ListRequest:
    """The listing ``params`` (query parameters, decoded) ask for; ListError if S3 would refuse them."""
    encoding = params.get("encoding-type")
    if encoding not in (None, "url"):
        raise ListError("InvalidArgument", "Invalid Encoding Method specified in Request")
    return ListRequest(
        version=2 if params.get("list-type") == "2" else 1,
        prefix=params.get("prefix", ""),
        delimiter=params.get("delimiter", ""),
        max_keys=_max_keys(params.get("max-keys")),
        marker=params.get("marker", ""),
        start_after=params.get("start-after", ""),
        token=_checked_token(params.get("continuation-token")),
        fetch_owner=params.get("fetch-owner", "").lower() == "true",
        url_encoded=encoding == "url",
    )


def _max_keys(value: str | None) -> int:
    if value is None:
        return MAX_KEYS
    if not value.isdigit() or len(value) > 10 or int(value) > MAX_KEYS_ARGUMENT:
        raise ListError("InvalidArgument", "Provided max-keys not an integer or within integer range")
    return min(int(value), MAX_KEYS)


def _checked_token(token: str | None) -> str:
    if token is None:
        return ""
    if not token:
        raise ListError("InvalidArgument", "The continuation token provided is incorrect")
    _decode_token(token)
    return token


def encode_token(position: str) -> str:
    """An opaque continuation token for ``position`` (base64url, so it survives any query string)."""
    return base64.urlsafe_b64encode((_TOKEN_TAG + position).encode("utf-8")).decode("ascii")


def _decode_token(token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (UnicodeError, binascii.Error, ValueError):
        text = ""
    if not text.startswith(_TOKEN_TAG):
        raise ListError("InvalidArgument", "The continuation token provided is incorrect")
    return text[len(_TOKEN_TAG):]


def paginate(entries: Iterable[S3Entry], request: ListRequest) -> Page:
    """One page of ``entries`` (in key order) as ``request`` asks for it."""
    contents: list[S3Entry] = []
    prefixes: list[str] = []
    points, last = request.resume_points(), ""
    for entry in entries:
        if not entry.key.startswith(request.prefix):
            continue
        name = _rolled_up(entry.key, request.prefix, request.delimiter) or entry.key
        if name == last or any(entry.key <= point or name == point for point in points):
            continue
        if len(contents) + len(prefixes) >= request.max_keys:
            return Page(contents, prefixes, request.max_keys > 0, last)
        if name == entry.key:
            contents.append(entry)
        else:
            prefixes.append(name)
        last = name
    return Page(contents, prefixes, False, last)


def _rolled_up(key: str, prefix: str, delimiter: str) -> str:
    """The common prefix ``key`` rolls up into, or '' if it is listed as itself."""
    if not delimiter:
        return ""
    cut = key.find(delimiter, len(prefix))
    return key[: cut + len(delimiter)] if cut >= 0 else ""


def render(bucket: str, request: ListRequest, page: Page, owner_id: str) -> bytes:
    """The ``ListBucketResult`` XML of ``page`` (botocore's element names; v1 always names the owner)."""
    text = _encoder(request.url_encoded)
    root = Element("ListBucketResult", xmlns=S3_NAMESPACE)
    _add(root, "Name", bucket)
    _add(root, "Prefix", text(request.prefix))
    if request.version == 1:
        _add(root, "Marker", text(request.marker))
    _add(root, "MaxKeys", str(request.max_keys))
    if request.delimiter:
        _add(root, "Delimiter", text(request.delimiter))
    if request.url_encoded:
        _add(root, "EncodingType", "url")
    _add(root, "IsTruncated", "true" if page.truncated else "false")
    if request.version == 1 and page.truncated and request.delimiter:
        _add(root, "NextMarker", text(page.last))
    if request.version == 2:
        _add(root, "KeyCount", str(len(page.contents) + len(page.common_prefixes)))
        if request.token:
            _add(root, "ContinuationToken", request.token)
        if page.truncated:
            _add(root, "NextContinuationToken", encode_token(page.last))
        if request.start_after:
            _add(root, "StartAfter", text(request.start_after))
    with_owner = request.version == 1 or request.fetch_owner
    for entry in page.contents:
        _add_entry(root, entry, text(entry.key), owner_id if with_owner else "")
    for prefix in page.common_prefixes:
        _add(SubElement(root, "CommonPrefixes"), "Prefix", text(prefix))
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _add_entry(root: Element, entry: S3Entry, key: str, owner_id: str) -> None:
    contents = SubElement(root, "Contents")
    _add(contents, "Key", key)
    _add(contents, "LastModified", iso_time(entry.last_modified))
    _add(contents, "ETag", entry.etag)
    _add(contents, "Size", str(entry.size))
    if entry.checksum_algorithm:
        _add(contents, "ChecksumAlgorithm", entry.checksum_algorithm)
    if owner_id:
        owner = SubElement(contents, "Owner")
        _add(owner, "ID", owner_id)
        _add(owner, "DisplayName", "webfile")
    _add(contents, "StorageClass", entry.storage_class)


def _add(parent: Element, tag: str, text: str) -> None:
    SubElement(parent, tag).text = text


def _encoder(url_encoded: bool) -> Callable[[str], str]:
    """How names are written: percent-encoded with ``encoding-type=url`` (botocore decodes them), else as is."""
    if url_encoded:
        return lambda value: quote(value, safe="/")
    return lambda value: value


def iso_time(moment: datetime) -> str:
    """``2024-05-01T12:00:00.000Z``, as S3 writes LastModified in listings: whole seconds, the
    precision of its Last-Modified header, so a listing and a HeadObject agree."""
    utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return utc.strftime("%Y-%m-%dT%H:%M:%S.000Z")
