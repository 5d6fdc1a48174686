"""Pose files in and out: OpenPose JSON, ControlNet-style skeleton images, the published annotation CSV."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.atomic import write_text_atomic
from core.errors import PoseError
from core.imageio_utils import import_cv2
from core.skeleton import COLORS, JOINT_NAMES, LIMBS_DRAWN, N_JOINTS, Pose

if TYPE_CHECKING:
    from core.face.layout import KeypointLayout

# A keypoint table maps each COCO-18 joint to a source index, or to a pair of source indices
# whose midpoint it is (present only when both are).
KeypointTable = Sequence[int | tuple[int, int]]

# OpenPose BODY_25: 8 is the mid-hip and 19-24 are feet; the rest are COCO-18 joints shifted.
BODY25_TO_COCO18: KeypointTable = (0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
# COCO-17 (mmpose, COCO keypoint files): no neck; the face joints come first.
COCO17_TO_COCO18: KeypointTable = (0, (5, 6), 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3)
_LAYOUTS = {18: ("COCO-18", None), 25: ("BODY_25", BODY25_TO_COCO18), 17: ("COCO-17", COCO17_TO_COCO18)}


def remap_keypoints(xy: np.ndarray, conf: np.ndarray, table: KeypointTable) -> tuple[np.ndarray, np.ndarray]:
    """(K, 2) points and (K,) confidences in a source layout -> (18, 2) and (18,) in COCO-18.

    A source point is missing when its confidence is not positive or it is NaN; missing
    output joints get NaN and confidence 0.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    conf = np.asarray(conf, dtype=np.float64).reshape(-1)
    ok = (conf > 0) & np.isfinite(xy).all(axis=1)
    out = np.full((N_JOINTS, 2), np.nan)
    out_conf = np.zeros(N_JOINTS)
    for j, src in enumerate(table):
        if isinstance(src, tuple):
            a, b = src
            if ok[a] and ok[b]:
                out[j] = (xy[a] + xy[b]) / 2.0
                out_conf[j] = min(conf[a], conf[b])
        elif ok[src]:
            out[j] = xy[src]
            out_conf[j] = conf[src]
    return out, out_conf


# ----- OpenPose JSON -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenPosePerson:
    """One person of an OpenPose JSON file, converted to COCO-18."""

    index: int  # position in the file's people list
    pose: Pose
    confidence: np.ndarray  # (18,) float, 0 where missing
    layout: str  # "COCO-18", "BODY_25" or "COCO-17" as stored in the file

    @property
    def area(self) -> float:
        b = self.pose.bounds()
        return 0.0 if b is None else (b[2] - b[0]) * (b[3] - b[1])


def _load_json(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PoseError(f"cannot read {path}: no such file") from None
    except UnicodeDecodeError:
        raise PoseError(f"cannot read {path}: not a text (JSON) file") from None
    except OSError as exc:
        raise PoseError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PoseError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def _parse_person(path: Path, index: int, entry: object, canvas: tuple[int, int] | None) -> OpenPosePerson:
    where = f"{path}: people[{index}]"
    if not isinstance(entry, dict):
        raise PoseError(f"{where} is not an object")
    values = entry.get("pose_keypoints_2d", entry.get("pose_keypoints"))
    if values is None:
        raise PoseError(f"{where} has no 'pose_keypoints_2d' list")
    if not isinstance(values, list):
        raise PoseError(f"{where}: 'pose_keypoints_2d' must be a list of numbers")
    try:
        arr = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise PoseError(f"{where}: 'pose_keypoints_2d' contains something that is not a number") from None
    if arr.ndim != 1 or len(arr) % 3 or len(arr) // 3 not in _LAYOUTS:
        raise PoseError(
            f"{where}: 'pose_keypoints_2d' has {arr.size} values; expected x, y, confidence triplets for "
            "18 (COCO-18, 54 values), 25 (BODY_25, 75 values) or 17 (COCO-17, 51 values) joints"
        )
    if not np.isfinite(arr).all():
        raise PoseError(f"{where}: 'pose_keypoints_2d' contains NaN or infinite values")
    trip = arr.reshape(-1, 3)
    layout, table = _LAYOUTS[len(trip)]
    xy, conf = trip[:, :2], trip[:, 2]
    present = conf > 0
    # Some editors store coordinates normalised to [0, 1] next to the canvas size.
    if canvas is not None and present.any() and float(np.abs(xy[present]).max()) <= 1.0:
        xy = xy * np.array(canvas, dtype=np.float64)
    if table is None:
        out = np.where(present[:, None], xy, np.nan)
        out_conf = np.where(present, conf, 0.0)
    else:
        out, out_conf = remap_keypoints(xy, conf, table)
    return OpenPosePerson(index=index, pose=Pose(out), confidence=out_conf, layout=layout)


def _parse_canvas(path: Path, doc: dict) -> tuple[int, int] | None:
    w, h = doc.get("canvas_width"), doc.get("canvas_height")
    if w is None and h is None:
        return None
    try:
        size = (int(w), int(h))
    except (TypeError, ValueError):
        raise PoseError(f"{path}: canvas_width and canvas_height must be whole numbers, got {w!r} and {h!r}") from None
    if size[0] <= 0 or size[1] <= 0:
        raise PoseError(f"{path}: canvas size must be positive, got {size[0]}x{size[1]}")
    return size


def list_people(path: str | os.PathLike) -> list[OpenPosePerson]:
    """Every person in an OpenPose JSON file, in file order, converted to COCO-18."""
    p = Path(path)
    doc = _load_json(p)
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise PoseError(f"{p} has no 'people' list; is it an OpenPose JSON file?")
    canvas = _parse_canvas(p, doc)
    return [_parse_person(p, i, e, canvas) for i, e in enumerate(doc["people"])]


def openpose_canvas_size(path: str | os.PathLike) -> tuple[int, int] | None:
    """(width, height) stored in an OpenPose JSON file by editors (canvas_width/height), or None."""
    p = Path(path)
    doc = _load_json(p)
    return _parse_canvas(p, doc) if isinstance(doc, dict) else None


def read_openpose_json(path: str | os.PathLike, person: int | None = None) -> Pose:
    """The pose of one person in an OpenPose JSON file, in COCO-18 order.

    ``person`` picks an index in the file's people list; by default the person whose joints
    span the largest box (ties: highest total confidence). Confidence 0 marks a missing joint.
    """
    people = list_people(path)
    if not people:
        raise PoseError(f"{path} contains no people")
    if person is None:
        return max(people, key=lambda q: (q.area, float(q.confidence.sum()))).pose
    if not 0 <= person < len(people):
        raise PoseError(f"{path} has {len(people)} people (0 to {len(people) - 1}); person {person} does not exist")
    return people[person].pose


def write_openpose_json(
    path: str | os.PathLike,
    pose: Pose | np.ndarray,
    canvas_size: tuple[int, int] | None = None,
    confidence: Sequence[float] | np.ndarray | None = None,
) -> None:
    """Write one person atomically as OpenPose JSON in COCO-18 layout (missing joint: 0, 0, 0).

    ``canvas_size`` is (width, height). ``confidence`` defaults to 1 for present joints; a
    present joint is always written with a positive confidence so that it reads back present.
    """
    pose = Pose.coerce(pose)
    conf = np.ones(N_JOINTS) if confidence is None else np.asarray(confidence, dtype=np.float64).reshape(-1)
    if conf.shape != (N_JOINTS,):
        raise PoseError(f"confidence must have {N_JOINTS} values, got {conf.size}")
    flat: list[float] = []
    for (x, y), ok, c in zip(pose.xy, pose.present, conf, strict=True):
        flat += [float(x), float(y), float(c) if c > 0 else 1e-3] if ok else [0.0, 0.0, 0.0]
    doc: dict = {"version": 1.3}
    if canvas_size is not None:
        doc["canvas_width"], doc["canvas_height"] = int(canvas_size[0]), int(canvas_size[1])
    doc["people"] = [
        {
            "person_id": [-1],
            "pose_keypoints_2d": flat,
            "face_keypoints_2d": [],
            "hand_left_keypoints_2d": [],
            "hand_right_keypoints_2d": [],
        }
    ]
    write_text_atomic(path, json.dumps(doc, indent=1) + "\n")


# ----- ControlNet-style skeleton image --------------------------------------------------------


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


# ----- published annotation CSV ------------------------------------------------------------

ANNOTATION_HEADER = "name:keypoints_y:keypoints_x"
MISSING = -1


@dataclass(frozen=True)
class AnnotationRow:
    """One line of the published annotation files: integer (y, x) per joint, -1 when missing."""

    name: str
    keypoints_y: tuple[int, ...]
    keypoints_x: tuple[int, ...]


def pose_to_annotation_row(pose: Pose | np.ndarray, name: str) -> AnnotationRow:
    """Round a pose to whole pixels; missing joints become -1 in both lists."""
    pose = Pose.coerce(pose)
    ys, xs = [], []
    for j, ((x, y), ok) in enumerate(zip(pose.xy, pose.present, strict=True)):
        if not ok:
            ys.append(MISSING)
            xs.append(MISSING)
            continue
        xi, yi = math.floor(x + 0.5), math.floor(y + 0.5)
        if MISSING in (xi, yi):
            raise PoseError(
                f"{JOINT_NAMES[j]} at ({x:.1f}, {y:.1f}) cannot be stored in the annotation format, "
                "where -1 means missing (hide the joint or move it into the image)"
            )
        ys.append(int(yi))
        xs.append(int(xi))
    return AnnotationRow(name=name, keypoints_y=tuple(ys), keypoints_x=tuple(xs))


def annotation_row_to_pose(
    row: AnnotationRow | None = None,
    keypoints_y: Sequence[int] | None = None,
    keypoints_x: Sequence[int] | None = None,
    missing_value: int = MISSING,
) -> Pose:
    """A Pose from an annotation row (or its y and x lists); a joint is missing when y or x is ``missing_value``."""
    ys = row.keypoints_y if row is not None else keypoints_y
    xs = row.keypoints_x if row is not None else keypoints_x
    if ys is None or xs is None or len(ys) != N_JOINTS or len(xs) != N_JOINTS:
        raise PoseError(f"an annotation needs {N_JOINTS} y and {N_JOINTS} x values")
    arr = np.full((N_JOINTS, 2), np.nan)
    for j, (y, x) in enumerate(zip(ys, xs, strict=True)):
        if y != missing_value and x != missing_value:
            arr[j] = (float(x), float(y))
    return Pose(arr)


def _parse_int_list(text: str, where: str, what: str) -> tuple[int, ...]:
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        raise PoseError(f"{where}: {what} is not a list like [12, -1, ...]") from None
    if not isinstance(values, list) or len(values) != N_JOINTS:
        raise PoseError(f"{where}: {what} must list {N_JOINTS} values")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or not float(v).is_integer():
            raise PoseError(f"{where}: {what} must hold whole numbers, found {v!r}")
        out.append(int(v))
    return tuple(out)


def read_annotation_csv(path: str | os.PathLike) -> list[AnnotationRow]:
    """Rows of a published annotation file (``name: [y...]: [x...]`` lines, ':'-separated, with header)."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise PoseError(f"cannot read {p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PoseError(f"cannot read {p}: {exc}") from None
    rows = []
    for n, line in enumerate(lines, start=1):
        if not line.strip() or (n == 1 and line.replace(" ", "") == ANNOTATION_HEADER):
            continue
        parts = line.rsplit(":", 2)
        if len(parts) != 3:
            raise PoseError(f"{p}, line {n}: expected 'name: [y...]: [x...]'")
        where = f"{p}, line {n}"
        ys = _parse_int_list(parts[1], where, "keypoints_y")
        xs = _parse_int_list(parts[2], where, "keypoints_x")
        rows.append(AnnotationRow(name=parts[0].strip(), keypoints_y=ys, keypoints_x=xs))
    return rows


def write_annotation_csv(path: str | os.PathLike, rows: Iterable[AnnotationRow]) -> None:
    """Write rows atomically in the published layout (header, then ``name: [y...]: [x...]``)."""
    lines = [ANNOTATION_HEADER]
    for row in rows:
        if ":" in row.name or "\n" in row.name:
            raise PoseError(f"annotation name {row.name!r} must not contain ':' or line breaks")
        if len(row.keypoints_y) != N_JOINTS or len(row.keypoints_x) != N_JOINTS:
            raise PoseError(f"annotation {row.name!r} needs {N_JOINTS} y and {N_JOINTS} x values")
        ys = json.dumps([int(v) for v in row.keypoints_y])
        xs = json.dumps([int(v) for v in row.keypoints_x])
        lines.append(f"{row.name}: {ys}: {xs}")
    write_text_atomic(path, "\n".join(lines) + "\n")
