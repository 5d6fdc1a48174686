"""Import a motion (one OpenPose-18 pose per frame) from a video file or a folder of OpenPose JSON files.

Videos are streamed frame by frame through imageio-ffmpeg's bundled ffmpeg and the person is detected
in each frame (``core.detect.detect_sequence``), so a long video never sits in memory. A frame where
no person is found becomes an all-missing pose. JSON folders are read in natural order (frame2 before
frame10); in a file with several people the largest one is taken (core.pose_io's rule).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.animation.smoothing import MotionError
from core.errors import Cancelled, StudioError
from core.skeleton import N_JOINTS, Pose

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".gif", ".mpg", ".mpeg", ".wmv")


@dataclass
class Motion:
    """A dense skeleton track and where it came from."""

    xy: np.ndarray  # (T, 18, 2) x, y pixels of the source frames; NaN = missing
    fps: float
    frame_size: tuple[int, int] | None  # (W, H) of the source frames, None when unknown (JSON)
    source: str

    def __len__(self) -> int:
        return len(self.xy)


def natural_key(name: str) -> list:
    """Sort key that orders embedded numbers by value: frame2 < frame10."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name)]


def _person_of_file(path: Path) -> np.ndarray:
    """(18, 2) of the person in one OpenPose JSON file (core.pose_io's choice: the largest); none → missing."""
    from core.pose_io import list_people

    people = list_people(path)
    if not people:
        return np.full((N_JOINTS, 2), np.nan)
    best = max(people, key=lambda q: (q.area, float(q.confidence.sum())))
    return np.asarray(best.pose.xy)


def read_openpose_folder(folder: str | os.PathLike, fps: float = 24.0) -> Motion:
    """One pose per ``*.json`` file of ``folder`` in natural order; a file with nobody is an all-missing frame.

    The frame size comes from the first file's canvas_width/height when an editor stored it, else None.
    """
    from core.pose_io import openpose_canvas_size

    root = Path(folder)
    if not root.is_dir():
        raise MotionError(f"{root} is not a folder")
    files = sorted((p for p in root.iterdir() if p.suffix.lower() == ".json"), key=lambda p: natural_key(p.name))
    if not files:
        raise MotionError(f"{root} holds no OpenPose .json files")
    poses = [_person_of_file(p) for p in files]
    return Motion(np.stack(poses), float(fps), openpose_canvas_size(files[0]), str(root))


def _video_frames(path: Path) -> tuple[dict, Iterator[np.ndarray], Callable[[], None]]:
    """(meta, frames (H, W, 3) uint8 iterator, close) from imageio-ffmpeg; MotionError when unreadable."""
    import imageio_ffmpeg

    if not path.is_file():
        raise MotionError(f"the video {path} does not exist")
    def open_reader(output: list[str] | None) -> tuple[Any, dict]:
        reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24", output_params=output)
        try:
            return reader, next(reader)
        except (OSError, RuntimeError, StopIteration) as exc:
            reader.close()
            why = str(exc).splitlines()[0] if str(exc) else "no frames"
            raise MotionError(f"cannot read {path.name} as a video ({why})") from exc

    reader, meta = open_reader(None)
    if meta.get("fps"):  # resample to the average rate: a variable-rate clip keeps its duration
        reader.close()
        reader, meta = open_reader(["-r", f"{float(meta['fps']):g}"])
    w, h = meta["size"]

    def frames() -> Iterator[np.ndarray]:
        for buf in reader:
            yield np.frombuffer(buf, dtype=np.uint8).reshape(h, w, 3)

    return meta, frames(), reader.close


def _pose_of(detection: Any) -> np.ndarray:
    if detection is None:
        return np.full((N_JOINTS, 2), np.nan)
    pose = getattr(detection, "pose", detection)
    return np.asarray(Pose.coerce(pose).xy)


def read_video_motion(
    path: str | os.PathLike,
    detector: Any = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    max_frames: int | None = None,
) -> Motion:
    """Detect the person in every frame of a video; progress(done, total≈) per frame; Cancelled on cancel.

    ``detector`` is a core.detect Detector or backend name (default "mediapipe").
    """
    from core.detect import detect_sequence

    path = Path(path)
    meta, frames, close = _video_frames(path)
    fps = float(meta.get("fps") or 24.0)
    total = int(round(float(meta.get("duration") or 0) * fps)) or -1
    if max_frames is not None:
        total = min(total, max_frames) if total > 0 else max_frames

    def limited() -> Iterator[np.ndarray]:
        for i, frame in enumerate(frames):
            if max_frames is not None and i >= max_frames:
                return
            if cancel is not None and cancel():
                raise Cancelled("motion import cancelled")
            yield frame

    poses: list[np.ndarray] = []
    try:
        backend = detector if detector is not None else "mediapipe"
        for det in detect_sequence(limited(), backend, None, cancel):
            poses.append(_pose_of(det))
            if progress is not None:
                progress(len(poses), max(total, len(poses)))
    except (StudioError, KeyboardInterrupt):
        raise
    except (OSError, RuntimeError) as exc:
        raise MotionError(f"reading {path.name} failed: {exc}") from exc
    finally:
        close()
    if not poses:
        raise MotionError(f"{path.name} has no frames")
    if all(np.isnan(p).all() for p in poses):
        raise MotionError(f"{path.name}: no person found in any of its {len(poses)} frames")
    return Motion(np.stack(poses), fps, tuple(meta["size"]), str(path))


def load_motion(
    path: str | os.PathLike,
    fps: float | None = None,
    detector: Any = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    max_frames: int | None = None,
) -> Motion:
    """A folder → OpenPose JSON files; a video file → detection per frame. ``fps`` overrides the source's."""
    p = Path(path)
    if p.is_dir():
        motion = read_openpose_folder(p, fps or 24.0)
        if max_frames is not None:
            motion.xy = motion.xy[:max_frames]
        return motion
    if not p.exists():
        raise MotionError(f"{p} does not exist")
    if p.suffix.lower() not in VIDEO_SUFFIXES:
        raise MotionError(f"{p.name}: expected a video ({', '.join(VIDEO_SUFFIXES)}) or a folder of OpenPose JSON")
    motion = read_video_motion(p, detector, progress, cancel, max_frames)
    if fps:
        motion.fps = float(fps)
    return motion
