"""The GUI-thread side of the body editor: owns the app's job runner, posts the editor's requests, drops stale results."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from superqt.utils import qthrottled

from app.jobs import Job, JobRunner, Resources
from app.services import Services
from app.worker import EditorModel, Photo, RenderOutcome, RenderRequest
from core.skeleton import Pose

if TYPE_CHECKING:
    from app.document import PoseDocument

PREVIEW_INTERVAL_MS = 16  # renders requested at most at the display rate


class RenderClient(QObject):
    """The GUI-thread side: posts requests, filters stale results, re-emits them for the window."""

    photoReady = Signal(object)
    photoFailed = Signal(str, str)
    rendered = Signal(object)
    failed = Signal(str)
    rendererChanged = Signal(str, str)
    busy = Signal(str)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = EditorModel(services)
        self.jobs = JobRunner(self._model.provide, self)  # the app's one worker thread; long jobs go here too
        self.jobs.adopt(self._model)
        self._model.photoReady.connect(self._on_photo)
        self._model.photoFailed.connect(self.photoFailed)  # relayed as they are
        self._model.rendered.connect(self._on_rendered)
        self._model.failed.connect(self.failed)
        self._model.rendererChanged.connect(self.rendererChanged)
        self._model.busy.connect(self._on_busy)
        self.jobs.busy.connect(self._on_busy)
        self._photo_id = -1
        self._generation = 0
        self._last_pose: Pose | None = None
        self._shown: tuple[int, bool, bool] = (-1, False, False)  # (generation, network, full size) on show
        self._settled = False  # the newest pose sent was settled: its full-size result is still to come
        self._pending: tuple[Pose, bool] | None = None
        self.busy_text = ""  # what the worker is doing now ("" when idle)
        self._post_throttled = qthrottled(self._post_render, timeout=PREVIEW_INTERVAL_MS, leading=True)

    # ----- requests ---------------------------------------------------------------------
    def _post(self, slot: str, call: Callable[[Resources], None]) -> None:
        """Post ``call(resources)`` (a method of the worker-side model) as the newest request of ``slot``."""
        self.jobs.submit(slot, call, failed=self.failed.emit)

    def open_photo(self, path: str, backend: str = "mediapipe") -> None:
        self._post("open", lambda _res: self._model.open_photo(str(path), backend))

    def detect_again(self, backend: str = "mediapipe") -> None:
        self._post("detect", lambda _res: self._model.detect(backend))

    def use_photo(self, path: str, image: Any, pose: Pose, remember: bool = True) -> None:
        """Make ``image`` with its known ``pose`` the photo (a project being opened); photoReady follows."""
        self._post("photo", lambda _res: self._model.use_photo(str(path), image, pose, remember))

    def run_job(self, job: Job) -> bool:
        """Start a long job (export, import, fine-tune) in the worker; False, posting nothing, behind another one."""
        return self.jobs.start_long(job)

    @property
    def running_job(self) -> Job | None:
        """The long job posted last, while it has not ended (None otherwise)."""
        return self.jobs.running_long

    def set_renderer(self, checkpoint: str | None, device: str = "auto") -> None:
        self._post("renderer", lambda _res: self._model.use_checkpoint(checkpoint or None, device))

    def follow(self, document: PoseDocument) -> None:
        """Render ``document``'s pose whenever it changes: a preview while it is dragged, a settle render after."""
        def changed(interactive: bool) -> None:
            if document.has_photo:
                self.request_render(document.body_pose(), settled=not interactive)

        document.poseChanged.connect(changed)

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
        request = RenderRequest(self._photo_id, self._generation, pose, settled)
        self._post("render", lambda res: self._model.render(request, res.cancelled))

    def shutdown(self) -> None:
        """Stop the worker thread (cancels a long job, waits for a render in progress to finish)."""
        self.jobs.shutdown()

    @property
    def worker_thread(self) -> QThread:
        return self.jobs.worker_thread

    # ----- results (run in the GUI thread) ------------------------------------------------
    @Slot(object)
    def _on_photo(self, photo: Photo) -> None:
        self._photo_id = photo.photo_id
        self._shown = (-1, False, False)
        self._last_pose = None
        self._pending = None  # a pose edited on the previous photo must not be rendered on this one
        self.photoReady.emit(photo)

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
    def _on_busy(self, text: str) -> None:
        self.busy_text = text
        self.busy.emit(text)
