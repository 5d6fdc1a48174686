"""One request to the worker thread: a function (or generator) run there, with what it needs handed to it.

A ``Job`` is made in the GUI thread and posted to a slot of the ``JobRunner`` (app/jobs/runner.py). In the worker
thread its function is called with ``Resources``: the renderer, the encoded photo and the detector it asked for
with ``Needs`` (looked up before it starts, so the job never calls back into the worker), a cancel flag and a
progress sink. A long job is best a generator that yields ``core.progress.Progress`` and returns its result: at
the next yield after ``cancel()`` the worker throws ``Cancelled`` into it, so its ``with`` blocks clean up. A job
reports through its own signals, delivered queued to the GUI thread: ``progressed``, then exactly one of
``finished`` (the result), ``failed`` (one readable line) or ``cancelled``, then ``ended``. A failing job never
takes the worker down.
"""

from __future__ import annotations

import inspect
import threading
import time
import traceback
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.errors import Cancelled, StudioError
from core.progress import Progress

PROGRESS_INTERVAL_S = 0.05  # progress is reported at most this often (plus the last step)


def user_message(exc: BaseException) -> str:
    """One readable line for the banner: StudioError messages as they are, others with their type."""
    text = str(exc) if isinstance(exc, StudioError) else f"{type(exc).__name__}: {exc}"
    line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return line if len(line) <= 300 else line[:297] + "…"


@dataclass(frozen=True)
class Needs:
    """What a job needs from the editor's worker state, looked up before it starts."""

    source: str | None = None  # "network": the loaded checkpoint renderer (else the warp) and its encoding of the
    # open photo; "warp": the skeleton warp's; None: nothing
    detector: str | None = None  # a detector backend ("mediapipe", …)


@dataclass(frozen=True)
class Resources:
    """What a running job gets: the resources it asked for, its cancel flag and its progress sink."""

    cancel_flag: threading.Event = field(default_factory=threading.Event)
    sink: Callable[[Progress], None] = lambda _p: None
    renderer: Any = None  # core.render.Renderer
    photo: Any = None  # app.worker.Photo
    state: Any = None  # the renderer's SourceState of the photo
    detector: Any = None

    def cancelled(self) -> bool:
        return self.cancel_flag.is_set()

    def check(self) -> None:
        """Raise Cancelled when the user cancelled (for jobs that are plain functions)."""
        if self.cancel_flag.is_set():
            raise Cancelled("cancelled")

    def report(self, p: Progress) -> None:
        """Report ``p`` (for core loops that take a progress callback; generators yield instead)."""
        self.sink(p)

    def reporter(self, text: str) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` callback for core loops that report two numbers, labelled ``text``."""
        return lambda done, total: self.sink(Progress(int(done), int(total), text))


JobFn = Callable[[Resources], Any]  # returns the result, or a Generator[Progress, None, result]


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

    def execute(self, lookup: Callable[[Needs], dict[str, Any]]) -> None:
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
            self._end("cancelled", None)
            self.cancelled.emit()
        except Exception as exc:  # a job must never take the worker down
            if not isinstance(exc, StudioError):
                traceback.print_exc()
            self._end("failed", user_message(exc))
            self.failed.emit(user_message(exc))
        else:
            self._end("finished", value)
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

    def _end(self, kind: str, value: Any) -> None:
        self.outcome = (kind, value)
