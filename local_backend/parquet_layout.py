"""Parquet files in the layout SageMaker gives an offline store in S3 (SAGEMAKER_SPEC §3.3).

A group's rows live under its ``ResolvedOutputS3Uri``, partitioned by **event time** per hour::

    <ResolvedOutputS3Uri>/year=YYYY/month=MM/day=DD/hour=HH/<latest event time>_<16 alphanumerics>.parquet

for example ``.../year=2024/month=03/day=07/hour=09/20240307T095959Z_k3J9QwZp2LmN8xTa.parquet``.
Locally, ``s3://bucket/key`` is the file ``<s3 root>/bucket/key``.

Files appear whole or not at all. A batch is first *staged* (written in full under a staging
folder named by the batch), then *published*: each file renamed into place, which is atomic.
The 16 characters are not random but derived from (group, first row of the batch, hour), so a
batch written again after a crash or a failed commit replaces its own files instead of adding
copies: :func:`publish` removes any file of the same hour folder that ends with the same code.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import string
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["OfflineFolder", "code", "hour_partition", "parquet_files", "publish", "stage", "s3_path"]

_ALPHANUMERIC = string.ascii_letters + string.digits
_HOUR = 3600


class OfflineFolder(NamedTuple):
    """Where one group's files go: the folder under the s3 root, and what names its batches."""

    path: str
    """``bucket/key`` of the group's ``ResolvedOutputS3Uri``, relative to the s3 root."""
    group: str


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
    at the paths they will have below the s3 root; returns how many files. ``batch`` (the first
    row's sequence number) names the batch, so writing it again gives the same file names."""
    hours = np.floor(np.asarray(event_seconds, dtype="float64") / _HOUR).astype("int64")
    order = np.argsort(hours, kind="stable")
    sorted_hours = hours[order]
    starts = np.flatnonzero(np.r_[True, sorted_hours[1:] != sorted_hours[:-1]])
    bounds = [*starts.tolist(), len(order)]
    for start, stop in itertools.pairwise(bounds):
        taken = order[start:stop]
        hour = int(sorted_hours[start])
        latest = float(np.max(np.asarray(event_seconds)[taken]))
        name = f"{_compact_time(latest)}_{code(folder.group, batch, hour)}.parquet"
        target = staging / folder.path / hour_partition(hour) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(rows.take(taken), target)
    return len(starts)


def publish(staging: Path, s3_root: Path) -> None:
    """Move every staged file into place below ``s3_root`` (each rename atomic), replacing the
    file of an earlier attempt at the same batch and hour; then remove ``staging``."""
    for directory, _, names in os.walk(staging):
        for name in names:
            source = Path(directory) / name
            target = s3_root / source.relative_to(staging)
            same_batch = name.rsplit("_", 1)[-1]
            for earlier in target.parent.glob(f"*_{same_batch}"):
                earlier.unlink()
            _move(source, target)
    shutil.rmtree(staging, ignore_errors=True)


def _move(source: Path, target: Path, attempts: int = 3) -> None:
    """Rename ``source`` to ``target``, making its folder; again if an S3 delete of the folder's
    last object removed the (then empty) folder in between."""
    for attempt in range(attempts):
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
            return
        except FileNotFoundError:
            if attempt == attempts - 1 or not source.exists():
                raise


def parquet_files(folder: Path) -> list[Path]:
    """The Parquet files below ``folder`` as S3 lists them: in key order, no hidden files."""
    return sorted(path for path in folder.rglob("*.parquet")
                  if not any(part.startswith(".") for part in path.relative_to(folder).parts))
