"""The dataset a training config names, and moving a collated batch to the training device."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from core.train.config import TrainConfig
from core.train.errors import DatasetError


def make_dataset(cfg: TrainConfig) -> Dataset:
    """PosePairs (fashion, market), DanceSequences (dance), KeypointSequences (keypoint) or VideoPairs (video)."""
    d = cfg.data
    size = cfg.model.image_size
    if d.layout in ("fashion", "market"):
        if not cfg.kind.startswith("pose"):
            raise DatasetError(f"the {d.layout} layout holds pose pairs; it cannot train {cfg.kind}")
        from core.train.datasets import PosePairs

        return PosePairs(d.root, d.layout, d.phase, d.augment, d.fill, size)
    if d.layout == "dance":
        from core.train.datasets_video import DanceSequences

        sub = "iper" if cfg.kind == "dance_iper" else "fashion"
        return DanceSequences(d.root, sub, d.phase, d.frames_total, d.chunk, d.augment, d.use_mask,
                              size[0] if size else 256)
    if d.layout == "keypoint":
        from core.train.datasets_video import KeypointSequences

        return KeypointSequences(d.root, d.h36m_gt, d.h36m_input, augment=d.augment)
    if d.layout == "video":
        from core.train.finetune import video_dataset

        return video_dataset(Path(d.root), cfg)
    raise DatasetError(f"unknown dataset layout {d.layout!r}")


def to_device(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(v, device) for v in batch)
    return batch
