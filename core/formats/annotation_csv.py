"""The published annotation CSV (``name: [y...]: [x...]`` lines) of the DeepFashion / Market-1501 keypoint files."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.atomic import write_text_atomic
from core.errors import PoseError
from core.formats.common import MAX_POSE_FILE_BYTES
from core.safe_json import loads_limited, read_limited
from core.skeleton import JOINT_NAMES, N_JOINTS, Pose

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
        values = loads_limited(text, f"{where}: {what}", PoseError, max_depth=2)
    except PoseError:
        raise PoseError(f"{where}: {what} is not a list like [12, -1, ...]") from None
    if not isinstance(values, list) or len(values) != N_JOINTS:
        raise PoseError(f"{where}: {what} must list {N_JOINTS} values")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float) or abs(v) > 1e9 or not float(v).is_integer():
            raise PoseError(f"{where}: {what} must hold whole numbers, found {v!r}")
        out.append(int(v))
    return tuple(out)


def read_annotation_csv(path: str | os.PathLike) -> list[AnnotationRow]:
    """Rows of a published annotation file (``name: [y...]: [x...]`` lines, ':'-separated, with header)."""
    p = Path(path)
    data = read_limited(p, str(p), PoseError, MAX_POSE_FILE_BYTES)
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise PoseError(f"cannot read {p}: not a text (CSV) file (not UTF-8)") from None
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
