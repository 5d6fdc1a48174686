"""The GFLA face-animation generator (face): edge-map-driven video of a portrait, attending to the previous frame and the reference."""

from __future__ import annotations

import torch
import torch.nn as nn

from core.gfla.configs import FaceConfig
from core.gfla.dance import run_recurrence
from core.gfla.flow import FlowNet
from core.gfla.generator import SourceEncoder, TargetNet


class FaceFlowNet(FlowNet):
    """One flow U-Net predicting both the previous-frame and the reference flow (and masks) at each scale.

    Input: cat(target structure, previous image, previous structure, reference image, reference
    structure) = 3·S + 2·3 channels. Each flow head emits 4 channels (previous x/y, reference x/y),
    each mask head 2 sigmoid channels (previous, reference).
    """

    def __init__(
        self,
        image_nc: int,
        structure_nc: int,
        ngf: int = 32,
        img_f: int = 256,
        encoder_layer: int = 5,
        attn_layer: tuple[int, ...] = (2, 3),
    ) -> None:
        super().__init__(3 * structure_nc + 2 * image_nc, ngf, img_f, encoder_layer, attn_layer)
        for i in self._heads:  # replace the single-branch heads in place (keeps the published key order)
            width = getattr(self, f"output{i}").in_channels
            setattr(self, f"output{i}", nn.Conv2d(width, 4, kernel_size=3, padding=1))
            setattr(self, f"mask{i}", nn.Sequential(nn.Conv2d(width, 2, kernel_size=3, padding=1), nn.Sigmoid()))

    def forward(  # type: ignore[override]
        self,
        target_structure: torch.Tensor,
        previous_image: torch.Tensor,
        previous_structure: torch.Tensor,
        reference_image: torch.Tensor,
        reference_structure: torch.Tensor,
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Images (B, 3, H, W), structures (B, S, H, W) -> flows, masks ordered
        (previous coarse, reference coarse, previous fine, reference fine); flows (B, 2, h, w), masks (B, 1, h, w)."""
        middle = torch.cat((previous_image, previous_structure, reference_image), dim=1)  # (B, 3+S+3, H, W)
        # FlowNet concatenates (image, structure, target) = (target, middle, reference structure): the published order.
        heads, mask_heads = super().forward(target_structure, middle, reference_structure)
        flows: list[torch.Tensor] = []
        masks: list[torch.Tensor] = []
        for flow, mask in zip(heads, mask_heads, strict=True):
            flows.extend(torch.split(flow, 2, dim=1))  # (B, 4, h, w) -> 2 × (B, 2, h, w)
            masks.extend(torch.split(mask, 1, dim=1))  # (B, 2, h, w) -> 2 × (B, 1, h, w)
        return flows, masks


class FaceGenerator(nn.Module):
    """Animate a reference portrait along a sequence of 16-channel face structures (see core.face.encoding)."""

    def __init__(self, cfg: FaceConfig) -> None:
        super().__init__()
        self.config = cfg
        self.source_previous = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.source_reference = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.target = TargetNet(cfg, branches=("_p", "_r"))  # type: ignore[arg-type]
        self.flow_net = FaceFlowNet(
            cfg.image_nc, cfg.structure_nc, cfg.flow_ngf, cfg.flow_img_f, cfg.flow_encoder_layer, cfg.attn_layer
        )

    def encode_reference(self, reference_image: torch.Tensor) -> list[torch.Tensor]:
        """Feature pyramid of the reference image; it is the same for every frame, so cache it."""
        return self.source_reference(reference_image)

    def step(
        self,
        target_structure: torch.Tensor,
        reference_image: torch.Tensor,
        reference_structure: torch.Tensor,
        previous_image: torch.Tensor,
        previous_structure: torch.Tensor,
        reference_features: list[torch.Tensor] | None = None,
    ) -> dict[str, object]:
        """Generate one frame. Images (B, 3, H, W) in [-1, 1]; structures (B, 16, H, W).

        Returns ``image`` (B, 3, H, W), ``flows`` and ``masks`` ordered (previous coarse, reference
        coarse, previous fine, reference fine), and ``attn`` (module name -> (B, k², h, w)).
        """
        ref_feats = self.encode_reference(reference_image) if reference_features is None else reference_features
        prev_feats = self.source_previous(previous_image)
        flows, masks = self.flow_net(
            target_structure, previous_image, previous_structure, reference_image, reference_structure
        )
        image, attn = self.target(
            target_structure, [prev_feats, ref_feats], [flows[0::2], flows[1::2]], [masks[0::2], masks[1::2]]
        )
        return {"image": image, "flows": flows, "masks": masks, "attn": attn}

    def forward(
        self,
        frames_structure: torch.Tensor,
        reference_image: torch.Tensor,
        reference_structure: torch.Tensor,
        previous_image: torch.Tensor | None = None,
        previous_structure: torch.Tensor | None = None,
    ) -> dict[str, list]:
        """Generate T frames with the published recurrence. frames_structure (B, T, 16, H, W).

        Frame 0's "previous" is (previous_image, previous_structure), each defaulting to the
        reference; frame t's is the generated frame t-1 with structure t-1. Returns per-frame lists
        ``images``, ``flows``, ``masks``, ``attn`` and ``previous`` (the previous image each frame used).
        """
        return run_recurrence(self, frames_structure, reference_image, reference_structure, previous_image, previous_structure)
