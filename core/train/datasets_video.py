"""Animation training data: FashionVideo/iPER frame folders with keypoint JSONs, and 2-D skeleton sequences.

Animation layout (``root``): ``<phase>_256/train_A/<video>/*.png`` frames, ``<phase>_256/train_video2d/<video>/*.json``
clean Human3.6M-17 skeletons, ``<phase>_256/train_alphapose/<video>/*.json`` detected OpenPose-18 skeletons
(the reference frame's structure), and for iPER training ``<phase>_256/train_C/<video>/*`` foreground masks.
An item is ``frames_total`` consecutive frames (rounded down to whole chunks) from a random start, with a
reference frame drawn from the video's first 20 frames and one augmentation draw shared by the frames.

Motion Extraction Network data: the VideoPose3D Human3.6M files (``positions_2d`` dicts of subject → action →
per-camera (T, 17, 2|3) arrays; they are pickled numpy objects, so only open files you trust), or a folder
of ``*.npz`` files each holding ``noisy`` (T, 17, 2) COCO-17 and ``clean`` (T, 17, 2) Human3.6M-17 x, y
pixels and ``width``. Items: ``input`` (34, 104) and ``target`` (34, 24), rows 0-16 y and 17-33 x, as v/width·2−1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from core.animation.motion_import import natural_key
from core.encoding import OPENPOSE18_TO_COCO17, dance20_structure
from core.train.augment import FASHION_VIDEO_RANGES, IPER_RANGES, AffineParams, forward_matrix, warp_image
from core.train.datasets import image_to_tensor, split_key
from core.train.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
REFERENCE_POOL = 20  # the reference frame comes from a video's first 20 frames


def _grouped(folder: Path, suffixes: tuple[str, ...]) -> dict[str, list[Path]]:
    if not folder.is_dir():
        raise DatasetError(f"the folder {folder} does not exist")
    out = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        files = sorted((f for f in sub.iterdir() if f.suffix.lower() in suffixes), key=lambda f: natural_key(f.name))
        if files:
            out[sub.name] = files
    if not out:
        raise DatasetError(f"{folder} holds no per-video sub-folders with files")
    return out


def read_people_keypoints(path: Path) -> list[float] | None:
    """``pose_keypoints_2d`` of the first person of an OpenPose JSON file; None when nobody is there."""
    try:
        people = json.loads(path.read_text(encoding="utf-8"))["people"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f"{path} is not an OpenPose JSON file ({exc})") from exc
    return list(people[0]["pose_keypoints_2d"]) if people else None


def structure_from_keypoints(flat: list[float] | None, org_hw: tuple[int, int], size: int,
                             params: AffineParams | None, clean: bool) -> np.ndarray:
    """(20, S, S) structure of one frame; joints are scaled to the network grid, then (when augmenting) mapped
    by the affine matrix and ``int()``-truncated. Missing joints (0) stay missing."""
    if flat is None:
        return np.zeros((20, size, size), dtype=np.float32)
    pts = np.asarray(flat, dtype=np.float64).reshape(-1, 3).copy()
    present = (pts[:, 0] != 0) & (pts[:, 1] != 0)
    pts[present, 0] *= size / org_hw[1]
    pts[present, 1] *= size / org_hw[0]
    if params is not None and not params.is_identity:
        m = forward_matrix((size, size), params)
        for i in np.where(present)[0]:
            x, y, _ = m @ np.array([pts[i, 0], pts[i, 1], 1.0])
            pts[i, :2] = (int(x), int(y))
    return dance20_structure(pts.reshape(-1).tolist(), (size, size), size, clean)


class DanceSequences(Dataset):
    """FashionVideo (``sub_dataset="fashion"``) or iPER (``"iper"``) training sequences."""

    def __init__(self, root: str | os.PathLike, sub_dataset: str = "fashion", phase: str = "train",
                 frames_total: int = 30, chunk: int = 6, augment: bool = True, use_mask: bool | None = None,
                 size: int = 256) -> None:
        base = Path(root) / f"{phase}_256"
        self.frames = _grouped(base / "train_A", IMAGE_SUFFIXES)
        self.clean = _grouped(base / "train_video2d", (".json",))
        self.noisy = _grouped(base / "train_alphapose", (".json",))
        self.use_mask = (sub_dataset == "iper" and phase == "train") if use_mask is None else use_mask
        self.masks = _grouped(base / "train_C", IMAGE_SUFFIXES) if self.use_mask else None
        for name, files in self.frames.items():
            for other, label in ((self.clean, "train_video2d"), (self.noisy, "train_alphapose"), (self.masks, "train_C")):
                if other is not None and len(other.get(name, ())) != len(files):
                    raise DatasetError(f"video {name}: {len(files)} frames but {len(other.get(name, ()))} files in {label}")
        self.videos = sorted(self.frames)
        self.sub_dataset, self.size, self.chunk, self.frames_total = sub_dataset, size, chunk, frames_total
        self.ranges = (FASHION_VIDEO_RANGES if sub_dataset == "fashion" else IPER_RANGES) if augment else None
        self.fill = "white" if sub_dataset == "fashion" else "black"

    def __len__(self) -> int:
        return len(self.videos)

    def _image(self, path: Path, params: AffineParams | None) -> torch.Tensor:
        with Image.open(path) as im:
            image = im.convert("RGB").resize((self.size, self.size), Image.Resampling.BICUBIC)
        return image_to_tensor(warp_image(image, params, self.fill) if params else image)

    def _mask(self, path: Path, params: AffineParams | None) -> torch.Tensor:
        with Image.open(path) as im:
            mask = im.convert("L").resize((self.size, self.size), Image.Resampling.BICUBIC)
        mask = warp_image(mask, params, "black") if params else mask
        return torch.from_numpy(np.asarray(mask, dtype=np.float32) / 255.0)[None]  # (1, S, S)

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, torch.Tensor]:
        index, rng = split_key(key)
        name = self.videos[index % len(self.videos)]
        files = self.frames[name]
        n = min(self.frames_total, len(files))
        n = (n // min(self.chunk, n)) * min(self.chunk, n)
        start = int(rng.integers(max(1, len(files) - n + 1)))
        params = self.ranges.draw(rng) if self.ranges else None
        with Image.open(files[start]) as im:
            org_hw = (im.size[1], im.size[0])
        idx = range(start, start + n)
        out = {
            "images": torch.stack([self._image(files[i], params) for i in idx]),  # (T, 3, S, S)
            "structures": torch.stack([torch.from_numpy(structure_from_keypoints(
                read_people_keypoints(self.clean[name][i]), org_hw, self.size, params, True)) for i in idx]),
        }
        if self.masks is not None:
            out["masks"] = torch.stack([self._mask(self.masks[name][i], params) for i in idx])  # (T, 1, S, S)
        ref_params = (self.ranges.draw(rng) if self.ranges else None) if self.sub_dataset == "fashion" else params
        r = int(rng.integers(min(REFERENCE_POOL, len(files))))
        out["ref_image"] = self._image(files[r], ref_params)
        out["ref_structure"] = torch.from_numpy(structure_from_keypoints(
            read_people_keypoints(self.noisy[name][r]), org_hw, self.size, ref_params, False))
        return out


def _normalise(xy: np.ndarray, width: float) -> np.ndarray:
    """(T, 17, 2) x, y pixels -> (34, T): rows 0-16 y, rows 17-33 x, as v/width·2−1."""
    v = np.asarray(xy, dtype=np.float32)[..., :2] / np.float32(width) * 2 - 1
    return np.concatenate([v[..., 1].T, v[..., 0].T], axis=0)


class KeypointSequences(Dataset):
    """Noisy-detection / clean-skeleton sequence pairs for the Motion Extraction Network."""

    def __init__(self, root: str | os.PathLike, gt_file: str = "data_2d_h36m_gt.npz",
                 input_file: str = "data_2d_h36m_detectron_pt_coco.npz", subjects: tuple[str, ...] = ("S9", "S11"),
                 out_frames: int = 24, receptive: int = 81, width: float = 1000.0, augment: bool = True) -> None:
        root = Path(root)
        self.seqs: list[tuple[np.ndarray, np.ndarray]] = []  # (noisy (34, T), clean (34, T))
        if (root / gt_file).is_file() and (root / input_file).is_file():
            gt = np.load(root / gt_file, allow_pickle=True)["positions_2d"].item()
            det = np.load(root / input_file, allow_pickle=True)["positions_2d"].item()
            for subject in subjects:
                for action, cams in gt.get(subject, {}).items():
                    for cam, clean in enumerate(cams):
                        noisy = det.get(subject, {}).get(action, [None] * (cam + 1))[cam]
                        if noisy is None:
                            continue
                        t = min(len(noisy), len(clean))
                        self.seqs.append((_normalise(noisy[:t], width), _normalise(clean[:t], width)))
        elif root.is_dir():
            for f in sorted(root.glob("*.npz"), key=lambda p: natural_key(p.name)):
                with np.load(f) as z:
                    t = min(len(z["noisy"]), len(z["clean"]))
                    w = float(z["width"]) if "width" in z else width
                    self.seqs.append((_normalise(z["noisy"][:t], w), _normalise(z["clean"][:t], w)))
        if not self.seqs:
            raise DatasetError(f"no skeleton sequences found in {root} (expected {gt_file} + {input_file}, "
                               "or *.npz files with 'noisy' and 'clean' arrays)")
        self.out_frames, self.receptive, self.augment = out_frames, receptive, augment

    def __len__(self) -> int:
        return len(self.seqs)

    def __getitem__(self, key: int | tuple[int, int]) -> dict[str, torch.Tensor]:
        index, rng = split_key(key)
        noisy, clean = self.seqs[index]
        t = noisy.shape[1]
        start = int(rng.integers(max(1, t - self.out_frames + 1)))
        half = self.receptive // 2
        gt_idx = np.clip(np.arange(start, start + self.out_frames), 0, t - 1)
        in_idx = np.clip(np.arange(start - half, start + self.out_frames + half), 0, t - 1)
        x, y = noisy[:, in_idx], clean[:, gt_idx]
        if self.augment:
            scale = 0.5 * rng.random() + 1
            dy, dx = rng.random() * 0.2 - 0.1, rng.random() * 0.2 - 0.1
            delta = np.repeat(np.array([dy, dx], dtype=np.float32), 17)[:, None]  # (34, 1)
            x, y = x * scale + delta, y * scale + delta
        return {"input": torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)),
                "target": torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32))}


def coco17_from_openpose18(xy18: np.ndarray) -> np.ndarray:
    """(T, 18, 2) OpenPose-18 -> (T, 17, 2) COCO-17 (reorder by joint name)."""
    return np.asarray(xy18)[:, list(OPENPOSE18_TO_COCO17)]
