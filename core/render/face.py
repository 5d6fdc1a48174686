"""The GFLA face renderer: a portrait re-rendered with moved face landmarks (68-point layout), alone or as a video.

Framing. The published face network saw FaceForensics video frames cropped "so that the face
dominates" (the crop itself is not published), each frame resized to 256 × 256. Here a square box
around the head (the 68 landmarks plus the 15 upper-face points the loader adds) is cut from the
portrait at its own resolution, ``FACE_BOX_SCALE`` times the head's larger side, padded by repeating
the border where it leaves the photo. That crop plays the loader's video frame: the structure input
is built from it exactly as the loader does (core.face.encoding.face_structure) and it is resized
bicubic to the network size (core.face.encoding.frame_to_input).

Targets. A target frame's structure is encoded on the portrait's crop: only the frame's background
Canny edges come from it. They are kept where neither the target face nor the portrait's own face is
(the loader, which sees the real target frame, masks by the target face alone; the portrait's face
area is not background in a frame where the face has moved).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import cast

import numpy as np
import torch
import torch.nn as nn

from core.errors import CheckpointError, RenderError
from core.face.encoding import face_structure, frame_to_input, upper_face_points
from core.face.layout import FACE68
from core.render import resolve_device
from core.render.base import FrameAfterFrame, RenderResult, SourceState
from core.render.framing import FACE_BOX_SCALE
from core.render.gfla import StepNetwork, device_label, network_result, tensor_to_image
from core.render.registry import locate_checkpoint
from core.render.targets import FaceTarget

LOAD_SIZE = 256  # the published face network's input size
Previous = tuple[torch.Tensor, torch.Tensor]  # the frame a step attends to: (image (1, 3, S, S), structure (1, 16, S, S))
__all__ = ["FACE_BOX_SCALE", "LOAD_SIZE", "FaceRenderer", "FaceSourceState", "crop_box", "face_box", "locate_checkpoint",
           "open_face_renderer"]

def face_box(landmarks: np.ndarray, scale: float = FACE_BOX_SCALE) -> tuple[int, int, int, int]:
    """Square (x0, y0, x1, y1) integer box around the head, ``scale`` times its larger side."""
    head = upper_face_points(landmarks)  # (83, 2), validates the 68 landmarks
    lo, hi = head.min(axis=0), head.max(axis=0)
    side = max(8, int(round(scale * float(max(hi - lo)))))
    cx, cy = (lo + hi) / 2.0
    x0, y0 = int(round(cx - side / 2.0)), int(round(cy - side / 2.0))
    return x0, y0, x0 + side, y0 + side


def crop_box(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """(side, side, 3) uint8 cut of ``image`` at ``box``, repeating the border outside the photo."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or min(image.shape[:2]) < 1:
        raise RenderError(f"the portrait must be an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")
    h, w = image.shape[:2]
    rows = np.clip(np.arange(box[1], box[3]), 0, h - 1)
    cols = np.clip(np.arange(box[0], box[2]), 0, w - 1)
    return np.ascontiguousarray(image[rows][:, cols])


@dataclass
class FaceSourceState(SourceState[np.ndarray]):
    """The framed portrait and what the network computes from it alone. ``pose`` holds the (68, 2) landmarks."""

    landmarks: np.ndarray | None = None  # (68, 2) float64 in photo pixels
    box: tuple[int, int, int, int] | None = None  # the square crop in photo pixels
    region: np.ndarray | None = None  # (side, side, 3) uint8, the crop at the photo's resolution
    reference: torch.Tensor | None = None  # (1, 3, S, S) in [-1, 1]
    reference_structure: torch.Tensor | None = None  # (1, 16, S, S)
    source_labels: np.ndarray | None = None  # (S, S) uint8 face-part labels of the portrait
    features: list[torch.Tensor] = field(default_factory=list)  # reference encoder pyramid
    network_image: np.ndarray | None = None  # (S, S, 3) uint8, the reference at network size


class FaceRenderer(FrameAfterFrame[FaceTarget, Previous]):
    """Re-render a portrait with target face landmarks using the published face-animation network.

    ``kind`` must be "face"; ``accel`` is accepted for the registry's common call and ignored (the face
    network runs as published).
    """

    kind = "face"

    def __init__(self, model: nn.Module, kind: str = "face", device: str = "auto", accel: str = "plain",
                 load_size: int = LOAD_SIZE, box_scale: float = FACE_BOX_SCALE) -> None:
        if kind != self.kind:
            raise CheckpointError(f"{kind} is not the face-animation network")
        self.device = resolve_device(device)
        # a FaceGenerator: nn.Module's typing hides its encode_reference/step behind __getattr__
        self.model = cast(StepNetwork, model.to(self.device).eval())
        self.load_size = int(load_size)
        self.box_scale = float(box_scale)
        self.name = f"GFLA face ({device_label(self.device)})"

    def encode_source(self, image: np.ndarray, pose: FaceTarget | np.ndarray | None = None) -> FaceSourceState:
        """Frame the portrait around its face; ``pose`` is its (68, 2) landmarks (None: detect them)."""
        if pose is None:
            from core.detect.face_mesh import detect_face

            pose = detect_face(image).landmarks
        landmarks = FACE68.check(pose)
        box = face_box(landmarks, self.box_scale)
        region = crop_box(image, box)
        local = landmarks - np.array(box[:2], dtype=np.float64)
        st = face_structure(local, region, self.load_size)
        with torch.inference_mode():
            reference = torch.from_numpy(frame_to_input(region, self.load_size)).to(self.device).unsqueeze(0)
            structure = torch.from_numpy(st.as_float()).to(self.device).unsqueeze(0)  # (1, 16, S, S)
            features = self.model.encode_reference(reference)
        return FaceSourceState(
            image=image, pose=landmarks, landmarks=landmarks, box=box, region=region, reference=reference,
            reference_structure=structure, source_labels=st.label_map, features=list(features),
            network_image=tensor_to_image(reference),
        )

    def first(self, state: SourceState) -> tuple[FaceSourceState, Previous]:
        if not isinstance(state, FaceSourceState) or state.reference is None or state.reference_structure is None:
            raise RenderError("this source was prepared by another renderer; encode the portrait again")
        return state, (state.reference, state.reference_structure)

    def target_structure(self, state: FaceSourceState, landmarks: FaceTarget | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(16, S, S) float32 network structure of target landmarks (photo pixels) and its (S, S) uint8 edge image."""
        box, region = state.box, state.region
        assert box is not None and region is not None  # set by encode_source
        local = FACE68.check(landmarks) - np.array(box[:2], dtype=np.float64)
        st = face_structure(local, region, self.load_size)
        background = st.canny & (st.label_map == 0) & (state.source_labels == 0)
        edges = st.face_edges + (background * 255).astype(np.uint8)  # uint8, as the loader adds
        codes = st.codes.copy()
        codes[0] = edges
        return replace(st, codes=codes, edge_image=edges).as_float(), edges

    def step(self, state: SourceState, target: FaceTarget | np.ndarray, previous: Previous) -> tuple[RenderResult, Previous]:
        start = time.perf_counter()
        assert isinstance(state, FaceSourceState)  # checked by first
        box, reference, reference_structure = state.box, state.reference, state.reference_structure
        assert box is not None and reference is not None and reference_structure is not None  # set by encode_source
        structure_np, edges = self.target_structure(state, target)
        with torch.inference_mode():
            structure = torch.from_numpy(structure_np).to(self.device).unsqueeze(0)  # (1, 16, S, S)
            out = self.model.step(
                structure, reference, reference_structure, previous[0], previous[1],
                reference_features=state.features,
            )
        network_image = tensor_to_image(out["image"])  # (S, S, 3)
        crop = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
        result = network_result(self, out, network_image, crop, start, network_image=network_image, edge_image=edges,
                                flow_order=("previous 1/8", "reference 1/8", "previous 1/4", "reference 1/4"))
        return result, (out["image"], structure)


def open_face_renderer(path: str | os.PathLike | None, device: str = "auto") -> FaceRenderer:
    """The face renderer for a checkpoint (None: the newest imported ``face`` weights), loaded strictly."""
    from core.render.registry import build_renderer

    renderer = build_renderer(path, device, kind="face", subject="face")
    assert isinstance(renderer, FaceRenderer)  # the face record's class
    return renderer
