"""Worker-side state for face mode and the view dialog: loaded networks and encoded sources, reused between jobs.

A window makes its session in the GUI thread and hands it to the jobs it posts (app.jobs: the job's function holds
it); every method here then runs in the one worker thread, inside those jobs, and never touches widgets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import CheckpointError, PoseError
from core.keypoints import Keypoints
from core.render.targets import FaceTarget, ViewTarget

PREVIEW_SIDE = 768  # drag previews of the face are made on a copy at most this many pixels long


def checkpoint_problem(kind: str) -> str | None:
    """None when a ``kind`` checkpoint ("face", "shapenet") is imported, else the one-line message naming the file."""
    from core.render.face import locate_checkpoint

    try:
        locate_checkpoint(kind)
    except CheckpointError as exc:
        return str(exc)
    return None


@dataclass(frozen=True, eq=False)
class Portrait:
    """A loaded portrait and its detected 68 landmarks (photo pixels)."""

    path: str
    image: np.ndarray  # (H, W, 3) uint8
    landmarks: np.ndarray  # (68, 2) float64


def load_portrait(path: str) -> Portrait:
    """Load the photo and find its face (MediaPipe face mesh mapped to the 68-point layout)."""
    from core.detect.face_mesh import get_face_detector
    from core.imageio_utils import load_image

    image = load_image(path)
    return Portrait(str(path), image, get_face_detector().detect(image).landmarks)


@dataclass(frozen=True)
class Rendered:
    """One result, ready to show: ``image`` at the photo's size (or the network's for views; smaller for a face
    preview, which is made on a bounded copy of a large portrait)."""

    image: np.ndarray  # (H, W, 3) uint8
    network_image: np.ndarray | None  # (S, S, 3) uint8, the network's own frame (None from the mesh warp)
    renderer: str
    seconds: float
    extras: dict[str, Any]
    missing: str | None = None  # the face network was wanted but its checkpoint is not imported: the message
    preview: bool = False  # a quick drag preview rather than the settled result


@dataclass(frozen=True)
class Missing:
    """A job's answer when the checkpoint it needs is not imported: the message that names the file."""

    message: str


class _Cached:
    """A renderer per checkpoint file and the source it encoded last."""

    kind = ""

    def __init__(self, device: str = "auto") -> None:
        self.device = device
        self._renderer: Any = None
        self._path: Path | None = None
        self._state: Any = None
        self._state_key: object = None

    def renderer(self) -> Any:
        """The renderer for the newest imported checkpoint of this kind (CheckpointError when there is none)."""
        from core.render.face import locate_checkpoint

        path = locate_checkpoint(self.kind)
        if self._renderer is None or path != self._path:
            self._renderer, self._path, self._state, self._state_key = self._open(path), path, None, None
        return self._renderer

    def state(self, key: object, encode) -> Any:  # noqa: ANN001 - encode() -> SourceState
        if self._state is None or key != self._state_key:
            self._state, self._state_key = encode(), key
        return self._state

    def _open(self, path: Path) -> Any:
        raise NotImplementedError


class FaceSession(_Cached):
    """The face renderers (the GFLA face network when its checkpoint is imported, the landmark mesh warp always)
    and the portrait encoded for each, reused between jobs."""

    kind = "face"

    def __init__(self, device: str = "auto") -> None:
        super().__init__(device)
        self._warp: Any = None
        self._sources: dict[tuple[int, bool], Any] = {}  # (id(renderer), preview copy) -> SourceState
        self._portrait: Portrait | None = None
        self._small: tuple[np.ndarray, float] | None = None  # the preview copy of the portrait and its scale

    def _open(self, path: Path) -> Any:
        from core.render.face import open_face_renderer
        from core.render.face_portrait import WholePortrait

        return WholePortrait(open_face_renderer(path, self.device))

    def warp(self) -> Any:
        """The landmark mesh warp (core.render.face_warp): needs no checkpoint."""
        if self._warp is None:
            from core.render.face_warp import FaceWarpRenderer

            self._warp = FaceWarpRenderer()
        return self._warp

    def pick(self, network: bool = True) -> tuple[Any, str | None]:
        """(renderer, why the network is not used): the face network when wanted and imported, else the warp."""
        if not network:
            return self.warp(), None
        try:
            return self.renderer(), None
        except CheckpointError as exc:
            return self.warp(), str(exc)

    def source(self, renderer: Any, portrait: Portrait, preview: bool = False) -> Any:
        """``renderer``'s encoding of ``portrait`` (of its preview copy when ``preview``), cached per portrait."""
        if portrait is not self._portrait:
            self._portrait, self._sources, self._small = portrait, {}, None
        current = {id(self._renderer), id(self._warp)}
        self._sources = {k: v for k, v in self._sources.items() if k[0] in current}  # drop a replaced network's
        key = (id(renderer), preview)
        if key not in self._sources:
            if preview:
                image, scale = self._preview_copy(portrait)
                self._sources[key] = renderer.encode_source(image, portrait.landmarks * scale)
            else:
                self._sources[key] = renderer.encode_source(portrait.image, portrait.landmarks)
        return self._sources[key]

    def _preview_copy(self, portrait: Portrait) -> tuple[np.ndarray, float]:
        if self._small is None:
            from core.imageio_utils import bounded

            self._small = bounded(portrait.image, PREVIEW_SIDE)
        return self._small

    def render(self, portrait: Portrait, target: FaceTarget, network: bool = True) -> Rendered:
        """The portrait re-rendered with ``target`` (68, 2) landmarks: the whole photo, its face changed."""
        if not np.isfinite(target).all():
            raise PoseError("the face needs all 68 landmarks: restore the hidden ones (right-click the face)")
        start = time.perf_counter()
        renderer, missing = self.pick(network)
        result = renderer.render(self.source(renderer, portrait), target)
        return Rendered(result.image, result.extras.get("network_image"), renderer.name, time.perf_counter() - start,
                        {"box": result.extras.get("box")}, missing)

    def preview(self, portrait: Portrait, target: FaceTarget) -> Rendered:
        """A quick mesh-warp render on a copy of the portrait at most PREVIEW_SIDE pixels long, for every drag move."""
        if not np.isfinite(target).all():
            raise PoseError("the face needs all 68 landmarks: restore the hidden ones (right-click the face)")
        start = time.perf_counter()
        renderer = self.warp()
        state = self.source(renderer, portrait, preview=True)
        scale = self._preview_copy(portrait)[1]
        result = renderer.render(state, Keypoints(np.asarray(target, dtype=np.float64) * scale))
        return Rendered(result.image, None, renderer.name, time.perf_counter() - start, {}, preview=True)


class ViewSession(_Cached):
    """The ShapeNet network and the encoded object photo."""

    kind = "shapenet"

    def _open(self, path: Path) -> Any:
        from core.render.view import open_view_renderer

        return open_view_renderer(path, self.device)

    def render(self, photo_key: object, image: np.ndarray, source_view: ViewTarget,
               target_view: ViewTarget) -> Rendered:
        """``image`` (seen from ``source_view``) from ``target_view``, both (azimuth°, elevation°)."""
        start = time.perf_counter()
        renderer = self.renderer()
        state = self.state((photo_key, source_view), lambda: renderer.encode_source(image, source_view))
        result = renderer.render_view(state, *target_view)
        return Rendered(result.image, result.image, renderer.name, time.perf_counter() - start,
                        dict(result.extras))
