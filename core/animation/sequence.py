"""Render an animation frame by frame into a streaming writer, with progress, time left and cancel.

Frames flow renderer → writer one at a time (``renderer.render_sequence`` is a generator and the
writer pipes each frame to ffmpeg), so memory does not grow with the length of the animation; poses
are sampled from the track in small chunks. ``bench_animation_memory`` measures exactly that.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from core.animation.keyframes import Points, Track
from core.errors import Cancelled, StudioError
from core.keypoints import points_of
from core.points import PointSet
from core.progress import Progress
from core.render.base import Renderer, SourceState
from core.skeleton import Pose

SequenceProgressFn = Callable[[Progress], None]


def _poses(track_or_poses: Track | np.ndarray | Iterable[Points | np.ndarray]) -> tuple[Iterator[Points], int]:
    """The frames' points: a Track's samples, typed points as they are; plain (18, 2) arrays are body poses (the
    body renderers' own input), anything else must come typed (a face track is a Track or Keypoints)."""
    if isinstance(track_or_poses, Track):
        return track_or_poses.sample(), track_or_poses.length_frames
    items = list(track_or_poses)
    return (p if isinstance(p, PointSet) else points_of("body18", p) for p in items), len(items)


def render_target(points: Points) -> Pose | np.ndarray:
    """``points`` as a renderer takes them: a body Pose as it is, other layouts (face landmarks) as their (N, 2) array."""
    return points if isinstance(points, Pose) else np.asarray(points.xy)


class _CountedPoses:
    """An iterator over targets that still reports its length (render_each uses len for its progress)."""

    def __init__(self, poses: Iterator[Pose | np.ndarray], total: int) -> None:
        self._it, self._n = poses, total

    def __iter__(self) -> Iterator[Pose | np.ndarray]:
        return self._it

    def __len__(self) -> int:
        return self._n


def _fit(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    if image.shape[:2] == (h, w):
        return image
    import cv2

    return cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)


def skeleton_panel(pose: Points, size: tuple[int, int]) -> np.ndarray:
    """(H, W, 3) uint8 drawing of ``pose`` on black for the side-by-side export: the OpenPose-coloured skeleton of
    a body, the landmark lines of a face."""
    from core.pose_io import draw_landmarks_image, draw_skeleton_image

    w, h = size
    if isinstance(pose, Pose):
        return _fit(np.asarray(draw_skeleton_image(pose, (h, w))), size)
    return _fit(draw_landmarks_image(pose.xy, (h, w)), size)


def render_animation(
    renderer: Renderer,
    state: SourceState,
    track_or_poses: Track | np.ndarray | Iterable[Points | np.ndarray],
    writer,
    progress: SequenceProgressFn | None = None,
    cancel: Callable[[], bool] | None = None,
    skeleton_beside: bool = False,
) -> int:
    """Render every pose and append each frame to ``writer``; returns the number of frames written.

    The writer's size is the frame size; rendered images of another size are resized to it. With
    ``skeleton_beside`` each frame is the render and the target skeleton side by side, so the writer
    must be twice as wide as one panel. Raises core.errors.Cancelled when ``cancel()`` turns true;
    the caller aborts the writer (``with open_writer(...)`` does it).
    """
    poses, total = _poses(track_or_poses)
    w, h = writer.size
    panel = (w // 2, h) if skeleton_beside else (w, h)
    targets: list[Points] = []  # the pose of each frame in flight, for the skeleton panel

    def feed() -> Iterator[Pose | np.ndarray]:
        for p in poses:
            targets.append(p)
            yield render_target(p)

    start = time.perf_counter()
    done = 0
    results = renderer.render_sequence(state, _CountedPoses(feed(), total), None, cancel)
    try:
        for result in results:
            if cancel is not None and cancel():
                raise Cancelled("rendering cancelled")
            frame = _fit(result.image, panel)
            pose = targets.pop(0) if targets else None
            if skeleton_beside:
                if pose is None:
                    raise StudioError("the renderer returned more frames than it was given poses")
                frame = np.concatenate([frame, skeleton_panel(pose, panel)], axis=1)
                frame = _fit(frame, (w, h))
            writer.append(frame)
            done += 1
            if progress is not None:
                progress(Progress(done, total, elapsed_s=time.perf_counter() - start))
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    return done


def _rss_bytes() -> int:
    """Current resident set size of this process (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def bench_animation_memory(n_frames: int = 300, size: int = 512, renderer: Renderer | None = None) -> dict:
    """Render ``n_frames`` of a synthetic walk at ``size`` px into an MP4 and measure memory and speed.

    Returns {'frames', 'size', 'seconds', 'fps', 'rss_start_mb', 'rss_peak_growth_mb',
    'rss_growth_after_10pct_mb', 'rss_growth_last_90pct_mb', 'renderer'}: the growth over the last 90 %
    of the frames is what "flat" means (should stay near 0 however many frames are rendered).
    """
    import tempfile
    from pathlib import Path

    from core.export import open_writer
    from core.render import load_renderer

    renderer = renderer or load_renderer(None)
    image, pose = synthetic_person(size)
    track = synthetic_walk(pose, n_frames)
    state = renderer.encode_source(image, pose)
    samples: list[int] = []
    base = _rss_bytes()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        with open_writer(Path(tmp) / "bench.mp4", track.fps, (size, size)) as writer:
            render_animation(renderer, state, track, writer, progress=lambda p: samples.append(_rss_bytes()))
    seconds = time.perf_counter() - t0
    mb = 1 / 2**20
    tenth = samples[max(0, len(samples) // 10 - 1)] if samples else base
    return {
        "frames": n_frames,
        "size": size,
        "renderer": renderer.name,
        "seconds": seconds,
        "fps": n_frames / seconds if seconds > 0 else 0.0,
        "rss_start_mb": base * mb,
        "rss_peak_growth_mb": (max(samples, default=base) - base) * mb,
        "rss_growth_after_10pct_mb": (tenth - base) * mb,
        "rss_growth_last_90pct_mb": (max(samples, default=base) - tenth) * mb,
    }


def synthetic_person(size: int = 512) -> tuple[np.ndarray, Pose]:
    """A plain test 'photo' (gradient background, a drawn figure) and its standing pose, at size×size."""
    import cv2

    from core.skeleton import LIMBS_DRAWN

    s = size / 256.0
    xy = np.array([
        [128, 40], [128, 62], [106, 64], [100, 96], [98, 126], [150, 64], [156, 96], [158, 126],
        [114, 130], [112, 176], [112, 222], [142, 130], [144, 176], [144, 222],
        [122, 35], [134, 35], [116, 38], [140, 38],
    ], dtype=np.float64) * s
    yy, xx = np.mgrid[0:size, 0:size]
    image = np.stack([(xx * 200 // size), (yy * 200 // size), np.full_like(xx, 120)], axis=2).astype(np.uint8)
    for a, b in LIMBS_DRAWN:
        cv2.line(image, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), (230, 80, 60), max(2, int(10 * s)))
    cv2.circle(image, tuple(int(v) for v in xy[0]), int(14 * s), (240, 200, 170), -1)
    return image, Pose(xy)


def synthetic_walk(pose: Pose, n_frames: int, fps: float = 24.0) -> Track:
    """A track swinging arms and legs around ``pose`` with a keyframe every 12 frames (smooth)."""
    from core.animation.keyframes import Keyframe

    base = np.asarray(pose.xy)
    scale = (base[:, 1].max() - base[:, 1].min()) / 200.0
    kfs = []
    for k, f in enumerate(range(0, n_frames, 12)):
        xy = base.copy()
        sign = 1 if k % 2 else -1
        xy[[3, 4], 0] += sign * 14 * scale * np.array([1, 2])  # arms swing
        xy[[6, 7], 0] -= sign * 14 * scale * np.array([1, 2])
        xy[[9, 10], 1] -= (sign > 0) * 12 * scale * np.array([1, 0.5])  # knees lift in turn
        xy[[12, 13], 1] -= (sign < 0) * 12 * scale * np.array([1, 0.5])
        kfs.append(Keyframe(f, Pose(xy), "smooth"))
    return Track(tuple(kfs), length_frames=n_frames, fps=fps)
