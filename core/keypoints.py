"""A layout-generic, immutable keypoint array (face landmarks and the like): what Pose is for the 18 body joints, for any count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from core.errors import PoseError
from core.face.layout import FACE68, KeypointLayout
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


Layout = Literal["body18", "face68"]  # the point layouts the app edits, by name
LAYOUT_POINTS: dict[str, int] = {"body18": 18, "face68": 68}  # ... and their sizes


def points_of(layout: str, obj: object) -> Pose | Keypoints:
    """``obj`` as the immutable point type of ``layout``: a body ``Pose`` for "body18", face ``Keypoints`` for
    "face68" (never picked from the array's size). Points of that type pass through; (N, 2) arrays are copied and
    checked against the layout; points of the other type are a PoseError."""
    from core.skeleton import Pose  # core.skeleton imports this module

    if layout not in LAYOUT_POINTS:
        raise PoseError(f"unknown point layout {layout!r}: use one of {', '.join(LAYOUT_POINTS)}")
    kind = Pose if layout == "body18" else Keypoints
    if isinstance(obj, kind):
        return obj
    if isinstance(obj, PointSet):
        raise PoseError(f"{layout} points expected, got {type(obj).__name__}")
    arr = np.asarray(obj, dtype=np.float64)
    if arr.shape != (LAYOUT_POINTS[layout], 2):
        raise PoseError(f"{layout} points must be {LAYOUT_POINTS[layout]} (x, y) points, got shape {arr.shape}")
    return Pose(arr) if kind is Pose else Keypoints(FACE68.check(arr))


def layout_of(points: PointSet) -> str:
    """The layout name of typed points (a Pose is "body18", Keypoints "face68")."""
    return "face68" if isinstance(points, Keypoints) else "body18"
