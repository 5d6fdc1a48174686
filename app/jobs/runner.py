"""The one long-lived worker thread and its slots: every model call of the app runs here, one at a time.

Each kind of request has a slot ("render", "open", a face window's preview, "long" for exports and imports…). A
slot holds at most one waiting job: a newer one replaces it (the replaced job ends unrun) and, unless the slot is
progressive, asks the running job of that slot to stop at its next check. Posting wakes the worker with a queued
signal; the worker then takes waiting jobs in slot priority order until none is left, so nothing polls. Only one
long job at a time: ``start_long`` refuses at once behind another one, and waits behind short requests.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.jobs.job import Job, Needs

ORDER = ("renderer", "open", "photo", "detect", "render")  # first in line; other slots follow in order of first use
LONG = "long"  # exports, imports, fine-tuning: last in line, one at a time

Lookup = Callable[[Needs], dict[str, Any]]


class _Slots:
    """The waiting and running job of each slot, guarded by a lock (shared by both threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, Job] = {}
        self._running: dict[str, Job] = {}
        self._order: list[str] = list(ORDER)
        self.closed = False

    def put(self, slot: str, job: Job, cancel_running: bool) -> Job | None:
        """Make ``job`` the one waiting in ``slot``; returns the job it replaced (not run), if any."""
        with self._lock:
            if slot not in self._order:
                at = self._order.index(LONG) if LONG in self._order and slot != LONG else len(self._order)
                self._order.insert(at, slot)
            old = self._waiting.get(slot)
            self._waiting[slot] = job
            running = self._running.get(slot)
            if cancel_running and running is not None:
                running.cancel()  # its result would be stale anyway; a job that checks may stop early
            return old

    def take(self) -> tuple[str, Job] | None:
        with self._lock:
            if self.closed:
                return None
            for slot in self._order:
                job = self._waiting.pop(slot, None)
                if job is not None:
                    self._running[slot] = job
                    return slot, job
        return None

    def finish(self, slot: str) -> None:
        with self._lock:
            self._running.pop(slot, None)

    def has(self, slot: str) -> bool:
        with self._lock:
            return slot in self._waiting

    def close(self) -> list[Job]:
        """Close for good; returns every job still waiting or running (to cancel)."""
        with self._lock:
            self.closed = True
            jobs = list(self._waiting.values()) + list(self._running.values())
            self._waiting.clear()
            return jobs


class _Worker(QObject):
    """Lives in the worker thread: runs the waiting jobs when woken."""

    busy = Signal(str)  # the title of what runs; "" when it has ended

    def __init__(self, slots: _Slots, lookup: Lookup) -> None:
        super().__init__()
        self._slots, self._lookup = slots, lookup

    @Slot()
    def drain(self) -> None:
        while (item := self._slots.take()) is not None:
            slot, job = item
            if job.title:
                self.busy.emit(f"{job.title}…")
            try:
                job.execute(self._lookup)
            finally:
                self._slots.finish(slot)
                self.busy.emit("")


def _no_resources(needs: Needs) -> dict[str, Any]:
    from core.errors import StudioError

    raise StudioError(f"nothing here provides {needs}")


class JobRunner(QObject):
    """The GUI-thread side: owns the worker thread, posts jobs to slots, stops the thread at shutdown."""

    busy = Signal(str)  # what the worker is doing now ("" when idle)
    _wake = Signal()

    def __init__(self, lookup: Lookup = _no_resources, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._slots = _Slots()
        self._thread = QThread()
        self._thread.setObjectName("job-worker")
        self._worker = _Worker(self._slots, lookup)
        self.adopt(self._worker)
        self._wake.connect(self._worker.drain)
        self._worker.busy.connect(self.busy)
        self._long: Job | None = None
        self._names = itertools.count(1)
        self._thread.start()

    def adopt(self, obj: QObject) -> None:
        """Move ``obj`` (worker-side state such as the editor's renderers) into the worker thread for good."""
        obj.moveToThread(self._thread)
        self._thread.finished.connect(obj.deleteLater)

    def post(self, slot: str, job: Job, cancel_running: bool = True) -> bool:
        """Make ``job`` the newest request of ``slot`` and wake the worker; False (nothing posted) after shutdown."""
        if self._slots.closed:
            return False
        replaced = self._slots.put(slot, job, cancel_running)
        if replaced is not None:
            replaced.discard()
        self._wake.emit()
        return True

    def waiting(self, slot: str) -> bool:
        """Whether a job waits in ``slot`` (e.g. a newer pose than the one rendering)."""
        return self._slots.has(slot)

    def start_long(self, job: Job) -> bool:
        """Post a long job (export, import, fine-tune): it waits behind short requests, and is refused at once,
        posting nothing, while another long job has not ended."""
        if self.running_long is not None or not self.post(LONG, job):
            return False
        self._long = job
        return True

    @property
    def running_long(self) -> Job | None:
        """The long job posted last, while it has not ended (None otherwise)."""
        return self._long if self._long is not None and not self._long.done else None

    def new_slot_name(self, kind: str) -> str:
        """A slot name of its own for one window's kind of request (two face windows do not replace each other's)."""
        return f"{kind}#{next(self._names)}"

    @property
    def closed(self) -> bool:
        return self._slots.closed

    def shutdown(self) -> None:
        """Cancel what runs and what waits, then stop the thread (quit + wait for the job in progress)."""
        if self._slots.closed:
            return
        for job in self._slots.close():
            job.cancel()
        self._thread.quit()
        self._thread.wait()

    @property
    def worker_thread(self) -> QThread:
        return self._thread
