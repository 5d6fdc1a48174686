"""The recurrent-generator base: one step and one previous-frame recurrence for the dance and face generators.

A recurrent generator renders frame t from its target structure, the reference image (with its feature
pyramid, computed once) and the previous frame (the generated frame t-1; the reference for frame 0).
``RecurrentGenerator`` writes ``step`` and ``forward`` once over four hooks; ``TwoBranchGenerator`` holds
the parts the published dance and face networks share (an encoder per branch and a two-branch TargetNet),
so those two only say how their flow networks are run. The accelerated wrapper (core.gfla.accel) overrides
the hooks to run its own parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import torch
import torch.nn as nn

from core.gfla.configs import DanceConfig, FaceConfig
from core.gfla.generator import Branches, Decoded, FlowPair, SourceEncoder, TargetNet


class StepInputs(NamedTuple):
    """What one frame's flows are computed from. Images (B, 3, H, W) in [-1, 1]; structures (B, C, H, W)."""

    target_structure: torch.Tensor
    reference_image: torch.Tensor
    reference_structure: torch.Tensor
    previous_image: torch.Tensor
    previous_structure: torch.Tensor


def interleave(previous: Sequence[torch.Tensor], reference: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """[p0, r0, p1, r1, …]: the published (previous coarse, reference coarse, previous fine, …) order."""
    return [t for pair in zip(previous, reference, strict=True) for t in pair]


class RecurrentGenerator(nn.Module):
    """``step`` (one frame) and ``forward`` (the published recurrence over T frames) over four hooks."""

    def encode_reference(self, reference_image: torch.Tensor) -> list[torch.Tensor]:
        """Feature pyramid of the reference image (B, 3, H, W); the same for every frame, so callers cache it."""
        raise NotImplementedError

    def encode_previous(self, previous_image: torch.Tensor) -> list[torch.Tensor]:
        """Feature pyramid of the previous frame (B, 3, H, W)."""
        raise NotImplementedError

    def branch_flows(self, x: StepInputs) -> tuple[FlowPair, FlowPair]:
        """(previous branch, reference branch) flows and masks toward the target structure."""
        raise NotImplementedError

    def decode(self, target_structure: torch.Tensor, features: Branches, flows: Branches, masks: Branches) -> Decoded:
        """The target network over both branches: (image (B, 3, H, W), attention weights by module name)."""
        raise NotImplementedError

    def step(
        self,
        target_structure: torch.Tensor,
        reference_image: torch.Tensor,
        reference_structure: torch.Tensor,
        previous_image: torch.Tensor,
        previous_structure: torch.Tensor,
        reference_features: list[torch.Tensor] | None = None,
    ) -> dict[str, object]:
        """Generate one frame. Images (B, 3, H, W) in [-1, 1]; structures (B, C, H, W).

        Returns ``image`` (B, 3, H, W), ``flows`` and ``masks`` ordered (previous coarse, reference
        coarse, previous fine, reference fine), and ``attn`` (module name -> (B, k², h, w)).
        """
        ref_feats = self.encode_reference(reference_image) if reference_features is None else reference_features
        prev_feats = self.encode_previous(previous_image)
        inputs = StepInputs(target_structure, reference_image, reference_structure, previous_image, previous_structure)
        (flows_p, masks_p), (flows_r, masks_r) = self.branch_flows(inputs)
        image, attn = self.decode(target_structure, [prev_feats, ref_feats], [flows_p, flows_r], [masks_p, masks_r])
        return {"image": image, "flows": interleave(flows_p, flows_r), "masks": interleave(masks_p, masks_r),
                "attn": attn}

    def forward(
        self,
        frames_structure: torch.Tensor,
        reference_image: torch.Tensor,
        reference_structure: torch.Tensor,
        previous_image: torch.Tensor | None = None,
        previous_structure: torch.Tensor | None = None,
    ) -> dict[str, list[object]]:
        """Generate T frames with the published recurrence. frames_structure (B, T, C, H, W).

        Frame 0's "previous" is (previous_image, previous_structure), each defaulting to the
        reference; frame t's is the generated frame t-1 with structure t-1. Returns per-frame lists
        ``images``, ``flows``, ``masks``, ``attn`` and ``previous`` (the previous image each frame used).
        """
        prev_img = reference_image if previous_image is None else previous_image
        prev_st = reference_structure if previous_structure is None else previous_structure
        ref_feats = self.encode_reference(reference_image)
        result: dict[str, list[object]] = {"images": [], "flows": [], "masks": [], "attn": [], "previous": []}
        for t in range(frames_structure.shape[1]):
            target = frames_structure[:, t]  # (B, C, H, W)
            out = self.step(target, reference_image, reference_structure, prev_img, prev_st, ref_feats)
            image = out["image"]
            assert isinstance(image, torch.Tensor)  # step's contract
            result["previous"].append(prev_img)
            result["images"].append(image)
            for key in ("flows", "masks", "attn"):
                result[key].append(out[key])
            prev_img, prev_st = image, target
        return result


class TwoBranchGenerator(RecurrentGenerator):
    """The published recurrent networks' shared parts: ``source_previous``, ``source_reference`` and ``target``."""

    def __init__(self, cfg: DanceConfig | FaceConfig) -> None:
        super().__init__()
        self.config = cfg
        self.source_previous = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.source_reference = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.target = TargetNet(cfg, branches=("_p", "_r"))

    def encode_reference(self, reference_image: torch.Tensor) -> list[torch.Tensor]:
        return self.source_reference(reference_image)

    def encode_previous(self, previous_image: torch.Tensor) -> list[torch.Tensor]:
        return self.source_previous(previous_image)

    def decode(self, target_structure: torch.Tensor, features: Branches, flows: Branches, masks: Branches) -> Decoded:
        return self.target(target_structure, features, flows, masks)
