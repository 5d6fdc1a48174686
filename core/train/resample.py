"""Resample2d, the Gaussian-window warp the sampling-correctness loss uses (the published CUDA op, in PyTorch).

Each output pixel (x, y) with flow (dx, dy) reads a ``kernel_size`` x ``kernel_size`` window of the source
around (x + dx, y + dy): for f in 0..k/2-1 the rows floor(y')-f·d and floor(y')+(f+1)·d and the columns
floor(x')-f·d and floor(x')+(f+1)·d, each index clamped to the source. The taps are weighted by a separable
Gaussian of their distance to the sample point and the weighted sum is divided by the sum of the weights.
The floor is held constant under differentiation, so the flow gradient is the analytic derivative of
the normalised sum, as in the published kernel.
"""

from __future__ import annotations

import torch


def _taps(pos: torch.Tensor, half: int, dilation: int, sigma: float) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Integer tap positions and Gaussian weights along one axis for sample positions ``pos`` (any shape)."""
    base = torch.floor(pos).detach()
    frac = pos - base  # gradient flows through here only
    denom = 2.0 * sigma * sigma
    idx: list[torch.Tensor] = []
    wts: list[torch.Tensor] = []
    for f in range(half):
        near = f * dilation + frac  # distance to the tap floor - f·d
        far = (1.0 + f) * dilation - frac  # distance to the tap floor + (f+1)·d
        idx += [base - f * dilation, base + (f + 1) * dilation]
        wts += [torch.exp(-near * near / denom), torch.exp(-far * far / denom)]
    return idx, wts


def resample2d(
    source: torch.Tensor, flow: torch.Tensor, kernel_size: int = 4, dilation: int = 1, sigma: float = 2.0
) -> torch.Tensor:
    """Warp ``source`` (B, C, H, W) by ``flow`` (B, 2, h, w) (channel 0 = x, 1 = y, source pixels) -> (B, C, h, w)."""
    if flow.dim() != 4 or flow.shape[1] != 2 or flow.shape[0] != source.shape[0]:
        raise ValueError(f"flow must be (B, 2, h, w) with the source's batch size, got {tuple(flow.shape)}")
    b, c, h, w = source.shape
    hf, wf = flow.shape[-2:]
    flow = flow.to(source.dtype)
    ys = torch.arange(hf, device=flow.device, dtype=flow.dtype).view(1, hf, 1)
    xs = torch.arange(wf, device=flow.device, dtype=flow.dtype).view(1, 1, wf)
    half = kernel_size // 2
    rows, row_w = _taps(ys + flow[:, 1], half, dilation, sigma)  # each (B, hf, wf)
    cols, col_w = _taps(xs + flow[:, 0], half, dilation, sigma)
    flat = source.reshape(b, c, h * w)  # (B, C, HW)
    out = source.new_zeros(b, c, hf * wf)
    total = source.new_zeros(b, 1, hf * wf)
    for r, wr in zip(rows, row_w, strict=True):
        r_off = r.clamp(0, h - 1).long() * w  # (B, hf, wf)
        for cc, wc in zip(cols, col_w, strict=True):
            index = (r_off + cc.clamp(0, w - 1).long()).view(b, 1, -1).expand(b, c, hf * wf)
            weight = (wr * wc).view(b, 1, -1)  # (B, 1, hf*wf)
            out = out + weight * torch.gather(flat, 2, index)
            total = total + weight
    total = torch.where(total == 0, torch.full_like(total, 1e-8), total)
    return (out / total).view(b, c, hf, wf)
