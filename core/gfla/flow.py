"""The GFLA flow networks: a U-Net that predicts a flow field and an occlusion mask for each attention scale."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn

from core.gfla.blocks import EncoderBlock, ReflectConv, ResBlockDecoder
from core.gfla.configs import GeneratorConfig


def add_encoder(net: nn.Module, input_nc: int, ngf: int, cap: int, layers: int) -> int:
    """Register ``block0`` (input_nc -> ngf) and ``encoder0`` … ``encoder{layers-2}`` on ``net``; returns the last width / ngf."""
    net.add_module("block0", EncoderBlock(input_nc, ngf))
    mult = 1
    for i in range(layers - 1):
        prev, mult = mult, min(2 ** (i + 1), cap)
        net.add_module(f"encoder{i}", EncoderBlock(ngf * prev, ngf * mult))
    return mult


def run_encoder(net: nn.Module, x: torch.Tensor, layers: int) -> list[torch.Tensor]:
    """The outputs of ``block0`` and each ``encoder<i>`` that ``add_encoder`` registered, shallowest first."""
    outputs = [net.get_submodule("block0")(x)]
    for i in range(layers - 1):
        outputs.append(net.get_submodule(f"encoder{i}")(outputs[-1]))
    return outputs


class FlowUNet(nn.Module):
    """The flow U-Net's layers (keys ``block0``, ``encoder<i>``, ``decoder<i>``, ``jump<i>``, ``output<i>``, ``mask<i>``).

    With ``flow_encoder_layer`` = 5 and attention layers {2, 3}, the flows come out at H/8 (layer 3)
    and H/4 (layer 2). Flows are in pixels of that feature map (channel 0 = x, 1 = y); masks are
    sigmoid probabilities of taking the attended source feature. ``bottleneck`` (deepest width ->
    module) adds a ``cat`` module that the subclass applies between ``encode`` and ``decode``.
    """

    def __init__(
        self, input_nc: int, cfg: GeneratorConfig, bottleneck: Callable[[int], nn.Module] | None = None
    ) -> None:
        """``cfg``'s flow_ngf, flow_img_f, flow_encoder_layer and attn_layer size the network."""
        super().__init__()
        ngf, encoder_layer = cfg.flow_ngf, cfg.flow_encoder_layer
        self.encoder_layer = encoder_layer
        self.decoder_layer = encoder_layer - min(cfg.attn_layer)
        self.attn_layer = tuple(cfg.attn_layer)
        cap = cfg.flow_img_f // ngf
        mult = add_encoder(self, input_nc, ngf, cap, encoder_layer)
        if bottleneck is not None:
            self.cat = bottleneck(ngf * mult)
        self._heads: list[int] = []
        for i in range(self.decoder_layer):
            prev, mult = mult, min(2 ** (encoder_layer - i - 2), cap)
            width = ngf * mult
            setattr(self, f"decoder{i}", ResBlockDecoder(ngf * prev, width, width))
            setattr(self, f"jump{i}", ReflectConv(width, width))
            if encoder_layer - i - 1 in self.attn_layer:
                setattr(self, f"output{i}", nn.Conv2d(width, 2, kernel_size=3, padding=1))
                setattr(self, f"mask{i}", nn.Sequential(nn.Conv2d(width, 1, kernel_size=3, padding=1), nn.Sigmoid()))
                self._heads.append(i)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """x (B, C, H, W) -> the deepest feature and every encoder output (the skips), shallowest first."""
        skips = run_encoder(self, x, self.encoder_layer)  # (B, ngf, H/2, W/2) first
        return skips[-1], skips

    def decode(self, out: torch.Tensor, skips: list[torch.Tensor]) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """The decoder with its skip connections -> flows [(B, 2, h, w)], masks [(B, 1, h, w)], coarse first."""
        flows: list[torch.Tensor] = []
        masks: list[torch.Tensor] = []
        for i in range(self.decoder_layer):
            out = getattr(self, f"decoder{i}")(out)
            out = out + getattr(self, f"jump{i}")(skips[self.encoder_layer - i - 2])
            if i in self._heads:
                flows.append(getattr(self, f"output{i}")(out))  # (B, 2, h, w)
                masks.append(getattr(self, f"mask{i}")(out))  # (B, 1, h, w)
        return flows, masks


class FlowNet(FlowUNet):
    """Flow U-Net that maps (image, its structure, target structure) to flows and masks, coarse to fine."""

    def forward(
        self, image: torch.Tensor, structure: torch.Tensor, target_structure: torch.Tensor
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """image (B, 3, H, W), structures (B, S, H, W) -> flows [(B, 2, h, w)], masks [(B, 1, h, w)], coarse first."""
        out, skips = self.encode(torch.cat((image, structure, target_structure), dim=1))
        return self.decode(out, skips)
