"""Drive a portrait with another face's landmark track: gap filling and a similarity fit on the stable points (eye corners, nose)."""

from __future__ import annotations

import numpy as np

from core.errors import NoFaceFound, PoseError
from core.face.layout import FACE68, FACE68_STABLE

RETARGET_MODES = ("relative", "absolute")


def fit_similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(2, 3) matrix M of the least-squares similarity (scale, rotation, translation; no reflection)
    taking the (N, 2) points ``src`` onto ``dst``: dst ≈ src @ M[:, :2].T + M[:, 2] (Umeyama 1991)."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or len(src) < 2:
        raise PoseError(f"a similarity fit needs two matching (N ≥ 2, 2) point sets, got {src.shape} and {dst.shape}")
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s0, d0 = src - mu_s, dst - mu_d
    var = float((s0**2).sum()) / len(src)
    if var <= 1e-12:
        raise PoseError("the face's stable points coincide: cannot fit a similarity")
    u, sig, vt = np.linalg.svd(d0.T @ s0 / len(src))  # (2, 2) cross-covariance
    flip = np.diag([1.0, np.sign(np.linalg.det(u @ vt)) or 1.0])
    rot = u @ flip @ vt
    scale = float(np.trace(np.diag(sig) @ flip)) / var
    lin = scale * rot
    return np.hstack([lin, (mu_d - lin @ mu_s)[:, None]])


def apply_similarity(m: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """(..., 2) points through a (2, 3) matrix."""
    return np.asarray(xy, np.float64) @ m[:, :2].T + m[:, 2]


def fill_gaps(track: np.ndarray) -> np.ndarray:
    """(T, 68, 2) with NaN frames (no face seen) -> every frame filled by the nearest earlier frame with a
    face (frames before the first face take the first one). NoFaceFound when no frame has a face."""
    arr = np.array(track, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[1:] != (FACE68.size, 2):
        raise PoseError(f"a face track must have shape (frames, 68, 2), got {arr.shape}")
    seen = ~np.isnan(arr).any(axis=(1, 2))  # (T,)
    if not seen.any():
        raise NoFaceFound("no face found in any frame of the driving video")
    last = int(np.argmax(seen))
    for t in range(len(arr)):
        if seen[t]:
            last = t
        else:
            arr[t] = arr[last]
    return arr


def retarget_face(
    track: np.ndarray, portrait: np.ndarray, mode: str = "relative", reference: int | None = None
) -> np.ndarray:
    """Map a driving track (T, 68, 2) onto a portrait's landmarks (68, 2); returns (T, 68, 2) in portrait pixels.

    A similarity is fitted from the driving reference frame (``reference``; default the first frame
    with a face) to the portrait on ``FACE68_STABLE``. "relative" moves the portrait's own landmarks
    by each frame's change from the reference, turned and scaled by that similarity (the portrait keeps
    its face shape); "absolute" maps every driving frame through it (the driver's face shape is used).
    """
    if mode not in RETARGET_MODES:
        raise PoseError(f"unknown retarget mode {mode!r}: use one of {', '.join(RETARGET_MODES)}")
    arr = fill_gaps(track)
    face = FACE68.check(portrait)
    if not np.isfinite(face).all():
        raise PoseError("the portrait's landmarks contain missing points")
    if reference is None:
        seen = ~np.isnan(np.asarray(track, np.float64)).any(axis=(1, 2))
        reference = int(np.argmax(seen))
    ref = arr[int(reference)]
    stable = list(FACE68_STABLE)
    m = fit_similarity(ref[stable], face[stable])
    if mode == "absolute":
        return apply_similarity(m, arr)
    return face[None] + (arr - ref[None]) @ m[:, :2].T
