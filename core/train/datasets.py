"""Pose-transfer training data: DeepFashion and Market pairs in the published layout, and pairs from one video.

Published layout (``root``): ``<prefix>-pairs-<phase>.csv`` (comma-separated, columns ``from`` and ``to``),
``<prefix>-annotation-<phase>.csv`` (colon-separated ``name:keypoints_y:keypoints_x`` with 18-integer list
literals, -1 = missing, in the annotation frame) and the images in ``<phase>/``. The prefix is ``fasion``
(sic, the published file names) for DeepFashion and ``market`` for Market-1501.

Items are dicts of tensors: ``P1`` (3, H, W) source image in [-1, 1], ``BP1`` (18, H, W) its heat maps,
``P2`` and ``BP2`` the target. ``__getitem__`` also takes ``(index, seed)`` so a sampler can fix the
augmentation draw of each visit (exact resume).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from core.encoding import ANNOTATION_MISSING, gaussian_maps
from core.train.augment import (
    MARKET_RANGES,
    AffineParams,
    AffineRanges,
    damp_for_target,
    forward_matrix,
    warp_image,
    warp_points_yx,
)
from core.train.errors import DatasetError

LAYOUTS = {
    # layout: (file prefix, annotation frame (H, W), network size (H, W), training augmentation)
    "fashion": ("fasion", (256, 176), (256, 256), None),
    "market": ("market", (128, 64), (128, 64), MARKET_RANGES),
}


def image_to_tensor(image: Image.Image | np.ndarray) -> torch.Tensor:
    """RGB PIL image or (H, W, 3) uint8 -> (3, H, W) float32 in [-1, 1]."""
    arr = np.asarray(image, dtype=np.float32)
    return torch.from_numpy(arr.transpose(2, 0, 1).copy()) / 127.5 - 1.0


def open_rgb(path: str | os.PathLike) -> Image.Image:
    try:
        with Image.open(path) as im:
            return im.convert("RGB")
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read the training image {path} ({exc})") from exc


def split_key(key: int | tuple[int, int]) -> tuple[int, np.random.Generator]:
    """``index`` or ``(index, seed)`` -> (index, the generator for that visit's random draws)."""
    if isinstance(key, (tuple, list)):
        return int(key[0]), np.random.default_rng(int(key[1]))
    return int(key), np.random.default_rng()


def read_pairs(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        raise DatasetError(f"the pairs file {path} does not exist")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "from" not in rows[0] or "to" not in rows[0]:
        raise DatasetError(f"{path.name} must be a CSV with columns 'from' and 'to'")
    return [(r["from"], r["to"]) for r in rows]


def read_annotations(path: Path) -> dict[str, np.ndarray]:
    """name -> (18, 2) int (y, x) from a colon-separated annotation file."""
    if not path.is_file():
        raise DatasetError(f"the annotation file {path} does not exist")
    out: dict[str, np.ndarray] = {}
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(":")
        if header[:1] != ["name"] or "keypoints_y" not in header or "keypoints_x" not in header:
            raise DatasetError(f"{path.name} must start with the header name:keypoints_y:keypoints_x")
        iy, ix = header.index("keypoints_y"), header.index("keypoints_x")
        for n, line in enumerate(fh, start=2):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split(":")
            try:
                ys, xs = json.loads(parts[iy]), json.loads(parts[ix])
                cords = np.stack([np.asarray(ys, dtype=np.int64), np.asarray(xs, dtype=np.int64)], axis=1)
            except (ValueError, IndexError) as exc:
                raise DatasetError(f"{path.name} line {n}: malformed keypoints ({exc})") from exc
            if cords.shape != (18, 2):
                raise DatasetError(f"{path.name} line {n}: expected 18 keypoints, got {len(cords)}")
            out[parts[0]] = cords
    return out


def network_centers(cords_yx: np.ndarray, old_hw: Sequence[int], load_hw: Sequence[int],
                    params: AffineParams | None = None) -> np.ndarray:
    """(18, 2) heat-map centres (y, x): rescaled to the network grid, mapped by the augmentation, ``int()``ed."""
    cords = np.asarray(cords_yx, dtype=np.float64)
    scaled = np.stack([cords[:, 0] / old_hw[0] * load_hw[0], cords[:, 1] / old_hw[1] * load_hw[1]], axis=1)
    scaled[(cords == ANNOTATION_MISSING).any(axis=1)] = np.nan
    matrix = forward_matrix((int(load_hw[1]), int(load_hw[0])), params or AffineParams())
    return warp_points_yx(scaled, matrix)


class PosePairs(Dataset):
    """DeepFashion (``layout="fashion"``) or Market (``"market"``) source/target pairs in the published layout."""

    def __init__(self, root: str | os.PathLike, layout: str = "fashion", phase: str = "train",
                 augment: bool = True, fill: str = "grey", image_size: tuple[int, int] | None = None) -> None:
        if layout not in LAYOUTS:
            raise DatasetError(f"unknown pose dataset layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
        prefix, self.old_hw, load_hw, ranges = LAYOUTS[layout]
        self.load_hw = tuple(image_size) if image_size else load_hw
        self.root = Path(root)
        self.image_dir = self.root / phase
        if not self.image_dir.is_dir():
            raise DatasetError(f"the image folder {self.image_dir} does not exist")
        self.pairs = read_pairs(self.root / f"{prefix}-pairs-{phase}.csv")
        self.annotations = read_annotations(self.root / f"{prefix}-annotation-{phase}.csv")
        missing = sorted({n for pair in self.pairs for n in pair if n not in self.annotations})
        if missing:
            raise DatasetError(f"{len(missing)} paired images have no annotation (first: {missing[0]})")
        self.ranges: AffineRanges | None = ranges if (augment and phase == "train") else None
        self.fill = fill

    def __len__(self) -> int:
        return len(self.pairs)

    def _one(self, name: str, params: AffineParams) -> tuple[torch.Tensor, torch.Tensor]:
        h, w = self.load_hw
        image = open_rgb(self.image_dir / name).resize((w, h), Image.Resampling.BILINEAR)
        image = warp_image(image, params, self.fill)
        centers = network_centers(self.annotations[name], self.old_hw, self.load_hw, params)
        return image_to_tensor(image), torch.from_numpy(gaussian_maps(centers, self.load_hw))

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, torch.Tensor]:
        index, rng = split_key(key)
        src, tgt = self.pairs[index]
        p1 = self.ranges.draw(rng) if self.ranges else AffineParams()
        p2 = damp_for_target(self.ranges.draw(rng)) if self.ranges else AffineParams()
        P1, BP1 = self._one(src, p1)
        P2, BP2 = self._one(tgt, p2)
        return {"P1": P1, "BP1": BP1, "P2": P2, "BP2": BP2}


class VideoPairs(Dataset):
    """Random (source, target) frame pairs of one person's video, framed as the renderer frames a photo.

    frames: (H, W, 3) uint8 arrays; poses: (T, 18, 2) x, y photo pixels (NaN = missing). Frames whose pose
    has fewer than ``min_joints`` joints are skipped. Both images of a pair are cropped with the source
    frame's box, so the target pose lives in the source's framing exactly as at render time.
    """

    def __init__(self, frames: Sequence[np.ndarray], poses: np.ndarray, spec_name: str = "deepfashion",
                 pairs_per_epoch: int = 2000, min_joints: int = 8, image_size: tuple[int, int] | None = None) -> None:
        from core.render.framing import DEEPFASHION, MARKET, frame_person

        spec = {"deepfashion": DEEPFASHION, "market": MARKET}[spec_name]
        if image_size is not None and tuple(image_size) != spec.network_hw:
            from dataclasses import replace

            spec = replace(spec, network_hw=tuple(image_size))
        poses = np.asarray(poses, dtype=np.float64)
        good = [i for i in range(len(frames)) if np.isfinite(poses[i]).all(axis=1).sum() >= min_joints]
        if len(good) < 2:
            raise DatasetError(f"the video needs at least two frames with a detected person ({len(good)} found)")
        self.frames, self.poses, self.good = frames, poses, good
        self.framings = {i: frame_person(poses[i], spec) for i in good}
        self.n = int(pairs_per_epoch)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, torch.Tensor]:
        index, _ = split_key(key)
        rng = np.random.default_rng(key[1] if isinstance(key, (tuple, list)) else index)
        a, b = rng.choice(len(self.good), size=2, replace=False)
        src, tgt = self.good[int(a)], self.good[int(b)]
        framing = self.framings[src]
        return {
            "P1": image_to_tensor(framing.crop(self.frames[src])),
            "BP1": torch.from_numpy(framing.heatmaps(self.poses[src])),
            "P2": image_to_tensor(framing.crop(self.frames[tgt])),
            "BP2": torch.from_numpy(framing.heatmaps(self.poses[tgt])),
        }
