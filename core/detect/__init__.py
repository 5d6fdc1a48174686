"""Pose detection behind one protocol: ``get_detector`` for photos, ``detect_sequence`` for video frames."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

import numpy as np

from core.detect.base import Detection, Detector, NoPersonFound
from core.errors import Cancelled, StudioError

__all__ = ["BACKENDS", "Detection", "Detector", "NoPersonFound", "get_detector", "detect_sequence", "clear_cache"]

BACKENDS = ("mediapipe", "mmpose")

_cache: dict[tuple, Detector] = {}
_cache_lock = threading.Lock()


def _create(backend: str, options: dict[str, Any]) -> Detector:
    if backend == "mediapipe":
        from core.detect.mediapipe_backend import MediaPipeDetector

        return MediaPipeDetector(**options)
    if backend == "mmpose":
        from core.detect.mmpose_backend import MMPoseDetector

        return MMPoseDetector(**options)
    raise StudioError(f"unknown pose detector {backend!r}: choose one of {', '.join(BACKENDS)}")


def get_detector(backend: str = "mediapipe", **options: Any) -> Detector:
    """The detector for ``backend``, created once per (backend, options) and reused.

    Options go to the backend: mediapipe takes max_side, visibility_threshold,
    min_detection_confidence; mmpose takes config, checkpoint, device, score_threshold.
    """
    backend = (backend or "mediapipe").lower()
    try:
        key = (backend, tuple(sorted(options.items())))
        hash(key)
    except TypeError:  # unhashable option (e.g. a stand-in inferencer): do not cache
        return _create(backend, options)
    with _cache_lock:
        det = _cache.get(key)
        if det is None:
            det = _cache[key] = _create(backend, options)
        return det


def clear_cache() -> None:
    """Forget cached detectors; each is released once nobody else holds it (holders keep a working one)."""
    with _cache_lock:
        _cache.clear()


def detect_sequence(
    frames: Iterable[np.ndarray],
    backend: str | Detector = "mediapipe",
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    **options: Any,
) -> Iterator[Detection | None]:
    """Detect the person in each frame, tracking across frames where the backend can.

    Yields one Detection per frame, or None for a frame with no person. ``progress(done,
    total)`` is called after each frame (total is -1 when ``frames`` has no length);
    ``cancel()`` returning True stops with Cancelled.
    """
    detector = backend if not isinstance(backend, str) else get_detector(backend, **options)
    total = len(frames) if hasattr(frames, "__len__") else -1  # type: ignore[arg-type]
    results: Iterator[Detection | None]
    tracked = getattr(detector, "detect_frames", None)  # a backend with a tracking mode (MediaPipe's graphs)
    if callable(tracked):
        results = cast("Iterator[Detection | None]", tracked(frames))
    else:
        results = (_detect_or_none(detector, f) for f in frames)
    done = 0
    try:
        while True:
            if cancel is not None and cancel():
                raise Cancelled("pose detection cancelled")
            try:
                det = next(results)
            except StopIteration:
                return
            done += 1
            if progress is not None:
                progress(done, total)
            yield det
    finally:
        close = getattr(results, "close", None)
        if callable(close):
            close()


def _detect_or_none(detector: Detector, frame: np.ndarray) -> Detection | None:
    try:
        return detector.detect(frame)
    except NoPersonFound:
        return None
