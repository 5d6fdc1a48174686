"""The published training augmentation: a random affine warp of the image (torchvision 0.2.1 ``F.affine``
semantics, nearest resampling) with the keypoints mapped by the same matrix and truncated with ``int()``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

FILLS = {"grey": (128, 128, 128), "black": (0, 0, 0), "white": (255, 255, 255)}


@dataclass(frozen=True)
class AffineParams:
    angle: float = 0.0  # degrees; positive turns clockwise on screen (image y points down)
    shift: tuple[float, float] = (0.0, 0.0)  # (x, y) pixels
    scale: float = 1.0

    @property
    def is_identity(self) -> bool:
        return self.angle == 0 and self.shift == (0.0, 0.0) and self.scale == 1


@dataclass(frozen=True)
class AffineRanges:
    """Uniform ranges; None leaves that parameter at its identity value."""

    angle: tuple[float, float] | None = None
    shift_x: tuple[float, float] | None = None
    shift_y: tuple[float, float] | None = None
    scale: tuple[float, float] | None = None

    def draw(self, rng: np.random.Generator) -> AffineParams:
        angle = float(rng.uniform(*self.angle)) if self.angle else 0.0
        sx = float(rng.uniform(*self.shift_x)) if self.shift_x else 0.0
        sy = float(rng.uniform(*self.shift_y)) if self.shift_y else 0.0
        scale = float(rng.uniform(*self.scale)) if self.scale else 1.0
        return AffineParams(angle, (sx, sy), scale)


# The published ranges per dataset.
MARKET_RANGES = AffineRanges(angle=(-5, 5), shift_x=(-5, 5), shift_y=(-5, 5), scale=(0.95, 1.05))
FASHION_VIDEO_RANGES = AffineRanges(angle=(-5, 5), shift_x=(-20, 20), shift_y=(-3, 3), scale=(0.98, 1.02))
IPER_RANGES = AffineRanges(angle=(-5, 5))


def damp_for_target(p: AffineParams) -> AffineParams:
    """The pose loaders' milder draw for the target image: angle × 0.2, shift × 0.5, scale 1."""
    return AffineParams(p.angle * 0.2, (p.shift[0] * 0.5, p.shift[1] * 0.5), 1.0)


def inverse_matrix(size_wh: tuple[int, int], p: AffineParams) -> list[float]:
    """The 2×3 output→input matrix (row-major, 6 numbers) that PIL's AFFINE transform takes."""
    cx, cy = size_wh[0] * 0.5 + 0.5, size_wh[1] * 0.5 + 0.5
    a = math.radians(p.angle)
    s = 1.0 / p.scale
    m = [s * math.cos(a), s * math.sin(a), 0.0, -s * math.sin(a), s * math.cos(a), 0.0]
    tx, ty = p.shift
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
    m[2] += cx
    m[5] += cy
    return m


def forward_matrix(size_wh: tuple[int, int], p: AffineParams) -> np.ndarray:
    """(3, 3) input→output matrix for keypoints (x, y, 1): the inverse of the padded output→input one."""
    inv = np.array(inverse_matrix(size_wh, p), dtype=np.float64).reshape(2, 3)
    return np.linalg.inv(np.vstack([inv, [0.0, 0.0, 1.0]]))


def warp_image(image: Image.Image, p: AffineParams, fill: str | tuple[int, ...] = "grey") -> Image.Image:
    """Warp a PIL image (nearest neighbour, constant fill), as the published loaders do."""
    if p.is_identity:
        return image
    colour = FILLS[fill] if isinstance(fill, str) else tuple(fill)
    if image.mode in ("L", "F", "I"):
        colour = colour[0]
    return image.transform(image.size, Image.Transform.AFFINE, inverse_matrix(image.size, p), Image.Resampling.NEAREST, fillcolor=colour)


def warp_points_yx(centers_yx: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(N, 2) float (y, x) network-grid points (NaN = missing) -> mapped and ``int()``-truncated (NaN stays)."""
    out = np.full_like(np.asarray(centers_yx, dtype=np.float64), np.nan)
    for i, (y, x) in enumerate(np.asarray(centers_yx, dtype=np.float64)):
        if np.isnan(y) or np.isnan(x):
            continue
        px, py, _ = matrix @ np.array([x, y, 1.0])
        out[i] = (int(py), int(px))
    return out
