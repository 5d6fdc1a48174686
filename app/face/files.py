"""Face landmarks as a small JSON file (written atomically) and read back with clear errors (Qt-free)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from core.atomic import write_text_atomic
from core.errors import PoseError
from core.face.layout import FACE68, KeypointLayout

FORMAT = "gfla-studio-landmarks"
VERSION = 1


def landmarks_json(xy: np.ndarray, size: tuple[int, int], image_name: str = "",
                   layout: KeypointLayout = FACE68) -> str:
    """The file's text: layout, image size (width, height), one [x, y] per point (null = hidden), point names."""
    arr = layout.check(xy)
    points = [None if np.isnan(p).any() else [round(float(p[0]), 3), round(float(p[1]), 3)] for p in arr]
    doc = {"format": FORMAT, "version": VERSION, "layout": layout.name, "image": image_name,
           "width": int(size[0]), "height": int(size[1]), "landmarks": points, "names": list(layout.names)}
    return json.dumps(doc, indent=1) + "\n"


def write_landmarks(path: str | os.PathLike, xy: np.ndarray, size: tuple[int, int], image_name: str = "",
                    layout: KeypointLayout = FACE68) -> None:
    write_text_atomic(path, landmarks_json(xy, size, image_name, layout))


def read_landmarks(path: str | os.PathLike, size: tuple[int, int] | None = None,
                   layout: KeypointLayout = FACE68) -> np.ndarray:
    """(N, 2) float64 points (NaN = hidden) from a landmarks file, scaled to ``size`` (width, height) when given."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PoseError(f"cannot read landmarks from {p.name}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("layout") != layout.name or not isinstance(doc.get("landmarks"), list):
        raise PoseError(f"{p.name} is not a {layout.name} landmarks file saved by this editor")
    rows = doc["landmarks"]
    if len(rows) != layout.size:
        raise PoseError(f"{p.name} has {len(rows)} landmarks; the {layout.name} layout has {layout.size}")
    try:
        arr = np.array([[np.nan, np.nan] if r is None else [float(r[0]), float(r[1])] for r in rows])
        width, height = float(doc["width"]), float(doc["height"])
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise PoseError(f"{p.name} has a malformed landmark or image size ({exc})") from exc
    if np.isinf(arr).any() or width <= 0 or height <= 0:
        raise PoseError(f"{p.name} has infinite landmarks or a non-positive image size")
    if size is not None and (width, height) != (float(size[0]), float(size[1])):
        arr = arr * np.array([size[0] / width, size[1] / height])
    return arr
