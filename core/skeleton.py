"""The 18-joint OpenPose/COCO-18 body skeleton: the one pose type every part of the project shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.errors import PoseError
from core.points import PointSet

JOINT_NAMES: tuple[str, ...] = (
    "nose",
    "neck",
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "right_hip",
    "right_knee",
    "right_ankle",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_eye",
    "left_eye",
    "right_ear",
    "left_ear",
)
N_JOINTS = len(JOINT_NAMES)
JOINT_INDEX = {name: i for i, name in enumerate(JOINT_NAMES)}

# Limbs as (parent, child) joint indices, in the OpenPose drawing order. The first 17 are
# the ones OpenPose/ControlNet draw; the last two (shoulder to ear) are drawn by OpenPose
# only with its "full" option and are kept out of LIMBS_DRAWN.
LIMBS: tuple[tuple[int, int], ...] = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10),
    (1, 11), (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
    (2, 16), (5, 17),
)
LIMBS_DRAWN: tuple[tuple[int, int], ...] = LIMBS[:17]

# OpenPose / ControlNet colours (RGB): joint i and limb i share colour i.
COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0),
    (85, 255, 0), (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255),
    (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255), (170, 0, 255),
    (255, 0, 255), (255, 0, 170), (255, 0, 85),
)

# Index permutation that swaps left and right joints (an involution).
MIRROR_PERMUTATION: tuple[int, ...] = (0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10, 15, 14, 17, 16)


def joint_label(index: int) -> str:
    """A human-readable joint name, e.g. 'Right wrist'."""
    return JOINT_NAMES[index].replace("_", " ").capitalize()


@dataclass(frozen=True, eq=False)
class Pose(PointSet):
    """An (18, 2) float64 array of x, y image pixels; NaN marks a missing joint.

    Instances are immutable: every edit returns a new Pose, which keeps undo stacks and worker requests free of
    aliasing. ``np.asarray(pose)`` gives the (read-only) array. Equality, hashing, ``present``, ``bounds`` and
    ``with_joint`` come from core.points.PointSet, shared with face landmarks.
    """

    def _validate(self, arr: np.ndarray) -> None:
        validate_xy(arr)

    # ----- construction -------------------------------------------------------------
    @classmethod
    def empty(cls) -> Pose:
        return cls(np.full((N_JOINTS, 2), np.nan))

    @classmethod
    def coerce(cls, obj: Pose | np.ndarray | Iterable) -> Pose:
        """Accept a Pose or anything array-like of shape (18, 2)."""
        return obj if isinstance(obj, Pose) else cls(np.asarray(obj, dtype=np.float64))

    def __repr__(self) -> str:
        return f"Pose({int(self.present.sum())}/{N_JOINTS} joints)"

    # ----- edits (each returns a new Pose) ------------------------------------------
    def mirrored(self, axis_x: float | None = None) -> Pose:
        """Swap left and right joints and reflect x about the vertical line ``x = axis_x``.

        ``axis_x`` defaults to the centre of the pose's bounds, so the person stays in place.
        """
        if axis_x is None:
            b = self.bounds()
            if b is None:
                return self
            axis_x = (b[0] + b[2]) / 2.0
        arr = self.xy[list(MIRROR_PERMUTATION)].copy()
        arr[:, 0] = 2.0 * axis_x - arr[:, 0]
        return Pose(arr)

    def transformed(self, scale: float | tuple[float, float] = 1.0, offset: tuple[float, float] = (0.0, 0.0)) -> Pose:
        """x' = x * sx + ox, y' = y * sy + oy (missing joints stay missing)."""
        sx, sy = scale if isinstance(scale, tuple | list | np.ndarray) else (scale, scale)
        arr = self.xy * np.array([sx, sy]) + np.array(offset, dtype=np.float64)
        return Pose(arr)


def validate_xy(arr: np.ndarray) -> None:
    """Raise PoseError unless ``arr`` is an (18, 2) array of finite numbers or NaN pairs."""
    if arr.shape != (N_JOINTS, 2):
        raise PoseError(f"a pose must have shape ({N_JOINTS}, 2) (x, y per joint), got {arr.shape}")
    if np.isinf(arr).any():
        bad = [JOINT_NAMES[i] for i in np.where(np.isinf(arr).any(axis=1))[0]]
        raise PoseError(f"pose has infinite coordinates for: {', '.join(bad)}")
    half = np.isnan(arr).any(axis=1) & ~np.isnan(arr).all(axis=1)
    if half.any():
        bad = [JOINT_NAMES[i] for i in np.where(half)[0]]
        raise PoseError(f"pose has only one of x, y for: {', '.join(bad)} (use NaN for both to mark it missing)")
