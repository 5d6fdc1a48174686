"""Shared builders for the format tests: a whole-body person and flat lists as the tools write them; the COCO-17
joint order written out by name (independent of the code under test)."""

from __future__ import annotations

import numpy as np

from core.posedoc import Person
from core.skeleton import Pose

COCO17_NAMES = [
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle",
]  # fmt: skip


def whole_body_person(seed: int = 0, canvas: tuple[int, int] = (512, 768), missing: int = 2) -> Person:
    """A person with every part, points inside the canvas, ``missing`` points hidden in each part."""
    rng = np.random.default_rng(seed)
    w, h = canvas

    def pts(n: int) -> np.ndarray:
        arr = rng.uniform((20, 20), (w - 20, h - 20), (n, 2)).round(2)
        arr[rng.choice(n, missing, replace=False)] = np.nan
        return arr

    return (Person(Pose(pts(18))).with_part("feet", pts(6)).with_part("left_hand", pts(21))
            .with_part("right_hand", pts(21)).with_part("face", pts(70)))


def flat(xy: np.ndarray | None, conf: np.ndarray | float = 1.0, scale: tuple[float, float] = (1.0, 1.0)) -> list:
    """[x, y, c, ...] as OpenPose/ControlNet write them: missing points 0, 0, 0."""
    if xy is None:
        return []
    c = np.broadcast_to(np.asarray(conf, dtype=np.float64), (len(xy),))
    out: list[float] = []
    for (x, y), ck in zip(xy, c, strict=True):
        out += [0.0, 0.0, 0.0] if np.isnan(x) else [float(x) / scale[0], float(y) / scale[1], float(ck)]
    return out


def body25(person: Person) -> np.ndarray:
    """(25, 2) BODY_25 body of ``person``: COCO-18 joints shifted past the mid-hip (8), feet at 19-24."""
    out = np.full((25, 2), np.nan)
    out[[0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]] = person.body.xy
    out[8] = person.body.xy[[8, 11]].mean(axis=0)
    assert person.feet is not None
    out[19:25] = person.feet.xy
    return out


def same(a: np.ndarray | None, b: np.ndarray | None, atol: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.allclose(a, b, atol=atol, equal_nan=True))
