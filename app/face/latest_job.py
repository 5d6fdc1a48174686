"""Newest-wins worker jobs: one at a time, a newer request replaces a waiting one, stale results are dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.timeline.jobs import RETRY_MS, Job, JobContext


class LatestJob(QObject):
    """Posts ``Job``s through ``run_job`` (RenderClient.run_job); only the newest request's outcome is reported.

    ``request(fn)`` returns the request's generation. While a job runs, a newer request waits (replacing any
    older waiting one) and is posted when the running one ends; a result whose generation is no longer the
    newest is dropped. ``finished(generation, result)`` / ``failed(generation, message)`` report the rest.

    With ``progressive`` (drag previews) a result is reported whenever it is newer than the last one reported,
    even if a newer request is already waiting, so a stream of requests shows a stream of results.
    """

    finished = Signal(int, object)
    failed = Signal(int, str)
    busyChanged = Signal(bool)

    def __init__(self, run_job: Callable[[Job], bool], title: str, parent: QObject | None = None,
                 progressive: bool = False) -> None:
        super().__init__(parent)
        self._run_job, self.title, self.progressive = run_job, title, progressive
        self.generation = 0
        self.reported = 0  # the generation of the newest result reported
        self._pending: tuple[int, Callable[[JobContext], Any]] | None = None
        self._running: Job | None = None
        self._running_generation = -1
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._pump)

    @property
    def idle(self) -> bool:
        """Nothing waiting and nothing running."""
        return self._pending is None and self._running is None

    def request(self, fn: Callable[[JobContext], Any]) -> int:
        """Run ``fn(ctx)`` in the worker as soon as it is free; returns this request's generation."""
        self.generation += 1
        self._pending = (self.generation, fn)
        if self._running is not None and not self._running.done and not self.progressive:
            self._running.cancel()  # a job that checks ctx.cancelled() may stop early; its result is stale anyway
        self._pump()
        return self.generation

    def drop(self) -> None:
        """Forget what waits and what runs: no outcome of a request made so far is reported (e.g. a detection made
        moot by a project opened meanwhile)."""
        self.generation += 1
        self.reported = self.generation
        self._pending = None
        if self._running is not None:
            self._running.cancel()

    def close(self) -> None:
        """Drop what waits and cancel what runs (the window is closing); later requests work again."""
        self._pending = None
        self._retry.stop()
        if self._running is not None:
            self._running.cancel()

    @Slot()
    def _pump(self) -> None:
        if self._pending is None or self._running is not None:
            return
        generation, fn = self._pending
        job = Job(self.title, fn, short=True)  # no parent: dropped with its last reference once it has ended
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        job.ended.connect(self._on_ended)
        if not self._run_job(job):  # the worker is busy with another window's job (or shut down)
            self._retry.start(RETRY_MS)
            return
        self._pending = None
        self._running, self._running_generation = job, generation
        self.busyChanged.emit(True)

    def _current(self) -> bool:
        """Whether the running job's outcome is to be reported."""
        if self.progressive:
            return self._running_generation > self.reported
        return self._running_generation == self.generation

    @Slot(object)
    def _on_finished(self, result: Any) -> None:
        if self._current():
            self.reported = self._running_generation
            self.finished.emit(self._running_generation, result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._current():
            self.reported = self._running_generation
            self.failed.emit(self._running_generation, message)

    @Slot()
    def _on_ended(self) -> None:
        self._running = None
        self._pump()
        if self._running is None:
            self.busyChanged.emit(False)
