"""How local the skeleton warp is: rotate one forearm by 90° about its elbow and count where pixels changed.

Issue #16's measure. A pixel "changed" when any channel differs from the photo by more than CHANGE_LEVELS grey
levels. The arm's neighbourhood is the union of the forearm capsules before and after the move (elbow to wrist,
extended past the wrist by HAND_REACH of the forearm for the hand), with radius ARM_RADIUS of the forearm's length
plus MARGIN of the torso length (neck to mid-hip). The figure of merit is the share of changed pixels that lie
outside that neighbourhood; the target is at most 5 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.skeleton import JOINT_INDEX, Pose

CHANGE_LEVELS = 25
HAND_REACH = 0.45  # the hand reaches this fraction of the forearm's length past the wrist
ARM_RADIUS = 0.35  # half the forearm's (and hand's) width, as a fraction of its length, generously
MARGIN = 0.15  # of the torso length, for anti-aliased edges and the sleeve's fold at the elbow


@dataclass(frozen=True)
class Locality:
    changed: int  # pixels changed by more than CHANGE_LEVELS
    outside: int  # ... of which outside the arm's neighbourhood
    neighbourhood: int  # pixels in the neighbourhood

    @property
    def outside_share(self) -> float:
        return self.outside / max(self.changed, 1)


def rotate_forearm(pose: Pose, side: str = "right", degrees: float = 90.0) -> Pose:
    """The pose with ``side``'s wrist turned about its elbow by ``degrees`` (image coordinates, y down)."""
    elbow, wrist = JOINT_INDEX[f"{side}_elbow"], JOINT_INDEX[f"{side}_wrist"]
    xy = pose.xy.copy()
    a = np.deg2rad(degrees)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    xy[wrist] = xy[elbow] + rot @ (xy[wrist] - xy[elbow])
    return Pose(xy)


def _capsule(shape: tuple[int, int], a: np.ndarray, b: np.ndarray, radius: float) -> np.ndarray:
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    p = np.stack([xx, yy], axis=-1).astype(np.float64)
    ab = b - a
    t = np.clip(((p - a) @ ab) / max(float(ab @ ab), 1e-9), 0.0, 1.0)
    nearest = a + t[..., None] * ab
    return np.hypot(*(p - nearest).transpose(2, 0, 1)) <= radius


def torso_length(pose: Pose) -> float:
    """Neck to mid-hip in px; without hips, the shoulder width over 0.7 (the rig's typical ratio); else 0."""
    xy = pose.xy
    neck = xy[JOINT_INDEX["neck"]]
    hips = np.nanmean(xy[[JOINT_INDEX["right_hip"], JOINT_INDEX["left_hip"]]], axis=0)
    if np.isfinite(hips).all() and np.isfinite(neck).all():
        return float(np.hypot(*(hips - neck)))
    shoulders = xy[JOINT_INDEX["right_shoulder"]] - xy[JOINT_INDEX["left_shoulder"]]
    return float(np.hypot(*shoulders)) / 0.7 if np.isfinite(shoulders).all() else 0.0


def arm_neighbourhood(shape: tuple[int, int], source: Pose, target: Pose, side: str = "right",
                      radius: float = ARM_RADIUS, margin: float = MARGIN) -> np.ndarray:
    """(H, W) bool: the forearm and hand regions before and after the move, widened as the module says
    (``radius`` of the forearm's length plus ``margin`` of the torso length)."""
    elbow, wrist = JOINT_INDEX[f"{side}_elbow"], JOINT_INDEX[f"{side}_wrist"]
    torso = torso_length(source)
    out = np.zeros(shape, bool)
    for pose in (source, target):
        e, w = pose.xy[elbow], pose.xy[wrist]
        length = float(np.hypot(*(w - e)))
        end = w + HAND_REACH * (w - e)
        out |= _capsule(shape, e, end, radius * length + margin * torso)
    return out


def measure(photo: np.ndarray, result: np.ndarray, source: Pose, target: Pose, side: str = "right",
            radius: float = ARM_RADIUS, margin: float = MARGIN) -> Locality:
    """Where ``result`` (the render of ``target``) differs from ``photo``, inside and outside the arm's region."""
    changed = np.abs(result.astype(np.int16) - photo.astype(np.int16)).max(axis=2) > CHANGE_LEVELS
    near = arm_neighbourhood((int(photo.shape[0]), int(photo.shape[1])), source, target, side, radius, margin)
    return Locality(int(changed.sum()), int((changed & ~near).sum()), int(near.sum()))
