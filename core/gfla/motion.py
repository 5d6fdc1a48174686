"""The Motion Extraction Network (dance_keypoint): a 1-D temporal conv net that cleans detected skeleton tracks."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.gfla.configs import KeypointConfig

_KERNEL = 3
_LEAK = 0.1


class LayerNorm1d(nn.Module):
    """Layer norm jointly over (C, T) with a per-channel affine stored as (C, 1)."""

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels, 1))
        self.bias = nn.Parameter(torch.zeros(channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape[1:]  # (C, T)
        return F.layer_norm(x, shape, self.weight.expand(shape), self.bias.expand(shape), self.eps)


class AdaptiveLayerNorm1d(nn.Module):
    """Layer norm over (C, T) without affine, then scaled by (1 + γ) and shifted by β from a motion feature."""

    def __init__(self, channels: int, feature_nc: int, hidden: int = 128) -> None:
        super().__init__()
        self.mlp_shared = nn.Sequential(nn.Linear(feature_nc, hidden), nn.ReLU())
        self.mlp_gamma = nn.Linear(hidden, channels)
        self.mlp_beta = nn.Linear(hidden, channels)

    def forward(self, x: torch.Tensor, feature: torch.Tensor) -> torch.Tensor:
        """x (B, C, T); feature (B, F) -> (B, C, T)."""
        h = self.mlp_shared(feature.flatten(1))  # (B, hidden)
        gamma = self.mlp_gamma(h).unsqueeze(-1)  # (B, C, 1)
        beta = self.mlp_beta(h).unsqueeze(-1)  # (B, C, 1)
        return F.layer_norm(x, x.shape[1:]) * (1 + gamma) + beta


class _TemporalNet(nn.Module):
    """Unpadded dilated temporal convolutions (dilations 3, 9, 27, …) with adaptive layer norms."""

    def __init__(self, joints: int, channels: int, layers: int, dropout: float = 0.15) -> None:
        super().__init__()
        nc = 2 * joints
        self.layers = layers
        self.expand_conv = nn.Conv1d(nc, channels, _KERNEL, bias=False)
        self.expand_ln = LayerNorm1d(channels)
        self.shrink = nn.Conv1d(channels, nc, 1)
        self.drop = nn.Dropout(dropout)
        convs: list[nn.Module] = []
        norms: list[nn.Module] = []
        self.trims: list[int] = []  # frames lost on each side by each dilated stage
        dilation = _KERNEL
        for _ in range(1, layers):
            self.trims.append((_KERNEL - 1) * dilation // 2)
            convs += [
                nn.Conv1d(channels, channels, _KERNEL, dilation=dilation, bias=False),
                nn.Conv1d(channels, channels, 1, bias=False),
            ]
            norms += [AdaptiveLayerNorm1d(channels, channels), AdaptiveLayerNorm1d(channels, channels)]
            dilation *= _KERNEL
        self.layers_conv = nn.ModuleList(convs)
        self.layers_ln = nn.ModuleList(norms)
        self.feature_conv_1 = nn.Conv1d(nc, channels, _KERNEL, stride=2, bias=False)
        self.feature_conv_2 = nn.Conv1d(channels, channels, _KERNEL, stride=2, bias=False)
        self.feature_conv_3 = nn.Conv1d(channels, channels, _KERNEL, stride=2, bias=False)

    def forward(self, kp: torch.Tensor) -> torch.Tensor:
        """kp (B, 2J, T) -> (B, 2J, T - receptive_field + 1)."""
        lrelu = lambda t: F.leaky_relu(t, _LEAK)
        feature = lrelu(self.feature_conv_1(kp))
        feature = lrelu(self.feature_conv_2(feature))
        feature = lrelu(self.feature_conv_3(feature)).mean(dim=2)  # (B, C) global motion feature
        x = self.drop(lrelu(self.expand_ln(self.expand_conv(kp))))  # (B, C, T-2)
        for i, trim in enumerate(self.trims):
            residual = x[:, :, trim : x.shape[2] - trim]
            x = self.drop(lrelu(self.layers_ln[2 * i](self.layers_conv[2 * i](x), feature)))
            x = residual + self.drop(lrelu(self.layers_ln[2 * i + 1](self.layers_conv[2 * i + 1](x), feature)))
        return self.shrink(x)


class KeypointNet(nn.Module):
    """Motion Extraction Network: noisy COCO-17 tracks (B, 34, T) -> clean Human3.6M-17 tracks (B, 34, T-80).

    Rows 0-16 are y and rows 17-33 are x, normalised as 2·p/256 − 1; output frame j is centred on input frame j+40.
    """

    def __init__(self, cfg: KeypointConfig | None = None) -> None:
        super().__init__()
        cfg = KeypointConfig() if cfg is None else cfg
        self.config = cfg
        self.kp_input = _TemporalNet(cfg.structure_nc, cfg.channels, cfg.layers)

    @property
    def receptive_field(self) -> int:
        return 1 + (_KERNEL - 1) + 2 * sum(self.kp_input.trims)

    def forward(self, input_2d: torch.Tensor) -> torch.Tensor:
        if input_2d.shape[-1] < self.receptive_field:
            raise ValueError(f"the keypoint net needs at least {self.receptive_field} frames, got {input_2d.shape[-1]}")
        return self.kp_input(input_2d)
