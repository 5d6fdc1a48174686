"""The immutable point array that body poses (core.skeleton.Pose) and face landmarks (core.keypoints.Keypoints) share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np

P = TypeVar("P", bound="PointSet")


@dataclass(frozen=True, eq=False)
class PointSet:
    """An (N, 2) float64 array of x, y image pixels, read-only; NaN (both coordinates) marks a missing point.

    Every edit returns a new instance of the same class, which keeps undo stacks and worker requests free of
    aliasing. Subclasses check the array in ``_validate`` (raising core.errors.PoseError).
    """

    xy: np.ndarray

    def __post_init__(self) -> None:
        arr = np.array(self.xy, dtype=np.float64, copy=True)
        self._validate(arr)
        arr.setflags(write=False)
        object.__setattr__(self, "xy", arr)

    def _validate(self, arr: np.ndarray) -> None:
        raise NotImplementedError

    def __array__(self, dtype=None, copy=None):  # noqa: ANN001, ANN204, D105 - numpy protocol
        return self.xy if dtype is None else self.xy.astype(dtype)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PointSet):
            return NotImplemented
        return bool(type(other) is type(self) and self.xy.shape == other.xy.shape
                    and np.array_equal(self.xy, other.xy, equal_nan=True))

    def __hash__(self) -> int:
        return hash(np.nan_to_num(self.xy, nan=-1e9).tobytes())

    def __len__(self) -> int:
        return len(self.xy)

    @property
    def present(self) -> np.ndarray:
        """(N,) bool: True where the point is known."""
        return ~np.isnan(self.xy).any(axis=1)

    @property
    def missing(self) -> np.ndarray:
        return ~self.present

    def copy_array(self) -> np.ndarray:
        """A writable copy of the coordinates."""
        return np.array(self.xy)

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(x0, y0, x1, y1) of the present points, or None when no point is present."""
        p = self.xy[self.present]
        if len(p) == 0:
            return None
        return float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max())

    def with_joint(self: P, index: int, xy: tuple[float, float] | None) -> P:
        """Move point ``index`` to ``xy``; ``None`` hides it (makes it missing)."""
        arr = self.copy_array()
        arr[index] = (np.nan, np.nan) if xy is None else (float(xy[0]), float(xy[1]))
        return type(self)(arr)
