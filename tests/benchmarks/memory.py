"""Peak resident memory of a block of code, native allocations (DuckDB, Arrow) included.

tracemalloc sees only Python's allocator, and ``ru_maxrss`` is the whole process's peak so far;
a benchmark wants the peak *during* its own call. On Linux the kernel keeps that peak (VmHWM)
and lets a process reset it (``5`` into ``/proc/self/clear_refs``), so the measure is exact and
costs no sampling thread. Elsewhere, with psutil installed, a thread samples the RSS every
millisecond; without either, the measure is None ("not measured"). Freed C heap is handed back
first (glibc's ``malloc_trim``), so memory freed by an earlier benchmark does not hide what this
one allocates.

Standard library only: Feast's worker (``feast_worker.py``) imports it in its own virtualenv.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from pathlib import Path
from types import TracebackType

__all__ = ["PeakMemory", "rss_bytes", "format_bytes"]

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _libc_trim() -> None:
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes() -> int | None:
    """This process's resident memory now, in bytes (None where it cannot be read)."""
    kib = _status_kib("VmRSS")
    if kib is not None:
        return kib * 1024
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        return None
    return int(psutil.Process().memory_info().rss)


def _reset_peak() -> bool:
    """Reset the kernel's peak RSS of this process to its current RSS (Linux 4.0+)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


class PeakMemory:
    """``with PeakMemory() as memory: ...`` then ``memory.peak`` (bytes resident at the peak)
    and ``memory.increase`` (the peak less the RSS when the block started); None if not measured.

    ``start()`` and ``stop()`` do the same without a block (pytest-benchmark's setup and
    teardown); a meter used for several rounds keeps the largest of each.
    """

    def __init__(self) -> None:
        self.peak: int | None = None
        self.increase: int | None = None
        self._baseline: int | None = None
        self._kernel = False
        self._sampler: threading.Thread | None = None
        self._sampled = 0
        self._stopping = threading.Event()

    def start(self) -> None:
        _libc_trim()
        self._baseline = rss_bytes()
        self._kernel = _reset_peak()
        if not self._kernel and self._baseline is not None:
            self._sampled = self._baseline
            self._stopping.clear()
            self._sampler = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
            self._sampler.start()

    def _sample(self) -> None:
        while not self._stopping.wait(0.001):
            self._sampled = max(self._sampled, rss_bytes() or 0)

    def stop(self) -> None:
        if self._kernel:
            kib = _status_kib("VmHWM")
            peak = None if kib is None else kib * 1024
        elif self._sampler is not None:
            self._stopping.set()
            self._sampler.join()
            self._sampler = None
            peak = max(self._sampled, rss_bytes() or 0)
        else:
            peak = None
        if peak is None or self._baseline is None:
            return
        self.peak = max(self.peak or 0, peak)
        self.increase = max(self.increase or 0, peak - self._baseline)

    def __enter__(self) -> PeakMemory:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def format_bytes(value: int | None) -> str:
    if value is None:
        return "not measured"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(value) >= scale:
            return f"{value / scale:,.2f} {unit}"
    return f"{value} bytes"

