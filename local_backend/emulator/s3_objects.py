"""Objects in the S3 that moto serves in the same process (Athena's results and external tables,
and the listing the emulator merges with the files on disk: :mod:`.s3_front`).

The emulator reads and writes moto's in-memory S3 directly, not over HTTP; every touch of
moto's internals is in this module.
"""

from __future__ import annotations

from datetime import timezone
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from featurestore_demo.errors import ResourceNotFound, ValidationException
from local_backend.emulator.s3_listing import S3Entry

if TYPE_CHECKING:  # moto is the emulator extra's; imported when used
    from moto.s3.models import FakeBucket, S3Backend

__all__ = ["S3Objects", "split_s3_uri", "virtual_host_bucket"]

DEFAULT_ACCOUNT = "123456789012"


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix")``; ValidationException otherwise."""
    parsed = urlparse(uri or "")
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValidationException(f"'{uri}' is not an S3 location (s3://bucket/prefix).")
    return parsed.netloc, parsed.path.lstrip("/")


def virtual_host_bucket(host: str) -> str | None:
    """The bucket a virtual-hosted-style ``Host`` names (``bucket.localhost:4567``), by moto's own
    rule, so that the emulator and moto always agree; None for path-style (an IP, ``localhost``)."""
    from moto.s3.responses import S3Response
    from moto.s3.utils import bucket_name_from_url

    try:
        if not host or not S3Response.subdomain_based_buckets(SimpleNamespace(headers={"host": host}, url="")):
            return None
        return bucket_name_from_url(f"http://{host}/") or None
    except ValueError:  # not a host urllib can parse ("[", "a:b:c"): moto answers it as it can
        return None


class S3Objects:
    """Put and list objects in moto's S3 of ``account_id``."""

    def __init__(self, account_id: str = DEFAULT_ACCOUNT) -> None:
        self.account_id = account_id

    def _backend(self) -> S3Backend:
        from moto.s3.models import s3_backends

        return s3_backends[self.account_id]["aws"]

    def _bucket(self, name: str) -> FakeBucket:
        try:
            return self._backend().get_bucket(name)
        except Exception as exc:  # moto raises its own MissingBucket
            raise ResourceNotFound(f"The S3 bucket '{name}' does not exist.") from exc

    def has_bucket(self, bucket: str) -> bool:
        """Whether moto's S3 has ``bucket``."""
        try:
            self._bucket(bucket)
        except ResourceNotFound:
            return False
        return True

    def has_objects(self, bucket: str, prefix: str) -> bool:
        """Whether ``bucket`` holds a live object whose key starts with ``prefix`` (False without the bucket)."""
        from moto.s3.models import FakeDeleteMarker

        try:
            keys = self._bucket(bucket).keys
        except ResourceNotFound:
            return False
        return any(name.startswith(prefix) and not isinstance(key, FakeDeleteMarker)
                   for name, key in list(keys.items()))

    def ensure_bucket(self, bucket: str, region: str) -> None:
        """Create ``bucket`` unless it exists; ResourceNotFound if moto refuses to create it."""
        try:
            self._bucket(bucket)
        except ResourceNotFound:
            try:
                self._backend().create_bucket(bucket, region)
            except Exception:  # moto's InvalidBucketName, or another request thread created it first
                self._bucket(bucket)

    def put(self, bucket: str, key: str, body: bytes) -> None:
        """Write one object; ResourceNotFound if the bucket does not exist."""
        self._bucket(bucket)
        self._backend().put_object(bucket, key, body)

    def read_prefix(self, bucket: str, prefix: str) -> list[bytes]:
        """The bodies of the objects under ``prefix`` (a folder), in key order.

        Like Athena, it skips folder markers and files whose name starts with ``_`` or ``.``.
        """
        folder = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        keys = self._bucket(bucket).keys
        names = sorted(
            name for name in list(keys)
            if name.startswith(folder) and not name.endswith("/")
            and not name.rsplit("/", 1)[-1].startswith(("_", "."))
        )
        return [keys[name].value for name in names]

    def entries(self, bucket: str, prefix: str) -> list[S3Entry]:
        """The live objects of ``bucket`` (latest versions, no delete markers) under ``prefix``, in
        key order; ResourceNotFound if the bucket does not exist."""
        from moto.s3.models import FakeDeleteMarker

        found = []
        for name, key in list(self._bucket(bucket).keys.items()):
            if name.startswith(prefix) and not isinstance(key, FakeDeleteMarker):
                modified = key.last_modified
                if modified.tzinfo is None:
                    modified = modified.replace(tzinfo=timezone.utc)
                found.append(S3Entry(name, key.size, key.etag, modified, key.storage_class or "STANDARD",
                                     key.checksum_algorithm or ""))
        return sorted(found)

    @staticmethod
    def owner_id() -> str:
        """The canonical user id moto names as every object's owner."""
        from moto.s3.models import OWNER

        return OWNER
