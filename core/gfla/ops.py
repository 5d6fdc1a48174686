"""Pure-PyTorch versions of GFLA's CUDA operators: flow-guided block extraction and local-attention reshape."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _block_offsets(n: int, k: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """Sampling position of each of the ``k*n`` output columns (or rows) for zero flow.

    Output index ``i`` belongs to block ``i // k`` and reads offset ``i % k - k // 2`` from it.
    """
    idx = torch.arange(n * k, device=device)
    return (idx // k + idx % k - k // 2).to(dtype)  # (k*n,)


def extract_blocks(source: torch.Tensor, flow: torch.Tensor, k: int) -> torch.Tensor:
    """Gather a k×k block of ``source`` around each flow target, bilinear, clamped to the border.

    source (B, C, H, W); flow (B, 2, Hf, Wf) in pixels of the source grid, channel 0 = x, 1 = y.
    Returns (B, C, k*Hf, k*Wf): output pixel (y, x) samples the source at
    ``(x//k + flow_x + x%k - k//2, y//k + flow_y + y%k - k//2)``.
    """
    b, _, h, w = source.shape
    hf, wf = flow.shape[-2:]
    dtype = source.dtype
    flow_up = flow.to(dtype).repeat_interleave(k, dim=2).repeat_interleave(k, dim=3)  # (B, 2, kHf, kWf)
    xs = _block_offsets(wf, k, source.device, dtype).view(1, 1, -1)  # (1, 1, kWf)
    ys = _block_offsets(hf, k, source.device, dtype).view(1, -1, 1)  # (1, kHf, 1)
    px = flow_up[:, 0] + xs  # (B, kHf, kWf) source x in pixels
    py = flow_up[:, 1] + ys  # (B, kHf, kWf) source y in pixels
    gx = px * (2.0 / max(w - 1, 1)) - 1.0
    gy = py * (2.0 / max(h - 1, 1)) - 1.0
    grid = torch.stack((gx, gy), dim=-1)  # (B, kHf, kWf, 2)
    return F.grid_sample(source, grid, mode="bilinear", padding_mode="border", align_corners=True)


def extract_neighbourhoods(feature: torch.Tensor, k: int) -> torch.Tensor:
    """``extract_blocks`` with zero flow, computed exactly with replicate padding and unfold.

    feature (B, C, H, W) -> (B, C, k*H, k*W); padding k//2 on the top/left and k-1-k//2 on the
    bottom/right, matching the offsets of ``extract_blocks``.
    """
    b, c, h, w = feature.shape
    lo, hi = k // 2, k - 1 - k // 2
    padded = F.pad(feature, (lo, hi, lo, hi), mode="replicate")  # (B, C, H+k-1, W+k-1)
    cols = F.unfold(padded, kernel_size=k)  # (B, C*k*k, H*W)
    blocks = cols.view(b, c, k, k, h, w).permute(0, 1, 4, 2, 5, 3)  # (B, C, H, k, W, k)
    return blocks.reshape(b, c, h * k, w * k)


def local_attn_reshape(weights: torch.Tensor, k: int) -> torch.Tensor:
    """Spread per-position k² attention weights into k×k blocks: (B, k², H, W) -> (B, 1, kH, kW)."""
    return F.pixel_shuffle(weights, k)
