"""The published discriminators: the residual image discriminator and the 3-D temporal one, with spectral norm.

State-dict keys follow the published checkpoints (``latest_net_D.pth`` / ``latest_net_D_V.pth``):
``block0.model.1.weight_orig``, ``…weight_u``, ``…weight_v``, ``block0.shortcut.1.*``, ``encoder<i>.*``, ``conv.*``.
"""

from __future__ import annotations

import torch
import torch.nn as nn
from torch.nn.utils import spectral_norm

LEAK = 0.1


def _sn(module: nn.Module) -> nn.Module:
    return spectral_norm(module)  # keys weight_orig, weight_u, weight_v (the published layout)


class ResBlockDown(nn.Module):
    """act → 3×3 conv → act → 4×4 stride-2 conv, plus avg-pool → 1×1 conv. (B, Cin, H, W) -> (B, Cout, H/2, W/2)."""

    def __init__(self, c_in: int, c_out: int, c_hidden: int) -> None:
        super().__init__()
        act = nn.LeakyReLU(LEAK)
        self.model = nn.Sequential(
            act, _sn(nn.Conv2d(c_in, c_hidden, 3, 1, 1)), act, _sn(nn.Conv2d(c_hidden, c_out, 4, 2, 1))
        )
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), _sn(nn.Conv2d(c_in, c_out, 1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) + self.shortcut(x)


class ResBlock3DDown(nn.Module):
    """The 3-D version: (B, Cin, T, H, W) -> (B, Cout, T-2, H/2, W/2) (no temporal padding)."""

    def __init__(self, c_in: int, c_out: int, c_hidden: int) -> None:
        super().__init__()
        act = nn.LeakyReLU(LEAK)
        self.model = nn.Sequential(
            act,
            _sn(nn.Conv3d(c_in, c_hidden, (3, 3, 3), (1, 1, 1), (1, 1, 1))),
            act,
            _sn(nn.Conv3d(c_hidden, c_out, (3, 4, 4), (1, 2, 2), (0, 1, 1))),
        )
        self.shortcut = nn.Sequential(nn.AvgPool3d((3, 2, 2), (1, 2, 2)), _sn(nn.Conv3d(c_in, c_out, 1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) + self.shortcut(x)


class _PatchScores(nn.Module):
    """The part both discriminators end with: 2-D ``encoder<i>`` down-blocks, then LeakyReLU and a 1×1 score conv."""

    def add_tail(self, ndf: int, img_f: int, mult: int, count: int, first_exponent: int) -> None:
        """``count`` down-blocks from ``ndf * mult`` channels, block i widening to ndf·min(2^(i+first_exponent), img_f/ndf)."""
        self.tail_blocks = count
        for i in range(count):
            prev, mult = mult, min(2 ** (i + first_exponent), img_f // ndf)
            setattr(self, f"encoder{i}", ResBlockDown(ndf * prev, ndf * mult, ndf * prev))
        self.act = nn.LeakyReLU(LEAK)
        self.conv = _sn(nn.Conv2d(ndf * mult, 1, 1))

    def tail(self, out: torch.Tensor) -> torch.Tensor:
        for i in range(self.tail_blocks):
            out = getattr(self, f"encoder{i}")(out)
        return self.conv(self.act(out))


class ResDiscriminator(_PatchScores):
    """Patch discriminator on the RGB image alone: (B, 3, H, W) -> (B, 1, H/2^layers, W/2^layers) raw scores.

    Published settings: ndf 32, img_f 128, layers 4 (DeepFashion, animation) or 3 (Market).
    """

    def __init__(self, input_nc: int = 3, ndf: int = 32, img_f: int = 128, layers: int = 4) -> None:
        super().__init__()
        self.layers = layers
        self.block0 = ResBlockDown(input_nc, ndf, ndf)
        self.add_tail(ndf, img_f, 1, layers - 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.tail(self.block0(x))


class TemporalDiscriminator(_PatchScores):
    """Judges ``input_length`` consecutive frames at once: (B, 3, T, H, W) -> (B, 1, H/16, W/16) for layers 4.

    Two 3-D residual blocks (T → T-4), the time axis folded into channels, then 2-D residual blocks.
    """

    def __init__(self, input_nc: int = 3, input_length: int = 6, ndf: int = 32, img_f: int = 128, layers: int = 4) -> None:
        super().__init__()
        if input_length < 5:
            raise ValueError("the temporal discriminator needs at least 5 frames")
        self.layers = layers
        self.input_length = input_length
        self.block0 = ResBlock3DDown(input_nc, ndf, ndf)
        self.block1 = ResBlock3DDown(ndf, 2 * ndf, ndf)
        self.add_tail(ndf, img_f, 2 * (input_length - 4), layers - 2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block1(self.block0(x))  # (B, 2ndf, T-4, H/4, W/4)
        b, _, _, h, w = out.shape
        return self.tail(out.reshape(b, -1, h, w))  # time folded into channels


def init_orthogonal(net: nn.Module, gain: float = 0.02) -> nn.Module:
    """The published initialisation: orthogonal weights (gain 0.02) and zero biases for every conv and linear
    layer (into ``weight_orig`` under spectral norm); norm layers keep PyTorch's defaults."""
    for module in net.modules():
        if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.Linear)):
            weight = getattr(module, "weight_orig", None)
            weight = module.weight if weight is None else weight
            nn.init.orthogonal_(weight, gain=gain)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    return net


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
