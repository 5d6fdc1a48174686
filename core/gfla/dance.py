"""The GFLA sequential animation generator (dance_fashion, dance_iper): each frame attends to the previous frame and the reference."""

from __future__ import annotations

from core.gfla.configs import DanceConfig
from core.gfla.flow import FlowNet
from core.gfla.generator import FlowPair
from core.gfla.recurrent import StepInputs, TwoBranchGenerator


class DanceGenerator(TwoBranchGenerator):
    """Animate a reference image along a sequence of 20-channel structures (17 heat maps + bone image).

    ``step`` and ``forward`` (the published recurrence) come from core.gfla.recurrent.RecurrentGenerator.
    """

    def __init__(self, cfg: DanceConfig) -> None:
        super().__init__(cfg)
        self.flow_net_previous = FlowNet(cfg.image_nc + 2 * cfg.structure_nc, cfg)
        self.flow_net_reference = FlowNet(cfg.image_nc + 2 * cfg.structure_nc, cfg)

    def branch_flows(self, x: StepInputs) -> tuple[FlowPair, FlowPair]:
        """One flow network per branch, each (image, its structure, target structure) -> flows, masks."""
        previous = self.flow_net_previous(x.previous_image, x.previous_structure, x.target_structure)
        reference = self.flow_net_reference(x.reference_image, x.reference_structure, x.target_structure)
        return previous, reference
