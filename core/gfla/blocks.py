"""Building blocks of the GFLA generators (pre-activation conv blocks and content-aware local attention).

Submodule names and indices follow the published checkpoints' key layout: norms at ``model.0`` and
``model.3``, convolutions at ``model.2`` and ``model.5``, activations (no parameters) in between.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.gfla.ops import extract_blocks, extract_neighbourhoods, local_attn_reshape

LEAK = 0.1  # every released generator uses LeakyReLU(0.1)


def act() -> nn.Module:
    return nn.LeakyReLU(LEAK)


def norm(channels: int) -> nn.Module:
    """Instance norm with affine parameters and no running statistics (keys: weight, bias)."""
    return nn.InstanceNorm2d(channels, affine=True)


def _pre_act_pair(c_in: int, c_mid: int, conv_a: nn.Module, conv_b: nn.Module) -> nn.Sequential:
    """norm → act → conv_a → norm → act → conv_b."""
    return nn.Sequential(norm(c_in), act(), conv_a, norm(c_mid), act(), conv_b)


class EncoderBlock(nn.Module):
    """Halve the resolution: 4×4 stride-2 conv then 3×3 conv, pre-activation. (B, Cin, H, W) -> (B, Cout, H/2, W/2)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.model = _pre_act_pair(
            c_in,
            c_out,
            nn.Conv2d(c_in, c_out, kernel_size=4, stride=2, padding=1),
            nn.Conv2d(c_out, c_out, kernel_size=3, stride=1, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class ResBlock(nn.Module):
    """Residual block at constant resolution; identity shortcut when widths match, else a 1×1 conv."""

    def __init__(self, c_in: int, c_out: int | None = None, c_hidden: int | None = None) -> None:
        super().__init__()
        c_out = c_in if c_out is None else c_out
        c_hidden = c_in if c_hidden is None else c_hidden
        self.model = _pre_act_pair(
            c_in,
            c_hidden,
            nn.Conv2d(c_in, c_hidden, kernel_size=3, padding=1),
            nn.Conv2d(c_hidden, c_out, kernel_size=3, padding=1),
        )
        self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, kernel_size=1)) if c_in != c_out else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip = x if self.shortcut is None else self.shortcut(x)
        return self.model(x) + skip


class ResBlocks(nn.Module):
    """A chain of ``n`` same-width residual blocks (key prefix ``model.<i>``)."""

    def __init__(self, n: int, channels: int) -> None:
        super().__init__()
        self.model = nn.Sequential(*[ResBlock(channels) for _ in range(n)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


def _up(c_in: int, c_out: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(c_in, c_out, kernel_size=3, stride=2, padding=1, output_padding=1)


class ResBlockDecoder(nn.Module):
    """Double the resolution with a residual transposed-conv block. (B, Cin, H, W) -> (B, Cout, 2H, 2W)."""

    def __init__(self, c_in: int, c_out: int, c_hidden: int | None = None) -> None:
        super().__init__()
        c_hidden = c_in if c_hidden is None else c_hidden
        self.model = _pre_act_pair(
            c_in, c_hidden, nn.Conv2d(c_in, c_hidden, kernel_size=3, padding=1), _up(c_hidden, c_out)
        )
        self.shortcut = nn.Sequential(_up(c_in, c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) + self.shortcut(x)


class ReflectConv(nn.Module):
    """act → reflection pad → 3×3 conv (→ tanh for the image output); used for skips and the output.

    The conv is registered twice, as ``conv1`` and as ``model.2``, because the published
    checkpoints store it under both names; both names refer to one parameter.
    """

    def __init__(self, c_in: int, c_out: int, tanh: bool = False, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, kernel_size=kernel_size, padding=0)
        layers: list[nn.Module] = [act(), nn.ReflectionPad2d(kernel_size // 2), self.conv1]
        if tanh:
            layers.append(nn.Tanh())
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class LocalAttention(nn.Module):
    """Content-aware local attention: sample k×k source blocks along a flow and blend them per target position.

    ``fully_connect_layer.0`` is the k×k stride-k conv on [target blocks, source blocks] (2C -> hidden),
    ``fully_connect_layer.2`` the 1×1 conv to k² logits, followed by a softmax over them.
    """

    def __init__(self, channels: int, k: int, hidden: int = 128) -> None:
        super().__init__()
        self.k = k
        self.fully_connect_layer = nn.Sequential(
            nn.Conv2d(2 * channels, hidden, kernel_size=k, stride=k),
            act(),
            nn.Conv2d(hidden, k * k, kernel_size=1),
            nn.Softmax(dim=1),
        )

    def forward(
        self, source: torch.Tensor, target: torch.Tensor, flow: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """source, target (B, C, H, W); flow (B, 2, H, W) -> (result (B, C, H, W), weights (B, k², H, W))."""
        k = self.k
        block_source = extract_blocks(source, flow, k)  # (B, C, kH, kW)
        block_target = extract_neighbourhoods(target, k)  # (B, C, kH, kW)
        weights = self.fully_connect_layer(torch.cat((block_target, block_source), dim=1))  # (B, k², H, W)
        spread = local_attn_reshape(weights, k)  # (B, 1, kH, kW)
        result = F.avg_pool2d(spread * block_source, k, k)  # (B, C, H, W)
        return result, weights
