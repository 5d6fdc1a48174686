"""VGG19 ``features`` from a weight file the user provides (no torchvision, no download), for the VGG losses.

The file is a torchvision-style state dict (``features.<index>.weight/bias``, classifier keys ignored) as
.safetensors or .pth. Widths are read from the file, so any consistent VGG19 layout loads. Images go in
as the generator sees them, in [-1, 1], with no ImageNet normalisation (as the published code does).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.errors import CheckpointError
from core.gfla.checkpoint import load_strict, read_state_dict

# torchvision vgg19().features: convolution indices (each followed by a ReLU at index + 1) and max-pools.
CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34)
POOL_INDICES = (4, 9, 18, 27, 36)
# Output name -> index of the ReLU whose output it is.
LAYER_INDEX = {
    "relu1_1": 1, "relu1_2": 3, "relu2_1": 6, "relu2_2": 8, "relu3_1": 11, "relu3_2": 13, "relu3_3": 15,
    "relu3_4": 17, "relu4_1": 20, "relu4_2": 22, "relu4_3": 24, "relu4_4": 26, "relu5_1": 29, "relu5_2": 31,
    "relu5_3": 33, "relu5_4": 35,
}
ALL_LOSS_LAYERS = ("relu1_1", "relu2_1", "relu2_2", "relu3_1", "relu3_4", "relu4_1", "relu4_4", "relu5_1", "relu5_2")
VGG_MISSING_WARNING = (
    "warning: no VGG19 weights (config key 'vgg19': a torchvision vgg19 state dict, .pth or .safetensors): "
    "the sampling-correctness, perceptual and style losses are off"
)


class VGG19Features(nn.Module):
    """The frozen VGG19 convolution stack; ``forward(x, names)`` returns the named ReLU outputs."""

    def __init__(self, widths: list[int]) -> None:
        super().__init__()
        if len(widths) != len(CONV_INDICES):
            raise ValueError(f"VGG19 has {len(CONV_INDICES)} convolutions, got {len(widths)} widths")
        self.convs = nn.ModuleDict()
        c_in = 3
        for idx, c_out in zip(CONV_INDICES, widths, strict=True):
            self.convs[str(idx)] = nn.Conv2d(c_in, c_out, kernel_size=3, padding=1)
            c_in = c_out
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> VGG19Features:  # always frozen, always in eval mode
        return super().train(False)

    def forward(self, x: torch.Tensor, names: Iterable[str] = ALL_LOSS_LAYERS) -> dict[str, torch.Tensor]:
        """x (B, 3, H, W) in [-1, 1] -> {name: (B, C, H/2^k, W/2^k)} for the requested ReLU outputs."""
        wanted = {LAYER_INDEX[n]: n for n in names}
        last = max(wanted)
        out: dict[str, torch.Tensor] = {}
        for idx in range(last + 1):
            if idx in POOL_INDICES:
                x = F.max_pool2d(x, kernel_size=2, stride=2)
            elif str(idx) in self.convs:
                x = self.convs[str(idx)](x)
            else:  # a ReLU (never in place: earlier outputs are kept)
                x = F.relu(x)
            if idx in wanted:
                out[wanted[idx]] = x
        return out


def vgg_state_from(sd: dict[str, torch.Tensor], source: str = "the VGG19 weights") -> dict[str, torch.Tensor]:
    """Keys ``convs.<idx>.weight/bias`` from a torchvision-style dict (``features.`` / ``module.`` prefixes allowed)."""
    out: dict[str, torch.Tensor] = {}
    for key, value in sd.items():
        k = key[len("module."):] if key.startswith("module.") else key
        if k.startswith("classifier."):
            continue
        k = k[len("features."):] if k.startswith("features.") else k
        idx, _, leaf = k.partition(".")
        if not idx.isdigit() or int(idx) not in CONV_INDICES or leaf not in ("weight", "bias"):
            raise CheckpointError(f"{source}: unexpected key {key!r} (expected features.<conv index>.weight/bias)")
        out[f"convs.{idx}.{leaf}"] = value
    missing = [f"features.{i}.{leaf}" for i in CONV_INDICES for leaf in ("weight", "bias") if f"convs.{i}.{leaf}" not in out]
    if missing:
        raise CheckpointError(f"{source} is not a VGG19: missing {', '.join(missing[:6])}" + (" …" if len(missing) > 6 else ""))
    return out


def build_vgg19(sd: dict[str, torch.Tensor], source: str = "the VGG19 weights") -> VGG19Features:
    """A VGG19Features with the widths and values of ``sd``, loaded strictly."""
    state = vgg_state_from(sd, source)
    widths = [int(state[f"convs.{i}.weight"].shape[0]) for i in CONV_INDICES]
    net = VGG19Features(widths)
    try:
        load_strict(net, {k: v.float() for k, v in state.items()}, source)
    except CheckpointError as exc:
        raise CheckpointError(f"{source}: the convolution shapes do not chain like VGG19's ({str(exc)[:300]})") from exc
    return net


def load_vgg19(path: str | os.PathLike | None, device: str | torch.device = "cpu") -> VGG19Features | None:
    """The frozen VGG19 from ``path``; None when no path is given (the trainer then warns once)."""
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"the VGG19 weight file {p} does not exist")
    return build_vgg19(read_state_dict(p), p.name).to(device)
