"""The triangle mesh behind the landmark face warp: forehead points, the fixed anchor ring and a fixed topology.

Vertices of one face's mesh, in this order:

* 0-67: the 68 landmarks (core.face.layout),
* 68-74: seven virtual forehead points, right temple to left temple (image left to right for an unmirrored
  frontal face), placed above the brows along the face's "up" direction (perpendicular to the eye line),
* 75-80: six virtual points splitting the inner mouth along its middle line: 75-77 ride with the upper
  inner lip (61-63), 78-80 with the lower (67, 66, 65); in the photo each pair sits on the same point,
* 81-87: seven points filling the cheeks and the chin, where the landmarks alone leave long triangles:
  each sits in the photo where it sits in its template triangle and moves by the inverse-distance
  weighted mean move of the landmarks around it, so a dragged mouth corner bends the cheek smoothly
  instead of squashing one long sliver,
* 88-: ``N_ANCHORS`` anchors on an ellipse around the face that never move.

Topology (in core.render.face_mesh_topology, with the fill points). The face part (vertices 0-87) uses one fixed triangle list: the Delaunay triangulation of a
symmetric template face (``TEMPLATE68``, unit inter-ocular distance) outside the lips, and the lips and
mouth by hand. A fixed list keeps the structure a user relies on whatever the photo: no triangle bridges
the upper and lower lip, and the inner mouth is three strips, upper half, gap, lower half. A per-photo
Delaunay of a closed mouth would join upper-lip points to lower-lip points at random and tear the lips
apart when the mouth opens. When the mouth opens wider than in the photo, each half of the photo's
mouth interior (teeth, if showing) moves with its lip unstretched and only the gap strip opens; the
renderer paints that gap as a dark mouth interior. The band between the face's outline (jaw 0-16, then
the forehead points back) and the anchor ring is stitched per photo by sweeping both loops by angle about
the ring's centre, which is valid for any rotation of the face.
"""

from __future__ import annotations

import numpy as np

from core.errors import PoseError
from core.face.layout import FACE68_STABLE

N_LANDMARKS = 68
N_FOREHEAD = 7
N_ANCHORS = 32
FOREHEAD = slice(N_LANDMARKS, N_LANDMARKS + N_FOREHEAD)  # vertices 68-74
MOUTH_SPLIT = N_LANDMARKS + N_FOREHEAD  # vertices 75-80
FILL = slice(MOUTH_SPLIT + 6, MOUTH_SPLIT + 13)  # vertices 81-87
FIRST_ANCHOR = FILL.stop
UPPER_INNER, LOWER_INNER = (61, 62, 63), (67, 66, 65)  # facing pairs across the inner mouth
RING_SCALE = 1.8  # the anchor ellipse's axes / the face box's sides (face = landmarks + forehead points)
RING_INSIDE = 0.92  # moved points are kept within this fraction of the ellipse, so they never cross the ring

# A symmetric frontal face, eye centres at (-0.5, 0) and (0.5, 0): jaw, brows, nose and eyes from a
# symmetrised detected portrait, a neutral mouth with the lips slightly parted drawn by hand.
TEMPLATE68 = np.array([
    [-1.06, 0.058], [-1.045, 0.325], [-1.023, 0.591], [-0.966, 0.852], [-0.857, 1.095], [-0.688, 1.301],
    [-0.488, 1.479], [-0.261, 1.616], [0.0, 1.665], [0.261, 1.616], [0.488, 1.479], [0.688, 1.301],
    [0.857, 1.095], [0.966, 0.852], [1.023, 0.591], [1.045, 0.325], [1.06, 0.058],
    [-0.88, -0.205], [-0.793, -0.287], [-0.651, -0.328], [-0.46, -0.318], [-0.236, -0.29],
    [0.236, -0.29], [0.46, -0.318], [0.651, -0.328], [0.793, -0.287], [0.88, -0.205],
    [0.0, -0.036], [0.0, 0.201], [0.0, 0.419], [0.0, 0.653],
    [-0.296, 0.638], [-0.131, 0.7], [0.0, 0.715], [0.131, 0.7], [0.296, 0.638],
    [-0.708, -0.002], [-0.61, -0.067], [-0.441, -0.074], [-0.27, 0.037], [-0.404, 0.056], [-0.567, 0.051],
    [0.27, 0.037], [0.441, -0.074], [0.61, -0.067], [0.708, -0.002], [0.567, 0.051], [0.404, 0.056],
    [-0.42, 1.02], [-0.28, 0.96], [-0.12, 0.92], [0.0, 0.935], [0.12, 0.92], [0.28, 0.96],
    [0.42, 1.02], [0.28, 1.12], [0.13, 1.16], [0.0, 1.17], [-0.13, 1.16], [-0.28, 1.12],
    [-0.34, 1.025], [-0.15, 1.0], [0.0, 1.0], [0.15, 1.0],
    [0.34, 1.025], [0.15, 1.06], [0.0, 1.065], [-0.15, 1.06],
])  # (68, 2)

# Forehead point k sits above FOREHEAD_BASE[k] (mean of those landmarks), FOREHEAD_HEIGHT[k] inter-ocular
# distances above the brow level of FOREHEAD_BROW[k], and follows that brow by FOREHEAD_FOLLOW[k] of its move.
FOREHEAD_BASE: tuple[tuple[int, ...], ...] = ((0,), (17,), (19,), (21, 22), (24,), (26,), (16,))
FOREHEAD_BROW: tuple[tuple[int, ...], ...] = ((17,), (17,), (19,), (21, 22), (24,), (26,), (26,))
FOREHEAD_HEIGHT = np.array([0.5, 0.75, 0.9, 0.95, 0.9, 0.75, 0.5])
FOREHEAD_FOLLOW = np.array([0.25, 0.5, 0.55, 0.55, 0.55, 0.5, 0.25])
MIN_HEIGHT = 0.3  # a forehead point never comes closer to its brow than this fraction of its height

# The face's outline as a loop of vertex indices: jaw from the right ear level round the chin, forehead back.
OUTLINE: tuple[int, ...] = (*range(17), *range(FOREHEAD.stop - 1, FOREHEAD.start - 1, -1))


def face_frame(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(u, v, d): unit vector along the eye line, unit "up" vector, and the inter-ocular distance (≥ 1 px)."""
    right, left = landmarks[36:42].mean(axis=0), landmarks[42:48].mean(axis=0)
    d = float(np.hypot(*(left - right)))
    u = (left - right) / d if d > 1e-9 else np.array([1.0, 0.0])
    v = np.array([u[1], -u[0]])  # (0, -1) for a level face: up in image coordinates
    if np.dot(v, landmarks[17:27].mean(axis=0) - landmarks[48:68].mean(axis=0)) < 0:
        v = -v  # mirrored or upside-down markup: "up" points from the mouth to the brows
    return u, v, max(d, 1.0)


def _means(landmarks: np.ndarray, groups: tuple[tuple[int, ...], ...]) -> np.ndarray:
    return np.stack([landmarks[list(g)].mean(axis=0) for g in groups])  # (7, 2)


def forehead_points(landmarks: np.ndarray) -> np.ndarray:
    """(7, 2) virtual forehead points of a face's (68, 2) landmarks."""
    _, v, d = face_frame(landmarks)
    base, brow = _means(landmarks, FOREHEAD_BASE), _means(landmarks, FOREHEAD_BROW)
    lift = (brow - base) @ v + FOREHEAD_HEIGHT * d  # (7,) distance above the base along v
    return base + lift[:, None] * v


def fit_similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(2, 3) least-squares similarity src -> dst; a pure translation when the points coincide. Scale kept in [0.2, 5]."""
    from core.face.retarget import fit_similarity as fit

    try:
        m = fit(src, dst)
    except PoseError:
        return np.hstack([np.eye(2), (dst.mean(axis=0) - src.mean(axis=0))[:, None]])
    scale = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))
    if not np.isfinite(scale) or scale < 0.2 or scale > 5.0:
        lin = m[:, :2] / max(scale, 1e-12) * float(np.clip(scale, 0.2, 5.0)) if scale > 1e-12 else np.eye(2)
        m = np.hstack([lin, (dst.mean(axis=0) - src.mean(axis=0) @ lin.T)[:, None]])
    return m


def target_forehead(src68: np.ndarray, src_forehead: np.ndarray, tgt68: np.ndarray) -> np.ndarray:
    """(7, 2) forehead points for target landmarks: carried by the head's similarity (fitted on the stable
    points), plus part of each brow's own move, and never pushed down onto the brows."""
    stable = list(FACE68_STABLE)
    m = fit_similarity(src68[stable], tgt68[stable])
    lin, shift = m[:, :2], m[:, 2]
    carried = src_forehead @ lin.T + shift
    brow_src, brow_tgt = _means(src68, FOREHEAD_BROW), _means(tgt68, FOREHEAD_BROW)
    out = carried + FOREHEAD_FOLLOW[:, None] * (brow_tgt - (brow_src @ lin.T + shift))
    _, v_src, d = face_frame(src68)
    scale = float(np.sqrt(abs(np.linalg.det(lin))))
    up = lin @ v_src / max(scale, 1e-12)  # the source's "up" turned with the head
    floor = MIN_HEIGHT * FOREHEAD_HEIGHT * d * scale  # (7,)
    height = (out - brow_tgt) @ up
    out += np.maximum(floor - height, 0.0)[:, None] * up
    return out


def _across(landmarks: np.ndarray, sign: float = 1.0) -> np.ndarray:
    """Unit normal of the mouth's corner-to-corner line (60 -> 64), turned by ``sign``."""
    d = landmarks[64] - landmarks[60]
    return sign * np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-9)


def mouth_split(src68: np.ndarray, tgt68: np.ndarray) -> np.ndarray:
    """(6, 2) virtual mouth points (vertices 75-80) for target landmarks. Openings are measured across the
    mouth (normal to its corner line, so lips sliding sideways open nothing): while the target opens no
    wider than the photo (scaled with the nose's length), each facing pair meets halfway between the lips;
    wider, each point keeps the photo's half-opening from its own lip and the rest is the new gap."""
    up_s, low_s = src68[list(UPPER_INNER)], src68[list(LOWER_INNER)]
    up_t, low_t = tgt68[list(UPPER_INNER)], tgt68[list(LOWER_INNER)]
    sign = 1.0 if np.dot(_across(src68), src68[55:60].mean(axis=0) - src68[49:54].mean(axis=0)) >= 0 else -1.0
    open_s = np.maximum((low_s - up_s) @ _across(src68, sign), 0.0)  # (3,)
    open_t = np.maximum((low_t - up_t) @ _across(tgt68, sign), 0.0)
    nose_s = float(np.hypot(*(src68[33] - src68[27])))  # the nose's length: it follows zoom, not yaw or the jaw
    scale = float(np.clip(np.hypot(*(tgt68[33] - tgt68[27])) / max(nose_s, 1e-6), 0.5, 2.0))
    kept = open_s * scale  # (3,) the photo's opening at the target's size
    wider = open_t > kept * (1.0 + 1e-9) + 1e-9
    frac = np.where(wider, 0.5 * kept / np.maximum(open_t, 1e-9), 0.5)[:, None]  # of the way to the other lip
    return np.vstack([up_t + frac * (low_t - up_t), low_t - frac * (low_t - up_t)])


def mouth_gap(points: np.ndarray) -> np.ndarray:
    """(8, 2) the polygon the mouth opened by, in mesh vertices ``points``: corner, upper split, corner, lower split."""
    m = MOUTH_SPLIT
    return points[[60, m, m + 1, m + 2, 64, m + 5, m + 4, m + 3]]


def ring(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(centre (2,), semi-axes (2,)) of the anchor ellipse around ``points`` (N, 2): RING_SCALE times their box."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    return (lo + hi) / 2.0, np.maximum(RING_SCALE * (hi - lo) / 2.0, 4.0)


def _sweep(xy: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Unwrapped polar angles of a loop of points about ``centre``."""
    return np.unwrap(np.arctan2(xy[:, 1] - centre[1], xy[:, 0] - centre[0]))


def anchors_and_band(points: np.ndarray, centre: np.ndarray, axes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Anchors (N_ANCHORS, 2) on the ellipse and the triangles (K, 3) joining the face outline to them.

    ``points`` are the face vertices (at least 0-74). The outline and the anchors are merged by polar angle
    (as two sorted lists), each step adding the triangle that advances whichever loop comes next.
    """
    outline = np.array(OUTLINE)
    s = _sweep(points[outline], centre)  # (n,)
    sign = 1.0 if s[-1] >= s[0] else -1.0
    s = sign * s
    theta = s[0] + 2 * np.pi * np.arange(N_ANCHORS) / N_ANCHORS  # anchor sweep values, starting at vertex 0
    ang = sign * theta
    r = 1.0 / np.sqrt((np.cos(ang) / axes[0]) ** 2 + (np.sin(ang) / axes[1]) ** 2)
    anchors = centre + r[:, None] * np.stack([np.cos(ang), np.sin(ang)], axis=1)
    n, m = len(outline), N_ANCHORS
    sp, sq = np.append(s, s[0] + 2 * np.pi), np.append(theta, theta[0] + 2 * np.pi)
    tris, i, j = [], 0, 0
    while i < n or j < m:
        if j >= m or (i < n and sp[i + 1] <= sq[j + 1]):
            tris.append((outline[i], outline[(i + 1) % n], FIRST_ANCHOR + j % m))
            i += 1
        else:
            tris.append((outline[i % n], FIRST_ANCHOR + (j + 1) % m, FIRST_ANCHOR + j))
            j += 1
    # Both kinds of step turn the same way, the way the template's triangles turn on a face of the same handedness.
    return anchors, np.array(tris, dtype=np.int32)


def keep_inside(points: np.ndarray, centre: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """``points`` (N, 2) pulled radially into RING_INSIDE of the ellipse, so a dragged point never leaves the ring."""
    rel = (points - centre) / axes
    rad = np.hypot(rel[:, 0], rel[:, 1])
    pulled = centre + rel * (RING_INSIDE / np.maximum(rad, 1e-12))[:, None] * axes
    return np.where((rad > RING_INSIDE)[:, None], pulled, points)
