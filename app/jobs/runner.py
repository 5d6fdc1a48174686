"""The one long-lived worker thread, its slots and the jobs it runs: every model call of the app runs here.

A ``Job`` is one request, made in the GUI thread and posted to a slot of the ``JobRunner`` ("render", "open", a face
page's preview, "long" for exports…). A slot holds at most one waiting job: a newer one replaces it (the replaced
job ends unrun) and, unless told otherwise, asks the running job of that slot to stop at its next check. Posting
wakes the worker with a queued signal; it takes waiting jobs in slot order until none is left: nothing polls. One
long job at a time: ``start_long`` refuses at once behind another one, and waits behind short requests.

A job's function gets ``Resources`` (app/jobs/resources.py): what it asked for with ``Needs``, looked up before it
starts (it never calls back into the worker), a cancel flag and a progress sink. A long job is best a generator
yielding ``core.progress.Progress``: at a yield after ``cancel()`` ``Cancelled`` is thrown into it. A job reports by
its own signals, queued to the GUI thread: ``progressed``, one of ``finished`` / ``failed`` / ``cancelled``, then
``ended``. A failing job never takes the worker down.
"""

from __future__ import annotations

import inspect
import itertools
import threading
import time
import traceback
from collections.abc import Callable, Generator
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.jobs.resources import JobFn, Needs, Resources, user_message
from core.errors import Cancelled, StudioError
from core.progress import Progress

PROGRESS_INTERVAL_S = 0.05  # progress is reported at most this often (plus the last step)
ORDER = ("renderer", "open", "photo", "detect", "render")  # first in line; other slots follow in order of first use
LONG = "long"  # exports, imports, fine-tuning: last in line, one at a time

Lookup = Callable[[Needs], dict[str, Any]]


class Job(QObject):
    """One request; create it in the GUI thread, post it to a ``JobRunner`` slot, cancel it any time."""

    progressed = Signal(object)  # core.progress.Progress
    finished = Signal(object)  # the function's result
    failed = Signal(str)  # one line for the banner
    cancelled = Signal()
    ended = Signal()  # after any of the three above, or at once when a newer request replaced it unrun

    def __init__(self, title: str, fn: JobFn, needs: Needs | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title, self.fn, self.needs = title, fn, needs or Needs()
        self._cancel = threading.Event()
        self._start = self._last = 0.0
        self.done = False  # set after the job has ended and emitted its signals
        self.outcome: tuple[str, Any] | None = None  # ("finished", result) | ("failed", msg) | ("cancelled", None)

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Stop at the next yield or check (a job not started yet ends as cancelled when it comes up)."""
        self._cancel.set()

    def discard(self) -> None:
        """A newer request of its slot replaced it before it ran: it ends without any outcome."""
        self._cancel.set()
        self.outcome, self.done = ("dropped", None), True
        self.ended.emit()

    def resources(self, **found: Any) -> Resources:
        return Resources(self._cancel, self._report, **found)

    def _report(self, p: Progress) -> None:
        now = time.perf_counter()
        if now - self._last >= PROGRESS_INTERVAL_S or (p.total > 0 and p.done >= p.total):
            self._last = now
            self.progressed.emit(replace(p, elapsed_s=now - self._start))

    def execute(self, lookup: Lookup) -> None:
        """Run in the worker thread: look up the needs, run the function (driving a generator); never raises."""
        self._start = time.perf_counter()
        try:
            if self.is_cancelled:
                raise Cancelled(f"{self.title} cancelled")
            res = self.resources(**lookup(self.needs)) if self.needs != Needs() else self.resources()
            value = self.fn(res)
            if inspect.isgenerator(value):
                value = self._drive(value)
        except Cancelled:
            self.outcome = ("cancelled", None)
            self.cancelled.emit()
        except Exception as exc:  # a job must never take the worker down
            if not isinstance(exc, StudioError):
                traceback.print_exc()
            self.outcome = ("failed", user_message(exc))
            self.failed.emit(user_message(exc))
        else:
            self.outcome = ("finished", value)
            self.finished.emit(value)
        self.ended.emit()
        self.done = True  # last: once it is True, every signal of this job has been posted

    def _drive(self, gen: Generator[Any, Any, Any]) -> Any:
        """Run a generator job: report what it yields; at a yield after cancel() throw Cancelled into it."""
        while True:
            try:
                p = next(gen)
            except StopIteration as stop:
                return stop.value
            if self.is_cancelled:
                try:
                    gen.throw(Cancelled(f"{self.title} cancelled"))
                except StopIteration:
                    pass
                finally:
                    gen.close()
                raise Cancelled(f"{self.title} cancelled")
            if isinstance(p, Progress):
                self._report(p)



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
        self._submitted: dict[Job, str] = {}  # submitted jobs (and their slots) until their signals have arrived
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

    def submit(self, slot: str, fn: JobFn, done: Callable[[Any], object] | None = None,
               failed: Callable[[str], object] | None = None, cancel_running: bool = True) -> bool:
        """Post ``fn`` as the newest request of ``slot``: its result goes to ``done``, a failure's line to ``failed``
        (both in the GUI thread); ``pending(slot)`` until its signals have arrived. False after shutdown."""
        job = Job("", fn)
        if done is not None:
            job.finished.connect(done)
        if failed is not None:
            job.failed.connect(failed)
        job.ended.connect(self._forget)  # a bound method: a lambda holding the job would make a cycle
        self._submitted[job] = slot
        if not self.post(slot, job, cancel_running):
            del self._submitted[job]
            return False
        return True

    def pending(self, slot: str) -> bool:
        """Whether a job submitted to ``slot`` has not ended yet (its result may still be on its way)."""
        return slot in self._submitted.values()

    def cancel(self, slot: str) -> None:
        """Ask every submitted job of ``slot`` that has not ended to stop (one not started yet never runs)."""
        for job, name in list(self._submitted.items()):
            if name == slot:
                job.cancel()

    @Slot()
    def _forget(self) -> None:
        self._submitted.pop(self.sender(), None)  # pyright: ignore[reportArgumentType, reportCallIssue] - a Job

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
