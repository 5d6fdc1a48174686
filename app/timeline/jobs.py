"""Long jobs (export, motion import, network denoising) that run in the editor's one worker thread.

A ``Job`` wraps a function ``fn(ctx) -> result``. The window posts it with ``RenderClient.run_job``; the
worker calls ``job.run(worker)`` in its thread, where ``ctx`` (a ``JobContext``) gives the function the
worker's renderers, the open photo's source state and detectors, a ``progress(done, total)`` callback
and a ``cancelled()`` flag. The job reports through its own Qt signals, emitted from the worker thread
and delivered queued to the GUI thread: ``progressed``, then exactly one of ``finished`` (the result),
``failed`` (one readable line) or ``cancelled``. A failing job never takes the worker down.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.worker import user_message
from core.errors import Cancelled, StudioError

PROGRESS_INTERVAL_S = 0.05  # progress is reported at most this often (plus the last step)
RETRY_MS = 150  # how soon a waiting job tries again while the worker runs another one


@dataclass(frozen=True)
class JobProgress:
    """How far a job is: ``done`` of ``total`` steps (total ≤ 0: unknown) after ``elapsed_s`` seconds."""

    done: int
    total: int
    elapsed_s: float
    text: str = ""

    @property
    def fraction(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total > 0 else None

    @property
    def eta_s(self) -> float | None:
        """Seconds left, estimated from the pace so far (None until a step is done or the total is unknown)."""
        if self.done <= 0 or self.total <= 0 or self.elapsed_s <= 0:
            return None
        return max(0.0, (self.total - self.done) * self.elapsed_s / self.done)

    def describe(self, unit: str = "frame") -> str:
        """'frame 12 of 48 · 3.1 per s · about 12 s left' (or what is known of it)."""
        parts = [f"{unit} {self.done} of {self.total}" if self.total > 0 else f"{unit} {self.done}"]
        if self.done and self.elapsed_s > 0:
            parts.append(f"{self.done / self.elapsed_s:.1f} per s")
        eta = self.eta_s
        if eta is not None:
            parts.append(f"about {format_seconds(eta)} left")
        return (self.text + " · " if self.text else "") + " · ".join(parts)


def format_seconds(s: float) -> str:
    """'0.4 s', '12 s', '2 min 05 s'."""
    if s < 9.95:
        return f"{s:.1f} s"
    s = int(round(s))
    return f"{s} s" if s < 60 else f"{s // 60} min {s % 60:02d} s"


class JobContext:
    """What a job's function may use; it runs in the worker thread, so it must not touch widgets."""

    def __init__(self, job: Job, worker: Any) -> None:
        self._job, self._worker = job, worker
        self._start = time.perf_counter()
        self._last = 0.0

    def cancelled(self) -> bool:
        return self._job.is_cancelled

    def check(self) -> None:
        """Raise Cancelled when the user cancelled."""
        if self._job.is_cancelled:
            raise Cancelled(f"{self._job.title} cancelled")

    def progress(self, done: int, total: int = -1, text: str = "") -> None:
        now = time.perf_counter()
        if now - self._last >= PROGRESS_INTERVAL_S or (total > 0 and done >= total):
            self._last = now
            self._job.progressed.emit(JobProgress(int(done), int(total), now - self._start, text))

    def renderer(self, network: bool = True) -> Any:
        """The checkpoint renderer when one is loaded and ``network``, else the skeleton-warp renderer."""
        return self._worker.job_renderer(network)

    def source(self, renderer: Any) -> tuple[Any, Any]:
        """(photo, source state) of the open photo for ``renderer``; StudioError when no photo is open."""
        return self._worker.job_source(renderer)

    def detector(self, backend: str) -> Any:
        return self._worker.job_detector(backend)

    def busy(self, text: str) -> None:
        self._worker.busy.emit(text)


class Job(QObject):
    """One long task; create it in the GUI thread, post it with ``RenderClient.run_job``, cancel it any time."""

    progressed = Signal(object)  # JobProgress
    finished = Signal(object)  # the function's result
    failed = Signal(str)  # one line for the banner
    cancelled = Signal()
    ended = Signal()  # after any of the three above

    def __init__(self, title: str, fn: Callable[[JobContext], Any], parent: QObject | None = None,
                 short: bool = False) -> None:
        super().__init__(parent)
        self.title = title
        self.fn = fn
        self.short = short  # a few milliseconds (a face preview or render): long jobs may wait for it
        self._cancel = threading.Event()
        self.done = False  # set in the worker thread after the job has ended and emitted its signals
        self.outcome: tuple[str, Any] | None = None  # ("finished", result) | ("failed", message) | ("cancelled", None)

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the job to stop at its next check (a job not started yet ends at once when it comes up)."""
        self._cancel.set()

    def run(self, worker: Any) -> None:
        """Called by the worker in its thread; never raises."""
        ctx = JobContext(self, worker)
        try:
            ctx.check()
            worker.busy.emit(f"{self.title}…")
            result = self.fn(ctx)
        except Cancelled:
            self._end("cancelled", None)
            self.cancelled.emit()
        except Exception as exc:  # a job must never take the worker down
            if not isinstance(exc, StudioError):
                traceback.print_exc()
            self._end("failed", user_message(exc))
            self.failed.emit(self.outcome[1])
        else:
            self._end("finished", result)
            self.finished.emit(result)
        self.ended.emit()
        self.done = True  # last: once it is True, every signal of this job has been posted to the GUI thread

    def _end(self, kind: str, value: Any) -> None:
        self.outcome = (kind, value)


class PatientPoster(QObject):
    """Posts long jobs (exports, imports) through ``run_job`` as soon as the worker is free of short ones.

    Face mode's previews and renders are short jobs (``Job.short``) that keep the worker busy for milliseconds at
    a time; a long job started meanwhile waits for them instead of being refused. ``post(job)`` returns at once;
    the job is handed over within ``limit_s`` seconds, or fails with a message saying why at once when the
    worker is busy with another long job (``running()`` names the job the worker has). A job cancelled while
    it waits ends as cancelled without running.
    """

    def __init__(self, run_job: Callable[[Job], bool], parent: QObject | None = None, limit_s: float = 30.0,
                 running: Callable[[], Job | None] | None = None) -> None:
        super().__init__(parent)
        self._run_job, self.limit_s, self._running = run_job, limit_s, running
        self._waiting: list[tuple[Job, float]] = []
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._pump)

    def post(self, job: Job) -> bool:
        """Hand ``job`` over now or queue it behind short jobs (True; its own signals report how it ends); False,
        with nothing posted, when another long job has the worker."""
        if not self._waiting:
            if self._run_job(job):
                return True
            if self._busy_with_long_job():
                return False
        self._waiting.append((job, time.monotonic() + self.limit_s))
        self._pump()
        return True

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    @Slot()
    def _pump(self) -> None:
        while self._waiting:
            job, deadline = self._waiting[0]
            if job.is_cancelled:
                self._waiting.pop(0)
                job.cancelled.emit()
                job.ended.emit()
            elif self._run_job(job):
                self._waiting.pop(0)
            elif time.monotonic() >= deadline or self._busy_with_long_job():
                self._waiting.pop(0)
                job.failed.emit("another long job is running in the editor; wait for it or cancel it first")
                job.ended.emit()
            else:
                self._retry.start(RETRY_MS)
                return

    def _busy_with_long_job(self) -> bool:
        other = self._running() if self._running is not None else None
        return other is not None and not getattr(other, "short", False)
