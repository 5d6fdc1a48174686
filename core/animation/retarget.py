"""Fit an imported motion to the photo's person (scale and position) and thin it into keyframes.

Retargeting scales the motion about the image origin by the ratio of robust body sizes, then shifts
it so the anchor (mean of hips and ankles, or fewer joints when those are missing) of the motion's
first usable frame lands on the photo person's anchor. Body size is compared segment by segment
(neck–hip, hip–knee, knee–ankle, shoulder width on both sides): the scale is the median over the
segments both have of photo length / the motion's median length, so a few bad frames or one
foreshortened limb do not throw it off.

Thinning uses Ramer–Douglas–Peucker on the whole skeleton: a frame becomes a keyframe when linear
interpolation between the kept neighbours would miss one of its joints by more than the tolerance
(pixels). The two frames around every change of the set of visible joints are always kept, so joints
appear and vanish exactly where the motion has them do so (the interpolation rule needs that).
"""

from __future__ import annotations

import warnings

import numpy as np

from core.animation.keyframes import Keyframe, Track
from core.animation.smoothing import MotionError, as_track_array
from core.keypoints import points_of
from core.skeleton import LIMBS, Pose

# (joint, joint) pairs whose lengths define body size: neck–hip, hip–knee, knee–ankle, shoulders.
SIZE_SEGMENTS: tuple[tuple[int, int], ...] = ((1, 8), (1, 11), (8, 9), (9, 10), (11, 12), (12, 13), (2, 5))
ANCHOR_SETS: tuple[tuple[int, ...], ...] = ((8, 11, 10, 13), (8, 11), (1,), (0,))


def _lengths(xy: np.ndarray, segments) -> np.ndarray:
    """(..., S) segment lengths; NaN where an end is missing."""
    a = xy[..., [s[0] for s in segments], :]
    b = xy[..., [s[1] for s in segments], :]
    return np.linalg.norm(a - b, axis=-1)


def body_scale_ratio(motion: np.ndarray, photo: Pose) -> float:
    """Photo size / motion size, the median over body segments both show."""
    motion = as_track_array(motion)
    target = np.asarray(photo.xy)
    for segments in (SIZE_SEGMENTS, LIMBS):
        photo_len = _lengths(target, segments)  # (S,)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a segment missing in every frame gives NaN
            motion_len = np.nanmedian(_lengths(motion, segments), axis=0) if len(motion) else photo_len * np.nan
        ok = np.isfinite(photo_len) & np.isfinite(motion_len) & (motion_len > 1e-6) & (photo_len > 1e-6)
        if ok.any():
            return float(np.median(photo_len[ok] / motion_len[ok]))
    raise MotionError("cannot fit the motion to the photo: they share no visible body segment")


def _anchor(xy: np.ndarray, joints: tuple[int, ...]) -> np.ndarray:
    return xy[list(joints)].mean(axis=0)


def retarget(motion: np.ndarray, photo: Pose | np.ndarray, scale: bool = True, translate: bool = True) -> np.ndarray:
    """(T, 18, 2) motion scaled and moved onto the photo's person; missing joints stay missing."""
    arr = as_track_array(motion)
    photo = Pose.coerce(photo)
    s = body_scale_ratio(arr, photo) if scale else 1.0
    out = arr * s
    if translate:
        present = ~np.isnan(arr).any(axis=2)  # (T, 18)
        for joints in ANCHOR_SETS:
            if not photo.present[list(joints)].all():
                continue
            frames = np.nonzero(present[:, list(joints)].all(axis=1))[0]
            if len(frames):
                out += _anchor(np.asarray(photo.xy), joints) - _anchor(out[frames[0]], joints)
                break
        else:
            raise MotionError("cannot place the motion on the photo: no hips, neck or nose in common")
    return out


def _segment_error(xy: np.ndarray, a: int, b: int) -> np.ndarray:
    """(b - a - 1,) worst joint deviation of frames a+1 … b-1 from the line between frames a and b."""
    u = (np.arange(a + 1, b) - a) / (b - a)  # (M,)
    lerp = xy[a] + (xy[b] - xy[a]) * u[:, None, None]  # (M, P, 2)
    mid = xy[a + 1 : b]
    d = np.linalg.norm(mid - lerp, axis=2)  # (M, P); NaN where either is missing
    both_missing = np.isnan(mid).any(axis=2) & np.isnan(lerp).any(axis=2)
    d = np.where(both_missing, 0.0, np.where(np.isnan(d), np.inf, d))
    return d.max(axis=1) if d.size else np.zeros(0)


def thin_frames(motion: np.ndarray, tolerance_px: float = 2.0) -> list[int]:
    """Frames to keep (first and last always) so linear interpolation stays within ``tolerance_px``."""
    xy = as_track_array(motion)
    n = len(xy)
    if n <= 2:
        return list(range(n))
    present = ~np.isnan(xy).any(axis=2)  # (T, P)
    changes = np.nonzero((present[1:] != present[:-1]).any(axis=1))[0]  # joint set differs between f and f+1
    keep = {0, n - 1, *changes.tolist(), *(changes + 1).tolist()}  # a joint appears/vanishes on a keyframe
    ordered = sorted(keep)
    stack = list(zip(ordered[:-1], ordered[1:], strict=True))
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        err = _segment_error(xy, a, b)
        worst = int(np.argmax(err))
        if err[worst] > tolerance_px:
            m = a + 1 + worst
            keep.add(m)
            stack += [(a, m), (m, b)]
    return sorted(keep)


def motion_to_track(
    motion: np.ndarray, fps: float, tolerance_px: float | None = 2.0, interp: str = "linear", layout: str = "body18"
) -> Track:
    """A Track of ``layout`` ("body18", "face68") from a dense motion (T, P, 2): thinned with ``tolerance_px`` (linear interpolation
    between the kept frames stays that close to every frame), or one keyframe per frame when None."""
    xy = as_track_array(motion)
    if len(xy) == 0:
        raise MotionError("the motion has no frames")
    frames = list(range(len(xy))) if tolerance_px is None else thin_frames(xy, tolerance_px)
    keys = tuple(Keyframe(f, points_of(layout, xy[f]), interp) for f in frames)  # body poses or face landmarks
    return Track(keys, length_frames=len(xy), fps=fps, layout=layout)
