"""A window's "newest request wins" slot on the job runner: only the newest request's outcome is reported."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from app.jobs.resources import JobFn, Needs
from app.jobs.runner import Job, JobRunner


class JobSlot(QObject):
    """``request(fn)`` posts a job to this slot and returns its generation; a newer request replaces a waiting one
    (and asks a running one to stop); a result whose generation is no longer the newest is dropped.
    ``finished(generation, result)`` / ``failed(generation, message)`` report the rest.

    With ``progressive`` (drag previews) a result is reported whenever it is newer than the last one reported, even
    if a newer request is already waiting, and a running job is not stopped: a stream of requests shows a stream
    of results.
    """

    finished = Signal(int, object)
    failed = Signal(int, str)
    busyChanged = Signal(bool)

    def __init__(self, runner: JobRunner, title: str, parent: QObject | None = None, progressive: bool = False,
                 kind: str = "") -> None:
        super().__init__(parent)
        self.runner, self.title, self.progressive = runner, title, progressive
        self.name = runner.new_slot_name(kind or title)
        self.generation = 0
        self.reported = 0  # the generation of the newest result reported
        self._live: dict[int, Job] = {}  # posted and not ended yet (kept alive until their signals arrive)

    @property
    def idle(self) -> bool:
        """Nothing waiting and nothing running."""
        return not self._live

    def request(self, fn: JobFn, needs: Needs | None = None) -> int:
        """Run ``fn(resources)`` in the worker as soon as it gets to this slot; returns this request's generation."""
        self.generation += 1
        generation = self.generation
        job = Job(self.title, fn, needs)  # no parent: dropped with its last reference once it has ended
        job.finished.connect(lambda result: self._on_finished(generation, result))
        job.failed.connect(lambda message: self._on_failed(generation, message))
        job.ended.connect(lambda: self._on_ended(generation))
        was_idle = self.idle
        self._live[generation] = job
        if not self.runner.post(self.name, job, cancel_running=not self.progressive):
            self._live.pop(generation)
            return generation
        if was_idle:
            self.busyChanged.emit(True)
        return generation

    def drop(self) -> None:
        """Forget what waits and what runs: no outcome of a request made so far is reported (e.g. a detection made
        moot by a project opened meanwhile)."""
        self.generation += 1
        self.reported = self.generation
        for job in self._live.values():
            job.cancel()

    def close(self) -> None:
        """The window is closing: the same as ``drop``; later requests work again."""
        self.drop()

    def _current(self, generation: int) -> bool:
        if self.progressive:
            return generation > self.reported
        return generation == self.generation

    def _on_finished(self, generation: int, result: Any) -> None:
        if self._current(generation):
            self.reported = generation
            self.finished.emit(generation, result)

    def _on_failed(self, generation: int, message: str) -> None:
        if self._current(generation):
            self.reported = generation
            self.failed.emit(generation, message)

    def _on_ended(self, generation: int) -> None:
        if self._live.pop(generation, None) is not None and self.idle:
            self.busyChanged.emit(False)
