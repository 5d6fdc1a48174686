"""Skeleton geometry for the warp renderer: bones, body parts and their outlines in the source photo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Transform units. Each limb and head bone is a (parent joint, child joint) pair in OpenPose-18
# order; "torso" is one unit fitted to neck, shoulders and hips.
BONE_JOINTS: dict[str, tuple[int, int]] = {
    "r_upper": (2, 3), "r_fore": (3, 4), "l_upper": (5, 6), "l_fore": (6, 7),
    "r_thigh": (8, 9), "r_shin": (9, 10), "l_thigh": (11, 12), "l_shin": (12, 13),
    "neck": (1, 0), "r_eye": (0, 14), "l_eye": (0, 15), "r_ear": (14, 16), "l_ear": (15, 17),
}  # fmt: skip
BONE_PARENT: dict[str, str] = {
    "r_upper": "torso", "r_fore": "r_upper", "l_upper": "torso", "l_fore": "l_upper",
    "r_thigh": "torso", "r_shin": "r_thigh", "l_thigh": "torso", "l_shin": "l_thigh",
    "neck": "torso", "r_eye": "neck", "l_eye": "neck", "r_ear": "r_eye", "l_ear": "l_eye",
}  # fmt: skip
BONE_ORDER: tuple[str, ...] = ("torso", *BONE_JOINTS)  # parents before children
TORSO_JOINTS = (1, 2, 5, 8, 11)  # neck, shoulders, hips: the points the torso transform is fitted to


@dataclass(frozen=True)
class PartSpec:
    """A body part: one drawing layer of the warp. Lengths are fractions of the body scale."""

    name: str
    bones: tuple[str, ...]  # bones whose pixels make up the part
    blend: tuple[str, ...]  # bones whose transforms blend inside the part (its own and its neighbours)
    under: tuple[str, ...]  # parts drawn later that this part extends slightly beneath (fills joint creases)
    radius: float  # half thickness around the bones
    sigma: float  # width of the blend between neighbouring bones


# Back to front: a fixed depth order (forearms and hands in front of upper arms in front of the head,
# legs and torso).
PARTS: tuple[PartSpec, ...] = (
    PartSpec("torso", ("torso",), ("torso", "r_upper", "l_upper", "r_thigh", "l_thigh", "neck"),
             ("r_upper", "l_upper", "r_thigh", "l_thigh", "head"), 0.07, 0.14),
    PartSpec("l_thigh", ("l_thigh",), ("l_thigh", "l_shin", "torso"), ("l_shin",), 0.16, 0.12),
    PartSpec("r_thigh", ("r_thigh",), ("r_thigh", "r_shin", "torso"), ("r_shin",), 0.16, 0.12),
    PartSpec("l_shin", ("l_shin",), ("l_shin", "l_thigh"), (), 0.11, 0.10),
    PartSpec("r_shin", ("r_shin",), ("r_shin", "r_thigh"), (), 0.11, 0.10),
    PartSpec("head", ("neck", "r_eye", "l_eye", "r_ear", "l_ear"),
             ("neck", "r_eye", "l_eye", "r_ear", "l_ear", "torso"), (), 0.10, 0.09),
    PartSpec("l_upper", ("l_upper",), ("l_upper", "l_fore", "torso"), ("l_fore",), 0.11, 0.10),
    PartSpec("r_upper", ("r_upper",), ("r_upper", "r_fore", "torso"), ("r_fore",), 0.11, 0.10),
    PartSpec("l_fore", ("l_fore",), ("l_fore", "l_upper"), (), 0.09, 0.10),
    PartSpec("r_fore", ("r_fore",), ("r_fore", "r_upper"), (), 0.09, 0.10),
)  # fmt: skip
PART_INDEX = {p.name: i for i, p in enumerate(PARTS)}
ARM_PARTS = ("l_upper", "r_upper", "l_fore", "r_fore")

# Typical lengths as fractions of the torso length (neck to mid-hip), used to estimate the body scale.
_TYPICAL = {"r_upper": 0.6, "l_upper": 0.6, "r_fore": 0.5, "l_fore": 0.5, "r_thigh": 0.85, "l_thigh": 0.85,
            "r_shin": 0.85, "l_shin": 0.85, "neck": 0.4}  # fmt: skip
SCALE_LIMITS = (0.05, 20.0)
PELVIS = 0.12  # how far the torso reaches below the hip joints
SHOULDER_INSET = 0.1  # how far inside the shoulder joints the chest's sides run
# The face bones are a few pixels long: a small drag would stretch the face wildly, so they mostly rotate.
FACE_BONES = ("r_eye", "l_eye", "r_ear", "l_ear")
FACE_STRETCH = (0.75, 1.33)


# ----- distances ------------------------------------------------------------------------------------
def segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from points p (n, 2) to the segment a–b; returns (n,)."""
    ab = b - a
    den = float(ab @ ab)
    ap = p - a
    t = np.clip((ap @ ab) / den, 0.0, 1.0) if den > 1e-12 else np.zeros(len(p), p.dtype)
    d = ap - t[:, None] * ab
    return np.sqrt(np.einsum("ij,ij->i", d, d))


def polygon_signed_distance(p: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Signed distance from points p (n, 2) to a closed polygon (m, 2): negative inside (even-odd rule)."""
    d = np.full(len(p), np.inf, dtype=p.dtype)
    inside = np.zeros(len(p), dtype=bool)
    x, y = p[:, 0], p[:, 1]
    for i in range(len(poly)):
        a, b = poly[i], poly[(i + 1) % len(poly)]
        d = np.minimum(d, segment_distance(p, a, b))
        crosses = (a[1] > y) != (b[1] > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])
        inside ^= crosses & (x < xc)
    return np.where(inside, -d, d)


@dataclass(frozen=True)
class Shape:
    """One bone's geometry: a segment (2, 2) or the torso polygon (4, 2)."""

    points: np.ndarray

    def distance(self, p: np.ndarray) -> np.ndarray:
        """Unsigned distance (0 inside the polygon) from p (n, 2)."""
        if len(self.points) == 2:
            return segment_distance(p, self.points[0], self.points[1])
        return np.maximum(polygon_signed_distance(p, self.points), 0.0)

    def signed_distance(self, p: np.ndarray) -> np.ndarray:
        if len(self.points) == 2:
            return segment_distance(p, self.points[0], self.points[1])
        return polygon_signed_distance(p, self.points)

    def mapped(self, A: np.ndarray, t: np.ndarray) -> Shape:
        return Shape(self.points @ A.T + t)


# ----- the source rig ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rig:
    """The source skeleton as shapes: what each bone and each part covers in the photo."""

    xy: np.ndarray  # (18, 2) source joints, NaN = missing
    scale: float  # body scale in pixels (about the neck-to-hip length)
    bones: dict[str, Shape]  # bones present in the source
    primitives: dict[str, list[tuple[Shape, float]]]  # part name → (shape, radius in px) whose union is the part

    def part_signed_distance(self, part: str, p: np.ndarray) -> np.ndarray:
        """Signed distance (px) from p (n, 2) to the part's outline; 1e9 where the part is absent."""
        out = np.full(len(p), 1e9, dtype=p.dtype)
        for shape, radius in self.primitives.get(part, []):
            out = np.minimum(out, shape.signed_distance(p) - radius)
        return out


def estimate_scale(xy: np.ndarray, fallback: float) -> float:
    """Body scale (≈ neck-to-mid-hip length in px) from whatever joints are present (median of estimates)."""
    ok = ~np.isnan(xy).any(axis=1)
    est = []
    if ok[1] and ok[8] and ok[11]:
        est.append(np.linalg.norm(xy[1] - (xy[8] + xy[11]) / 2))
    if ok[2] and ok[5]:
        est.append(np.linalg.norm(xy[2] - xy[5]) / 0.7)
    if ok[8] and ok[11]:
        est.append(np.linalg.norm(xy[8] - xy[11]) / 0.45)
    if ok[14] and ok[15]:
        est.append(np.linalg.norm(xy[14] - xy[15]) / 0.13)
    for name, frac in _TYPICAL.items():
        a, b = BONE_JOINTS[name]
        if ok[a] and ok[b]:
            est.append(np.linalg.norm(xy[a] - xy[b]) / frac)
    est = [e for e in est if e > 1e-3]
    if est:
        return float(np.median(est))
    if ok.sum() >= 2:
        p = xy[ok]
        return float(max(np.ptp(p[:, 0]), np.ptp(p[:, 1])) / 3.0) or fallback
    return fallback


def _torso_quad(xy: np.ndarray, ok: np.ndarray, scale: float) -> np.ndarray | None:
    """(4, 2) right shoulder, left shoulder, left hip, right hip; missing corners are made up from the rest."""
    rs, ls, lh, rh = (xy[i].copy() if ok[i] else None for i in (2, 5, 11, 8))
    neck = xy[1] if ok[1] else None
    if rs is None and ls is not None and neck is not None:
        rs = 2 * neck - ls
    if ls is None and rs is not None and neck is not None:
        ls = 2 * neck - rs
    if rs is None or ls is None:
        if rh is not None and lh is not None:  # shoulders from the hips, one torso length up
            across = lh - rh
            up = np.array([across[1], -across[0]]) / max(np.linalg.norm(across), 1e-6)
            centre = neck if neck is not None else (rh + lh) / 2 + up * scale
            rs, ls = centre - across / 0.45 * 0.35, centre + across / 0.45 * 0.35
        else:
            return None
    if rh is None and lh is not None:
        rh = lh + (rs - ls) * 0.65
    if lh is None and rh is not None:
        lh = rh + (ls - rs) * 0.65
    if rh is None or lh is None:  # both hips missing: one torso length below the shoulders
        across = ls - rs
        down = np.array([-across[1], across[0]]) / max(np.linalg.norm(across), 1e-6)
        head = xy[0] if ok[0] else None
        mid = (rs + ls) / 2
        if head is not None and np.dot(head - mid, down) > 0:
            down = -down
        elif head is None and down[1] < 0:
            down = -down
        rh, lh = mid + down * scale - across * 0.32, mid + down * scale + across * 0.32
    # the pelvis reaches below the hip joints, down to the crotch; the chest's sides run inside the shoulder
    # joints, which sit in the arms' tops
    down = (rh + lh) / 2 - (rs + ls) / 2
    down = down / max(np.linalg.norm(down), 1e-6) * PELVIS * scale
    inward = (ls - rs) / max(np.linalg.norm(ls - rs), 1e-6) * min(SHOULDER_INSET * scale, 0.3 * np.linalg.norm(ls - rs))
    return np.stack([rs + inward, ls - inward, lh + down, rh + down])


def build_rig(xy: np.ndarray, fallback_scale: float) -> Rig:
    """Shapes of the source skeleton ``xy`` (18, 2) in photo pixels."""
    xy = np.asarray(xy, dtype=np.float64)
    ok = ~np.isnan(xy).any(axis=1)
    s = max(estimate_scale(xy, fallback_scale), 2.0)
    bones: dict[str, Shape] = {}
    quad = _torso_quad(xy, ok, s)
    if quad is not None:
        bones["torso"] = Shape(quad)
    for name, (a, b) in BONE_JOINTS.items():
        if ok[a] and ok[b]:
            bones[name] = Shape(np.stack([xy[a], xy[b]]))
    prims: dict[str, list[tuple[Shape, float]]] = {}
    for spec in PARTS:
        items = [(bones[b], spec.radius * s) for b in spec.bones if b in bones and b != "neck"]
        if spec.name == "head" and "neck" in bones:  # the neck, from a little above the collar
            a, b = bones["neck"].points
            items.append((Shape(np.stack([a + 0.2 * (b - a), b])), 0.08 * s))
        if spec.name in ("r_fore", "l_fore", "r_shin", "l_shin") and spec.bones[0] in bones:
            a, b = bones[spec.bones[0]].points
            u = (b - a) / max(np.linalg.norm(b - a), 1e-6)
            if spec.name.endswith("fore"):  # the hand, beyond the wrist (fingertips ≈ 0.38 body scales)
                items.append((Shape(np.stack([b + u * 0.05 * s, b + u * 0.25 * s])), 0.13 * s))
                centre = b + u * 0.1 * s  # a bent wrist turns the hand any way
                items.append((Shape(np.stack([centre, centre])), 0.17 * s))
            else:  # the foot, around the ankle
                items.append((Shape(np.stack([b, b + u * 0.08 * s])), 0.13 * s))
        if spec.name == "head":
            face = [xy[i] for i in (0, 14, 15, 16, 17) if ok[i]]
            if face:
                centre = np.mean(face, axis=0)
                if ok[0] and ok[1]:  # the skull's centre sits a little above the eyes
                    up = (xy[0] - xy[1]) / max(np.linalg.norm(xy[0] - xy[1]), 1e-6)
                    centre = centre + up * 0.06 * s
                items.append((Shape(np.stack([centre, centre])), 0.25 * s))
        if items:
            prims[spec.name] = items
    return Rig(xy=xy, scale=s, bones=bones, primitives=prims)


def bone_joints(name: str) -> set[int]:
    """The OpenPose joints a bone connects (the torso: neck, shoulders and hips)."""
    return set(TORSO_JOINTS) if name == "torso" else set(BONE_JOINTS[name])
