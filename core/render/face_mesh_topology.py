"""The fixed triangle topology of the landmark face mesh (vertices 0-87; see core.render.face_warp_mesh).

The face part is the Delaunay triangulation of the symmetric template face outside the lips, and the lips
and the inner mouth by hand, so no triangle ever bridges the upper and lower lip whatever the photo.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from core.face.layout import FACE68
from core.render.face_warp_mesh import FILL, MOUTH_SPLIT, N_LANDMARKS, OUTLINE, TEMPLATE68, forehead_points, mouth_split

# Cheek and chin fill points of the subject's right side (mirrored for the left) and the middle: template
# position and the landmarks whose moves they follow.
_FILL_RIGHT = (((-0.62, 0.38), (1, 2, 3, 31, 40, 41)), ((-0.70, 0.85), (3, 4, 5, 31, 48)),
               ((-0.27, 1.38), (5, 6, 7, 48, 58, 59)))
_FILL_MIDDLE = ((0.0, 1.42), (7, 8, 9, 56, 57, 58))

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

    template = np.vstack([_template(), fill_layout()[0]]) if with_fill else _template()
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


@lru_cache(maxsize=1)
def fill_layout() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
    _, weights, tri, bary = fill_layout()
    placed = np.einsum("kc,kcx->kx", bary, points[tri])
    return placed if tgt68 is None else placed + weights @ (tgt68 - src68)
