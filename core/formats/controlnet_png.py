"""The skeleton PNG exactly as controlnet_aux draws a pose document, and the canvas sizes SD users pick.

The drawing rule (controlnet_aux ``draw_bodypose`` / ``draw_handpose`` / ``draw_facepose``, restated): a black
RGB canvas; coordinates are normalised by the canvas and turned back into whole pixels with ``int(x * W)``. Per
person, in file order:

* body: each of the 17 drawn limbs (core.skeleton.LIMBS_DRAWN order) whose two joints are present is a filled
  convex polygon from ``cv2.ellipse2Poly(centre, (int(length / 2), 4), int(angle), 0, 360, 1)``, centre the
  truncated midpoint, angle ``degrees(atan2(y_a - y_b, x_a - x_b))``, in limb colour × 0.6 (truncated); then each
  present joint a filled circle of radius 4 in its colour (core.skeleton.COLORS);
* each hand: edge i of the 20 hand edges a line of width 2 in HSV(i / 20, 1, 1) × 255, then each point a filled
  blue (0, 0, 255) circle of radius 4; only points at pixel x > 0.01 and y > 0.01 are drawn;
* face: each point a filled white circle of radius 3 (same x, y > 0.01 rule).

Feet are not drawn (controlnet_aux's 18-point body has none).
"""

from __future__ import annotations

import colorsys
import math

import numpy as np

from core.errors import PoseError
from core.imageio_utils import import_cv2
from core.posedoc import Person, PoseDocument
from core.skeleton import COLORS, LIMBS_DRAWN

STICK_WIDTH = 4
JOINT_RADIUS = 4
HAND_EDGES: tuple[tuple[int, int], ...] = tuple(
    (0 if k % 4 == 0 else f * 4 + k % 4, f * 4 + k % 4 + 1) for f in range(5) for k in range(4)
)
HAND_POINT_COLOR = (0, 0, 255)
HAND_POINT_RADIUS = 4
HAND_LINE_WIDTH = 2
FACE_POINT_COLOR = (255, 255, 255)
FACE_POINT_RADIUS = 3
EPS = 0.01
CANVAS_PRESETS: dict[str, tuple[int, int]] = {
    "512x512": (512, 512), "512x768": (512, 768), "768x512": (768, 512),
    "1024x1024": (1024, 1024), "832x1216": (832, 1216), "1216x832": (1216, 832),
}


def hand_edge_color(i: int) -> tuple[int, int, int]:
    """Colour of hand edge ``i``: HSV(i / 20, 1, 1) scaled to 0-255 and rounded, as cv2 stores a float colour."""
    r, g, b = colorsys.hsv_to_rgb(i / float(len(HAND_EDGES)), 1.0, 1.0)
    return int(round(r * 255)), int(round(g * 255)), int(round(b * 255))


def parse_canvas_size(text: str, photo_size: tuple[int, int] | None = None) -> tuple[int, int]:
    """(width, height) from 'WxH' (any positive size, the presets included) or 'photo' (``photo_size``)."""
    t = text.strip().lower()
    if t == "photo":
        if photo_size is None:
            raise PoseError("canvas 'photo' needs a photo")
        return photo_size
    parts = t.split("x")
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise PoseError(f"canvas size {text!r} is not WIDTHxHEIGHT (presets: {', '.join(CANVAS_PRESETS)}, photo)")
    return int(parts[0]), int(parts[1])


def fit_document(doc: PoseDocument, size: tuple[int, int]) -> PoseDocument:
    """The document scaled uniformly into a ``size`` (width, height) canvas and centred (letterboxed)."""
    if doc.canvas is None or doc.canvas == size:
        return PoseDocument(size, doc.people)
    s = min(size[0] / doc.canvas[0], size[1] / doc.canvas[1])
    off = ((size[0] - doc.canvas[0] * s) / 2.0, (size[1] - doc.canvas[1] * s) / 2.0)
    return PoseDocument(size, tuple(p.transformed(s, off) for p in doc.people))


def _pixel(x: float, y: float, w: int, h: int) -> tuple[int, int]:
    return int((x / w) * w), int((y / h) * h)


def _draw_body(canvas: np.ndarray, person: Person, cv2) -> None:
    h, w = canvas.shape[:2]
    xy, present = person.body.xy / (w, h), person.body.present  # normalised, as controlnet_aux holds them
    for (a, b), color in zip(LIMBS_DRAWN, COLORS, strict=False):
        if not (present[a] and present[b]):
            continue
        xs, ys = np.array([xy[a, 0], xy[b, 0]]) * float(w), np.array([xy[a, 1], xy[b, 1]]) * float(h)
        length = math.hypot(xs[0] - xs[1], ys[0] - ys[1])
        angle = math.degrees(math.atan2(ys[0] - ys[1], xs[0] - xs[1]))
        poly = cv2.ellipse2Poly((int(xs.mean()), int(ys.mean())), (int(length / 2), STICK_WIDTH), int(angle), 0, 360, 1)
        cv2.fillConvexPoly(canvas, poly, [int(float(c) * 0.6) for c in color])
    for j, color in enumerate(COLORS):
        if present[j]:
            cv2.circle(canvas, (int(xy[j, 0] * w), int(xy[j, 1] * h)), JOINT_RADIUS, color, thickness=-1)


def _draw_hand(canvas: np.ndarray, pts: np.ndarray, cv2) -> None:
    h, w = canvas.shape[:2]
    ok = ~np.isnan(pts).any(axis=1)
    pix = [_pixel(x, y, w, h) if k else (0, 0) for (x, y), k in zip(pts, ok, strict=True)]
    for i, (a, b) in enumerate(HAND_EDGES):
        (x1, y1), (x2, y2) = pix[a], pix[b]
        if ok[a] and ok[b] and min(x1, y1, x2, y2) > EPS:
            cv2.line(canvas, (x1, y1), (x2, y2), hand_edge_color(i), thickness=HAND_LINE_WIDTH)
    for (x, y), k in zip(pix, ok, strict=True):
        if k and x > EPS and y > EPS:
            cv2.circle(canvas, (x, y), HAND_POINT_RADIUS, HAND_POINT_COLOR, thickness=-1)


def _draw_face(canvas: np.ndarray, pts: np.ndarray, cv2) -> None:
    h, w = canvas.shape[:2]
    for x, y in pts[~np.isnan(pts).any(axis=1)]:
        px, py = _pixel(x, y, w, h)
        if px > EPS and py > EPS:
            cv2.circle(canvas, (px, py), FACE_POINT_RADIUS, FACE_POINT_COLOR, thickness=-1)


def draw_controlnet_skeleton(doc: PoseDocument, size: tuple[int, int] | None = None,
                             parts: tuple[str, ...] = ("body", "hands", "face")) -> np.ndarray:
    """(H, W, 3) uint8 RGB skeleton of every person, drawn by the controlnet_aux rule (module docstring).

    ``size`` (width, height) defaults to the document's canvas; another size fits the document into it.
    """
    if size is None:
        if doc.canvas is None:
            raise PoseError("the skeleton image needs a canvas size")
        size = doc.canvas
    doc = fit_document(doc, (int(size[0]), int(size[1])))
    cv2 = import_cv2()
    canvas = np.zeros((int(size[1]), int(size[0]), 3), np.uint8)
    for person in doc.people:
        if "body" in parts:
            _draw_body(canvas, person, cv2)
        if "hands" in parts:
            for hand in (person.left_hand, person.right_hand):
                if hand is not None:
                    _draw_hand(canvas, hand.xy, cv2)
        if "face" in parts and person.face is not None:
            _draw_face(canvas, person.face.xy, cv2)
    return canvas
