"""The GFLA sequential animation generator (dance_fashion, dance_iper): each frame attends to the previous frame and the reference."""

from __future__ import annotations

import torch
import torch.nn as nn

from core.gfla.configs import DanceConfig
from core.gfla.flow import FlowNet
from core.gfla.generator import SourceEncoder, TargetNet


class DanceGenerator(nn.Module):
    """Animate a reference image along a sequence of 20-channel structures (17 heat maps + bone image)."""

    def __init__(self, cfg: DanceConfig) -> None:
        super().__init__()
        self.config = cfg
        self.source_previous = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.source_reference = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.target = TargetNet(cfg, branches=("_p", "_r"))
        flow_args = (
            cfg.image_nc + 2 * cfg.structure_nc,
            cfg.flow_ngf,
            cfg.flow_img_f,
            cfg.flow_encoder_layer,
            cfg.attn_layer,
        )
        self.flow_net_previous = FlowNet(*flow_args)
        self.flow_net_reference = FlowNet(*flow_args)

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
        """Generate one frame. Images (B, 3, H, W) in [-1, 1]; structures (B, 20, H, W).

        Returns ``image`` (B, 3, H, W), ``flows`` and ``masks`` ordered (previous coarse, reference
        coarse, previous fine, reference fine), and ``attn`` (module name -> (B, k², h, w)).
        """
        ref_feats = self.encode_reference(reference_image) if reference_features is None else reference_features
        prev_feats = self.source_previous(previous_image)
        flows_p, masks_p = self.flow_net_previous(previous_image, previous_structure, target_structure)
        flows_r, masks_r = self.flow_net_reference(reference_image, reference_structure, target_structure)
        image, attn = self.target(target_structure, [prev_feats, ref_feats], [flows_p, flows_r], [masks_p, masks_r])
        flows = [f for pair in zip(flows_p, flows_r, strict=True) for f in pair]
        masks = [m for pair in zip(masks_p, masks_r, strict=True) for m in pair]
        return {"image": image, "flows": flows, "masks": masks, "attn": attn}

    def forward(
        self,
        frames_structure: torch.Tensor,
        reference_image: torch.Tensor,
        reference_structure: torch.Tensor,
        previous_image: torch.Tensor | None = None,
        previous_structure: torch.Tensor | None = None,
    ) -> dict[str, list]:
        """Generate T frames with the published recurrence. frames_structure (B, T, 20, H, W).

        Frame 0's "previous" is (previous_image, previous_structure), defaulting to the reference;
        frame t's is the generated frame t-1 with structure t-1. Returns per-frame lists
        ``images``, ``flows``, ``masks``, ``attn`` and ``previous`` (the previous image each frame used).
        """
        return run_recurrence(self, frames_structure, reference_image, reference_structure, previous_image, previous_structure)


def run_recurrence(
    model: nn.Module,
    frames_structure: torch.Tensor,
    reference_image: torch.Tensor,
    reference_structure: torch.Tensor,
    previous_image: torch.Tensor | None = None,
    previous_structure: torch.Tensor | None = None,
) -> dict[str, list]:
    """The published previous-frame recurrence over ``model.step`` (dance and face generators share it).

    frames_structure (B, T, C, H, W). Frame 0's "previous" is (previous_image, previous_structure),
    each defaulting to the reference; frame t's is the generated frame t-1 with structure t-1.
    """
    prev_img = reference_image if previous_image is None else previous_image
    prev_st = reference_structure if previous_structure is None else previous_structure
    ref_feats = model.encode_reference(reference_image)
    result: dict[str, list] = {"images": [], "flows": [], "masks": [], "attn": [], "previous": []}
    for t in range(frames_structure.shape[1]):
        target = frames_structure[:, t]  # (B, C, H, W)
        out = model.step(target, reference_image, reference_structure, prev_img, prev_st, ref_feats)
        result["previous"].append(prev_img)
        result["images"].append(out["image"])
        for key in ("flows", "masks", "attn"):
            result[key].append(out[key])
        prev_img, prev_st = out["image"], target
    return result
