"""The bounded copy of a large photo that the warp previews while a joint is dragged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.imageio_utils import bounded, import_cv2
from core.skeleton import Pose

PREVIEW_SIDE = 768  # long side (px) of the copy of a large photo that the warp previews while dragging


@dataclass(frozen=True)
class PreviewCopy:
    """A large photo's bounded copy for interactive previews, with its pose and mask scaled alike."""

    image: np.ndarray  # (h, w, 3) uint8, long side PREVIEW_SIDE
    pose: Pose
    mask: np.ndarray | None  # (h, w) float32
    scale: tuple[float, float]  # (w / W, h / H): copy pixels per photo pixel along x and y

    @classmethod
    def of(cls, photo: Any, max_side: int = PREVIEW_SIDE) -> PreviewCopy | None:
        """The bounded copy of ``photo`` (an app.worker.Photo); None when the photo already fits."""
        small, _ = bounded(photo.image, max_side)
        if small is photo.image:
            return None
        H, W = photo.image.shape[:2]
        h, w = small.shape[:2]
        sx, sy = w / W, h / H
        mask = None
        if photo.mask is not None:
            cv2 = import_cv2()
            mask = cv2.resize(np.asarray(photo.mask, dtype=np.float32), (w, h), interpolation=cv2.INTER_AREA)
        return cls(small, cls.scaled(photo.pose, (sx, sy)), mask, (sx, sy))

    @staticmethod
    def scaled(pose: Pose, scale: tuple[float, float]) -> Pose:
        """Photo pixels → copy pixels (pixel centres map onto pixel centres)."""
        sx, sy = scale
        return Pose.coerce(pose).transformed((sx, sy), (0.5 * sx - 0.5, 0.5 * sy - 0.5))
