"""The one bilinear sampler: read images or feature maps at absolute pixel positions (grid_sample, align_corners=True)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def pixels_to_grid(coords: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Absolute pixel coordinates (…, 2) = (x, y) → grid_sample's [-1, 1] coordinates (align_corners=True).

    Pixel centre 0 maps to -1 and pixel centre ``width - 1`` to +1; a dimension of size 1 maps
    every coordinate to its only pixel.
    """
    sx = 2.0 / (width - 1) if width > 1 else 0.0
    sy = 2.0 / (height - 1) if height > 1 else 0.0
    scale = torch.tensor([sx, sy], dtype=coords.dtype, device=coords.device)
    return coords * scale - 1.0


def sample_pixels(source: torch.Tensor, coords: torch.Tensor, padding_mode: str = "border") -> torch.Tensor:
    """Bilinear samples of ``source`` at absolute pixel positions.

    source (B, C, H, W) float; coords (B, h, w, 2) float, channel 0 = x (column), 1 = y (row), in
    pixels of ``source``. Returns (B, C, h, w). ``padding_mode`` is grid_sample's: 'border' clamps
    to the edge (what GFLA's operators do), 'zeros' reads zeros outside.
    """
    h, w = source.shape[-2:]
    grid = pixels_to_grid(coords.to(source.dtype), h, w)  # (B, h, w, 2)
    return F.grid_sample(source, grid, mode="bilinear", padding_mode=padding_mode, align_corners=True)


def base_grid(
    height: int, width: int, dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu"
) -> torch.Tensor:
    """The identity coordinate map: (1, height, width, 2) with [..., 0] = x and [..., 1] = y."""
    ys = torch.arange(height, dtype=dtype, device=device)
    xs = torch.arange(width, dtype=dtype, device=device)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")  # (H, W) each
    return torch.stack((gx, gy), dim=-1).unsqueeze(0)  # (1, H, W, 2)


def sample_flow(source: torch.Tensor, flow: torch.Tensor, padding_mode: str = "border") -> torch.Tensor:
    """Backward warp: output pixel (y, x) reads ``source`` at (x + flow[:, 0], y + flow[:, 1]).

    source (B, C, H, W); flow (B, 2, h, w) in pixels of ``source``; returns (B, C, h, w).
    """
    b, _, h, w = flow.shape
    coords = base_grid(h, w, flow.dtype, flow.device) + flow.permute(0, 2, 3, 1)  # (B, h, w, 2)
    return sample_pixels(source, coords, padding_mode)


def sample_image(image: np.ndarray, coords: np.ndarray, padding_mode: str = "border") -> np.ndarray:
    """numpy convenience: sample an (H, W) or (H, W, C) image at (h, w, 2) pixel positions → float32."""
    arr = np.asarray(image, dtype=np.float32)
    squeeze = arr.ndim == 2
    chw = torch.from_numpy(arr[None] if squeeze else np.ascontiguousarray(arr.transpose(2, 0, 1)))  # (C, H, W)
    pts = torch.from_numpy(np.ascontiguousarray(coords, dtype=np.float32))[None]  # (1, h, w, 2)
    out = sample_pixels(chw[None], pts, padding_mode)[0]  # (C, h, w)
    return out[0].numpy() if squeeze else out.permute(1, 2, 0).contiguous().numpy()
