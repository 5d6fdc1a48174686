"""What a limb carries along when it moves: capsules around its bone as wide as the person mask's cross-section.

A person mask from a detector takes in whatever the person holds or stands against (a camera on its tripod, a
bag, a strip of lawn), and labelling by the nearest part outline hands all of it to the nearest limb, so it
travelled with the arm. Here each limb's half-width is measured on the mask itself, across the bone at a few
points along it: where the cross-section ends in background on both sides it spans the whole limb; where one
side runs into the rest of the body only the free side counts (the bone lies about the limb's middle); where
neither side ends the part's default radius stands. A limb keeps the person pixels within that half-width
(plus a small margin) of its bone, a forearm also its hand: a capsule past the wrist along the forearm, about
as long as a hand and a little wider than the wrist. Every other pixel labelled with the limb goes to the torso,
which stays where it is.
"""

from __future__ import annotations

import numpy as np

from core.render.warp_rig import PART_INDEX, PARTS, Rig

LIMBS = ("l_upper", "r_upper", "l_fore", "r_fore", "l_thigh", "r_thigh")  # not the shins: the feet lie past them
SAMPLES = np.linspace(0.2, 0.8, 7)  # where along the bone the cross-section is measured
WIDEST = 1.3  # the half-width is at most this many times the part's default radius
NARROWEST = 0.035  # ... and at least this many body scales
PAD = 0.035  # body scales of margin past the measured half-width (anti-aliased rim, the sleeve's folds)
HAND_LENGTH = 0.5  # of the forearm: how far the hand's capsule reaches past the wrist
HAND_WIDTH = (1.3, 0.06, 0.11)  # the hand's half-width: this many wrist half-widths, within these body scales


def half_width(person: np.ndarray, a: np.ndarray, b: np.ndarray, default: float, cap: float) -> float:
    """Half-width (work px) of the limb along the bone a→b (work px) in the person mask (h, w) bool."""
    v = b - a
    n = float(np.hypot(*v))
    if n < 1e-6:
        return default
    u = v / n
    normal = np.array([-u[1], u[0]])
    h, w = person.shape
    steps = np.arange(1, int(np.ceil(cap)) + 1, dtype=np.float64)  # (m,)
    halves = []
    for t in SAMPLES:
        p = a + t * v
        ends = []
        for side in (1.0, -1.0):
            q = p[None] + side * steps[:, None] * normal[None]  # (m, 2) x, y
            qx, qy = np.round(q[:, 0]).astype(int), np.round(q[:, 1]).astype(int)
            off = (qx < 0) | (qy < 0) | (qx >= w) | (qy >= h)
            out = off | ~person[np.clip(qy, 0, h - 1), np.clip(qx, 0, w - 1)]
            ends.append(float(steps[np.argmax(out)]) if out.any() else None)
        free = [e for e in ends if e is not None]
        halves.append(default if not free else max(free) if len(free) == 2 else free[0])
    return float(np.median(halves))


def _capsule_distance(shape: tuple[int, int], box, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance (work px) of the pixels in ``box`` (x0, y0, x1, y1) to the segment a–b (work px)."""
    x0, y0, x1, y1 = box
    yy, xx = np.mgrid[y0:y1, x0:x1]
    p = np.stack([xx, yy], axis=-1).astype(np.float64)
    ab = b - a
    t = np.clip(((p - a) @ ab) / max(float(ab @ ab), 1e-9), 0.0, 1.0)
    d = p - (a + t[..., None] * ab)
    return np.hypot(d[..., 0], d[..., 1])


def limb_regions(person: np.ndarray, rig: Rig, sx: float, sy: float) -> dict[int, np.ndarray]:
    """Part index → (h, w) bool work pixels that the limb may carry (see the module); only limbs on the rig, and
    none without a torso to hand the rest to."""
    h, w = person.shape
    if "torso" not in rig.bones:
        return {}
    k = min(sx, sy)  # work px per photo px
    S = rig.scale * k
    out: dict[int, np.ndarray] = {}
    for name in LIMBS:
        if name not in rig.bones:
            continue
        ends = rig.bones[name].points
        a, b = ((ends + 0.5) * np.array([sx, sy]) - 0.5)  # work px
        spec = PARTS[PART_INDEX[name]]
        cap = WIDEST * spec.radius * S
        r = float(np.clip(half_width(person, a, b, spec.radius * S, cap), NARROWEST * S, cap))
        pad = max(2.0, PAD * S)
        pieces = [(a, b, r + pad)]
        if name.endswith("fore"):
            tip = b + HAND_LENGTH * (b - a)
            pieces.append((b, tip, float(np.clip(HAND_WIDTH[0] * r, HAND_WIDTH[1] * S, HAND_WIDTH[2] * S)) + pad))
        region = np.zeros((h, w), bool)
        for p, q, radius in pieces:
            lo = np.floor(np.minimum(p, q) - radius).astype(int)
            hi = np.ceil(np.maximum(p, q) + radius).astype(int) + 1
            box = (max(0, lo[0]), max(0, lo[1]), min(w, hi[0]), min(h, hi[1]))
            if box[2] > box[0] and box[3] > box[1]:
                region[box[1] : box[3], box[0] : box[2]] |= _capsule_distance((h, w), box, p, q) <= radius
        out[PART_INDEX[name]] = region
    return out


def keep_within_reach(label: np.ndarray, regions: dict[int, np.ndarray]) -> np.ndarray:
    """``label`` (h, w) with each limb's pixels outside its region handed to the torso: person pixels, and the
    ring of background around the person too (a limb that carried a ring of lawn along a tripod drew its legs)."""
    torso = PART_INDEX["torso"]
    out = label.copy()
    for part, region in regions.items():
        out[(label == part) & ~region] = torso
    return out
