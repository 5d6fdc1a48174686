"""The GFLA pose-transfer generator (pose_fashion, pose_market) and the encoder/decoder parts it shares with the dance model."""

from __future__ import annotations

import torch
import torch.nn as nn

from core.gfla.blocks import LocalAttention, ReflectConv, ResBlockDecoder, ResBlocks
from core.gfla.configs import GeneratorConfig, PoseConfig
from core.gfla.flow import FlowNet, add_encoder, run_encoder


class SourceEncoder(nn.Module):
    """Encode an image into a feature pyramid, returned deepest first and ending with the image itself."""

    def __init__(self, image_nc: int, ngf: int, img_f: int, layers: int) -> None:
        super().__init__()
        self.layers = layers
        add_encoder(self, image_nc, ngf, img_f // ngf, layers)

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        """image (B, 3, H, W) -> [(B, C, H/2^layers, ...), ..., (B, ngf, H/2, W/2), image]."""
        return [image, *run_encoder(self, image, self.layers)][::-1]


class TargetNet(nn.Module):
    """Encode the target structure, then decode it into an image, blending in attended source features.

    ``branches`` names the attention modules at each attention scale: ``("",)`` gives ``attn<i>``
    (pose transfer), ``("_p", "_r")`` gives ``attn_p<i>`` and ``attn_r<i>`` (previous frame and
    reference, animation). At a scale with several branches the masked blends are summed.
    """

    def __init__(self, cfg: GeneratorConfig, branches: tuple[str, ...] = ("",)) -> None:
        super().__init__()
        ngf, cap, layers = cfg.ngf, cfg.img_f // cfg.ngf, cfg.layers
        self.layers = layers
        self.branches = branches
        add_encoder(self, cfg.structure_nc, ngf, cap, layers)

        self.attn_steps: list[int] = []  # decoder indices preceded by attention, deepest first
        mult = min(2 ** (layers - 1), cap)
        for i in range(layers):
            prev = mult
            mult = min(2 ** (layers - i - 2), cap) if i != layers - 1 else 1
            width_in = ngf * prev
            up = ResBlockDecoder(width_in, ngf * mult)
            stages = [ResBlocks(cfg.num_blocks - 1, width_in), up] if cfg.num_blocks > 1 else [up]
            setattr(self, f"decoder{i}", nn.Sequential(*stages))
            if layers - i in cfg.attn_layer:
                k = cfg.kernel_for(layers - i)
                for b in branches:
                    setattr(self, f"attn{b}{i}", LocalAttention(width_in, k, cfg.attn_hidden))
                self.attn_steps.append(i)
        self.outconv = ReflectConv(ngf, cfg.image_nc, tanh=True)

    def forward(
        self,
        structure: torch.Tensor,
        features: list[list[torch.Tensor]],
        flows: list[list[torch.Tensor]],
        masks: list[list[torch.Tensor]],
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """structure (B, S, H, W); per branch: source feature pyramid, flows and masks (deepest first).

        Returns the image (B, 3, H, W) in [-1, 1] and the softmax attention weights by module name.
        """
        out = run_encoder(self, structure, self.layers)[-1]
        attn: dict[str, torch.Tensor] = {}
        for i in range(self.layers):
            if i in self.attn_steps:
                n = self.attn_steps.index(i)
                blended = None
                for b, name in enumerate(self.branches):
                    sampled, weights = getattr(self, f"attn{name}{i}")(features[b][i], out, flows[b][n])
                    m = masks[b][n]  # (B, 1, h, w)
                    term = out * (1 - m) + sampled * m
                    blended = term if blended is None else blended + term
                    attn[f"target.attn{name}{i}"] = weights
                out = blended
            out = getattr(self, f"decoder{i}")(out)
        return self.outconv(out), attn


class PoseGenerator(nn.Module):
    """Pose transfer: re-render the person in ``source`` in the pose given by ``target_structure``."""

    def __init__(self, cfg: PoseConfig) -> None:
        super().__init__()
        self.config = cfg
        self.source = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.target = TargetNet(cfg)
        self.flow_net = FlowNet(cfg.image_nc + 2 * cfg.structure_nc, cfg)

    def encode_source(self, source: torch.Tensor) -> list[torch.Tensor]:
        """Everything that depends only on the source image: its feature pyramid (cache it per photo)."""
        return self.source(source)

    def forward(
        self,
        source: torch.Tensor,
        source_structure: torch.Tensor,
        target_structure: torch.Tensor,
        source_features: list[torch.Tensor] | None = None,
    ) -> dict[str, object]:
        """source (B, 3, H, W) in [-1, 1]; structures (B, 18, H, W) heat maps.

        Returns ``image`` (B, 3, H, W) in [-1, 1], ``flows`` [(B, 2, h, w)] and ``masks`` [(B, 1, h, w)]
        deepest first, and ``attn``: module name -> softmax weights (B, k², h, w).
        """
        features = self.encode_source(source) if source_features is None else source_features
        flows, masks = self.flow_net(source, source_structure, target_structure)
        image, attn = self.target(target_structure, [features], [flows], [masks])
        return {"image": image, "flows": flows, "masks": masks, "attn": attn}
