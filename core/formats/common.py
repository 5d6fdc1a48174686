"""What every pose-file format shares: reading JSON with one-line errors, checking flat [x, y, c, ...] lists."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from core.errors import PoseError
from core.safe_json import loads_limited, read_limited

MAX_POSE_FILE_BYTES = 64 * 2**20  # a 1,000-frame POSE_KEYPOINT file of 10 people is about 20 MiB


def load_json(path: Path) -> object:
    """The parsed JSON of ``path``; PoseError (one line, naming the file) when missing, binary, malformed, larger
    than MAX_POSE_FILE_BYTES or past core.safe_json's depth and integer limits."""
    data = read_limited(path, str(path), PoseError, MAX_POSE_FILE_BYTES)
    return loads_limited(data, str(path), PoseError)


def parse_canvas(where: str, doc: dict) -> tuple[int, int] | None:
    """(canvas_width, canvas_height) of a JSON object, None when neither is given."""
    w, h = doc.get("canvas_width"), doc.get("canvas_height")
    if w is None and h is None:
        return None
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and float(v).is_integer()
             for v in (w, h))
    if not ok:
        raise PoseError(f"{where}: canvas_width and canvas_height must be whole numbers, got {w!r} and {h!r}")
    size = (int(w), int(h))  # pyright: ignore[reportArgumentType]  # both checked to be whole numbers above
    if size[0] <= 0 or size[1] <= 0:
        raise PoseError(f"{where}: canvas size must be positive, got {size[0]}x{size[1]}")
    return size


def parse_triplets(where: str, values: object, counts: dict[int, str]) -> np.ndarray | None:
    """A flat [x, y, c, ...] list -> (K, 3) float64, or None when the part is absent (null or []).

    ``counts`` maps the allowed point counts to their layout names. ``where`` names the file and the field,
    e.g. ``pose.json: people[1].hand_left_keypoints_2d``; every error is one line that starts with it.
    """
    if values is None:
        return None
    if not isinstance(values, list):
        raise PoseError(f"{where}: must be a list of numbers, got {type(values).__name__}")
    if not values:
        return None
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise PoseError(f"{where}: item {i} is {v!r}, not a number")
        if abs(v) > 1e300 or not math.isfinite(v):  # abs() first: a huge int overflows in isfinite
            shown = v if isinstance(v, float) else f"an integer of {len(str(abs(v)))} digits"
            raise PoseError(f"{where}: item {i} is {shown}, not a finite number within ±1e300")
    if len(values) % 3 or len(values) // 3 not in counts:
        expected = " or ".join(f"{3 * n} ({name})" for n, name in counts.items())
        raise PoseError(f"{where}: {len(values)} values, expected {expected}")
    return np.asarray(values, dtype=np.float64).reshape(-1, 3)


def flatten_points(xy: np.ndarray, conf: np.ndarray | None = None, scale: tuple[float, float] = (1.0, 1.0)) -> list[float]:
    """(K, 2) points (NaN = missing) -> [x, y, c, ...]: present points at ``conf`` (default exactly 1.0) and
    coordinates divided by ``scale``; missing points as 0, 0, 0."""
    out: list[float] = []
    for k, (x, y) in enumerate(np.asarray(xy, dtype=np.float64)):
        if np.isnan(x) or np.isnan(y):
            out += [0.0, 0.0, 0.0]
        else:
            c = 1.0 if conf is None else float(conf[k])
            out += [float(x) / scale[0], float(y) / scale[1], c if c > 0 else 1e-3]
    return out
