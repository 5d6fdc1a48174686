"""The worker-side functions of motion import: read a video or OpenPose folder, clean with the keypoint network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.timeline.jobs import JobContext


def load_motion_fn(path: str, backend: str) -> Callable[[JobContext], Any]:
    """The job that reads a motion: a folder of OpenPose JSON, or a video through the worker's detector."""

    def run(ctx: JobContext) -> Any:
        from core.animation.motion_import import load_motion

        detector = None if Path(path).is_dir() else ctx.detector(backend)
        return load_motion(path, detector=detector, progress=lambda d, t: ctx.progress(d, t, "Finding the person"),
                           cancel=ctx.cancelled)

    return run


def network_fn(xy: np.ndarray, frame_size: tuple[int, int] | None, checkpoint: str,
               loader: Callable[[str], Any]) -> Callable[[JobContext], np.ndarray]:
    """The job that loads the dance_keypoint network and cleans (T, 18, 2) ``xy`` with it."""

    def run(ctx: JobContext) -> np.ndarray:
        from core.animation.motion_net import denoise_with_network

        model = loader(checkpoint)
        ctx.check()
        out = denoise_with_network(xy, model, frame_size, cancel=ctx.cancelled,
                                   progress=lambda d, t: ctx.progress(d, t, "Cleaning with the network"))
        return out.openpose18  # (T, 18, 2)

    return run


def default_keypoint_loader(path: str) -> Any:
    from core.animation.motion_net import load_keypoint_model

    return load_keypoint_model(path)
