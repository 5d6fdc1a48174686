"""The 16-channel face structure (edge image, 14 distance maps, part labels) exactly as the published face loader builds it from 68 landmarks."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from core.errors import PoseError, RenderError

N_LANDMARKS = 68  # dlib / iBUG-300W order
STRUCTURE_NC = 16
CURVE_WINDOW = 3  # points per fitted curve piece; consecutive pieces share one point

_OUTLINE = (*range(0, 17), *range(68, 83), 0)  # jaw, mirrored upper face, closed
# (label, polylines) per face part; the label map fills each part's joined points in this order.
FACE_PARTS: tuple[tuple[int, tuple[tuple[int, ...], ...]], ...] = (
    (1, (_OUTLINE,)),
    (2, (tuple(range(17, 22)),)),  # right brow
    (2, (tuple(range(22, 27)),)),  # left brow
    (3, ((28, 31), tuple(range(31, 36)), (35, 28))),  # nose
    (4, ((36, 37, 38, 39), (39, 40, 41, 36))),  # right eye
    (4, ((42, 43, 44, 45), (45, 46, 47, 42))),  # left eye
    (5, (tuple(range(48, 55)), (54, 55, 56, 57, 58, 59, 48))),  # outer mouth
    (6, (tuple(range(60, 65)), (64, 65, 66, 67, 60))),  # inner mouth
)
POLYLINES: tuple[tuple[int, ...], ...] = tuple(line for _, lines in FACE_PARTS for line in lines)  # 14


@dataclass(frozen=True)
class FaceStructure:
    """One frame's structure as exact uint8 codes, with the intermediates the loader computes on the way."""

    codes: np.ndarray  # (16, S, S) uint8: edge image, 14 distance maps, label map
    keypoints83: np.ndarray  # (83, 2) float64 x, y in frame pixels: 68 landmarks + 15 upper-face points
    label_map_original: np.ndarray  # (h, w) uint8 part labels 0..6 at the frame's resolution
    label_map: np.ndarray  # (S, S) uint8, nearest-resized
    face_edges: np.ndarray  # (S, S) uint8, fitted curves only (0 / 255)
    gray_resized: np.ndarray  # (S, S) uint8, the frame resized bilinear and converted to grey
    canny: np.ndarray  # (S, S) bool, Canny edges of gray_resized before masking
    edge_image: np.ndarray  # (S, S) uint8, face edges + background Canny (uint8 wrap-around: 255+255 = 254)

    def as_float(self) -> np.ndarray:
        """(16, S, S) float32 network input: code/255 for channels 0..14, the integer label for channel 15."""
        out = self.codes.astype(np.float32) / np.float32(255)
        out[15] = out[15] * np.float32(255)
        return out


def upper_face_points(landmarks: np.ndarray) -> np.ndarray:
    """(68, 2) landmarks -> (83, 2) float64 with jaw points 15..1 mirrored above the jaw's end points.

    The mirror line is the mean y of jaw points 0 and 16 (b); a point at y moves to
    ``b + floor((b - y) · 2 / 3)``, truncated to an integer; x is kept.
    """
    kp = _check_landmarks(landmarks)
    jaw = kp[:17].astype(np.int32)  # (17, 2)
    base = (float(jaw[0, 1]) + float(jaw[16, 1])) / 2
    upper = jaw[1:16].copy()  # (15, 2) int32
    upper[:, 1] = np.trunc(base + ((base - upper[:, 1]) * 2) // 3)  # float floor-division, then int cast
    return np.vstack((kp, upper[::-1].astype(np.float64)))


def _check_landmarks(landmarks: np.ndarray) -> np.ndarray:
    kp = np.asarray(landmarks, dtype=np.float64)
    if kp.shape != (N_LANDMARKS, 2):
        raise PoseError(f"face landmarks must be {N_LANDMARKS} (x, y) points, got an array of shape {kp.shape}")
    if not np.isfinite(kp).all():
        raise PoseError("face landmarks contain missing (NaN) or infinite coordinates; every one of the 68 is needed")
    return kp


def _quadratic(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    return a * x**2 + b * x + c


def _line(x: np.ndarray, a: float, b: float) -> np.ndarray:
    return a * x + b


def fit_curve(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Integer pixels of the curve through 2 or 3 integer points, or None when the parabola is too bent.

    The axis with the larger step is the independent one (a tie keeps x); it is sampled as
    ``linspace(a, b, b - a)``; the fit is scipy's ``curve_fit`` with its defaults (LM, start at ones).
    """
    if np.abs(np.diff(x)).max() < np.abs(np.diff(y)).max():
        swapped = fit_curve(y, x)
        return None if swapped is None else (swapped[1], swapped[0])
    from scipy.optimize import curve_fit

    model = _line if len(x) < 3 else _quadratic
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            params, _ = curve_fit(model, x, y)
        except (RuntimeError, ValueError):  # no convergence: treat like a rejected curve
            return None
    if len(x) >= 3 and abs(params[0]) > 1:
        return None
    start, stop = (x[-1], x[0]) if x[0] > x[-1] else (x[0], x[-1])
    xs = np.linspace(start, stop, stop - start)  # (stop-start,)
    return xs.astype(int), model(xs, *params).astype(int)


def _draw_polyline(canvas: np.ndarray, kp: np.ndarray, line: tuple[int, ...], scale_xy: tuple[np.float32, np.float32]) -> None:
    """Draw one polyline's fitted curve pieces (value 255, 1 px, clamped to the canvas) into ``canvas`` (S, S)."""
    size = canvas.shape[0]
    for i in range(0, max(1, len(line) - 1), CURVE_WINDOW - 1):
        piece = list(line[i : i + CURVE_WINDOW])
        x = (kp[piece, 0].astype(np.float32) / scale_xy[0] * np.float32(size)).astype(int)
        y = (kp[piece, 1].astype(np.float32) / scale_xy[1] * np.float32(size)).astype(int)
        curve = fit_curve(x, y)
        if curve is None or curve[0].size == 0:
            continue
        canvas[np.clip(curve[1], 0, size - 1), np.clip(curve[0], 0, size - 1)] = 255


def face_structure(landmarks: np.ndarray, frame: np.ndarray, load_size: int = 256) -> FaceStructure:
    """Encode one frame: 68 (x, y) landmarks in the pixels of ``frame`` (h, w, 3) uint8 RGB -> S×S structure."""
    from PIL import Image
    from skimage import feature

    from core.imageio_utils import import_cv2

    cv2 = import_cv2()
    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8 or min(frame.shape[:2]) < 1:
        raise RenderError(f"the face frame must be an RGB uint8 image (h, w, 3), got {frame.dtype} {frame.shape}")
    if int(load_size) < 8:
        raise RenderError(f"the face structure size must be at least 8 pixels, got {load_size}")
    size, (h, w) = int(load_size), frame.shape[:2]
    kp = upper_face_points(landmarks)  # (83, 2)

    labels_original = np.zeros((h, w), np.uint8)
    for label, lines in FACE_PARTS:
        polygon = np.ascontiguousarray(kp[[i for line in lines for i in line]].astype(np.int32))  # (N, 2)
        cv2.fillPoly(labels_original, pts=[polygon], color=label)
    labels = np.asarray(Image.fromarray(labels_original).resize((size, size), Image.Resampling.NEAREST))  # (S, S)

    scale = (np.float32(w), np.float32(h))
    face_edges = np.zeros((size, size), np.uint8)
    dist_codes = []
    for line in POLYLINES:
        own = np.zeros((size, size), np.uint8)
        _draw_polyline(own, kp, line, scale)
        face_edges |= own  # drawn pixels are 255, so OR equals drawing into one image
        dist = cv2.distanceTransform(255 - own, cv2.DIST_L1, 3)  # (S, S) float32 city-block distance
        dist_codes.append(np.clip(dist / 3, 0, 255).astype(np.uint8))

    gray = np.asarray(Image.fromarray(frame).resize((size, size), Image.Resampling.BILINEAR).convert("L"))  # (S, S)
    canny = feature.canny(gray)
    edge_image = face_edges + ((canny & (labels == 0)) * 255).astype(np.uint8)  # uint8: wraps 255+255 to 254

    codes = np.stack([edge_image, *dist_codes, labels])  # (16, S, S)
    return FaceStructure(codes, kp, labels_original, labels, face_edges, gray, canny, edge_image)


def frame_to_input(frame: np.ndarray, load_size: int = 256) -> np.ndarray:
    """(h, w, 3) uint8 RGB frame -> (3, S, S) float32 in [-1, 1], resized bicubic as the face loader does."""
    from PIL import Image

    frame = np.asarray(frame)
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise RenderError(f"the face frame must be an RGB uint8 image (h, w, 3), got {frame.dtype} {frame.shape}")
    resized = np.asarray(Image.fromarray(frame).resize((load_size, load_size), Image.Resampling.BICUBIC))  # (S, S, 3)
    unit = resized.transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    return (unit - np.float32(0.5)) / np.float32(0.5)
