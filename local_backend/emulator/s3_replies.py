"""S3 replies of the emulator's file-backed objects: GetObject/HeadObject of an open file, errors.

A file is streamed from disk in chunks (:class:`FileBody`), never read whole. Its reply follows
S3: ETag (quoted MD5), Last-Modified (mtime, whole seconds), ``application/octet-stream``,
``Accept-Ranges: bytes``; one byte range ``bytes=a-b``, ``bytes=a-`` or ``bytes=-n`` gives 206
with Content-Range, a range starting at or past the end (or an empty suffix) 416
``InvalidRange``, and a range S3 ignores (malformed, several ranges, ``b < a``) the whole
object. ``If-Match`` / ``If-Unmodified-Since`` refuse with 412 ``PreconditionFailed``,
``If-None-Match`` / ``If-Modified-Since`` with 304, in S3's order of precedence. The
``response-*`` query parameters override the headers they name.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate, parsedate_to_datetime
from typing import Any, BinaryIO, NamedTuple
from xml.etree.ElementTree import Element, SubElement, tostring

from local_backend.emulator.s3_files import CHUNK, mtime

__all__ = ["Reply", "FileBody", "serve_file", "error", "xml_reply", "reply_headers", "REASONS"]

REASONS = {200: "OK", 204: "No Content", 206: "Partial Content", 304: "Not Modified", 400: "Bad Request",
           403: "Forbidden", 409: "Conflict", 412: "Precondition Failed", 416: "Requested Range Not Satisfiable",
           500: "Internal Server Error"}


class Reply(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: Iterable[bytes]


def serve_file(environ: dict[str, Any], params: dict[str, str], handle: BinaryIO, status: os.stat_result,
               etag: Callable[[BinaryIO, os.stat_result], str]) -> Reply:
    """The GetObject/HeadObject reply for the open file ``handle``, which it closes or hands to the body."""
    reply = None
    try:
        reply = _file_reply(environ, params, handle, status, etag(handle, status))
        return reply
    finally:
        if reply is None or not isinstance(reply.body, FileBody):
            handle.close()


def _file_reply(environ: dict[str, Any], params: dict[str, str], handle: BinaryIO, status: os.stat_result,
                etag: str) -> Reply:
    size, modified = status.st_size, int(mtime(status).timestamp())
    headers = reply_headers(environ, ("ETag", etag), ("Last-Modified", formatdate(modified, usegmt=True)))
    refused = _precondition(environ, etag, modified)
    if refused == 412:
        return error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                     environ, Condition="If-Match" if "HTTP_IF_MATCH" in environ else "If-Unmodified-Since")
    if refused == 304:
        return Reply(304, headers, [b""])
    span = _byte_range(environ.get("HTTP_RANGE", ""), size)
    if span == "unsatisfiable":
        reply = error(416, "InvalidRange", "The requested range is not satisfiable", environ,
                      RangeRequested=environ.get("HTTP_RANGE", ""), ActualObjectSize=str(size))
        return reply._replace(headers=[*reply.headers, ("Content-Range", f"bytes */{size}")])
    start, end = span if isinstance(span, tuple) else (0, size - 1)
    headers += [("Content-Type", params.get("response-content-type", "application/octet-stream")),
                ("Accept-Ranges", "bytes"), ("Content-Length", str(end - start + 1))]
    headers += [(name[len("response-"):].title(), value) for name, value in params.items()
                if name.startswith("response-") and name != "response-content-type"]
    if span is not None:
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
    code = 206 if span is not None else 200
    if environ.get("REQUEST_METHOD") == "HEAD":
        return Reply(code, headers, [b""])
    return Reply(code, headers, FileBody(handle, start, end - start + 1))


class FileBody:
    """``length`` bytes of an open file from ``start``, read in chunks; closes the file when done or closed."""

    def __init__(self, handle: BinaryIO, start: int, length: int) -> None:
        self.handle, self.start, self.length = handle, start, length

    def __iter__(self) -> Iterator[bytes]:
        self.handle.seek(self.start)
        remaining = self.length
        while remaining > 0:
            chunk = self.handle.read(min(CHUNK, remaining))
            if not chunk:  # truncated since: the client sees a short body
                break
            remaining -= len(chunk)
            yield chunk
        self.close()

    def close(self) -> None:
        self.handle.close()


def _precondition(environ: dict[str, Any], etag: str, modified: int) -> int | None:
    """412 or 304 if a conditional header refuses the object, as S3 applies them; None to serve it."""
    if_match, if_none = environ.get("HTTP_IF_MATCH"), environ.get("HTTP_IF_NONE_MATCH")
    if if_match is not None and not _etag_matches(if_match, etag):
        return 412
    since = _http_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
    if if_match is None and since is not None and modified > since:
        return 412
    if if_none is not None and _etag_matches(if_none, etag):
        return 304
    since = _http_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    if if_none is None and since is not None and modified <= since:
        return 304
    return None


def _etag_matches(header: str, etag: str) -> bool:
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags or etag.strip('"') in tags


def _http_date(header: str | None) -> int | None:
    if not header:
        return None
    try:
        return int(parsedate_to_datetime(header).timestamp())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """The inclusive byte span a single ``Range: bytes=...`` asks for, clipped to the object;
    "unsatisfiable" if it starts at or past the end (or is an empty suffix); None (the whole
    object) if there is no range, or one S3 ignores (malformed, several ranges, last < first)."""
    unit, _, spec = header.strip().partition("=")
    first, dash, last = spec.strip().partition("-")
    digits = (first + last).isdigit() and first.isascii() and last.isascii()
    if unit.strip().lower() != "bytes" or not dash or not digits or len(first) > 19 or len(last) > 19:
        return None
    if not first:
        suffix = int(last)
        return "unsatisfiable" if suffix == 0 or size == 0 else (max(0, size - suffix), size - 1)
    start, end = int(first), int(last) if last else size - 1
    if last and end < start:
        return None
    return "unsatisfiable" if start >= size else (start, min(end, size - 1))


def request_id(environ: dict[str, Any]) -> str:
    return str(environ.setdefault("featurestore.s3_request_id", uuid.uuid4().hex[:16].upper()))


def reply_headers(environ: dict[str, Any], *extra: tuple[str, str]) -> list[tuple[str, str]]:
    identifier = request_id(environ)
    return [("x-amz-request-id", identifier), ("x-amz-id-2", identifier), *extra]


def error(status: int, code: str, message: str, environ: dict[str, Any], **fields: str) -> Reply:
    """S3's XML error (no body to a HEAD, where botocore reads the status alone)."""
    root = Element("Error")
    for tag, text in (("Code", code), ("Message", message), *fields.items()):
        SubElement(root, tag).text = text
    SubElement(root, "RequestId").text = request_id(environ)
    body = b"" if environ.get("REQUEST_METHOD") == "HEAD" else tostring(root, encoding="utf-8", xml_declaration=True)
    return xml_reply(environ, status, body)


def xml_reply(environ: dict[str, Any], status: int, body: bytes) -> Reply:
    """An XML reply with S3's request-id headers."""
    fields = reply_headers(environ, ("Content-Type", "application/xml"), ("Content-Length", str(len(body))))
    return Reply(status, fields, [body])
