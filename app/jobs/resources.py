"""What a job asks for and what it gets: ``Needs`` (looked up before it starts) and ``Resources`` (handed to it).

Plain data for app/jobs/runner.py, which runs the jobs; ``user_message`` is the one readable line a failure becomes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.errors import Cancelled, StudioError
from core.progress import Progress


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
    photo: Any = None  # app.worker_messages.Photo
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
