"""Parquet files in the layout SageMaker gives an offline store in S3 (SAGEMAKER_SPEC §3.3).

A group's rows live under its ``ResolvedOutputS3Uri``, partitioned by **event time** per hour::

    <ResolvedOutputS3Uri>/year=YYYY/month=MM/day=DD/hour=HH/<latest event time>_<16 alphanumerics>.parquet

for example ``.../year=2024/month=03/day=07/hour=09/20240307T095959Z_k3J9QwZp2LmN8xTa.parquet``.
Locally, ``s3://bucket/key`` is the file ``<s3 root>/bucket/key``.

Files appear whole or not at all. A batch is first *staged* (written in full under a staging
folder named by the batch), then *published*: each file renamed into place, which is atomic.
The 16 characters are not random but derived from (group, batch, hour), so a batch published
again after a crash overwrites its own files instead of adding copies.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import string
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["OfflineFolder", "code", "hour_partition", "parquet_files", "publish", "stage", "s3_path"]

_ALPHANUMERIC = string.ascii_letters + string.digits
WRITERS = 2
"""Threads writing one batch's files (this machine has two cores)."""
_HOUR = 3600


class OfflineFolder(NamedTuple):
    """Where one group's files go: the folder under the s3 root, what names its batches, and
    whether they make an Iceberg table (:mod:`local_backend.iceberg_tables`) or plain files."""

    path: str
    """``bucket/key`` of the group's ``ResolvedOutputS3Uri``, relative to the s3 root."""
    group: str
    iceberg: bool = False


def s3_path(uri: str) -> str:
    """``s3://bucket/some/key`` -> ``bucket/some/key`` (the path below the s3 root).

    ValueError for a URI whose parts would leave the s3 root (``..``, empty segments).
    """
    path = uri.removeprefix("s3://").strip("/")
    parts = path.split("/")
    if not path or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"{uri!r} does not name an S3 folder")
    return path


def hour_partition(hour: int) -> str:
    """``year=YYYY/month=MM/day=DD/hour=HH`` of the hour ``hour`` (hours since the epoch, UTC)."""
    stamp = str(np.datetime64(hour * _HOUR, "s"))  # 'YYYY-MM-DDTHH:MM:SS'
    return f"year={stamp[:4]}/month={stamp[5:7]}/day={stamp[8:10]}/hour={stamp[11:13]}"


def _compact_time(seconds: float) -> str:
    """``20240307T095959Z`` for an event time in epoch seconds."""
    stamp = str(np.datetime64(int(np.floor(seconds)), "s"))
    return f"{stamp[:4]}{stamp[5:7]}{stamp[8:10]}T{stamp[11:13]}{stamp[14:16]}{stamp[17:19]}Z"


def code(*parts: object) -> str:
    """16 alphanumerics derived from ``parts``: the same parts always give the same code."""
    digest = int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest(), "big")
    characters = []
    for _ in range(16):
        digest, index = divmod(digest, len(_ALPHANUMERIC))
        characters.append(_ALPHANUMERIC[index])
    return "".join(characters)


def stage(rows: pa.Table, event_seconds: np.ndarray, folder: OfflineFolder, batch: int, staging: Path) -> int:
    """Write ``rows`` (one per event time) as one file per event-time hour under ``staging``,
    at the paths they will have below the s3 root; returns how many files. ``batch`` names
    the batch, so writing it again gives the same file names. Files are written by
    :data:`WRITERS` threads (pyarrow writes without the GIL), each making its file's folder
    first: the folders, one per hour, cost as much as the files."""
    seconds = np.asarray(event_seconds, dtype="float64")
    hours = np.floor(seconds / _HOUR).astype("int64")
    order = np.argsort(hours, kind="stable")
    sorted_rows, sorted_hours, sorted_seconds = rows.take(order), hours[order], seconds[order]
    starts = np.flatnonzero(np.r_[True, sorted_hours[1:] != sorted_hours[:-1]])
    bounds = [*starts.tolist(), len(order)]
    latest = np.maximum.reduceat(sorted_seconds, starts) if len(starts) else sorted_seconds
    base = staging / folder.path
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="parquet") as writers:
        written = []
        for (start, stop), newest in zip(itertools.pairwise(bounds), latest.tolist()):
            hour = int(sorted_hours[start])
            name = f"{_compact_time(newest)}_{code(folder.group, batch, hour)}.parquet"
            written.append(writers.submit(_write_file, sorted_rows.slice(start, stop - start),
                                          base / hour_partition(hour) / name))
        for file in written:
            file.result()  # an OSError (a full disk) reaches the caller
    return len(starts)


def _write_file(rows: pa.Table, path: Path) -> None:
    os.makedirs(path.parent, exist_ok=True)
    encoded = pa.BufferOutputStream()  # in memory, then one write: pyarrow's file handling holds the GIL longer
    pq.write_table(rows, encoded)
    path.write_bytes(encoded.getvalue())


def publish(staging: Path, s3_root: Path) -> None:
    """Move every staged file into place below ``s3_root``, then remove ``staging``. A staged
    folder whose target does not exist yet (a new hour, a new group) moves in one rename, its
    files with it; into a folder that exists, each file moves on its own. Each rename is
    atomic, so a file appears whole or not at all. Publishing a batch again (after a crash
    midway) moves the rest."""
    _publish_folder(staging, s3_root, set())
    shutil.rmtree(staging, ignore_errors=True)


def _publish_folder(source: Path, target: Path, made: set[Path]) -> None:
    for entry in sorted(os.scandir(source), key=lambda entry: entry.name):
        if not entry.is_dir(follow_symlinks=False):
            _move(Path(entry.path), target / entry.name, made)
        elif not _move_folder(Path(entry.path), target / entry.name, made):
            _publish_folder(Path(entry.path), target / entry.name, made)


def _move_folder(source: Path, target: Path, made: set[Path]) -> bool:
    """Rename the folder ``source`` to ``target`` if ``target`` does not exist; False if it does."""
    if target.exists():
        return False
    try:
        _move(source, target, made)
    except OSError as error:  # target appeared meanwhile (an S3 put into it): merge file by file
        if isinstance(error, FileNotFoundError) or not target.is_dir():
            raise
        return False
    return True


def _move(source: Path, target: Path, made: set[Path], attempts: int = 3) -> None:
    """Rename ``source`` (a file or a folder) to ``target``, making its folder (once: ``made``
    remembers); again if an S3 delete of the folder's last object removed the (then empty)
    folder in between."""
    for attempt in range(attempts):
        if target.parent not in made or attempt:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            os.replace(source, target)
            return
        except FileNotFoundError:
            if attempt == attempts - 1 or not source.exists():
                raise


def parquet_files(folder: Path) -> list[Path]:
    """The Parquet files below ``folder`` as S3 lists them: in key order, no hidden files.
    (One walk of the folders: pathlib's ``rglob`` took twice as long over the demo's 859 files.)"""
    found = []
    for directory, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [os.path.join(directory, name) for name in names
                  if name.endswith(".parquet") and not name.startswith(".")]
    return [Path(path) for path in sorted(found, key=lambda path: path.split(os.sep))]
