"""Classical skeleton-track smoothers (One-Euro filter, Savitzky–Golay) on (T, 18, 2) arrays with NaN gaps.

Both keep missing joints missing and never smooth across a gap: a joint's track is cut into runs of
consecutive frames where it is present, and each run is filtered on its own (the One-Euro filter
restarts after every gap; Savitzky–Golay shortens its window to fit a short run and leaves runs shorter
than ``polyorder + 2`` frames as they are).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import savgol_filter

from core.errors import StudioError

METHODS: tuple[str, ...] = ("none", "savgol", "oneeuro")


class MotionError(StudioError, ValueError):
    """A motion (skeleton track) or a motion setting is unusable."""


def as_track_array(xy: np.ndarray) -> np.ndarray:
    """A float64 copy of a (T, J, 2) track, or MotionError."""
    arr = np.array(xy, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[2] != 2:
        raise MotionError(f"a motion must have shape (frames, joints, 2), got {arr.shape}")
    return arr


def _present_runs(present: np.ndarray) -> list[tuple[int, int]]:
    """Half-open [start, stop) ranges of consecutive True values of a 1-D mask."""
    edges = np.diff(np.concatenate([[0], present.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist(), strict=True))


def savgol(xy: np.ndarray, window: int = 9, polyorder: int = 2) -> np.ndarray:
    """Savitzky–Golay smoothing of each joint's x and y over time (``scipy.signal.savgol_filter``)."""
    arr = as_track_array(xy)
    if window < 3 or polyorder < 0 or polyorder >= window:
        raise MotionError(f"Savitzky–Golay needs window ≥ 3 and 0 ≤ order < window, got window {window}, order {polyorder}")
    out = arr.copy()
    present = ~np.isnan(arr).any(axis=2)  # (T, J)
    for j in range(arr.shape[1]):
        for start, stop in _present_runs(present[:, j]):
            n = stop - start
            w = min(window, n if n % 2 else n - 1)
            if w <= polyorder or w < 3:
                continue
            out[start:stop, j, :] = savgol_filter(arr[start:stop, j, :], w, polyorder, axis=0, mode="interp")
    return out


def _alpha(cutoff: float | np.ndarray, fps: float) -> float | np.ndarray:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau * fps)


def one_euro(
    xy: np.ndarray, fps: float, min_cutoff: float = 1.0, beta: float = 0.02, d_cutoff: float = 1.0
) -> np.ndarray:
    """The One-Euro filter (Casiez et al., CHI 2012) per joint, causal.

    ``min_cutoff`` (Hz) sets the smoothing at rest, ``beta`` (per pixel/s of joint speed) how fast the
    cutoff opens when the joint moves, ``d_cutoff`` (Hz) the smoothing of the speed estimate. The
    speed is the joint's 2-D speed, so x and y of one joint share one cutoff.
    """
    arr = as_track_array(xy)
    if fps <= 0 or min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
        raise MotionError("One-Euro needs fps, min_cutoff and d_cutoff above 0 and beta ≥ 0")
    t, j, _ = arr.shape
    out = np.full_like(arr, np.nan)
    prev = np.full((j, 2), np.nan)  # filtered position of the previous frame
    dprev = np.zeros((j, 2))  # filtered velocity (px/s)
    a_d = _alpha(d_cutoff, fps)
    for i in range(t):
        x = arr[i]  # (J, 2)
        ok = ~np.isnan(x).any(axis=1)
        fresh = ok & np.isnan(prev).any(axis=1)  # first frame of a run: take it as is
        cont = ok & ~fresh
        d = np.zeros_like(x)
        d[cont] = (x[cont] - prev[cont]) * fps
        dhat = a_d * d + (1 - a_d) * dprev
        cutoff = min_cutoff + beta * np.linalg.norm(dhat, axis=1)  # (J,)
        a = np.asarray(_alpha(cutoff, fps))[:, None]  # (J, 1)
        new = np.where(cont[:, None], a * x + (1 - a) * np.nan_to_num(prev), x)
        out[i] = np.where(ok[:, None], new, np.nan)
        dprev = np.where(cont[:, None], dhat, 0.0)
        prev = out[i].copy()
    return out


def smooth_motion(xy: np.ndarray, method: str, fps: float = 24.0, **params: float) -> np.ndarray:
    """Apply the named classical smoother ("none", "savgol", "oneeuro") with its parameters."""
    if method == "none":
        return as_track_array(xy)
    if method == "savgol":
        return savgol(xy, int(params.get("window", 9)), int(params.get("polyorder", 2)))
    if method == "oneeuro":
        keys = ("min_cutoff", "beta", "d_cutoff")
        return one_euro(xy, fps, **{k: float(params[k]) for k in keys if k in params})
    raise MotionError(f"unknown smoother {method!r}: use one of {', '.join(METHODS)} (or 'network' with weights)")


def mean_acceleration(xy: np.ndarray) -> float:
    """Mean length (px/frame²) of the second difference of every joint over time, where defined."""
    arr = as_track_array(xy)
    acc = arr[2:] - 2 * arr[1:-1] + arr[:-2]  # (T-2, J, 2)
    norms = np.linalg.norm(acc, axis=2)
    norms = norms[np.isfinite(norms)]
    return float(norms.mean()) if norms.size else 0.0
