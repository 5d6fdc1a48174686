"""The studio's own skeleton drawing (OpenPose colours, stick width scaled with the image, over a photo if asked)
and the face-landmark drawing; the exact controlnet_aux PNG is core.formats.controlnet_png."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from core.errors import PoseError
from core.imageio_utils import import_cv2
from core.skeleton import COLORS, LIMBS_DRAWN, N_JOINTS, Pose

if TYPE_CHECKING:
    from core.face.layout import KeypointLayout


def skeleton_stick_width(size_hw: tuple[int, int]) -> int:
    """Limb half-width and joint radius in pixels: OpenPose's 4 at 512 px, scaled with the image."""
    return max(1, int(round(4 * max(size_hw[0], size_hw[1]) / 512)))


def draw_skeleton_image(
    pose: Pose | np.ndarray,
    size_hw: tuple[int, int],
    background: np.ndarray | None = None,
    stick_width: int | None = None,
) -> np.ndarray:
    """An (H, W, 3) uint8 skeleton in the OpenPose/ControlNet style.

    Black background (or a copy of ``background``), each limb a filled ellipse blended at
    0.6 opacity in its OpenPose colour, then each joint a filled circle in its colour.
    """
    cv2 = import_cv2()
    pose = Pose.coerce(pose)
    h, w = int(size_hw[0]), int(size_hw[1])
    if background is None:
        canvas = np.zeros((h, w, 3), np.uint8)
    else:
        canvas = np.array(background, dtype=np.uint8, copy=True)
        if canvas.shape != (h, w, 3):
            raise PoseError(f"background must be ({h}, {w}, 3), got {canvas.shape}")
    r = skeleton_stick_width((h, w)) if stick_width is None else max(1, int(stick_width))
    xy, present = pose.xy, pose.present
    for i, (a, b) in enumerate(LIMBS_DRAWN):
        if not (present[a] and present[b]):
            continue
        (x0, y0), (x1, y1) = xy[a], xy[b]
        length = math.hypot(x1 - x0, y1 - y0)
        angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
        centre = (int(round((x0 + x1) / 2)), int(round((y0 + y1) / 2)))
        poly = cv2.ellipse2Poly(centre, (int(round(length / 2)), r), int(round(angle)), 0, 360, 1)
        _blend_polygon(canvas, poly, COLORS[i], 0.6, cv2)
    for j in range(N_JOINTS):
        if present[j]:
            centre = (int(round(xy[j, 0])), int(round(xy[j, 1])))
            cv2.circle(canvas, centre, r, COLORS[j], thickness=-1)
    return canvas


def draw_landmarks_image(xy: np.ndarray, size_hw: tuple[int, int], layout: KeypointLayout | None = None) -> np.ndarray:
    """An (H, W, 3) uint8 drawing of face landmarks (default layout: the 68-point face) on black: each line
    of the layout in its first point's colour, each point a dot, for the side-by-side export."""
    from core.face.layout import FACE68

    cv2 = import_cv2()
    layout = layout or FACE68
    arr = layout.check(xy)
    h, w = int(size_hw[0]), int(size_hw[1])
    canvas = np.zeros((h, w, 3), np.uint8)
    present = ~np.isnan(arr).any(axis=1)
    r = max(1, skeleton_stick_width((h, w)) // 2)
    shift = 4  # sub-pixel drawing: coordinates in 1/16 px
    fixed = np.where(present[:, None], np.nan_to_num(arr) * (1 << shift), 0).round().astype(np.int32)
    for a, b in layout.edges:
        if present[a] and present[b]:
            cv2.line(canvas, tuple(fixed[a]), tuple(fixed[b]), layout.colors[a], r, cv2.LINE_AA, shift)
    for i in np.flatnonzero(present):
        cv2.circle(canvas, tuple(fixed[i]), (r + 1) << shift, layout.colors[i], -1, cv2.LINE_AA, shift)
    return canvas


def _blend_polygon(canvas: np.ndarray, poly: np.ndarray, color: tuple[int, int, int], alpha: float, cv2) -> None:
    """canvas = (1 - alpha) * canvas + alpha * color inside the convex polygon (in place)."""
    h, w = canvas.shape[:2]
    x0, y0 = np.maximum(poly.min(axis=0), 0)
    x1, y1 = np.minimum(poly.max(axis=0) + 1, (w, h))
    if x0 >= x1 or y0 >= y1:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(mask, poly - np.array([x0, y0]), 1)
    region = canvas[y0:y1, x0:x1]  # (h', w', 3) view
    inside = mask.astype(bool)
    mixed = (1.0 - alpha) * region[inside].astype(np.float64) + alpha * np.array(color, np.float64)
    region[inside] = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


