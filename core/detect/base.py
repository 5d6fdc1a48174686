"""What every pose detector returns and promises: the Detection record and the Detector protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from core.errors import ImageLoadError, NoPersonFound
from core.skeleton import JOINT_NAMES, N_JOINTS, Pose

__all__ = ["Detection", "Detector", "NoPersonFound", "check_rgb", "MIN_JOINTS"]

# A detection with fewer present joints than this is treated as "no person".
MIN_JOINTS = 3


@dataclass(frozen=True, eq=False)
class Detection:
    """One person found in one image."""

    pose: Pose  # COCO-18 joints in the original image's pixels (x, y); NaN = not visible
    scores: np.ndarray  # (18,) float in [0, 1]; 0 where the joint is missing
    mask: np.ndarray | None  # (H, W) float32 in [0, 1], person segmentation at the image's size; None if unsupported
    backend: str  # the detector's name, e.g. "mediapipe"

    def summary(self) -> str:
        """One line, e.g. '16/18 joints (missing: left ear, right ear)'."""
        missing = [JOINT_NAMES[i].replace("_", " ") for i in np.where(self.pose.missing)[0]]
        n = N_JOINTS - len(missing)
        return f"{n}/{N_JOINTS} joints" + (f" (missing: {', '.join(missing)})" if missing else "")


@runtime_checkable
class Detector(Protocol):
    """A single-person pose detector. ``detect`` raises NoPersonFound (one-line message) when nobody is there."""

    name: str

    def detect(self, image: np.ndarray) -> Detection: ...


def check_rgb(image: np.ndarray) -> np.ndarray:
    """Return ``image`` as a C-contiguous (H, W, 3) uint8 array or raise ImageLoadError."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ImageLoadError(f"pose detection needs an (H, W, 3) uint8 RGB image, got {arr.shape} {arr.dtype}")
    return np.ascontiguousarray(arr)


def no_person(detail: str = "") -> NoPersonFound:
    return NoPersonFound("no person found in the image" + (f" ({detail})" if detail else ""))
