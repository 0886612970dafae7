"""Files on disk as S3 objects: object ``s3://<bucket>/<key>`` is the file ``<root>/<bucket>/<key>``.

The local feature store writes its offline store there (Parquet in SageMaker's layout); the
emulator's S3 serves these files beside moto's in-memory objects (:mod:`.s3_front`). They are
read from disk on every request, never copied into memory, and outlive the emulator.

Which files are objects (the contract every reader here keeps):

- The bucket is a directory directly under ``root`` whose name is a valid S3 bucket name.
- The key is split on ``/``; every component must be a usable file name: not empty, not
  starting with ``.`` (so ``.`` and ``..`` too: the store's temporary files, renamed into place
  when complete, start with ``.``), no NUL, at most 255 UTF-8 bytes, no character XML cannot
  carry. The whole key is at most 1024 UTF-8 bytes, as on S3.
- The file is a regular file and no component below ``root`` is a symbolic link, so a key never
  leaves its bucket's directory. Anything else is "not a file-backed key" (moto's business).
- A key that names a directory (``year=2024/``) is not an object: S3 has no folders.

On a case-insensitive file system two keys differing in case share one file; keys are then
listed as the file system spells them.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from local_backend.emulator.s3_listing import S3Entry

__all__ = ["DiskObjects", "valid_bucket_name"]

MAX_KEY_BYTES = 1024
MAX_NAME_BYTES = 255
CHUNK = 1 << 20
ETAG_CACHE_SIZE = 4096
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def valid_bucket_name(name: str) -> bool:
    """Whether ``name`` is an S3 bucket name: 3-63 of ``a-z 0-9 . -``, no ``..``, not an IP address,
    none of S3's reserved prefixes and suffixes."""
    return (bool(_BUCKET.fullmatch(name)) and ".." not in name and not _IP.fullmatch(name)
            and not name.startswith(("xn--", "sthree-")) and not name.endswith(("-s3alias", "--ol-s3")))


def _valid_component(name: str) -> bool:
    if not name or name.startswith(".") or "/" in name or _NOT_XML.search(name):
        return False
    return len(name.encode("utf-8")) <= MAX_NAME_BYTES


def _components(key: str) -> list[str] | None:
    """The path components of a file-backed ``key``, or None if it cannot be one."""
    if not key or _NOT_XML.search(key) or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        return None
    parts = key.split("/")
    return parts if all(_valid_component(part) for part in parts) else None


class DiskObjects:
    """The objects under ``root`` (one directory per bucket); thread-safe, stateless but for an ETag cache."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._etags: dict[tuple[int, int, int, int], str] = {}
        self._lock = threading.Lock()

    def buckets(self) -> list[str]:
        """The names of the bucket directories under ``root`` (none if it does not exist)."""
        try:
            with os.scandir(self.root) as entries:
                return sorted(e.name for e in entries
                              if valid_bucket_name(e.name) and e.is_dir(follow_symlinks=False))
        except OSError:
            return []

    def has_bucket(self, bucket: str) -> bool:
        """Whether ``bucket`` is a bucket directory (a real directory, not a symbolic link)."""
        return valid_bucket_name(bucket) and _is_dir(self.root / bucket)

    def file(self, bucket: str, key: str) -> Path | None:
        """The file of ``key``, or None if ``key`` is not a file-backed object (see the module docstring)."""
        parts = _components(key)
        folder = None if parts is None else self._folder(bucket, parts[:-1])
        if parts is None or folder is None:
            return None
        path = folder / parts[-1]
        try:
            return path if stat.S_ISREG(os.lstat(path).st_mode) else None
        except (OSError, ValueError):
            return None

    def _folder(self, bucket: str, parts: list[str]) -> Path | None:
        """The directory ``<root>/<bucket>/<parts...>`` if it and each one above it up to the bucket's
        is a real directory (no symbolic link), else None."""
        if not self.has_bucket(bucket):
            return None
        path = self.root / bucket
        for part in parts:
            path = path / part
            if not _is_dir(path):
                return None
        return path

    def open(self, bucket: str, key: str) -> tuple[BinaryIO, os.stat_result] | None:
        """The open file of ``key`` and its status, or None if it is not a file-backed object.

        OSError (such as PermissionError) if the file exists but cannot be read.
        """
        path = self.file(bucket, key)
        if path is None:
            return None
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):  # deleted or replaced since
                return None
            raise
        handle = os.fdopen(fd, "rb")
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            handle.close()
            return None
        return handle, status

    def entries(self, bucket: str, prefix: str) -> list[S3Entry]:
        """The file-backed objects of ``bucket`` whose key starts with ``prefix``, in key order.

        It walks only the directory the prefix's folder part names. Each file's MD5 (its ETag) is
        read once and then cached by inode, size and mtime.
        """
        folder = prefix.rpartition("/")[0]
        parts = _components(folder) if folder else []
        start = None if parts is None else self._folder(bucket, parts)
        if start is None:
            return []
        found = sorted(((key, status) for key, status in _walk(start, folder + "/" if folder else "")
                       if key.startswith(prefix)), key=lambda item: item[0])
        bucket_dir = self.root / bucket
        return [self._entry(key, bucket_dir.joinpath(*key.split("/")), status) for key, status in found]

    def _entry(self, key: str, path: Path, status: os.stat_result) -> S3Entry:
        try:
            with open(path, "rb") as handle:
                etag = self.etag(handle, status)
        except OSError:
            etag = '"d41d8cd98f00b204e9800998ecf8427e"'  # vanished since the walk: shown, gone on GET
        return S3Entry(key, status.st_size, etag, mtime(status))

    def etag(self, handle: BinaryIO, status: os.stat_result) -> str:
        """The quoted MD5 hex of the open file ``handle`` (cached by inode, size and mtime)."""
        cache_key = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
        with self._lock:
            cached = self._etags.get(cache_key)
        if cached is not None:
            return cached
        digest = hashlib.md5(usedforsecurity=False)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        etag = f'"{digest.hexdigest()}"'
        with self._lock:
            if len(self._etags) >= ETAG_CACHE_SIZE:
                self._etags.clear()
            self._etags[cache_key] = etag
        return etag

    def delete(self, bucket: str, key: str) -> bool:
        """Remove the file of ``key`` and its parent directories left empty (up to the bucket's);
        False if ``key`` was not a file-backed object."""
        path = self.file(bucket, key)
        if path is None:
            return False
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        bucket_dir = self.root / bucket
        for parent in path.parents:
            if parent == bucket_dir:
                break
            try:
                parent.rmdir()
            except OSError:  # not empty (another object, or a file being written)
                break
        return True

    def remove_empty_bucket(self, bucket: str) -> None:
        """Remove the directory of ``bucket`` if it is empty (before DeleteBucket), so that the bucket
        is not made again on next sight; one still holding directories or hidden files stays."""
        if self.has_bucket(bucket):
            with contextlib.suppress(OSError):  # not empty: it stays
                (self.root / bucket).rmdir()

    def has_objects(self, bucket: str, prefix: str = "") -> bool:
        """Whether ``bucket`` holds at least one file-backed object (whose key starts with ``prefix``).

        It walks only the directory the prefix's folder part names, and stops at the first object.
        """
        folder = prefix.rpartition("/")[0]
        parts = _components(folder) if folder else []
        start = None if parts is None else self._folder(bucket, parts)
        if start is None:
            return False
        keys = (key for key, _ in _walk(start, folder + "/" if folder else "") if key.startswith(prefix))
        return next(keys, None) is not None


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def _walk(directory: Path, key_prefix: str) -> Iterator[tuple[str, os.stat_result]]:
    """(key, status) of every object below ``directory``, whose keys start with ``key_prefix``;
    hidden names, symbolic links and unusable names are skipped, unreadable directories too."""
    if len(key_prefix.encode("utf-8", "surrogatepass")) >= MAX_KEY_BYTES:
        return
    try:
        with os.scandir(directory) as scan:
            found = list(scan)
    except OSError:
        return
    for entry in found:
        if not _valid_component(entry.name):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), f"{key_prefix}{entry.name}/")
            elif entry.is_file(follow_symlinks=False):
                key = key_prefix + entry.name
                if _components(key) is not None:
                    yield key, entry.stat(follow_symlinks=False)
        except OSError:
            continue


def mtime(status: os.stat_result) -> datetime:
    """The file's modification time, aware UTC, in whole seconds (S3 keeps no finer Last-Modified)."""
    return datetime.fromtimestamp(int(status.st_mtime), tz=timezone.utc)
