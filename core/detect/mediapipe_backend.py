"""The default pose detector: MediaPipe's legacy Pose solution, whose model ships inside the wheel."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Generator, Iterable, Iterator

import numpy as np

from core.detect.base import MIN_JOINTS, Detection, check_rgb, no_person
from core.errors import StudioError
from core.imageio_utils import bounded, import_cv2
from core.pose_io import remap_keypoints
from core.skeleton import Pose

# MediaPipe's 33 landmarks -> COCO-18 (neck = midpoint of the shoulders, 11 and 12).
MEDIAPIPE33_TO_COCO18 = (0, (11, 12), 12, 14, 16, 11, 13, 15, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7)
N_LANDMARKS = 33


_quiet_lock = threading.Lock()
_quiet_state = {"depth": 0, "saved": -1}


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: MediaPipe's C++ logs bypass Python and GLOG_minloglevel.

    Nested and concurrent uses share one redirection; the last one out restores fd 2.
    """
    with _quiet_lock:
        if _quiet_state["depth"] == 0:
            try:
                sys.stderr.flush()
                saved = os.dup(2)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            except (OSError, ValueError, AttributeError):  # no usable fd 2 (windowed app): nothing to silence
                saved = -1
            _quiet_state["saved"] = saved
        _quiet_state["depth"] += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_state["depth"] -= 1
            if _quiet_state["depth"] == 0 and _quiet_state["saved"] >= 0:
                os.dup2(_quiet_state["saved"], 2)
                os.close(_quiet_state["saved"])
                _quiet_state["saved"] = -1


def _import_mediapipe():
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import_cv2()  # MediaPipe imports cv2; let the project's import undo its Qt variables first
    try:
        with _quiet_stderr():
            import mediapipe as mp
    except ImportError as exc:
        raise StudioError(
            f"MediaPipe is not installed or cannot load ({exc}); install the project's requirements"
        ) from None
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:
        pass
    return mp


def landmarks_to_coco18(
    landmarks_xyv: np.ndarray, size_wh: tuple[int, int], visibility_threshold: float = 0.5
) -> tuple[Pose, np.ndarray]:
    """(33, 3) normalised (x, y, visibility) landmarks -> (Pose in pixels of a ``size_wh`` image, (18,) scores).

    A landmark whose visibility is below ``visibility_threshold`` counts as missing.
    """
    lm = np.asarray(landmarks_xyv, dtype=np.float64).reshape(N_LANDMARKS, 3)
    xy = lm[:, :2] * np.array(size_wh, dtype=np.float64)
    vis = np.clip(lm[:, 2], 0.0, 1.0)
    conf = np.where(vis >= visibility_threshold, np.maximum(vis, 1e-6), 0.0)
    out, scores = remap_keypoints(xy, conf, MEDIAPIPE33_TO_COCO18)
    return Pose(out), scores


class MediaPipeGraphDetector:
    """What MediaPipe's legacy graphs share: a silenced start-up, one static graph for photos, a fresh
    tracking graph per video, and processing at a bounded size. Subclasses build the graph and read
    its result into a detection (None when nothing was found)."""

    name = "mediapipe"
    max_side = 1024

    def __init__(self) -> None:
        self._mp = _import_mediapipe()
        self._lock = threading.Lock()
        self._graph = self._new_graph(static=True)

    def _build(self, static: bool):
        raise NotImplementedError

    def _read(self, result, size_wh: tuple[int, int]):
        raise NotImplementedError

    def _not_found(self) -> StudioError:
        return no_person()

    def _new_graph(self, static: bool):
        with _quiet_stderr():
            graph = self._build(static)
            # The graph's threads log while they start; one blank frame waits for them, still silenced.
            graph.process(np.zeros((64, 64, 3), np.uint8))
            if not static:
                graph.reset()
            return graph

    def detect(self, image: np.ndarray):
        with self._lock:
            det = self._run(self._graph, image)
        if det is None:
            raise self._not_found()
        return det

    def detect_frames(self, frames: Iterable[np.ndarray]) -> Generator:
        """Tracking mode for video: one fresh graph follows the subject from frame to frame; None where lost."""
        graph = self._new_graph(static=False)
        try:
            for frame in frames:
                yield self._run(graph, frame)
        finally:
            graph.close()

    def _run(self, graph, image: np.ndarray):
        image = check_rgb(image)
        h, w = image.shape[:2]
        small, _ = bounded(image, self.max_side)
        with _quiet_stderr():
            result = graph.process(np.ascontiguousarray(small))
        return self._read(result, (w, h))

    def close(self) -> None:
        with self._lock:
            self._graph.close()


class MediaPipeDetector(MediaPipeGraphDetector):
    """Single-image pose detection with MediaPipe Pose (model_complexity 1, the one bundled model)."""

    name = "mediapipe"

    def __init__(self, max_side: int = 1024, visibility_threshold: float = 0.5, min_detection_confidence: float = 0.5):
        self.max_side = int(max_side)
        self.visibility_threshold = float(visibility_threshold)
        self.min_detection_confidence = float(min_detection_confidence)
        super().__init__()

    def _build(self, static: bool):
        from mediapipe.python.solutions import pose  # the package's __init__ does not declare it for checkers

        return pose.Pose(
            static_image_mode=static,
            model_complexity=1,  # 0 and 2 would need a download
            enable_segmentation=True,
            smooth_landmarks=not static,
            smooth_segmentation=not static,
            min_detection_confidence=self.min_detection_confidence,
        )

    def _read(self, result, size_wh: tuple[int, int]) -> Detection | None:
        if result.pose_landmarks is None:
            return None
        w, h = size_wh
        lm = np.array([(p.x, p.y, p.visibility) for p in result.pose_landmarks.landmark])
        pose, scores = landmarks_to_coco18(lm, (w, h), self.visibility_threshold)
        if int(pose.present.sum()) < MIN_JOINTS:
            return None
        return Detection(
            pose=pose, scores=scores, mask=self._full_mask(result.segmentation_mask, (h, w)), backend=self.name
        )

    @staticmethod
    def _full_mask(mask: np.ndarray | None, size_hw: tuple[int, int]) -> np.ndarray | None:
        if mask is None:
            return None
        full = np.asarray(mask, dtype=np.float32)
        if full.shape != size_hw:
            cv2 = import_cv2()
            full = np.asarray(cv2.resize(full, (size_hw[1], size_hw[0]), interpolation=cv2.INTER_LINEAR))
        return np.clip(full, 0.0, 1.0).astype(np.float32, copy=False)
