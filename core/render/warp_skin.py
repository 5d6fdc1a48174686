"""Skinning for the warp renderer: each bone's transform to the target pose and the blended backward map."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.render.warp_rig import (
    BONE_JOINTS,
    BONE_ORDER,
    BONE_PARENT,
    FACE_BONES,
    FACE_STRETCH,
    SCALE_LIMITS,
    TORSO_JOINTS,
    Rig,
    Shape,
    bone_joints,
)

# A turn between neighbouring bones beyond TURN_BLEND radians narrows their blend, down to TURN_FLOOR of it.
TURN_BLEND = 0.7
TURN_FLOOR = 0.3


@dataclass(frozen=True)
class Transform:
    """x' = A x + t (source → target) and its inverse; ``along`` is the stretch along the bone."""

    A: np.ndarray
    t: np.ndarray
    along: float = 1.0

    @cached_property
    def inverse(self) -> tuple[np.ndarray, np.ndarray]:
        """(Ai, ti) with x = Ai x' + ti."""
        (a, b), (c, d) = self.A
        Ai = np.array([[d, -b], [-c, a]]) / (a * d - b * c)
        return Ai, -Ai @ self.t

    @cached_property
    def polar(self) -> tuple[float, np.ndarray, bool]:
        """The inverse's linear part as rotation × symmetric stretch, Ai = R(angle) @ P; flag: a reflection."""
        (a, b), (c, d) = self.inverse[0]
        if a * d - b * c >= 0:
            angle = float(np.arctan2(c - b, a + d))
            co, si = np.cos(angle), np.sin(angle)
            U = np.array([[co, -si], [si, co]])
            return angle, U.T @ self.inverse[0], False
        angle = float(np.arctan2(c + b, a - d))
        co, si = np.cos(angle), np.sin(angle)
        U = np.array([[co, si], [si, -co]])
        return angle, U.T @ self.inverse[0], True

    def same_as(self, other: Transform) -> bool:
        return self is other or (
            float(np.abs(self.A - other.A).max()) < 1e-9 and float(np.abs(self.t - other.t).max()) < 1e-6
        )


IDENTITY = Transform(np.eye(2), np.zeros(2))


# ----- transforms for a target -------------------------------------------------------------------------
def _fit_torso(src: np.ndarray, dst: np.ndarray) -> Transform | None:
    """Least-squares affine from ≥ 3 well-spread points, else a similarity from 2, else a shift from 1."""
    n = len(src)
    if n == 0:
        return None
    if n == 1:
        return Transform(np.eye(2), dst[0] - src[0])
    ms, md = src.mean(0), dst.mean(0)
    cs, cd = src - ms, dst - md
    sv = np.linalg.svd(cs, compute_uv=False)
    if n >= 3 and sv[-1] > 0.25 * sv[0]:
        X, *_ = np.linalg.lstsq(cs, cd, rcond=None)  # cd ≈ cs @ X
        A = X.T
        ssv = np.linalg.svd(A, compute_uv=False)
        if ssv[-1] > 0.25 * ssv[0] and SCALE_LIMITS[0] < ssv[-1] and ssv[0] < SCALE_LIMITS[1]:
            return Transform(A, md - A @ ms)
    # similarity (rotation + uniform scale), no reflection
    var = float((cs**2).sum())
    if var < 1e-9:
        return Transform(np.eye(2), md - ms)
    a = float((cs * cd).sum()) / var
    b = float((cs[:, 0] * cd[:, 1] - cs[:, 1] * cd[:, 0]).sum()) / var
    k = np.hypot(a, b)
    if k < 1e-12:  # the target points collapsed onto one: shrink without turning
        a, b, k = SCALE_LIMITS[0], 0.0, SCALE_LIMITS[0]
    if k < SCALE_LIMITS[0] or k > SCALE_LIMITS[1]:
        f = np.clip(k, *SCALE_LIMITS) / max(k, 1e-12)
        a, b = a * f, b * f
    A = np.array([[a, -b], [b, a]])
    return Transform(A, md - A @ ms)


def _bone_transform(
    a: np.ndarray, b: np.ndarray, a2: np.ndarray, b2: np.ndarray, across: float, limits: tuple[float, float]
) -> Transform:
    """Rotate the bone a→b onto a2→b2, stretch it along its length (within ``limits``) and by ``across`` across."""
    v, v2 = b - a, b2 - a2
    n, n2 = np.linalg.norm(v), np.linalg.norm(v2)
    if n < 1e-6:  # a degenerate source bone can only be carried along
        A = np.eye(2) * across
        return Transform(A, (a2 + b2) / 2 - A @ ((a + b) / 2))
    u = v / n
    u2 = v2 / n2 if n2 > 1e-6 else u
    along = float(np.clip(n2 / n, limits[0] * across, limits[1] * across))
    R1 = np.array([[u[0], -u[1]], [u[1], u[0]]])  # columns: along, across (source frame)
    R2 = np.array([[u2[0], -u2[1]], [u2[1], u2[0]]])
    A = R2 @ np.diag([along, across]) @ R1.T
    return Transform(A, a2 - A @ a, along)


def solve_transforms(rig: Rig, target: np.ndarray) -> dict[str, Transform]:
    """Each bone's source→target transform; a bone with a joint missing in either pose follows its parent."""
    src, dst = rig.xy, np.asarray(target, dtype=np.float64)
    both = ~np.isnan(src).any(axis=1) & ~np.isnan(dst).any(axis=1)
    idx = [i for i in TORSO_JOINTS if both[i]]
    torso = _fit_torso(src[idx], dst[idx]) if "torso" in rig.bones else None
    if torso is None:
        torso = IDENTITY
    across = float(np.clip(np.sqrt(abs(np.linalg.det(torso.A))), *SCALE_LIMITS))
    out = {"torso": torso}
    for name in BONE_ORDER[1:]:
        a, b = BONE_JOINTS[name]
        if both[a] and both[b]:
            limits = FACE_STRETCH if name in FACE_BONES else SCALE_LIMITS
            out[name] = _bone_transform(src[a], src[b], dst[a], dst[b], across, limits)
        else:
            out[name] = out[BONE_PARENT[name]]
    return out


def target_shapes(rig: Rig, transforms: dict[str, Transform]) -> dict[str, Shape]:
    """Where each source bone lands in the target."""
    return {name: shape.mapped(transforms[name].A, transforms[name].t) for name, shape in rig.bones.items()}


def _joint_targets(shapes: dict[str, Shape]) -> dict[int, np.ndarray]:
    """Target position of each joint that starts or ends a limb or head bone."""
    out: dict[int, np.ndarray] = {}
    for name, (a, b) in BONE_JOINTS.items():
        if name in shapes:
            out.setdefault(a, shapes[name].points[0])
            out.setdefault(b, shapes[name].points[1])
    return out


def _apply(M: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per-bone 2×2 matrices (k, 2, 2) applied to per-bone points (k, n, 2)."""
    x, y = v[..., 0], v[..., 1]
    return np.stack([M[:, 0, 0, None] * x + M[:, 0, 1, None] * y, M[:, 1, 0, None] * x + M[:, 1, 1, None] * y], -1)


def blend_backward(
    points: np.ndarray,
    own: tuple[str, ...],
    bones: tuple[str, ...],
    transforms: dict[str, Transform],
    shapes: dict[str, Shape],
    sigma: float,
) -> np.ndarray:
    """Source positions (n, 2) for target points (n, 2) of a part: the inverse transforms of its ``own`` bones
    and of their neighbours (the rest of ``bones``) blended by weights.

    Weights are a soft-min of the distance to each target bone, or for a neighbour to the joint it
    shares with the part (the nearest has weight 1, the others fade over ``sigma`` pixels), so joints
    bend rather than tear and a neighbour never drags the middle of a part. Each inverse transform is
    split into a stretch and a rotation; stretches blend linearly about the joint a bone shares with
    the nearest bone, rotations blend as 2-D dual numbers, so a sharply bent joint keeps its width
    instead of collapsing as plain linear blending would.
    """
    names = [b for b in bones if b in shapes]
    if not names:
        return points.copy()
    if all(transforms[b].same_as(transforms[names[0]]) for b in names[1:]):  # nothing bends here
        Ai, ti = transforms[names[0]].inverse
        return points @ Ai.T + ti
    k, n = len(names), len(points)
    joints = _joint_targets(shapes)
    own_joints = set().union(*(bone_joints(b) for b in own))
    d2 = np.empty((k, n))  # squared distances
    first_own = next((b for b in own if b in shapes), None)
    anchor_angle = transforms[first_own].polar[0] if first_own is not None else None
    for i, b in enumerate(names):
        if b in own:
            d2[i] = shapes[b].distance(points) ** 2
        else:  # a neighbour bone acts only around the joint it shares with the part, and the less the more
            # it turns against the part (blending a large turn over a wide band smears the joint into a fan)
            near = [joints[j] for j in bone_joints(b) & own_joints if j in joints] or [shapes[b].points.mean(axis=0)]
            d2[i] = np.min([((points - q) ** 2).sum(axis=1) for q in near], axis=0)
            if anchor_angle is not None:
                turn = abs((transforms[b].polar[0] - anchor_angle + np.pi) % (2 * np.pi) - np.pi)
                d2[i] /= np.clip(TURN_BLEND / max(turn, 1e-9), TURN_FLOOR, 1.0) ** 2
    w = np.exp(-(d2 - d2.min(axis=0)) / (sigma * sigma))  # (k, n)
    w /= w.sum(axis=0)
    Ai = np.stack([transforms[b].inverse[0] for b in names])  # (k, 2, 2)
    ti = np.stack([transforms[b].inverse[1] for b in names])  # (k, 2)
    dom = w.argmax(axis=0)  # (n,) the nearest bone
    single = w[dom, np.arange(n)] > 1.0 - 1e-4  # points that only one bone moves
    if single.any():
        out = np.empty_like(points)
        p, b = points[single], dom[single]
        out[single] = (Ai[b] @ p[..., None])[..., 0] + ti[b]
        if not single.all():
            rest = ~single
            out[rest] = _blend(points[rest], w[:, rest], names, Ai, ti, transforms, shapes, joints)
        return out
    return _blend(points, w, names, Ai, ti, transforms, shapes, joints)


def _blend(points, w, names, Ai, ti, transforms, shapes, joints) -> np.ndarray:
    """The dual-number blend of ``blend_backward`` for points (n, 2) with weights (k, n)."""
    k, n = w.shape
    polar = [transforms[b].polar for b in names]
    if any(p[2] for p in polar):  # a mirrored torso: plain linear blending
        mapped = _apply(Ai, np.broadcast_to(points, (k, n, 2))) + ti[:, None]  # (k, n, 2)
        return (w[..., None] * mapped).sum(axis=0)

    cols = np.arange(n)
    dom = w.argmax(axis=0)  # (n,) the nearest bone
    w2 = w.copy()
    w2[dom, cols] = -1.0
    sec = w2.argmax(axis=0)  # (n,) the second nearest
    shared = np.full((k, k, 2), np.nan)  # target position of the joint bones i and j share
    default = np.empty((k, 2))
    for i, bi in enumerate(names):
        pts = shapes[bi].points
        default[i] = pts[0] if len(pts) == 2 else pts.mean(axis=0)
        for j, bj in enumerate(names):
            common = sorted(bone_joints(bi) & bone_joints(bj)) if i != j else []
            if common and common[0] in joints:
                shared[i, j] = joints[common[0]]
    idx = np.arange(k)[:, None]
    anchor = np.where((dom == idx)[..., None], shared[:, sec], shared[:, dom])  # (k, n, 2)
    anchor = np.where(np.isnan(anchor), default[:, None], anchor)
    P = np.stack([p[1] for p in polar])  # (k, 2, 2)
    half = 0.5 * np.array([p[0] for p in polar])  # (k,)
    c, s = np.cos(half), np.sin(half)
    U = np.stack([np.stack([2 * c * c - 1, -2 * c * s], -1), np.stack([2 * c * s, 2 * c * c - 1], -1)], 1)  # (k, 2, 2)
    stretched = anchor + _apply(P, points[None] - anchor)  # (k, n, 2)
    # rigid part, so that U @ stretched + t = Ai @ p + ti
    t = ti[:, None] + _apply(U, _apply(P - np.eye(2), anchor))  # (k, n, 2)
    sign = np.where(c[:, None] * c[dom] + s[:, None] * s[dom] < 0, -1.0, 1.0)  # (k, n) align with the nearest
    ws = w * sign
    pbar = (w[..., None] * stretched).sum(axis=0)  # (n, 2)
    C, S = ws.T @ c, ws.T @ s  # (n,)
    DX = 0.5 * (ws * (c[:, None] * t[..., 0] + s[:, None] * t[..., 1])).sum(axis=0)
    DY = 0.5 * (ws * (c[:, None] * t[..., 1] - s[:, None] * t[..., 0])).sum(axis=0)
    norm = np.maximum(np.hypot(C, S), 1e-12)
    C, S, DX, DY = C / norm, S / norm, DX / norm, DY / norm
    cos, sin = C * C - S * S, 2 * C * S
    tx, ty = 2 * (C * DX - S * DY), 2 * (C * DY + S * DX)
    return np.stack([cos * pbar[:, 0] - sin * pbar[:, 1] + tx, sin * pbar[:, 0] + cos * pbar[:, 1] + ty], axis=1)
