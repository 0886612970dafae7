"""The emulator's S3: files on disk (:mod:`.s3_files`) served beside moto's in-memory objects.

A WSGI application in front of moto's. For a bucket that has a directory under the S3 root
(``<home>/s3/<bucket>``) it answers, from disk:

- ListObjects and ListObjectsV2: files and moto's objects merged in one key order, paged
  together (:mod:`.s3_listing`); a key that is both a file and a moto object is listed once,
  as the file.
- GetObject and HeadObject of a file-backed key: the file, streamed from disk, with its MD5 as
  ETag, its mtime as Last-Modified, ``application/octet-stream``; single byte ranges (206 /
  416 ``InvalidRange``), ``If-Match``/``If-None-Match``/``If-(Un)Modified-Since`` (412 / 304)
  and the ``response-*`` overrides.
- DeleteObject and DeleteObjects: the files go (with parent directories left empty), the
  ``on_delete(bucket, keys)`` callback hears which keys were files, then moto answers the very
  same request, so that a moto object the file shadowed goes too and the response is S3's.
- DeleteBucket of a bucket that still holds files: 409 ``BucketNotEmpty``; otherwise its empty
  directory goes before moto deletes the bucket.
- A DeleteObjects body S3 refuses (not XML, a DTD, no or over 1000 objects): 400 ``MalformedXML``.

Everything else goes to moto unchanged, for keys that are not files too. A file-backed key
has no versions, ACL, tags or parts: such sub-resources (``versionId``, ``partNumber``,
``?acl``...) go to moto, which does not know the key, and ListObjectVersions lists moto's
objects only. A key with an empty, ``.``-led or unusable path component is never a file
(:mod:`.s3_files`), so ``..`` cannot leave the bucket: such keys are moto's.
**PutObject (CopyObject, multipart) to a key that is a file** goes to moto and the file keeps
shadowing that object: reads and listings show the file's content until the file is deleted.
The emulator never writes files; only the local feature store does.

A bucket directory is made a moto bucket (in the emulator's region) when the emulator starts,
on ListBuckets, and whenever a request names it, so HeadBucket and ListBuckets see it.
Addressing: boto3 against ``http://127.0.0.1:PORT`` or ``http://localhost:PORT`` uses
path-style (``/bucket/key``); virtual-hosted requests (``Host: bucket.localhost:PORT``) are
recognised by moto's own rule, so both always agree on the bucket.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.etree.ElementTree import ParseError, fromstring

from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import get_input_stream

from featurestore_demo.errors import FeatureStoreError
from local_backend.emulator.s3_files import DiskObjects
from local_backend.emulator.s3_listing import LIST_PARAMETERS, ListError, merge, paginate, parse_list_request, render
from local_backend.emulator.s3_objects import S3Objects, virtual_host_bucket
from local_backend.emulator.s3_replies import REASONS, Reply, error, serve_file, xml_reply

__all__ = ["S3Front", "OnDelete"]

log = logging.getLogger(__name__)
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
OnDelete = Callable[[str, list[str]], None]
MAX_DELETE_BODY = 4 * 1024 * 1024
MAX_DELETE_KEYS = 1000
OBJECT_PARAMETERS = frozenset({
    "x-id", "response-content-type", "response-content-disposition", "response-content-encoding",
    "response-content-language", "response-cache-control", "response-expires",
})
"""The query parameters of a GetObject/HeadObject the files answer; any other one goes to moto."""


class Target(NamedTuple):
    """What an S3 request names: its bucket ('' for ListBuckets), key ('' for the bucket), query."""

    bucket: str
    key: str
    params: dict[str, str]


class S3Front:
    """Serve the files under ``root`` as S3 objects in front of ``fallback`` (moto's WSGI app)."""

    def __init__(self, fallback: WsgiApp, root: Path, objects: S3Objects, region: str,
                 on_delete: OnDelete | None = None, before_request: Callable[[], None] | None = None) -> None:
        """``before_request`` runs before each S3 request is answered (the store writes out what
        it holds back, so that what was acknowledged is listed); ``on_delete`` after files go."""
        self.fallback, self.objects, self.region, self.on_delete = fallback, objects, region, on_delete
        self.before_request = before_request
        self.files = DiskObjects(root)
        self.adopt_buckets()

    def adopt_buckets(self) -> None:
        """Make every bucket directory a moto bucket too (a name moto refuses is left alone)."""
        for bucket in self.files.buckets():
            self._adopt(bucket)

    def _adopt(self, bucket: str) -> bool:
        """Whether the bucket directory ``bucket`` is (now) a moto bucket as well."""
        try:
            self.objects.ensure_bucket(bucket, self.region)
        except FeatureStoreError as exc:  # moto refuses the name (an IP address, say)
            log.warning("The directory of bucket %r is not served: %s", bucket, exc)
            return False
        return True

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            target = _target(environ) if _is_s3(environ) else None
            reply = None if target is None else self._reply(environ, target)
        except Exception:  # the last line of defence: log it, answer 500, keep serving
            log.exception("Unexpected error serving S3 files")
            reply = error(500, "InternalError", "Internal error in the emulator's S3 files.", environ)
        if reply is None:
            return self.fallback(environ, start_response)
        start_response(f"{reply.status} {REASONS.get(reply.status, '')}".strip(), reply.headers)
        return reply.body

    def _reply(self, environ: dict[str, Any], target: Target) -> Reply | None:
        """Our reply, or None to let moto answer (after any file deletion the request asked for)."""
        method, (bucket, key, params) = environ.get("REQUEST_METHOD", ""), target
        if self.before_request is not None:
            self.before_request()
        if not bucket:
            if method == "GET":
                self.adopt_buckets()  # ListBuckets
            return None
        if not self.files.has_bucket(bucket) or not self._adopt(bucket):
            return None
        if key:
            return self._object(environ, method, target)
        if method == "GET" and set(params) <= LIST_PARAMETERS and params.get("list-type") in (None, "2"):
            return self._list(environ, bucket, params)
        if method == "POST" and "delete" in params:
            return self._delete_objects(environ, bucket)
        if method == "DELETE" and not params:
            if self.files.has_objects(bucket):
                return error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", environ,
                             BucketName=bucket)
            self.files.remove_empty_bucket(bucket)
        return None

    def _object(self, environ: dict[str, Any], method: str, target: Target) -> Reply | None:
        bucket, key, params = target
        if method in ("GET", "HEAD") and set(params) <= OBJECT_PARAMETERS:
            try:
                opened = self.files.open(bucket, key)
            except OSError as exc:
                return error(403, "AccessDenied", f"The file of this key cannot be read: {exc.strerror}.",
                             environ, Key=key)
            return None if opened is None else serve_file(environ, params, *opened, etag=self.files.etag)
        if method == "DELETE" and set(params) <= {"x-id"} and self.files.delete(bucket, key):
            self._deleted(bucket, [key])
        return None

    def _list(self, environ: dict[str, Any], bucket: str, params: dict[str, str]) -> Reply:
        try:
            request = parse_list_request(params)
        except ListError as refused:
            return error(400, refused.code, refused.message, environ)
        entries = merge(self.files.entries(bucket, request.prefix), self.objects.entries(bucket, request.prefix))
        body = render(bucket, request, paginate(entries, request), self.objects.owner_id())
        return xml_reply(environ, 200, body)

    def _delete_objects(self, environ: dict[str, Any], bucket: str) -> Reply | None:
        """Delete the file-backed keys a DeleteObjects body names (not those with a VersionId), then
        let moto answer the same request (None); 400 MalformedXML, deleting nothing, for a body S3
        refuses (moto would answer some of those with a 500)."""
        body = _read_body(environ)
        keys = _delete_keys(body) if body is not None else None
        if keys is None:
            return error(400, "MalformedXML",
                         "The XML you provided was not well-formed or did not validate against our published schema",
                         environ)
        deleted = [key for key in dict.fromkeys(keys) if self.files.delete(bucket, key)]
        if deleted:
            self._deleted(bucket, deleted)
        return None

    def _deleted(self, bucket: str, keys: list[str]) -> None:
        if self.on_delete is None:
            return
        try:
            self.on_delete(bucket, keys)
        except Exception:  # the files are gone either way; the S3 answer stays S3's
            log.exception("on_delete(%r, %d keys) failed", bucket, len(keys))


def _is_s3(environ: dict[str, Any]) -> bool:
    """Whether a request that reached moto is for S3: signed for ``s3`` (SigV4 header or presigned
    query), SigV2, or unsigned and not a query-protocol call (``Action=``), as moto decides."""
    if environ.get("HTTP_X_AMZ_TARGET"):
        return False
    query = environ.get("QUERY_STRING", "")
    for text in (environ.get("HTTP_AUTHORIZATION", ""), unquote(query)):
        for part in text.replace(",", " ").replace("&", " ").split():
            name, _, value = part.partition("=")
            if name in ("Credential", "X-Amz-Credential"):
                scope = value.split("/")
                return len(scope) == 5 and scope[3].lower() == "s3"
    return "Action=" not in query


def _target(environ: dict[str, Any]) -> Target | None:
    """Bucket, key and query of an S3 request, read from the raw URI as moto reads it; None if the
    raw URI is not plain ASCII or its query is not decodable (moto deals with those)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    query = environ.get("QUERY_STRING", "")
    if not raw.isascii() or not query.isascii():
        return None
    path = urlsplit(raw).path if "://" in raw.split("?", 1)[0] else raw.split("?", 1)[0]
    if not path.startswith("/") or path.startswith("//"):
        return None
    try:
        params = dict(parse_qsl(query, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        return None
    bucket = virtual_host_bucket(environ.get("HTTP_HOST", ""))
    if bucket is not None:
        return Target(bucket, unquote(path[1:]), params)
    bucket, _, key = path[1:].partition("/")
    return Target(unquote(bucket), unquote(key), params)


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request body (then put back for moto), or None if it cannot be read or is over the cap."""
    try:
        body = get_input_stream(environ, max_content_length=MAX_DELETE_BODY).read()
    except (HTTPException, OSError, ValueError):  # over the cap (RequestEntityTooLarge), a client gone
        log.debug("DeleteObjects body unreadable", exc_info=True)
        return None
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    return body


def _delete_keys(body: bytes) -> list[str] | None:
    """The keys (without VersionId) of a DeleteObjects body; None if it is not one S3 would accept."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return None
    try:
        root = fromstring(body)
    except (ParseError, ValueError):
        return None
    objects = [child for child in root if child.tag.rsplit("}", 1)[-1] == "Object"]
    if root.tag.rsplit("}", 1)[-1] != "Delete" or not 0 < len(objects) <= MAX_DELETE_KEYS:
        return None
    fields = [{field.tag.rsplit("}", 1)[-1]: field.text or "" for field in item} for item in objects]
    return [names["Key"] for names in fields if names.get("Key") and "VersionId" not in names]
