"""Worker-side state for face mode and the view dialog: loaded networks and encoded sources, reused between jobs.

Every method here runs in the editor's worker thread (inside a Job's function) and never touches widgets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import CheckpointError, PoseError


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
    """One network result, ready to show: ``image`` at the photo's size (or the network's for views)."""

    image: np.ndarray  # (H, W, 3) uint8
    network_image: np.ndarray  # (S, S, 3) uint8, the network's own frame
    renderer: str
    seconds: float
    extras: dict[str, Any]


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
    """The face network and the encoded portrait."""

    kind = "face"

    def _open(self, path: Path) -> Any:
        from core.render.face import open_face_renderer

        return open_face_renderer(path, self.device)

    def render(self, portrait: Portrait, target: np.ndarray) -> Rendered:
        """The portrait re-rendered with ``target`` (68, 2) landmarks, its face frame pasted back into the photo."""
        from app.face.compose import paste_back

        if not np.isfinite(target).all():
            raise PoseError("the face network needs all 68 landmarks: restore the hidden ones (right-click the face)")
        start = time.perf_counter()
        renderer = self.renderer()
        state = self.state(portrait, lambda: renderer.encode_source(portrait.image, portrait.landmarks))
        result = renderer.render(state, target)
        full = paste_back(portrait.image, result.image, result.crop_box)
        return Rendered(full, result.image, renderer.name, time.perf_counter() - start,
                        {"box": result.crop_box})


class ViewSession(_Cached):
    """The ShapeNet network and the encoded object photo."""

    kind = "shapenet"

    def _open(self, path: Path) -> Any:
        from core.render.view import open_view_renderer

        return open_view_renderer(path, self.device)

    def render(self, photo_key: object, image: np.ndarray, source_view: tuple[float, float],
               target_view: tuple[float, float]) -> Rendered:
        """``image`` (seen from ``source_view``) from ``target_view``, both (azimuth°, elevation°)."""
        start = time.perf_counter()
        renderer = self.renderer()
        state = self.state((photo_key, source_view), lambda: renderer.encode_source(image, source_view))
        result = renderer.render_view(state, *target_view)
        return Rendered(result.image, result.image, renderer.name, time.perf_counter() - start,
                        dict(result.extras))
