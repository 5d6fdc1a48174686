"""The GFLA face-animation generator (face): edge-map-driven video of a portrait, attending to the previous frame and the reference."""

from __future__ import annotations

import torch
import torch.nn as nn

from core.gfla.configs import FaceConfig
from core.gfla.flow import FlowUNet
from core.gfla.generator import FlowPair
from core.gfla.recurrent import StepInputs, TwoBranchGenerator


class FaceFlowNet(FlowUNet):
    """One flow U-Net predicting both the previous-frame and the reference flow (and masks) at each scale.

    Input: cat(target structure, previous image, previous structure, reference image, reference
    structure) = 3·S + 2·3 channels. Each flow head emits 4 channels (previous x/y, reference x/y),
    each mask head 2 sigmoid channels (previous, reference).
    """

    def __init__(self, cfg: FaceConfig) -> None:
        super().__init__(3 * cfg.structure_nc + 2 * cfg.image_nc, cfg)
        for i in self._heads:  # replace the single-branch heads in place (keeps the published key order)
            width = getattr(self, f"output{i}").in_channels
            setattr(self, f"output{i}", nn.Conv2d(width, 4, kernel_size=3, padding=1))
            setattr(self, f"mask{i}", nn.Sequential(nn.Conv2d(width, 2, kernel_size=3, padding=1), nn.Sigmoid()))

    def forward(
        self,
        target_structure: torch.Tensor,
        previous_image: torch.Tensor,
        previous_structure: torch.Tensor,
        reference_image: torch.Tensor,
        reference_structure: torch.Tensor,
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Images (B, 3, H, W), structures (B, S, H, W) -> flows, masks ordered
        (previous coarse, reference coarse, previous fine, reference fine); flows (B, 2, h, w), masks (B, 1, h, w)."""
        inputs = (target_structure, previous_image, previous_structure, reference_image, reference_structure)
        heads, mask_heads = self.decode(*self.encode(torch.cat(inputs, dim=1)))  # the published input order
        flows: list[torch.Tensor] = []
        masks: list[torch.Tensor] = []
        for flow, mask in zip(heads, mask_heads, strict=True):
            flows.extend(torch.split(flow, 2, dim=1))  # (B, 4, h, w) -> 2 × (B, 2, h, w)
            masks.extend(torch.split(mask, 1, dim=1))  # (B, 2, h, w) -> 2 × (B, 1, h, w)
        return flows, masks


class FaceGenerator(TwoBranchGenerator):
    """Animate a reference portrait along a sequence of 16-channel face structures (see core.face.encoding).

    ``step`` and ``forward`` (the published recurrence) come from core.gfla.recurrent.RecurrentGenerator.
    """

    def __init__(self, cfg: FaceConfig) -> None:
        super().__init__(cfg)
        self.flow_net = FaceFlowNet(cfg)

    def branch_flows(self, x: StepInputs) -> tuple[FlowPair, FlowPair]:
        """One flow network for both branches; its interleaved outputs are split back into the two."""
        flows, masks = self.flow_net(
            x.target_structure, x.previous_image, x.previous_structure, x.reference_image, x.reference_structure
        )
        return (flows[0::2], masks[0::2]), (flows[1::2], masks[1::2])
