"""A layout-generic, immutable keypoint array (face landmarks and the like): what Pose is for the 18 body joints, for any count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.errors import PoseError
from core.face_layout import KeypointLayout

if TYPE_CHECKING:
    from core.skeleton import Pose


@dataclass(frozen=True, eq=False)
class Keypoints:
    """An (N, 2) float64 array of x, y image pixels; NaN marks a hidden point. Every edit returns a new one.

    It offers what the canvas and the undo commands use of ``core.skeleton.Pose`` (``xy``, ``present``,
    ``with_joint``, equality), so a canvas edits face landmarks exactly as it edits body joints.
    """

    xy: np.ndarray

    def __post_init__(self) -> None:
        arr = np.array(self.xy, dtype=np.float64, copy=True)
        if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) == 0:
            raise PoseError(f"keypoints must be an (N, 2) array of x, y pixels, got shape {arr.shape}")
        if np.isinf(arr).any():
            raise PoseError("keypoints have infinite coordinates")
        if (np.isnan(arr).any(axis=1) & ~np.isnan(arr).all(axis=1)).any():
            raise PoseError("a keypoint has only one of x, y (use NaN for both to hide it)")
        arr.setflags(write=False)
        object.__setattr__(self, "xy", arr)

    @classmethod
    def empty(cls, n: int) -> Keypoints:
        return cls(np.full((int(n), 2), np.nan))

    def __array__(self, dtype=None, copy=None):  # noqa: ANN001, D105 - numpy protocol
        return self.xy if dtype is None else self.xy.astype(dtype)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Keypoints):
            return NotImplemented
        return bool(self.xy.shape == other.xy.shape and np.array_equal(self.xy, other.xy, equal_nan=True))

    def __hash__(self) -> int:
        return hash(np.nan_to_num(self.xy, nan=-1e9).tobytes())

    def __len__(self) -> int:
        return len(self.xy)

    def __repr__(self) -> str:
        return f"Keypoints({int(self.present.sum())}/{len(self.xy)} points)"

    @property
    def present(self) -> np.ndarray:
        """(N,) bool: True where the point is shown."""
        return ~np.isnan(self.xy).any(axis=1)

    @property
    def complete(self) -> bool:
        return bool(self.present.all())

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the present points, or None when none is present."""
        p = self.xy[self.present]
        if len(p) == 0:
            return None
        return float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max())

    def with_joint(self, index: int, xy: tuple[float, float] | None) -> Keypoints:
        """Move point ``index`` to ``xy``; ``None`` hides it (the name matches Pose.with_joint)."""
        arr = np.array(self.xy)
        arr[index] = (np.nan, np.nan) if xy is None else (float(xy[0]), float(xy[1]))
        return Keypoints(arr)

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
