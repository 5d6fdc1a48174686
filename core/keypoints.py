"""A layout-generic, immutable keypoint array (face landmarks and the like): what Pose is for the 18 body joints, for any count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.errors import PoseError
from core.face.layout import KeypointLayout
from core.points import PointSet

if TYPE_CHECKING:
    from core.skeleton import Pose


@dataclass(frozen=True, eq=False)
class Keypoints(PointSet):
    """An (N, 2) float64 array of x, y image pixels; NaN marks a hidden point. Every edit returns a new one.

    It shares with ``core.skeleton.Pose`` what the canvas, the undo commands and the tracks use (``xy``,
    ``present``, ``with_joint``, equality: core.points.PointSet), so face landmarks are edited and keyed
    exactly as body joints are.
    """

    def _validate(self, arr: np.ndarray) -> None:
        if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) == 0:
            raise PoseError(f"keypoints must be an (N, 2) array of x, y pixels, got shape {arr.shape}")
        if np.isinf(arr).any():
            raise PoseError("keypoints have infinite coordinates")
        if (np.isnan(arr).any(axis=1) & ~np.isnan(arr).all(axis=1)).any():
            raise PoseError("a keypoint has only one of x, y (use NaN for both to hide it)")

    @classmethod
    def empty(cls, n: int) -> Keypoints:
        return cls(np.full((int(n), 2), np.nan))

    def __repr__(self) -> str:
        return f"Keypoints({int(self.present.sum())}/{len(self.xy)} points)"

    @property
    def complete(self) -> bool:
        return bool(self.present.all())

    def mirrored(self, layout: KeypointLayout, axis_x: float | None = None) -> Keypoints:
        """Swap the layout's left and right points and reflect x about ``x = axis_x`` (default: the bounds' centre)."""
        if axis_x is None:
            b = self.bounds()
            if b is None:
                return self
            axis_x = (b[0] + b[2]) / 2.0
        return Keypoints(layout.mirrored(self.xy, 2.0 * axis_x))


def as_points(obj: object) -> Pose | Keypoints:
    """``obj`` as the immutable point type of its size: a body ``Pose`` for 18 points, else ``Keypoints``.

    Pose and Keypoints pass through unchanged; arrays (N, 2) are copied. The two layouts the app knows
    (body 18, face 68) never share a size, so the size alone picks the type.
    """
    from core.skeleton import N_JOINTS, Pose

    if isinstance(obj, (Pose, Keypoints)):
        return obj
    arr = np.asarray(getattr(obj, "xy", obj), dtype=np.float64)
    return Pose(arr) if arr.shape == (N_JOINTS, 2) else Keypoints(arr)
