"""Content-aware local attention without materialising k²-upsampled block tensors (same maths as blocks.LocalAttention).

The published layer samples a k×k block of source features along the flow for every target
position (a (C, kH, kW) tensor), concatenates it with the zero-flow target blocks and runs a k×k
stride-k convolution over both. Both halves of that convolution are linear, so:

* the target half is an ordinary k×k stride-1 convolution of the replicate-padded target feature;
* the source half equals bilinearly sampling, at each block offset o, the source feature projected
  by that offset's weight slice W_o (a 1×1 convolution that depends on the source alone, so it is
  computed once per photo and cached);
* the attention-weighted average of the sampled source block is one weighted gather-sum.

The bilinear samples are gathered with ``F.embedding_bag`` (mode "sum", per-sample weights) from
channels-last tables, with the CUDA kernel's semantics: corners at floor(p) and floor(p)+1, each
clamped to the border.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.gfla.blocks import LEAK, LocalAttention


def sampling_table(flow: torch.Tensor, k: int, source_hw: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Bilinear gather positions and weights of every k×k block along ``flow``.

    flow (B, 2, Hf, Wf) in source pixels (channel 0 = x, 1 = y). Returns ``pos`` (B·Hf·Wf, k², 4)
    int64 row-major positions y·w + x in one (h, w) source map and ``wt`` (B·Hf·Wf, k², 4) bilinear
    weights. Offset o = i·k + j reads row offset i − k//2 and column offset j − k//2, the channel
    order of ``pixel_shuffle(k)``.
    """
    b, _, hf, wf = flow.shape
    h, w = source_hw
    dtype, device = flow.dtype, flow.device
    off = torch.arange(k, device=device, dtype=dtype) - k // 2  # (k,)
    xs = torch.arange(wf, device=device, dtype=dtype).view(1, 1, wf, 1) + flow[:, 0, :, :, None] + off  # (B,Hf,Wf,k)
    ys = torch.arange(hf, device=device, dtype=dtype).view(1, hf, 1, 1) + flow[:, 1, :, :, None] + off  # (B,Hf,Wf,k)
    x0, y0 = xs.floor(), ys.floor()
    ax, ay = (xs - x0).unsqueeze(-2), (ys - y0).unsqueeze(-1)  # fractional parts (B,Hf,Wf,1,k), (B,Hf,Wf,k,1)
    x0, y0 = x0.long(), y0.long()
    xa, xb = x0.clamp(0, w - 1).unsqueeze(-2), (x0 + 1).clamp(0, w - 1).unsqueeze(-2)  # (B,Hf,Wf,1,k) column j
    ya, yb = (y0.clamp(0, h - 1) * w).unsqueeze(-1), ((y0 + 1).clamp(0, h - 1) * w).unsqueeze(-1)  # row i
    pos = torch.stack((ya + xa, ya + xb, yb + xa, yb + xb), dim=-1)  # (B, Hf, Wf, k, k, 4)
    bx, by = 1 - ax, 1 - ay
    wt = torch.stack((by * bx, by * ax, ay * bx, ay * ax), dim=-1)  # (B, Hf, Wf, k, k, 4)
    return pos.view(b * hf * wf, k * k, 4), wt.view(b * hf * wf, k * k, 4)


def table_rows(batch: int, source_batch: int, hw: int, per_batch: int, device: torch.device) -> torch.Tensor:
    """First table row of each target's source: (B·hw, 1, 1); source batch 1 is shared by all targets."""
    if source_batch == 1:
        return torch.zeros(1, 1, 1, dtype=torch.long, device=device)
    rows = torch.arange(batch, device=device) * per_batch  # (B,)
    return rows.repeat_interleave(hw).view(-1, 1, 1)


def channels_last_table(x: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B·H·W, C) rows of channel vectors (a view when ``x`` is channels-last)."""
    b, c, h, w = x.shape
    return x.permute(0, 2, 3, 1).reshape(b * h * w, c)


class FastLocalAttention(nn.Module):
    """A ``LocalAttention`` evaluated without block tensors; holds re-arranged copies of its weights."""

    w_target: torch.Tensor
    bias: torch.Tensor
    w_source: torch.Tensor
    w_logits: torch.Tensor
    b_logits: torch.Tensor

    def __init__(self, layer: LocalAttention) -> None:
        super().__init__()
        conv, conv2 = layer.fully_connect_layer[0], layer.fully_connect_layer[2]
        if not (isinstance(conv, nn.Conv2d) and isinstance(conv2, nn.Conv2d)) or conv.bias is None or conv2.bias is None:
            raise TypeError("a LocalAttention's fully_connect_layer.0 and .2 are convolutions with biases")
        k = layer.k
        hidden, two_c = conv.weight.shape[:2]
        c = two_c // 2
        self.k, self.channels, self.hidden = k, c, hidden
        w = conv.weight.detach()
        self.register_buffer("w_target", w[:, :c].contiguous())  # (hid, C, k, k)
        self.register_buffer("bias", conv.bias.detach().clone())  # (hid,)
        self.register_buffer("w_source", w[:, c:].permute(2, 3, 0, 1).reshape(k * k * hidden, c).contiguous())
        self.register_buffer("w_logits", conv2.weight.detach().clone())  # (k², hid, 1, 1)
        self.register_buffer("b_logits", conv2.bias.detach().clone())  # (k²,)

    def project(self, source: torch.Tensor) -> torch.Tensor:
        """The source half of the k×k conv for every block offset: (B, C, h, w) -> (B·k²·h·w, hid) table."""
        b, c, h, w = source.shape
        k2 = self.k * self.k
        proj = torch.matmul(self.w_source, source.reshape(b, c, h * w))  # (B, k²·hid, h·w)
        return proj.view(b, k2, self.hidden, h * w).transpose(2, 3).reshape(b * k2 * h * w, self.hidden)

    def target_half(self, target: torch.Tensor) -> torch.Tensor:
        """The target half of the k×k conv plus its bias: (B, C, H, W) -> (B, hid, H, W)."""
        k = self.k
        lo, hi = k // 2, k - 1 - k // 2
        padded = F.pad(target, (lo, hi, lo, hi), mode="replicate")  # (B, C, H+k-1, W+k-1)
        return F.conv2d(padded, self.w_target, self.bias)

    def attend(
        self, source: torch.Tensor, hidden: torch.Tensor, flow: torch.Tensor, projection: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Finish the layer from ``hidden`` = ``target_half(target)``.

        source (Bs, C, h, w) with Bs 1 or B; hidden (B, hid, H, W); flow (B, 2, H, W); ``projection`` is
        ``self.project(source)`` when cached. Returns (result (B, C, H, W), weights (B, k², H, W)).
        """
        k, k2 = self.k, self.k * self.k
        b, _, hgt, wid = hidden.shape
        c, hs, ws = source.shape[1:]
        table = self.project(source) if projection is None else projection
        pos, wt = sampling_table(flow, k, (hs, ws))  # (n, k², 4) with n = B·H·W
        n = pos.shape[0]
        first = table_rows(b, source.shape[0], hgt * wid, k2 * hs * ws, pos.device)  # (n or 1, 1, 1)
        offset_rows = (torch.arange(k2, device=pos.device) * (hs * ws)).view(1, k2, 1)
        idx = (pos + (first + offset_rows)).view(n, -1)
        # embedding_bag is outside autocast: weights in the table's dtype (a no-op in fp32; bf16 under autocast)
        sampled = F.embedding_bag(idx, table, per_sample_weights=wt.view(n, -1).to(table.dtype), mode="sum")  # (n, hid)
        hidden = hidden + sampled.view(b, hgt, wid, self.hidden).permute(0, 3, 1, 2)
        logits = F.conv2d(F.leaky_relu(hidden, LEAK), self.w_logits, self.b_logits)  # (B, k², H, W)
        weights = torch.softmax(logits, dim=1)
        psw = wt * (weights.permute(0, 2, 3, 1).reshape(n, k2, 1) / k2)  # attention × bilinear weights
        idx = pos if source.shape[0] == 1 else pos + first // k2
        values = channels_last_table(source)
        result = F.embedding_bag(idx.view(n, -1), values, per_sample_weights=psw.view(n, -1).to(values.dtype), mode="sum")  # (n, C)
        return result.view(b, hgt, wid, c).permute(0, 3, 1, 2), weights

    def forward(
        self, source: torch.Tensor, target: torch.Tensor, flow: torch.Tensor, projection: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Same inputs and outputs as ``LocalAttention.forward`` (plus an optional cached projection)."""
        return self.attend(source, self.target_half(target), flow, projection)
