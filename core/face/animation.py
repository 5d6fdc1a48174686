"""Driving a portrait with a face video, headless: track the driver's face, smooth and retarget its landmarks, stream the rendered frames into a writer.

The ``face-animate`` command and the face window's "Drive with Video…" both run these three steps:
``track_driving_video`` (frames read one at a time; only the (T, 68, 2) landmarks are kept),
``driving_targets`` (smoothing + retargeting onto the portrait) and ``write_face_video`` (each rendered
frame goes straight to ``core.export``'s writer, so memory stays flat; a cancelled or failed run leaves
no file).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.render.base import CancelFn, ProgressFn, RenderResult, SourceState

SMOOTHERS = ("savgol", "oneeuro", "none")
SMOOTHER_TITLES = {"savgol": "Savitzky–Golay", "oneeuro": "One-Euro", "none": "None"}
DEFAULT_FPS = 24.0  # when the video does not say its frame rate


@dataclass(frozen=True, eq=False)
class DrivingTrack:
    """The driver's tracked face: (T, 68, 2) landmarks in video pixels (NaN rows where no face is seen)."""

    landmarks: np.ndarray  # (T, 68, 2) float64
    fps: float  # the video's frame rate

    @property
    def frames(self) -> int:
        return int(len(self.landmarks))

    @property
    def seen(self) -> int:
        """How many frames show a face."""
        return int((~np.isnan(self.landmarks).any(axis=(1, 2))).sum())


def track_driving_video(
    path: str | os.PathLike,
    max_frames: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> DrivingTrack:
    """Track the face through a video (MediaPipe face mesh, 68 points), reading one frame at a time.

    ``progress(done, total)`` per frame (total estimated from the video's duration, -1 if unknown);
    ``cancel()`` returning True stops with Cancelled. MotionError for an unreadable video,
    NoFaceFound when no frame shows a face.
    """
    from core.animation.motion_import import _video_frames
    from core.detect.face_mesh import detect_face_sequence, landmark_track

    meta, frames, close = _video_frames(Path(path))
    fps = float(meta.get("fps") or 0.0) or DEFAULT_FPS
    limit = max_frames if max_frames and max_frames > 0 else None
    total = int(round(float(meta.get("duration") or 0.0) * fps)) or -1
    if limit is not None:
        total = min(total, limit) if total > 0 else limit

    def limited():
        for i, frame in enumerate(frames):
            if limit is not None and i >= limit:
                return
            yield frame

    def step(done: int, _total: int) -> None:
        if progress is not None:
            progress(done, max(total, done) if total > 0 else -1)

    try:  # only the (68, 2) landmarks of each frame are kept, never the frames or the full meshes
        landmarks = landmark_track(detect_face_sequence(limited(), progress=step, cancel=cancel))
    finally:
        close()
    return DrivingTrack(landmarks, fps)


def driving_targets(track: DrivingTrack, portrait_landmarks: np.ndarray, smooth: str = "savgol",
                    retarget: str = "relative") -> np.ndarray:
    """(T, 68, 2) target landmarks in portrait pixels: the track smoothed (at the video's rate) and retargeted."""
    from core.animation.smoothing import MotionError, smooth_motion
    from core.face.retarget import retarget_face

    if smooth not in SMOOTHERS:
        raise MotionError(f"unknown smoothing {smooth!r}: use one of {', '.join(SMOOTHERS)}")
    xy = track.landmarks
    if smooth != "none":
        xy = smooth_motion(xy, smooth, fps=track.fps)
    return retarget_face(xy, portrait_landmarks, retarget)


@dataclass(frozen=True)
class WrittenVideo:
    path: Path
    frames: int


def write_face_video(
    renderer: Any,
    state: SourceState,
    targets: np.ndarray,
    out: str | os.PathLike,
    fps: float,
    size: tuple[int, int] | None = None,
    frame: Callable[[RenderResult], np.ndarray] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    fmt: str | None = None,
) -> WrittenVideo:
    """Render every target (T, 68, 2) with ``renderer`` (a face renderer) and stream the frames into ``out``.

    ``frame(result)`` makes the written (H, W, 3) uint8 image from each result (default: the result's image);
    ``size`` (width, height) is that image's size (default: the renderer's ``load_size`` square, as the bare
    FaceRenderer's frames are). The file appears only when every frame is written: an error or Cancelled
    leaves nothing behind.
    """
    from core.export import open_writer

    if size is None:
        side = int(renderer.load_size)
        size = (side, side)
    with open_writer(out, fps, size, fmt) as writer:
        for result in renderer.render_sequence(state, targets, progress=progress, cancel=cancel):
            writer.append(result.image if frame is None else frame(result))
    return WrittenVideo(writer.path, writer.frames_written)


def driving_track_to_keys(track: DrivingTrack, portrait_landmarks: np.ndarray, smooth: str = "savgol",
                          tolerance_px: float = 1.5, interp: str = "linear"):  # noqa: ANN201 - core.animation.keyframes.Track
    """The driver's face motion as face-mode keyframes: smoothed, retargeted onto the portrait and thinned so linear
    interpolation between the kept frames stays within ``tolerance_px`` portrait pixels of every frame."""
    from core.animation.retarget import motion_to_track

    return motion_to_track(driving_targets(track, portrait_landmarks, smooth), track.fps, tolerance_px, interp,
                           layout="face68")
