"""The body editor's worker-side state: the open photo, the detector, both renderers and their encoded sources.

It lives in the job runner's worker thread (app/jobs/runner.py); the client (app/render_client.py) posts jobs that
call it to the runner's "newest request wins" slots, so dragging never builds a queue. It also hands long jobs
what they need (``provide``: renderer, encoded photo, detector) before they start. Results carry the photo id
and pose generation they were made for, and the client drops stale ones.
While a joint is dragged the warp preview renders a bounded copy of a large photo (app/preview.py);
once the pose settles it renders the photo itself, so the result that stays and is saved is full size.
"""

from __future__ import annotations

import inspect
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.jobs.resources import Needs, user_message
from app.preview import PreviewCopy
from app.services import Services
from app.worker_messages import Photo, RenderOutcome, RenderRequest
from core.detect.wholebody import with_body_of
from core.errors import CheckpointError, NoPersonFound, StudioError
from core.skeleton import Pose

__all__ = ["EditorModel", "Photo", "RenderOutcome", "RenderRequest", "user_message"]


class EditorModel(QObject):
    """Lives in the worker thread; owns the detector, both renderers and their per-photo source states."""

    photoReady = Signal(object)  # Photo
    photoFailed = Signal(str, str)  # path, message
    rendered = Signal(object)  # RenderOutcome
    failed = Signal(str)  # message for the banner
    rendererChanged = Signal(str, str)  # renderer name, device
    busy = Signal(str)  # what is running; "" when idle

    def __init__(self, services: Services) -> None:
        super().__init__()
        self._services = services
        self._photo: Photo | None = None
        self._next_photo_id = 1
        self._warp: Any = None
        self._net: Any = None
        self._net_path: str | None = None
        self._states: dict[tuple[int, bool], Any] = {}  # (id(renderer), on the preview copy) -> SourceState
        self._detectors: dict[str, Any] = {}
        self._preview: PreviewCopy | None = None  # the current photo's bounded copy, when it is large
        self._last_preview: tuple[int, int] | None = None  # (photo id, generation) of the last warp preview
        self._last_full: tuple[int, int] | None = None  # ... and of the last full-size warp render

    # ----- renderers --------------------------------------------------------------------
    def _warp_renderer(self) -> Any:
        if self._warp is None:
            self._warp = self._services.load_renderer(None, "cpu")
        return self._warp

    def _announce(self) -> None:
        r = self._net or self._warp_renderer()
        self.rendererChanged.emit(r.name, str(getattr(r, "device", "cpu")))

    def use_checkpoint(self, path: str | None, device: str) -> None:
        """Load the checkpoint renderer (None: the skeleton warp only) and announce the renderer in use."""
        self._drop_net()
        if path:
            self.busy.emit(f"Loading checkpoint {os.path.basename(path)}…")
            self._load_net(path, device)
        self._announce()

    def _load_net(self, path: str, device: str) -> bool:
        """Load the checkpoint renderer on ``device``, else on the CPU; on failure say so and keep the warp."""
        first_error = ""
        for dev in dict.fromkeys([device, "cpu"]):
            try:
                self._net, self._net_path = self._services.load_renderer(path, dev), path
            except Exception as exc:
                first_error = first_error or user_message(exc)
                if isinstance(exc, CheckpointError):
                    break  # the file itself is wrong: another device will not help
                continue
            if dev != device:
                self.failed.emit(f"Could not use the {device.upper()} device ({first_error}); the network runs on the CPU.")
            return True
        self.failed.emit(f"Could not load the checkpoint: {first_error} — using the skeleton warp instead.")
        return False

    def _drop_net(self) -> None:
        if self._net is not None:
            self._states.pop((id(self._net), False), None)
            self._states.pop((id(self._net), True), None)
        self._net, self._net_path = None, None

    def _state_for(self, renderer: Any, preview: bool = False) -> Any:
        """``renderer``'s source state for the photo, or for its bounded copy (encoded once each)."""
        state = self._states.get((id(renderer), preview))
        if state is None:
            photo = self._photo
            assert photo is not None
            source = self._preview if preview else photo
            assert source is not None
            params = inspect.signature(renderer.encode_source).parameters
            if "mask" in params and source.mask is not None:
                state = renderer.encode_source(source.image, source.pose, mask=source.mask)
            else:
                state = renderer.encode_source(source.image, source.pose)
            self._states[(id(renderer), preview)] = state
        return state

    def _render_with(self, renderer: Any, request: RenderRequest, network: bool, preview: bool = False) -> None:
        state = self._state_for(renderer, preview)
        pose = PreviewCopy.scaled(request.pose, self._preview.scale) if preview and self._preview else request.pose
        start = time.perf_counter()
        result = renderer.render(state, pose)
        ms = (time.perf_counter() - start) * 1000.0
        device = str(getattr(renderer, "device", "cpu"))
        self.rendered.emit(
            RenderOutcome(request.photo_id, request.generation, network, result, renderer.name, device, ms,
                          full_size=not preview)  # fmt: skip
        )

    def _render_warp(self, request: RenderRequest, full: bool) -> None:
        """The warp's render of ``request``: on the bounded copy unless ``full`` (or the photo is small)."""
        key = (request.photo_id, request.generation)
        preview = not full and self._preview_ready()
        if key == self._last_full or (preview and key == self._last_preview):
            return  # already shown
        self._render_with(self._warp_renderer(), request, network=False, preview=preview)
        if preview:
            self._last_preview = key
        else:
            self._last_full = key

    # ----- requests ---------------------------------------------------------------------
    def render(self, request: RenderRequest, superseded: Callable[[], bool]) -> None:
        """Render ``request`` with the warp, then (settled, a checkpoint loaded, not ``superseded()`` by a newer pose)
        with the network."""
        photo = self._photo
        if photo is None or request.photo_id != photo.photo_id:
            return  # made for a photo that is no longer open
        final = request.settled and self._net is None  # the warp's result is the one that stays: full size
        try:
            self._render_warp(request, full=final)
        except Exception as exc:
            self.failed.emit(f"Could not render this pose: {user_message(exc)}")
            return
        if final and not superseded():
            self._preview_ready()  # encode the bounded copy while nothing waits: the first drag does not pay for it
        if not request.settled or self._net is None or superseded():
            return  # a newer pose is waiting: the network would render a stale one
        self.busy.emit(f"Rendering with {self._net.name}…")
        try:
            self._render_with(self._net, request, network=True)
        except Exception as exc:
            traceback.print_exc()
            self._fall_back(exc, request)

    def _preview_ready(self) -> bool:
        """True when the warp can preview on the bounded copy; a copy it cannot encode is dropped (the
        previews then render the photo itself, and any error shows there)."""
        if self._preview is None:
            return False
        try:
            self._state_for(self._warp_renderer(), preview=True)
        except Exception:  # noqa: BLE001 - e.g. a skeleton that rounds away on the small copy
            traceback.print_exc()
            self._preview = None
            return False
        return True

    def _fall_back(self, exc: Exception, request: RenderRequest) -> None:
        """After a network failure: retry on the CPU if it ran on a GPU, else keep to the warp renderer."""
        reason = user_message(exc)
        on_gpu = str(getattr(self._net, "device", "cpu")).startswith("cuda")
        path = self._net_path
        self._drop_net()
        if on_gpu and path and self._load_net(path, "cpu"):
            self._announce()
            self.failed.emit(f"The network failed on the GPU ({reason}); switched to the CPU.")
            try:
                self._render_with(self._net, request, network=True)
                return
            except Exception as exc2:
                self._drop_net()
                reason = user_message(exc2)
        self._announce()
        self.failed.emit(f"The network failed ({reason}); showing the skeleton warp instead.")
        try:
            self._render_warp(request, full=True)  # the warp's result now stays: at full size
        except Exception as exc2:
            self.failed.emit(f"Could not render this pose: {user_message(exc2)}")

    def _detector(self, backend: str) -> Any:
        if backend not in self._detectors:
            self._detectors[backend] = self._services.get_detector(backend)
        return self._detectors[backend]

    def open_photo(self, path: str, backend: str) -> None:
        """Load the photo at ``path`` and find the person in it (photoReady, or photoFailed)."""
        name = os.path.basename(path)
        self.busy.emit(f"Opening {name}…")
        try:
            image = self._services.load_image(path)
            self.busy.emit(f"Finding the person in {name}…")
            detection, people = self._find(image, backend, name)
        except Exception as exc:
            if not isinstance(exc, StudioError):
                traceback.print_exc()
            self.photoFailed.emit(path, user_message(exc))
            return
        self._set_photo(path, image, detection, redetected=False, people=people)

    def detect(self, backend: str) -> None:
        """Find the person in the open photo again."""
        photo = self._photo
        if photo is None:
            return
        self.busy.emit(f"Finding the person in {os.path.basename(photo.path)}…")
        try:
            detection, people = self._find(photo.image, backend, os.path.basename(photo.path))
        except Exception as exc:
            self.failed.emit(f"Detection failed: {user_message(exc)}")
            return
        self._set_photo(photo.path, photo.image, detection, redetected=True, people=people)

    def _find(self, image: np.ndarray, backend: str, name: str) -> tuple[Any, Any]:
        """(body detection, every person or None). Where the body detector finds nobody (several people side by side
        confuse MediaPipe's), the largest person of the whole-body search is the body; NoPersonFound if none."""
        try:
            detection = self._detector(backend).detect(image)
        except NoPersonFound:
            people = self._people(image, name)
            if people is None or not people.people:
                raise
            return _KnownPose(people.largest().body), people
        return detection, self._people(image, name)

    def _people(self, image: np.ndarray, name: str) -> Any:
        """Every person with hands and face, or None (no whole-body detector, or it failed: the body still opens)."""
        find = self._services.people_detector()
        if find is None:
            return None
        self.busy.emit(f"Finding everyone's hands and faces in {name}…")
        try:
            return find(image)
        except Exception as exc:  # the body detection already succeeded: say so and go on with it
            self.failed.emit(f"Hands and faces were not found: {user_message(exc)}")
            return None

    def use_photo(self, path: str, image: np.ndarray, pose: Pose, remember: bool) -> None:
        """A photo whose pose is already known (a project being opened): no loading, no detection."""
        self._set_photo(path, image, _KnownPose(Pose.coerce(pose)), redetected=False, remember=remember)

    def _set_photo(self, path: str, image: np.ndarray, detection: Any, redetected: bool, remember: bool = True,
                   people: Any = None) -> None:
        pose = Pose.coerce(detection.pose)
        mask = getattr(detection, "mask", None)
        selected = 0
        if people is not None:  # the whole-body detection's person of this body gets exactly this body
            people, selected = with_body_of(people, pose)
        self._photo = Photo(self._next_photo_id, path, image, pose, mask, redetected, remember, people, selected)
        self._next_photo_id += 1
        self._states.clear()
        self._preview = PreviewCopy.of(self._photo)
        self._last_preview = self._last_full = None
        self.photoReady.emit(self._photo)

    # ----- what long jobs need (handed to them before they start) --------------------------------
    def provide(self, needs: Needs) -> dict[str, Any]:
        """The resources ``needs`` names: a renderer with its encoding of the open photo, a detector."""
        found: dict[str, Any] = {}
        if needs.source is not None:
            renderer = self._net if (needs.source == "network" and self._net is not None) else self._warp_renderer()
            if self._photo is None:
                raise StudioError("open a photo first")
            found.update(renderer=renderer, photo=self._photo, state=self._state_for(renderer))
        if needs.detector is not None:
            found["detector"] = self._detector(needs.detector)
        return found


@dataclass(frozen=True)
class _KnownPose:
    """Stands in for a detection when the pose comes with the photo (a project file)."""

    pose: Pose
    mask: Any = None
