"""Objects in the S3 that moto serves in the same process (Athena's results and external tables).

The emulator reads and writes moto's in-memory S3 directly, not over HTTP; every touch of
moto's internals is in this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from featurestore_demo.errors import ResourceNotFound, ValidationException

if TYPE_CHECKING:  # moto is the emulator extra's; imported when used
    from moto.s3.models import FakeBucket, S3Backend

__all__ = ["S3Objects", "split_s3_uri"]

DEFAULT_ACCOUNT = "123456789012"


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ``("bucket", "some/prefix")``; ValidationException otherwise."""
    parsed = urlparse(uri or "")
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValidationException(f"'{uri}' is not an S3 location (s3://bucket/prefix).")
    return parsed.netloc, parsed.path.lstrip("/")


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

    def ensure_bucket(self, bucket: str, region: str) -> None:
        """Create ``bucket`` unless it exists."""
        try:
            self._bucket(bucket)
        except ResourceNotFound:
            self._backend().create_bucket(bucket, region)

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
