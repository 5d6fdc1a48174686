"""The GFLA flow network: predicts a flow field and an occlusion mask for each attention scale."""

from __future__ import annotations

import torch
import torch.nn as nn

from core.gfla.blocks import EncoderBlock, ReflectConv, ResBlockDecoder


class FlowNet(nn.Module):
    """U-Net that maps (image, its structure, target structure) to flows and masks, coarse to fine.

    With ``encoder_layer`` = 5 and attention layers {2, 3}, the flows come out at H/8 (layer 3)
    and H/4 (layer 2). Flows are in pixels of that feature map (channel 0 = x, 1 = y); masks are
    sigmoid probabilities of taking the attended source feature.
    """

    def __init__(
        self,
        input_nc: int,
        ngf: int = 32,
        img_f: int = 256,
        encoder_layer: int = 5,
        attn_layer: tuple[int, ...] = (2, 3),
    ) -> None:
        super().__init__()
        self.encoder_layer = encoder_layer
        self.decoder_layer = encoder_layer - min(attn_layer)
        self.attn_layer = tuple(attn_layer)
        cap = img_f // ngf

        self.block0 = EncoderBlock(input_nc, ngf)
        mult = 1
        for i in range(encoder_layer - 1):
            prev, mult = mult, min(2 ** (i + 1), cap)
            setattr(self, f"encoder{i}", EncoderBlock(ngf * prev, ngf * mult))

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

    def forward(
        self, image: torch.Tensor, structure: torch.Tensor, target_structure: torch.Tensor
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """image (B, 3, H, W), structures (B, S, H, W) -> flows [(B, 2, h, w)], masks [(B, 1, h, w)], coarse first."""
        out = self.block0(torch.cat((image, structure, target_structure), dim=1))  # (B, ngf, H/2, W/2)
        skips = [out]
        for i in range(self.encoder_layer - 1):
            out = getattr(self, f"encoder{i}")(out)
            skips.append(out)
        flows: list[torch.Tensor] = []
        masks: list[torch.Tensor] = []
        for i in range(self.decoder_layer):
            out = getattr(self, f"decoder{i}")(out)
            out = out + getattr(self, f"jump{i}")(skips[self.encoder_layer - i - 2])
            if i in self._heads:
                flows.append(getattr(self, f"output{i}")(out))  # (B, 2, h, w)
                masks.append(getattr(self, f"mask{i}")(out))  # (B, 1, h, w)
        return flows, masks
