"""Keyframe interpolation per joint and coordinate: hold, linear, smooth (cubic spline) and ease in/out.

Curves (segment from keyframe i at frame f_i to keyframe i+1 at f_{i+1}, u = (t - f_i) / (f_{i+1} - f_i)):

- ``hold``:   the pose of keyframe i until the next keyframe.
- ``linear``: a + (b - a)·u.
- ``ease``:   a + (b - a)·(3u² − 2u³), a cubic with zero velocity at both keyframes.
- ``smooth``: a natural cubic spline (scipy ``CubicSpline``, C2) through every keyframe of that
  joint's run of consecutive keyframes where the joint is present; two keyframes give a line.

Before the first keyframe the first pose holds, after the last the last pose holds. Every curve passes
exactly through every keyframe: at t = f_i the result is keyframe i's pose, joint for joint.

Missing joints: a joint missing (NaN) in keyframe i or keyframe i+1 is missing for every t strictly
between them, whatever the interpolation (also for ``hold``). A joint therefore appears or vanishes on
a keyframe, never half-way through a segment, and nothing is invented for it. Splines never bridge a
keyframe where the joint is missing: each run of keyframes with the joint present gets its own spline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.interpolate import CubicSpline

from core.skeleton import N_JOINTS


def ease_weight(u: np.ndarray) -> np.ndarray:
    """Cubic ease in/out (smoothstep): 0 → 0, 1 → 1, zero slope at both ends."""
    return u * u * (3.0 - 2.0 * u)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (start, end) index ranges of consecutive True values, length ≥ 2."""
    runs, start = [], None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            if i - start >= 2:
                runs.append((start, i - 1))
            start = None
    return runs


class TrackInterpolator:
    """Evaluates a sorted keyframe list at arbitrary (fractional) frames, vectorised over frames."""

    def __init__(self, keyframes: Sequence, n_points: int = N_JOINTS) -> None:
        self.n_points = int(n_points)
        self.frames = np.array([k.frame for k in keyframes], dtype=np.float64)  # (K,)
        self.values = (
            np.stack([np.asarray(k.pose.xy) for k in keyframes]) if keyframes else np.zeros((0, self.n_points, 2))
        )  # (K, P, 2), P points per pose (18 body joints, 68 face landmarks)
        self.modes = np.array([k.interp for k in keyframes], dtype=object)  # (K,)
        self._splines: dict[int, list[tuple[int, int, CubicSpline]]] | None = None

    def _joint_splines(self) -> dict[int, list[tuple[int, int, CubicSpline]]]:
        if self._splines is None:
            present = ~np.isnan(self.values).any(axis=2)  # (K, P)
            self._splines = {}
            for j in range(self.n_points):
                self._splines[j] = [
                    (s, e, CubicSpline(self.frames[s : e + 1], self.values[s : e + 1, j, :], bc_type="natural", axis=0))
                    for s, e in _runs(present[:, j])
                ]
        return self._splines

    def __call__(self, t: np.ndarray) -> np.ndarray:
        """t (N,) frames -> (N, P, 2) x, y with NaN for missing joints."""
        t = np.asarray(t, dtype=np.float64).reshape(-1)
        out = np.full((len(t), self.n_points, 2), np.nan)
        k = len(self.frames)
        if k == 0:
            return out
        seg = np.searchsorted(self.frames, t, side="right") - 1  # keyframe at or before t
        before, after = seg < 0, seg >= k - 1
        out[before] = self.values[0]
        out[after] = self.values[-1]
        inside = ~before & ~after
        if not inside.any():
            return out
        idx = np.nonzero(inside)[0]
        i = seg[idx]
        f0, f1 = self.frames[i], self.frames[i + 1]
        u = (t[idx] - f0) / (f1 - f0)  # (M,) in [0, 1)
        a, b = self.values[i], self.values[i + 1]  # (M, P, 2)
        modes = self.modes[i]
        w = np.where(modes == "hold", 0.0, np.where(modes == "ease", ease_weight(u), u))
        res = a + (b - a) * w[:, None, None]  # NaN at either end propagates: missing inside
        smooth = np.nonzero(modes == "smooth")[0]
        if len(smooth):
            self._eval_smooth(res, t[idx[smooth]], i[smooth], smooth)
        at_key = u == 0.0
        res[at_key] = a[at_key]  # exactly the keyframe, including joints missing at the next one
        out[idx] = res
        return out

    def _eval_smooth(self, res: np.ndarray, t: np.ndarray, seg: np.ndarray, rows: np.ndarray) -> None:
        """Overwrite ``res[rows]`` with spline values for joints present at both ends of their segment."""
        for j, runs in self._joint_splines().items():
            for s, e, spline in runs:
                sel = (seg >= s) & (seg < e)  # segment lies inside this run
                if sel.any():
                    res[rows[sel], j, :] = spline(t[sel])
