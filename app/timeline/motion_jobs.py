"""The worker-side functions of motion import: read a video or OpenPose folder, clean with the keypoint network."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from app.jobs import Resources


def load_motion_fn(path: str) -> Callable[[Resources], Any]:
    """The job that reads a motion: a folder of OpenPose JSON, or a video through the detector it is handed
    (post it with ``Needs(detector=backend)`` for a video)."""

    def run(res: Resources) -> Any:
        from core.animation.motion_import import load_motion

        return load_motion(path, detector=res.detector, progress=res.reporter("Finding the person"),
                           cancel=res.cancelled)

    return run


def network_fn(xy: np.ndarray, frame_size: tuple[int, int] | None, checkpoint: str,
               loader: Callable[[str], Any]) -> Callable[[Resources], np.ndarray]:
    """The job that loads the dance_keypoint network and cleans (T, 18, 2) ``xy`` with it."""

    def run(res: Resources) -> np.ndarray:
        from core.animation.motion_net import denoise_with_network

        model = loader(checkpoint)
        res.check()
        out = denoise_with_network(xy, model, frame_size, cancel=res.cancelled,
                                   progress=res.reporter("Cleaning with the network"))
        return out.openpose18  # (T, 18, 2)

    return run


def default_keypoint_loader(path: str) -> Any:
    from core.animation.motion_net import load_keypoint_model

    return load_keypoint_model(path)
