"""A small synthetic pose dataset in the published DeepFashion layout: textured figures moved by known affine
maps, with their 18 keypoints moved by the same maps. For smoke tests, benchmarks and trying the trainer
without the real data (``python main.py train --synthetic DIR``)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
from PIL import Image

from core.atomic import atomic_path, write_text_atomic

FRAME_HW = (256, 176)  # the DeepFashion annotation frame
# 18 OpenPose joints of a stick figure in the figure's own unit square (x, y), y down.
_FIGURE = np.array([
    (0.50, 0.10), (0.50, 0.22), (0.36, 0.24), (0.30, 0.40), (0.27, 0.55), (0.64, 0.24), (0.70, 0.40),
    (0.73, 0.55), (0.42, 0.55), (0.41, 0.74), (0.40, 0.93), (0.58, 0.55), (0.59, 0.74), (0.60, 0.93),
    (0.47, 0.08), (0.53, 0.08), (0.44, 0.10), (0.56, 0.10),
])


def _placement(rng: np.random.Generator) -> np.ndarray:
    """(2, 3) map from the unit square to frame pixels (x, y): scale, small rotation, shift."""
    h, w = FRAME_HW
    s = rng.uniform(0.55, 0.8) * h
    a = np.radians(rng.uniform(-12, 12))
    cx, cy = w / 2 + rng.uniform(-0.12, 0.12) * w, h / 2 + rng.uniform(-0.06, 0.06) * h
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) * np.array([s * 0.55, s])
    return np.hstack([rot, (np.array([cx, cy]) - rot @ np.array([0.5, 0.5]))[:, None]])


def _render(m: np.ndarray, colours: np.ndarray, freq: float, background: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: the figure under the map ``m`` (body + head), striped with ``colours``."""
    h, w = FRAME_HW
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    inv = np.linalg.inv(np.vstack([m, [0, 0, 1]]))
    u = inv[0, 0] * (xs + 0.5) + inv[0, 1] * (ys + 0.5) + inv[0, 2]
    v = inv[1, 0] * (xs + 0.5) + inv[1, 1] * (ys + 0.5) + inv[1, 2]
    body = (np.abs(u - 0.5) < 0.2) & (v > 0.2) & (v < 0.95)
    arms = (np.abs(v - 0.4) < 0.18) & (np.abs(u - 0.5) < 0.26)
    head = (u - 0.5) ** 2 + ((v - 0.1) * 0.8) ** 2 < 0.08**2
    inside = body | arms | head
    stripe = (np.floor((u + v) * freq) % len(colours)).astype(int)
    img = np.broadcast_to(background, (h, w, 3)).copy()
    img[inside] = colours[stripe[inside]]
    img[head] = colours[0] // 2 + 100
    return img


def write_synthetic_pose_dataset(root: str | os.PathLike, identities: int = 4, views: int = 3, seed: int = 0,
                                 phase: str = "train") -> Path:
    """Write ``identities × views`` images and all same-identity pairs as ``fasion-*`` files under ``root``."""
    rng = np.random.default_rng(seed)
    root = Path(root)
    (root / phase).mkdir(parents=True, exist_ok=True)
    names_by_id: list[list[str]] = []
    ann = io.StringIO()
    ann.write("name:keypoints_y:keypoints_x\n")
    for i in range(identities):
        colours = rng.integers(30, 230, size=(3, 3)).astype(np.uint8)
        background = rng.integers(200, 250, size=3).astype(np.uint8)
        freq = float(rng.uniform(6, 14))
        names = []
        for j in range(views):
            m = _placement(rng)
            image = _render(m, colours, freq, background)
            pts = (m[:, :2] @ _FIGURE.T + m[:, 2:]).T  # (18, 2) x, y
            ys, xs = np.floor(pts[:, 1]).astype(int), np.floor(pts[:, 0]).astype(int)
            name = f"synthetic{i:03d}view{j}.png"
            with atomic_path(root / phase / name) as tmp:
                Image.fromarray(image).save(tmp, format="PNG")
            ann.write(f"{name}:{json.dumps(ys.tolist())}:{json.dumps(xs.tolist())}\n")
            names.append(name)
        names_by_id.append(names)
    pairs = io.StringIO()
    writer = csv.writer(pairs, lineterminator="\n")
    writer.writerow(["from", "to"])
    for names in names_by_id:
        writer.writerows([(a, b) for a in names for b in names if a != b])
    write_text_atomic(root / f"fasion-annotation-{phase}.csv", ann.getvalue())
    write_text_atomic(root / f"fasion-pairs-{phase}.csv", pairs.getvalue())
    return root


def random_vgg19_state(width_divisor: int = 16, seed: int = 0) -> dict:
    """A random VGG19 ``features`` state dict with every width divided by ``width_divisor`` (tests only: the
    VGG losses then run with the right mechanics but without ImageNet meaning)."""
    import torch

    from core.train.vgg import CONV_INDICES

    widths = [64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512]
    g = torch.Generator().manual_seed(seed)
    sd, c_in = {}, 3
    for idx, c in zip(CONV_INDICES, widths, strict=True):
        c = max(1, c // width_divisor)
        sd[f"features.{idx}.weight"] = torch.randn(c, c_in, 3, 3, generator=g) * (2.0 / (9 * c_in)) ** 0.5
        sd[f"features.{idx}.bias"] = torch.zeros(c)
        c_in = c
    return sd
