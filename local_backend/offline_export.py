"""Writing committed offline rows out as files, after the commit, as AWS does (SAGEMAKER_SPEC §3.3).

A write is acknowledged once its row is committed to the offline store's index (Athena sees it
then); its Parquet file (or its Iceberg append) follows on one worker thread, so the write path
never waits for file I/O, as AWS's offline store lags its writes. Whoever looks at the files
first calls :meth:`Exporter.wait`.

The ``exported`` watermark (an api_invocation_time, epoch µs, in the DuckDB file) says which
committed rows are in files: every Glue-format row received up to it. A batch is staged under
``staging/e<its latest receipt>``, the watermark moves to that receipt in one transaction, then
the files are renamed into place. After a crash, the staged batch whose name is the watermark
is published again and the others discarded; every committed row past the watermark is then
written out again (:meth:`Exporter.catch_up`), under names of its own. After a failure (a full
disk), the next batch catches up the same way. Iceberg tables keep their own watermark in
their snapshots (:mod:`local_backend.iceberg_tables`).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from featurestore_demo.errors import ServiceUnavailable
from featurestore_demo.schemas import FeatureGroupSpec
from local_backend.parquet_layout import OfflineFolder, publish, stage

__all__ = ["Exporter", "OfflineRows", "latest_receipt_us"]

log = logging.getLogger(__name__)


class OfflineRows(NamedTuple):
    """Rows for one group's offline store: its features then ``write_time``,
    ``api_invocation_time``, ``is_deleted``; and each row's event time in epoch seconds."""

    spec: FeatureGroupSpec
    frame: pd.DataFrame
    event_seconds: np.ndarray


def latest_receipt_us(rows: pd.DataFrame) -> int:
    """The latest api_invocation_time of ``rows``, in epoch µs."""
    return int(rows["api_invocation_time"].to_numpy().astype("datetime64[us]").astype("int64").max())


class Exporter:
    """The files of committed rows, written on one worker thread in commit order.

    ``folder_of(group)`` says where a group's files go (None: the group is gone);
    ``append_iceberg(rows)`` appends an Iceberg group's rows; ``committed_since(us)`` returns the
    committed Glue-format rows received after ``us``; ``set_exported(us)`` moves the watermark;
    ``to_arrow(rows)`` gives rows their file's columns and types. The last three run on the
    worker thread.
    """

    def __init__(
        self,
        s3_root: Path,
        staging: Path,
        exported_us: int,
        *,
        folder_of: Callable[[str], OfflineFolder | None],
        append_iceberg: Callable[[OfflineRows], None],
        committed_since: Callable[[int], list[OfflineRows]],
        set_exported: Callable[[int], None],
        to_arrow: Callable[[OfflineRows], pa.Table],
    ) -> None:
        self.s3_root, self.staging, self.exported_us = s3_root, staging, exported_us
        self._folder_of, self._append_iceberg = folder_of, append_iceberg
        self._committed_since, self._set_exported, self._to_arrow = committed_since, set_exported, to_arrow
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="offline-export")
        self._jobs: list[tuple[Future[None], frozenset[str]]] = []  # each with the groups it writes
        self._lock = threading.Lock()
        self._failed: BaseException | None = None

    # -- the caller's side

    def submit(self, rows: list[OfflineRows]) -> None:
        """Write these committed rows out, after every batch submitted before."""
        rows = [part for part in rows if len(part.frame)]
        if rows:
            groups = frozenset(part.spec.name for part in rows)
            with self._lock:
                self._jobs = [(job, names) for job, names in self._jobs if not job.done()]
                self._jobs.append((self._worker.submit(self._export, rows), groups))

    def wait(self, groups: Collection[str] | None = None) -> None:
        """Return once every submitted row (of ``groups`` only, if given) is in files; if writing
        failed, catch up now. Batches are written in order, so waiting for a group's rows is
        waiting for the batches up to its last one; the later ones go on meanwhile.

        ServiceUnavailable if the files still cannot be written (the rows stay committed, and
        a later wait or the next opening of the store writes them).
        """
        with self._lock:
            wanted = [index for index, (_, names) in enumerate(self._jobs)
                      if groups is None or not names.isdisjoint(groups)]
            cut = wanted[-1] + 1 if wanted else 0
            jobs, self._jobs = self._jobs[:cut], self._jobs[cut:]
        for job, _ in jobs:
            job.result()
        if self._failed is not None:
            self._worker.submit(self.catch_up).result()
        if self._failed is not None:
            raise ServiceUnavailable(f"The offline store's files could not be written ({self._failed}); "
                                     "the rows are stored and will be written out later.") from self._failed

    def close(self) -> None:
        self._worker.shutdown(wait=True)

    # -- the worker's side

    def _export(self, rows: list[OfflineRows]) -> None:
        if self._failed is not None:
            self.catch_up()
            return
        try:
            self._write(rows)
        except Exception as error:  # a full disk, say: the next batch, wait() or the next opening catches up
            log.warning("Writing the offline store's files failed; they will be written later. %s", error)
            self._failed = error

    def _write(self, rows: list[OfflineRows]) -> None:
        glue: list[tuple[OfflineRows, OfflineFolder]] = []
        iceberg: list[tuple[OfflineRows, OfflineFolder]] = []
        for part in rows:
            folder = self._folder_of(part.spec.name)
            if folder is not None:
                (iceberg if folder.iceberg else glue).append((part, folder))
        fresh = [(part, folder) for part, folder in glue if latest_receipt_us(part.frame) > self.exported_us]
        if fresh:
            self._write_glue(fresh)
        for part, _ in iceberg:
            self._append_iceberg(part)

    def _write_glue(self, parts: list[tuple[OfflineRows, OfflineFolder]]) -> None:
        """Stage, move the watermark, publish: the batch's rows past the watermark."""
        parts = [(_after(part, self.exported_us), folder) for part, folder in parts]
        parts = [(part, folder) for part, folder in parts if len(part.frame)]
        if not parts:
            return
        batch = max(latest_receipt_us(part.frame) for part, _ in parts)
        staging = self.staging / f"e{batch}"
        shutil.rmtree(staging, ignore_errors=True)  # an attempt that never committed
        for part, folder in parts:
            stage(self._to_arrow(part), part.event_seconds, folder, batch, staging)
        self._set_exported(batch)
        self.exported_us = batch
        publish(staging, self.s3_root)

    def catch_up(self) -> None:
        """Write out every committed Glue-format row past the watermark (after a crash or a failure)."""
        try:
            parts = self._committed_since(self.exported_us)
            folders = [(part, self._folder_of(part.spec.name)) for part in parts]
            self._write_glue([(part, folder) for part, folder in folders if folder is not None])
        except Exception as error:  # the rows stay committed: a later wait or opening retries
            log.warning("Catching up the offline store's files failed; retrying later. %s", error)
            self._failed = error
        else:
            self._failed = None

    def recover(self) -> None:
        """At opening, before any write: publish the batch the watermark names, discard the other
        staged ones, then catch up."""
        if self.staging.exists():
            for batch in sorted(self.staging.iterdir()):
                if batch.name == f"e{self.exported_us}":
                    publish(batch, self.s3_root)
                else:
                    shutil.rmtree(batch, ignore_errors=True)
        self.catch_up()


def _after(part: OfflineRows, exported_us: int) -> OfflineRows:
    """The rows of ``part`` received after ``exported_us``."""
    receipts = part.frame["api_invocation_time"].to_numpy().astype("datetime64[us]").astype("int64")
    keep = receipts > exported_us
    if keep.all():
        return part
    return OfflineRows(part.spec, part.frame[keep].reset_index(drop=True), part.event_seconds[keep])
