"""The embedded face renderer: a piecewise-affine warp of the portrait driven by its 68 landmarks (no checkpoint).

Once per photo (``encode_source``) the landmarks, virtual forehead, mouth and cheek points and a ring of
fixed anchors around the face are joined into a triangle mesh of fixed topology (core.render.face_warp_mesh
explains it). Per render the target landmarks move the mesh's inner vertices; the forehead follows the
head (a similarity fitted on the stable points) and part of each brow's move, the cheek points follow the
landmarks around them; the anchors stay put, so everything outside the ring is the photo pixel for pixel. Each output pixel inside the moved triangles takes its target triangle's inverse
affine map back into the photo and is sampled bilinearly (cv2.remap). Only triangles with a moved vertex
are drawn, so a small drag touches a small region. Where the mouth opens wider than in the photo, the
photo's own mouth interior stays with the lips and the new gap between them (face_warp_mesh.mouth_gap)
is filled with a dark, soft-edged mouth interior instead of stretched lip skin.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from core.errors import PoseError, RenderError
from core.face.layout import FACE68
from core.render.base import FrameByFrame, RenderResult, SourceState
from core.render.face_mesh_topology import face_triangles, fill_points
from core.render.face_warp_mesh import (
    FIRST_ANCHOR,
    FOREHEAD,
    anchors_and_band,
    forehead_points,
    keep_inside,
    mouth_gap,
    mouth_split,
    ring,
    target_forehead,
)
from core.render.targets import FaceTarget

__all__ = ["FaceWarpRenderer", "FaceWarpState", "openness"]

MAX_SQUEEZE = 3.0  # most photo pixels one output pixel may step over inside a squeezed triangle
MOUTH_DEAD = 0.005  # gap openness (area / mouth width²) below which nothing is painted
MOUTH_GAIN = 0.06  # openness above MOUTH_DEAD at which the dark mouth fill is fully on
MOUTH_SHADE = np.array([0.42, 0.22, 0.24], dtype=np.float32)  # dark, reddish version of the mouth-corner colour


@dataclass
class FaceWarpState(SourceState[np.ndarray]):
    """The photo's mesh: vertices, triangles, the anchor ring and its box, and the colour of the mouth's corners."""

    pose: np.ndarray  # (68, 2) float64 source landmarks in photo pixels (not an 18-joint Pose)
    points: np.ndarray  # (V, 2) float64 mesh vertices: 68 landmarks, 7 forehead, 6 mouth-split, 7 fill points, anchors
    triangles: np.ndarray  # (T, 3) int32 vertex indices; positive orientation in the template face
    ring_centre: np.ndarray  # (2,) the anchor ellipse's centre
    ring_axes: np.ndarray  # (2,) its semi-axes
    ring_box: tuple[int, int, int, int]  # (x0, y0, x1, y1) pixels the warp may change, inside the photo
    mouth_colour: np.ndarray  # (3,) float32 RGB of the mouth corners in the photo


def check_landmarks(xy: FaceTarget | np.ndarray, what: str) -> np.ndarray:
    """(68, 2) float64 landmarks, or PoseError saying what is wrong with them."""
    arr = FACE68.check(np.asarray(xy, dtype=np.float64))
    if not np.isfinite(arr).all():
        raise PoseError(f"the {what} landmarks contain missing (NaN) or infinite points; all 68 are needed")
    return arr


def openness(polygon: np.ndarray) -> float:
    """Area of a mouth polygon (8, 2), corners at 0 and 4, over its squared width: 0 shut, 0.1+ with teeth showing."""
    p = polygon
    area = 0.5 * abs(float(np.dot(p[:, 0], np.roll(p[:, 1], -1)) - np.dot(np.roll(p[:, 0], -1), p[:, 1])))
    width = float(np.hypot(*(p[4] - p[0])))
    return area / max(width * width, 1.0)


def _smoothstep(x: float, lo: float, hi: float) -> float:
    t = min(max((x - lo) / (hi - lo), 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


def _patch_colour(image: np.ndarray, xy: np.ndarray, radius: int) -> np.ndarray:
    """(3,) float32 median colour of the (2r+1)² patch at ``xy``, clamped into the photo."""
    h, w = image.shape[:2]
    x = int(np.clip(round(float(xy[0])), 0, w - 1))
    y = int(np.clip(round(float(xy[1])), 0, h - 1))
    patch = image[max(0, y - radius): y + radius + 1, max(0, x - radius): x + radius + 1].reshape(-1, 3)
    return np.median(patch, axis=0).astype(np.float32)


class FaceWarpRenderer(FrameByFrame[FaceTarget]):
    """Moves a portrait's face to new landmarks with a piecewise-affine mesh warp; needs no network."""

    name = "Landmark mesh warp (no checkpoint)"
    device = "cpu"
    kind = "face_warp"

    def encode_source(self, image: np.ndarray, pose: FaceTarget | np.ndarray) -> FaceWarpState:
        """Build the photo's mesh: ``image`` (H, W, 3) uint8 RGB, ``pose`` its (68, 2) landmarks in photo pixels."""
        image = np.asarray(image)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or min(image.shape[:2]) < 1:
            raise RenderError(f"the portrait must be an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")
        landmarks = check_landmarks(pose, "portrait's")
        if np.abs(landmarks).max() > 10 * max(image.shape[:2]):
            raise PoseError("the portrait's face landmarks lie far outside the photo; detect the face again")
        face = np.vstack([landmarks, forehead_points(landmarks), mouth_split(landmarks, landmarks)])  # (81, 2)
        face = np.vstack([face, fill_points(face)])  # (88, 2)
        centre, axes = ring(face)
        anchors, band = anchors_and_band(face, centre, axes)
        h, w = image.shape[:2]
        lo, hi = anchors.min(axis=0), anchors.max(axis=0)
        box = (max(0, int(np.floor(lo[0]))), max(0, int(np.floor(lo[1]))),
               min(w, int(np.ceil(hi[0])) + 1), min(h, int(np.ceil(hi[1])) + 1))
        radius = max(1, int(round(0.02 * float(np.hypot(*(landmarks[54] - landmarks[48]))))))
        colour = (_patch_colour(image, landmarks[60], radius) + _patch_colour(image, landmarks[64], radius)) / 2
        return FaceWarpState(
            image=image, pose=landmarks, points=np.vstack([face, anchors]),
            triangles=np.vstack([band, face_triangles()]).astype(np.int32),  # face last: drawn over the band
            ring_centre=centre, ring_axes=axes, ring_box=box, mouth_colour=colour,
        )

    def target_points(self, state: FaceWarpState, target: FaceTarget | np.ndarray) -> np.ndarray:
        """(V, 2) mesh vertices for ``target`` landmarks (68, 2): forehead and mouth split derived, anchors fixed,
        all inside the ring."""
        tgt = keep_inside(check_landmarks(target, "target"), state.ring_centre, state.ring_axes)
        forehead = target_forehead(state.pose, state.points[FOREHEAD], tgt)
        fill = fill_points(state.points, state.pose, tgt)
        inner = np.vstack([forehead, mouth_split(state.pose, tgt), fill])
        inner = keep_inside(inner, state.ring_centre, state.ring_axes)
        return np.vstack([tgt, inner, state.points[FIRST_ANCHOR:]])

    def render(self, state: SourceState, target: FaceTarget | np.ndarray) -> RenderResult:
        """The whole photo (H, W, 3) uint8 with the face moved to ``target`` (68, 2) landmarks."""
        start = time.perf_counter()
        if not isinstance(state, FaceWarpState):
            raise RenderError("this source was prepared by another renderer; encode the portrait again")
        dst = self.target_points(state, target)
        out = state.image.copy()
        roi = _warp_into(out, state, dst)
        gap = mouth_gap(dst)  # (8, 2)
        fill = _smoothstep(openness(gap), MOUTH_DEAD, MOUTH_DEAD + MOUTH_GAIN)
        if fill > 1e-3:
            _fill_mouth(out, gap, state.mouth_colour, fill)
        return RenderResult(image=out, renderer=self.name, crop_box=None, seconds=time.perf_counter() - start,
                            extras={"kind": self.kind, "changed_box": roi, "mouth_fill": fill})


def _affines(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per triangle (K, 3, 2) the inverse map as (K, 2, 3) rows [a, b, c]: src = a·x + b·y + c of a target
    pixel (x, y), and the (K,) signed target areas. Zero-area triangles get NaN coefficients.

    A triangle squeezed to a sliver would sample its photo triangle every few pixels and show scattered
    speckles; its map's stretch is capped at MAX_SQUEEZE photo pixels per output pixel, about its centre,
    so it shows a smooth smear of the photo there instead."""
    ones = np.ones(dst.shape[:2] + (1,))
    a = np.concatenate([dst, ones], axis=2)  # (K, 3, 3) rows [x, y, 1]
    det = np.linalg.det(a)  # twice the signed area
    ok = np.abs(det) > 1e-6
    coef = np.full((len(dst), 2, 3), np.nan)
    coef[ok] = np.linalg.solve(a[ok], src[ok]).transpose(0, 2, 1)  # [x y 1] @ solution = source (x, y)
    lin = coef[ok, :, :2]  # (k, 2, 2)
    u, sig, vt = np.linalg.svd(lin)
    squeezed = sig.max(axis=1) > MAX_SQUEEZE
    if squeezed.any():
        capped = u[squeezed] * np.minimum(sig[squeezed], MAX_SQUEEZE)[:, None, :] @ vt[squeezed]
        centre_dst, centre_src = dst[ok][squeezed].mean(axis=1), src[ok][squeezed].mean(axis=1)  # (j, 2)
        shift = centre_src - np.einsum("jab,jb->ja", capped, centre_dst)
        rows = np.flatnonzero(ok)[squeezed]
        coef[rows] = np.concatenate([capped, shift[:, :, None]], axis=2)
    return coef, det / 2.0


def _warp_into(out: np.ndarray, state: FaceWarpState, dst: np.ndarray) -> tuple[int, int, int, int] | None:
    """Backward-map every moved triangle of ``out`` (the photo's copy) in place; returns the box it touched."""
    from core.imageio_utils import import_cv2

    cv2 = import_cv2()
    src = state.points
    moved_vertex = np.abs(dst - src).max(axis=1) > 1e-9  # (V,)
    tris = state.triangles[moved_vertex[state.triangles].any(axis=1)]  # (K, 3)
    if len(tris) == 0:
        return None
    tri_dst, tri_src = dst[tris], src[tris]  # (K, 3, 2)
    x0b, y0b, x1b, y1b = state.ring_box
    lo = np.floor(tri_dst.reshape(-1, 2).min(axis=0)).astype(int) - 1
    hi = np.ceil(tri_dst.reshape(-1, 2).max(axis=0)).astype(int) + 2
    x0, y0, x1, y1 = max(x0b, lo[0]), max(y0b, lo[1]), min(x1b, hi[0]), min(y1b, hi[1])
    if x1 <= x0 or y1 <= y0:
        return None
    origin = np.array([x0, y0], dtype=np.float64)
    coef, area = _affines(tri_src - origin, tri_dst - origin)  # in ROI-local pixels
    e1, e2 = tri_src[:, 1] - tri_src[:, 0], tri_src[:, 2] - tri_src[:, 0]
    src_area = (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]) / 2.0
    usable = np.isfinite(coef).all(axis=(1, 2))
    # Folded triangles (orientation flipped from the photo's) are drawn first, so unfolded ones win overlaps.
    order = np.argsort(area * src_area >= 0, kind="stable")
    h, w = y1 - y0, x1 - x0
    n = len(tris)  # index n = untouched (identity); fewer than 256 triangles lets cv2.LUT do the gathers
    index = np.full((h, w), n, dtype=np.uint8 if n < 256 else np.int32)
    fixed = np.round((tri_dst - origin) * 16.0).astype(np.int32)  # 4 fractional bits for cv2's shift=4
    for k in order:
        if usable[k]:
            cv2.fillPoly(index, [fixed[k]], int(k), lineType=cv2.LINE_8, shift=4)
    table = np.zeros((6, 256 if n < 256 else n + 1), dtype=np.float32)  # rows: the 6 coefficients
    table[:, :n][:, usable] = coef[usable].reshape(-1, 6).T
    table[:, n] = [1, 0, 0, 0, 1, 0]
    table[2, :] += x0  # from ROI-local to photo coordinates
    table[5, :] += y0
    if n < 256:
        g = [cv2.LUT(index, row[None, :]) for row in table]  # 6 × (h, w) float32
    else:
        g = [np.take(row, index) for row in table]
    xs = np.arange(w, dtype=np.float32)[None, :]
    ys = np.arange(h, dtype=np.float32)[:, None]
    for a, b, c in (g[0:3], g[3:6]):  # a ← a·x + b·y + c, in place
        np.multiply(a, xs, out=a)
        np.multiply(b, ys, out=b)
        a += b
        a += c
    map_x, map_y = g[0], g[3]  # (h, w) photo x and y of each output pixel
    warped = cv2.remap(state.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    out[y0:y1, x0:x1] = warped
    return x0, y0, x1, y1


def _fill_mouth(out: np.ndarray, lips: np.ndarray, colour: np.ndarray, strength: float) -> None:
    """Blend a dark mouth interior into the mouth's gap polygon ``lips`` (8, 2), soft-edged, in place."""
    from core.imageio_utils import import_cv2

    cv2 = import_cv2()
    width = float(np.hypot(*(lips[4] - lips[0])))
    sigma = max(0.6, 0.035 * width)
    pad = int(np.ceil(3 * sigma)) + 2
    H, W = out.shape[:2]
    x0 = max(0, int(np.floor(lips[:, 0].min())) - pad)
    y0 = max(0, int(np.floor(lips[:, 1].min())) - pad)
    x1 = min(W, int(np.ceil(lips[:, 0].max())) + pad + 1)
    y1 = min(H, int(np.ceil(lips[:, 1].max())) + pad + 1)
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    poly = np.round((lips - [x0, y0]) * 16.0).astype(np.int32)
    cv2.fillPoly(mask, [poly], 255, lineType=cv2.LINE_AA, shift=4)
    soft = cv2.GaussianBlur(mask, (0, 0), sigma).astype(np.float32) / 255.0  # (h, w)
    box = 2 * int(round(3 * sigma)) + 1
    deep = cv2.blur(mask, (box, box)).astype(np.float32) / 255.0  # darker towards the middle
    alpha = (strength * soft)[..., None]  # (h, w, 1)
    shade = colour * MOUTH_SHADE * (1.0 - 0.35 * deep[..., None])  # (h, w, 3)
    region = out[y0:y1, x0:x1].astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(region * (1.0 - alpha) + shade * alpha + 0.5, 0, 255).astype(np.uint8)
