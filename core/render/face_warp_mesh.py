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

Topology. The face part (vertices 0-87) uses one fixed triangle list: the Delaunay triangulation of a
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

from functools import lru_cache

import numpy as np

from core.errors import PoseError
from core.face.layout import FACE68, FACE68_STABLE

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

# Cheek and chin fill points of the subject's right side (mirrored for the left) and the middle: template
# position and the landmarks whose moves they follow.
_FILL_RIGHT = (((-0.62, 0.38), (1, 2, 3, 31, 40, 41)), ((-0.70, 0.85), (3, 4, 5, 31, 48)),
               ((-0.27, 1.38), (5, 6, 7, 48, 58, 59)))
_FILL_MIDDLE = ((0.0, 1.42), (7, 8, 9, 56, 57, 58))

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


@lru_cache(maxsize=1)
def _fill_layout() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fill points: template positions (7, 2), follow weights (7, 68) summing to 1 per row, and each one's
    enclosing coarse template triangle (7, 3) with its barycentric coordinates there (7, 3)."""
    where, follow = [], []
    for xy, idx in _FILL_RIGHT:
        where += [xy, (-xy[0], xy[1])]
        follow += [idx, tuple(FACE68.mirror[i] for i in idx)]
    where.append(_FILL_MIDDLE[0])
    follow.append(_FILL_MIDDLE[1])
    where = np.array(where, dtype=np.float64)
    weights = np.zeros((len(where), N_LANDMARKS))
    for k, idx in enumerate(follow):
        weights[k, list(idx)] = 1.0 / np.hypot(*(TEMPLATE68[list(idx)] - where[k]).T)
    weights /= weights.sum(axis=1, keepdims=True)
    coarse = _triangulate(with_fill=False)
    corners = np.concatenate([_template()[coarse], np.ones((len(coarse), 3, 1))], axis=2)  # (T, 3, 3) rows [x y 1]
    solid = np.abs(np.linalg.det(corners)) > 1e-9  # the closed mouth's gap strip has no area
    coarse, columns = coarse[solid], corners[solid].transpose(0, 2, 1)  # (T, 3, 3) columns [x y 1]
    rhs = np.hstack([where, np.ones((len(where), 1))])[:, None, :, None]  # (7, 1, 3, 1)
    bary = np.linalg.solve(columns[None], rhs)[..., 0]  # (7, T, 3) barycentrics of every point in every triangle
    best = np.argmax(bary.min(axis=2), axis=1)  # the triangle that contains each point
    return where, weights, coarse[best], bary[np.arange(len(where)), best]


def fill_points(points: np.ndarray, src68: np.ndarray | None = None, tgt68: np.ndarray | None = None) -> np.ndarray:
    """(7, 2) fill points of a photo whose mesh vertices 0-80 are ``points[:81]``; with ``src68`` and ``tgt68``
    (68, 2), moved by the weighted mean move of the landmarks they follow."""
    _, weights, tri, bary = _fill_layout()
    placed = np.einsum("kc,kcx->kx", bary, points[tri])
    return placed if tgt68 is None else placed + weights @ (tgt68 - src68)


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


# The mouth, drawn by hand so that it never depends on how Delaunay breaks ties between near points:
# the upper lip between outer 48-54 and inner 60-64, the lower lip between outer 54-59, 48 and inner
# 64-67, 60, and the inner mouth as three strips: upper inner lip to 75-77, 75-77 to 78-80 (the gap),
# 78-80 to the lower inner lip.
UPPER_LIP = ((48, 49, 60), (49, 61, 60), (49, 50, 61), (50, 51, 61), (51, 62, 61),
             (51, 52, 62), (52, 63, 62), (52, 53, 63), (53, 64, 63), (53, 54, 64))
LOWER_LIP = ((48, 60, 59), (59, 60, 67), (59, 67, 58), (58, 67, 57), (57, 67, 66),
             (57, 66, 56), (56, 66, 65), (56, 65, 55), (55, 65, 64), (55, 64, 54))
INNER_MOUTH = ((60, 61, 75), (61, 62, 76), (61, 76, 75), (62, 63, 77), (62, 77, 76), (63, 64, 77),
               (60, 75, 78), (75, 76, 79), (75, 79, 78), (76, 77, 80), (76, 80, 79), (77, 64, 80),
               (60, 78, 67), (78, 79, 66), (78, 66, 67), (79, 80, 65), (79, 65, 66), (80, 64, 65))
OUTER_LIPS = tuple(range(48, 60))


def _inside(xy: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """(N,) bool: which points (N, 2) lie inside ``polygon`` (M, 2) (even-odd ray casting)."""
    x, y = xy[:, :1], xy[:, 1:]
    x0, y0 = polygon[:, 0], polygon[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = ((y0 > y) != (y1 > y)) & (x < x0 + (y - y0) * (x1 - x0) / np.where(y1 == y0, 1e-12, y1 - y0))
    return crosses.sum(axis=1) % 2 == 1


def _template() -> np.ndarray:
    """(81, 2) the template's landmarks, forehead and mouth-split points (fill points not included)."""
    return np.vstack([TEMPLATE68, forehead_points(TEMPLATE68), mouth_split(TEMPLATE68, TEMPLATE68)])


@lru_cache(maxsize=2)
def _triangulate(with_fill: bool) -> np.ndarray:
    """Delaunay of the template outside the lips (with or without the fill points), then the lips by hand."""
    from scipy.spatial import Delaunay

    template = np.vstack([_template(), _fill_layout()[0]]) if with_fill else _template()
    keep = np.array([i for i in range(len(template)) if not (60 <= i < 68 or MOUTH_SPLIT <= i < FILL.start)])
    tris = keep[Delaunay(template[keep]).simplices]  # (K, 3) in full vertex numbers
    in_lips = np.isin(tris, OUTER_LIPS).all(axis=1) & _inside(template[tris].mean(axis=1), template[list(OUTER_LIPS)])
    tris = tris[~in_lips]
    edges = {frozenset(e) for t in tris for e in ((t[0], t[1]), (t[1], t[2]), (t[0], t[2]))}
    loops = (OUTER_LIPS, OUTLINE)
    missing = [(a, b) for loop in loops for a, b in zip(loop, loop[1:] + loop[:1], strict=True)
               if frozenset((a, b)) not in edges]
    if missing:  # a template edit broke the layout: fail loudly rather than tear faces
        raise RuntimeError(f"the face mesh template lost the outline edges {missing}")
    return np.vstack([tris, UPPER_LIP, LOWER_LIP, INNER_MOUTH]).astype(np.int32)


def face_triangles() -> np.ndarray:
    """(T, 3) int32 triangles over vertices 0-87: Delaunay of the template face outside the lips, the lips by hand.

    The mouth triangles come last so that, where a drag folds the mesh, the mouth is drawn over its neighbours.
    """
    return _triangulate(with_fill=True)
