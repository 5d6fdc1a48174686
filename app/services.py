"""The core/ functions the editor calls, gathered in one replaceable record (tests swap in fakes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


def _load_image(path: str) -> np.ndarray:
    from core.imageio_utils import load_image

    return load_image(path)


def _save_image(path: str, rgb: np.ndarray) -> None:
    from core.imageio_utils import save_image

    save_image(path, rgb)


def _get_detector(backend: str) -> Any:
    from core.detect import get_detector

    return get_detector(backend=backend)


def _detect_people(image: np.ndarray) -> Any:
    from core.detect.wholebody import detect_document

    return detect_document(image).document


def _load_renderer(path: str | None, device: str) -> Any:
    from core.render import load_renderer

    return load_renderer(path, device=device)


def _read_pose_json(path: str) -> Any:
    from core.pose_io import read_openpose_json

    return read_openpose_json(path)


def _pose_canvas_size(path: str) -> tuple[int, int] | None:
    from core.pose_io import openpose_canvas_size

    return openpose_canvas_size(path)


def _write_pose_json(path: str, pose: Any, canvas_size: tuple[int, int]) -> None:
    from core.pose_io import write_openpose_json

    write_openpose_json(path, pose, canvas_size=canvas_size)


def _draw_skeleton(pose: Any, size_hw: tuple[int, int]) -> np.ndarray:
    from core.pose_io import draw_skeleton_image

    return draw_skeleton_image(pose, size_hw)


def _fit_pose(pose: Any, person: Any) -> Any:
    from core.animation.retarget import retarget
    from core.skeleton import Pose

    return Pose(retarget(np.asarray(pose)[None], person)[0])


def _find_weights() -> list[Any]:
    from core.weights_store import find_weights

    return list(find_weights())


def _import_checkpoint(path: str) -> Any:
    from core.weights_store import import_checkpoint

    return import_checkpoint(path)


@dataclass
class Services:
    """Every call from the editor into core/, so the window never imports core internals directly.

    ``load_image``, ``get_detector`` and ``load_renderer`` run in the worker thread; the rest in the GUI.
    """

    load_image: Callable[[str], np.ndarray] = _load_image
    save_image: Callable[[str, np.ndarray], None] = _save_image
    get_detector: Callable[[str], Any] = _get_detector
    load_renderer: Callable[[str | None, str], Any] = _load_renderer
    read_pose_json: Callable[[str], Any] = _read_pose_json
    pose_canvas_size: Callable[[str], tuple[int, int] | None] = _pose_canvas_size  # (w, h) the file records
    write_pose_json: Callable[[str, Any, tuple[int, int]], None] = _write_pose_json
    draw_skeleton: Callable[[Any, tuple[int, int]], np.ndarray] = _draw_skeleton
    fit_pose: Callable[[Any, Any], Any] = _fit_pose  # a pose from another frame, scaled and placed onto the person
    find_weights: Callable[[], list[Any]] = _find_weights
    import_checkpoint: Callable[[str], Any] = _import_checkpoint
    detect_people: Callable[[np.ndarray], Any] | None = None  # every person with hands and face (a PoseDocument)

    def people_detector(self) -> Callable[[np.ndarray], Any] | None:
        """The whole-body detector of every person: the given one, else MediaPipe's with MediaPipe's body detector
        (a custom body detector, e.g. a test's or mmpose, finds the body only)."""
        if self.detect_people is not None:
            return self.detect_people
        return _detect_people if self.get_detector is _get_detector else None
