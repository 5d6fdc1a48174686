"""The GUI-thread side of the render worker: owns its one QThread, posts requests, drops stale results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from superqt.utils import qthrottled

from app.services import Services
from app.worker import Mailbox, Photo, RenderOutcome, RenderRequest, RenderWorker
from core.skeleton import Pose

PREVIEW_INTERVAL_MS = 16  # renders requested at most at the display rate


class RenderClient(QObject):
    """The GUI-thread side: posts requests, filters stale results, re-emits them for the window."""

    photoReady = Signal(object)
    photoFailed = Signal(str, str)
    rendered = Signal(object)
    failed = Signal(str)
    rendererChanged = Signal(str, str)
    busy = Signal(str)
    _wake = Signal()

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mailbox = Mailbox()
        self._thread = QThread()
        self._thread.setObjectName("render-worker")
        self._worker = RenderWorker(services, self._mailbox)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._wake.connect(self._worker.drain)
        self._worker.photoReady.connect(self._on_photo)
        self._worker.photoFailed.connect(self._on_photo_failed)
        self._worker.rendered.connect(self._on_rendered)
        self._worker.failed.connect(self._on_failed)
        self._worker.rendererChanged.connect(self._on_renderer)
        self._worker.busy.connect(self._on_busy)
        self._photo_id = -1
        self._generation = 0
        self._last_pose: Pose | None = None
        self._shown: tuple[int, bool, bool] = (-1, False, False)  # (generation, network, full size) on show
        self._settled = False  # the newest pose sent was settled: its full-size result is still to come
        self._pending: tuple[Pose, bool] | None = None
        self.busy_text = ""  # what the worker is doing now ("" when idle)
        self._job: Any = None  # the long job posted last (app.timeline.jobs.Job)
        self._post_throttled = qthrottled(self._post_render, timeout=PREVIEW_INTERVAL_MS, leading=True)
        self._thread.start()

    # ----- requests ---------------------------------------------------------------------
    def _post(self, kind: str, request: Any) -> None:
        if not self._mailbox.closed:
            self._mailbox.put(kind, request)
            self._wake.emit()

    def open_photo(self, path: str, backend: str = "mediapipe") -> None:
        self._post("open", (str(path), backend))

    def detect_again(self, backend: str = "mediapipe") -> None:
        self._post("detect", backend)

    def use_photo(self, path: str, image: Any, pose: Pose, remember: bool = True) -> None:
        """Make ``image`` with its known ``pose`` the photo (a project being opened); photoReady follows."""
        self._post("photo", (str(path), image, pose, remember))

    def run_job(self, job: Any) -> bool:
        """Run a long ``app.timeline.jobs.Job`` in the worker after the requests before it; one at a time.

        Returns False (and posts nothing) while another job has not ended.
        """
        if self._mailbox.closed or (self._job is not None and not self._job.done):
            return False
        self._job = job
        self._post("job", job)
        return True

    @property
    def running_job(self) -> Any:
        """The long job posted last, while it has not ended (None otherwise)."""
        return self._job if self._job is not None and not self._job.done else None

    def set_renderer(self, checkpoint: str | None, device: str = "auto") -> None:
        self._post("renderer", (checkpoint or None, device))

    def request_render(self, pose: Pose, settled: bool) -> None:
        """Ask for a render of ``pose``; calls are throttled to the display rate, the newest wins."""
        self._pending = (pose, settled)
        self._post_throttled()

    @property
    def generation(self) -> int:
        """The generation of the newest pose sent to the worker."""
        return self._generation

    @property
    def idle(self) -> bool:
        """True when nothing is pending or running and the newest pose's result is shown (at full size once the
        pose has settled; a quick preview of a large photo while it is being dragged)."""
        shown = self._shown[0] == self._generation and (self._shown[2] or not self._settled)
        return self._pending is None and not self.busy_text and shown

    def _post_render(self) -> None:
        if self._pending is None or self._photo_id < 0:
            return
        pose, settled = self._pending
        self._pending = None
        if self._last_pose is None or pose != self._last_pose:
            self._generation += 1
            self._last_pose = pose
        self._settled = settled
        self._post("render", RenderRequest(self._photo_id, self._generation, pose, settled))

    def shutdown(self) -> None:
        """Stop the worker thread (cancels a long job, waits for a render in progress to finish)."""
        if self._mailbox.closed:
            return
        if self._job is not None:
            self._job.cancel()
        self._mailbox.closed = True
        self._thread.quit()
        self._thread.wait()

    @property
    def thread(self) -> QThread:
        return self._thread

    # ----- results (run in the GUI thread) ------------------------------------------------
    @Slot(object)
    def _on_photo(self, photo: Photo) -> None:
        self._photo_id = photo.photo_id
        self._shown = (-1, False, False)
        self._last_pose = None
        self._pending = None  # a pose edited on the previous photo must not be rendered on this one
        self.photoReady.emit(photo)

    @Slot(str, str)
    def _on_photo_failed(self, path: str, message: str) -> None:
        self.photoFailed.emit(path, message)

    @Slot(object)
    def _on_rendered(self, outcome: RenderOutcome) -> None:
        if outcome.photo_id != self._photo_id:
            return
        if outcome.network and outcome.generation != self._generation:
            return  # the network's result for a pose the user has already changed
        key = (outcome.generation, outcome.network, outcome.full_size)  # a preview < the full warp < the network
        if key <= self._shown:
            return
        self._shown = key
        self.rendered.emit(outcome)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.failed.emit(message)

    @Slot(str, str)
    def _on_renderer(self, name: str, device: str) -> None:
        self.rendererChanged.emit(name, device)

    @Slot(str)
    def _on_busy(self, text: str) -> None:
        self.busy_text = text
        self.busy.emit(text)
