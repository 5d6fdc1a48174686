"""The GFLA animation renderer (dance_fashion, dance_iper): frame by frame with the published previous-frame recurrence.

First version: the per-frame skeletons are converted directly from OpenPose-18 to Human3.6M-17
(core.encoding.openpose18_to_h36m17) instead of going through the Motion Extraction Network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from core.encoding import dance20_structure, openpose18_to_h36m17, pose_to_keypoints_2d
from core.errors import RenderError
from core.render.base import FrameAfterFrame, RenderResult, SourceState
from core.render.framing import Framing, frame_person
from core.render.gfla import (
    BodyNetworkRenderer,
    StepNetwork,
    feature_list,
    image_to_tensor,
    network_result,
    tensor_to_image,
)
from core.skeleton import Pose

Previous = tuple[torch.Tensor, torch.Tensor]  # the frame a step attends to: (image (1, 3, S, S), structure (1, 20, S, S))


@dataclass
class DanceSourceState(SourceState[Pose]):
    """The framed reference image, its COCO-17 structure and reference features."""

    framing: Framing | None = None
    reference: torch.Tensor | None = None  # (1, 3, S, S) in [-1, 1]
    reference_structure: torch.Tensor | None = None  # (1, 20, S, S)
    features: list[torch.Tensor] = field(default_factory=list)


class SequentialRenderer(BodyNetworkRenderer[StepNetwork], FrameAfterFrame[Pose | np.ndarray, Previous]):
    """Animate the person of a photo along target poses with a dance_* network."""

    WHAT = "an animation network"

    @property
    def size(self) -> int:
        return self.spec.network_hw[0]

    def _structure(self, framing: Framing, pose: Pose, clean: bool) -> torch.Tensor:
        """(1, 20, S, S): the reference (detected, COCO-17 limbs) or a frame (clean, H36M-17 limbs)."""
        frame_xy = framing.to_frame(pose.xy)  # (18, 2) in the original-frame pixels the loader used
        joints = openpose18_to_h36m17(frame_xy) if clean else frame_xy
        fw, fh = self.spec.frame_wh
        st = dance20_structure(pose_to_keypoints_2d(joints), (fh, fw), self.size, is_clean_pose=clean)
        return torch.from_numpy(st).to(self.device).unsqueeze(0)

    def encode_source(self, image: np.ndarray, pose: Pose | np.ndarray) -> DanceSourceState:
        pose = Pose.coerce(pose)
        framing = frame_person(pose, self.spec)
        framed = framing.crop(image)  # (S, S, 3) uint8
        with torch.inference_mode():
            reference = image_to_tensor(framed, self.device)
            structure = self._structure(framing, pose, clean=False)
            features = self.model.encode_reference(reference)
        return DanceSourceState(
            image=image, pose=pose, framing=framing, reference=reference,
            reference_structure=structure, features=feature_list(features),
        )

    def first(self, state: SourceState) -> tuple[DanceSourceState, Previous]:
        if not isinstance(state, DanceSourceState) or state.reference is None or state.reference_structure is None:
            raise RenderError("this source was prepared by another renderer; encode the photo again")
        return state, (state.reference, state.reference_structure)

    def step(self, state: SourceState, target: Pose | np.ndarray, previous: Previous) -> tuple[RenderResult, Previous]:
        start = time.perf_counter()
        assert isinstance(state, DanceSourceState)  # checked by first
        framing, reference, reference_structure = state.framing, state.reference, state.reference_structure
        assert framing is not None and reference is not None and reference_structure is not None  # set by encode_source
        with torch.inference_mode():
            structure = self._structure(framing, Pose.coerce(target), clean=True)  # (1, 20, S, S)
            out = self.model.step(
                structure, reference, reference_structure, previous[0], previous[1],
                reference_features=state.features,
            )
        network_image = tensor_to_image(out["image"])
        result = network_result(self, out, framing.output_image(network_image), framing.box, start,
                                network_image=network_image, inference=self.accel.label)
        self.accel.after_render(result.seconds)
        return result, (out["image"], structure)
