"""Newest-wins worker jobs: one at a time, a newer request replaces a waiting one, stale results are dropped."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.timeline.jobs import Job, JobContext

RETRY_MS = 150  # how soon to try again while the worker runs someone else's job


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
        job = Job(self.title, fn)  # no parent: dropped with its last reference once it has ended
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


class PatientPoster(QObject):
    """Posts long jobs (exports) through ``run_job`` as soon as the worker is free of the window's short ones.

    ``post(job)`` returns at once; the job is handed over within ``limit_s`` seconds or fails with a message
    saying why. A job cancelled while it waits ends as cancelled without running.
    """

    def __init__(self, run_job: Callable[[Job], bool], parent: QObject | None = None, limit_s: float = 30.0) -> None:
        super().__init__(parent)
        self._run_job, self.limit_s = run_job, limit_s
        self._waiting: list[tuple[Job, float]] = []
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._pump)

    def post(self, job: Job) -> bool:
        """Queue ``job``; always True (the Job's own signals report how it ends)."""
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
            elif time.monotonic() >= deadline:
                self._waiting.pop(0)
                job.failed.emit("another long job is running in the editor; wait for it or cancel it first")
                job.ended.emit()
            else:
                self._retry.start(RETRY_MS)
                return
