"""The GFLA pose-transfer generator (pose_fashion, pose_market) and the encoder/decoder parts it shares with the dance model."""

from __future__ import annotations

import torch
import torch.nn as nn

from core.gfla.blocks import EncoderBlock, LocalAttention, ReflectConv, ResBlockDecoder, ResBlocks
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


FlowPair = tuple[list[torch.Tensor], list[torch.Tensor]]  # (flows (B, 2, h, w), masks (B, 1, h, w)), coarse first
Branches = list[list[torch.Tensor]]  # one list per source branch (features, flows or masks), deepest first
Decoded = tuple[torch.Tensor, dict[str, torch.Tensor]]  # (image (B, 3, H, W) in [-1, 1], attention by module name)


class AttentionDecoder(nn.Module):
    """The decoder half of a target network: ``decoder<i>`` stages, ``attn<branch><i>`` before each attention one.

    ``branches`` names the attention modules at each attention scale: ``("",)`` gives ``attn<i>``
    (one source), ``("_p", "_r")`` gives ``attn_p<i>`` and ``attn_r<i>`` (previous frame and
    reference, animation). At a scale with several branches the masked blends are summed.
    """

    def add_decoder(self, cfg: GeneratorConfig, branches: tuple[str, ...]) -> None:
        ngf, cap, layers = cfg.ngf, cfg.img_f // cfg.ngf, cfg.layers
        self.layers, self.branches = layers, branches
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

    def run_decoder(self, out: torch.Tensor, features: Branches, flows: Branches, masks: Branches) -> Decoded:
        """Decode ``out`` blending in each branch's attended source features."""
        attn: dict[str, torch.Tensor] = {}
        for i in range(self.layers):
            if i in self.attn_steps:
                n = self.attn_steps.index(i)
                blended = out
                for b, name in enumerate(self.branches):
                    sampled, weights = getattr(self, f"attn{name}{i}")(features[b][i], out, flows[b][n])
                    m = masks[b][n]  # (B, 1, h, w)
                    term = out * (1 - m) + sampled * m
                    blended = term if b == 0 else blended + term
                    attn[f"target.attn{name}{i}"] = weights
                out = blended
            out = getattr(self, f"decoder{i}")(out)
        return self.outconv(out), attn


class TargetNet(AttentionDecoder):
    """Encode the target structure, then decode it into an image, blending in attended source features."""

    block0: EncoderBlock  # registered by add_encoder, with encoder0 … encoder{layers-2}

    def __init__(self, cfg: GeneratorConfig, branches: tuple[str, ...] = ("",)) -> None:
        super().__init__()
        add_encoder(self, cfg.structure_nc, cfg.ngf, cfg.img_f // cfg.ngf, cfg.layers)
        self.add_decoder(cfg, branches)

    def forward(self, structure: torch.Tensor, features: Branches, flows: Branches, masks: Branches) -> Decoded:
        """structure (B, S, H, W); per branch: source feature pyramid, flows and masks (deepest first)."""
        return self.run_decoder(run_encoder(self, structure, self.layers)[-1], features, flows, masks)


class SingleSourceGenerator(nn.Module):
    """``forward`` of the one-source generators (pose transfer, novel view, the fast pose wrapper) over three hooks."""

    def encode_source(self, source: torch.Tensor) -> list[torch.Tensor]:
        """Everything that depends only on the source image (B, 3, H, W): its feature pyramid (cache it per photo)."""
        raise NotImplementedError

    def source_flows(self, source: torch.Tensor, source_structure: torch.Tensor, target_structure: torch.Tensor) -> FlowPair:
        raise NotImplementedError

    def decode(self, target_structure: torch.Tensor, features: list[torch.Tensor], flows: list[torch.Tensor],
               masks: list[torch.Tensor]) -> Decoded:
        raise NotImplementedError

    def forward(self, source: torch.Tensor, source_structure: torch.Tensor, target_structure: torch.Tensor,
                source_features: list[torch.Tensor] | None = None) -> dict[str, object]:
        """source (B, 3, H, W) in [-1, 1]; the structures (B, S, H, W) say the source's and the target's pose or view.

        Returns ``image`` (B, 3, H, W) in [-1, 1], ``flows`` [(B, 2, h, w)] and ``masks`` [(B, 1, h, w)]
        deepest first, and ``attn``: module name -> softmax weights (B, k², h, w).
        """
        features = self.encode_source(source) if source_features is None else source_features
        flows, masks = self.source_flows(source, source_structure, target_structure)
        image, attn = self.decode(target_structure, features, flows, masks)
        return {"image": image, "flows": list(flows), "masks": list(masks), "attn": attn}


class PoseGenerator(SingleSourceGenerator):
    """Pose transfer: re-render the person in ``source`` in the pose given by ``target_structure`` (18 heat maps)."""

    def __init__(self, cfg: PoseConfig) -> None:
        super().__init__()
        self.config = cfg
        self.source = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.target = TargetNet(cfg)
        self.flow_net = FlowNet(cfg.image_nc + 2 * cfg.structure_nc, cfg)

    def encode_source(self, source: torch.Tensor) -> list[torch.Tensor]:
        return self.source(source)

    def source_flows(self, source: torch.Tensor, source_structure: torch.Tensor, target_structure: torch.Tensor) -> FlowPair:
        return self.flow_net(source, source_structure, target_structure)

    def decode(self, target_structure: torch.Tensor, features: list[torch.Tensor], flows: list[torch.Tensor],
               masks: list[torch.Tensor]) -> Decoded:
        return self.target(target_structure, [features], [flows], [masks])
