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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import numpy as np
import torch
import torch.nn as nn

from core.errors import Cancelled, CheckpointError, RenderError
from core.face.encoding import face_structure, frame_to_input, upper_face_points
from core.face.layout import FACE68
from core.render import resolve_device
from core.render.base import CancelFn, ProgressFn, RenderResult, SourceState
from core.render.gfla import StepNetwork, device_label, flows_to_numpy, masks_to_numpy, tensor_to_image

FACE_BOX_SCALE = 1.6  # crop side / the head's larger side (an estimate: the published crop is unknown)
LOAD_SIZE = 256  # the published face network's input size

_NEEDED = {
    "face": "face animation needs the published face checkpoint (latest_net_G.pth from face_checkpoints)",
    "shapenet": "view synthesis needs the published ShapeNet checkpoint (latest_net_G.pth from "
    "shape_net_car_checkpoints or shape_net_chair_checkpoints)",
}


def locate_checkpoint(kind: str, path: str | os.PathLike | None = None) -> Path:
    """``path`` if given, else the newest imported checkpoint of ``kind``; CheckpointError (one line) if none."""
    if path:
        return Path(path)
    from core.weights_store import find_weights

    found = find_weights(kind)
    if found:
        return found[0].path()
    raise CheckpointError(
        f"{_NEEDED.get(kind, f'this needs a {kind} checkpoint')}: import it with "
        "`python main.py weights import PATH` (see weights/README.md)"
    )


def load_kind(path: str | os.PathLike, kind: str, device: str) -> nn.Module:
    """Load ``path`` strictly and check that it is a ``kind`` network."""
    from core.gfla.checkpoint import load_model

    loaded = load_model(path, device=device)
    if loaded.kind != kind:
        raise CheckpointError(f"{Path(path).name} is a {loaded.kind} checkpoint, not the {kind} network this needs")
    return loaded.model


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


class FaceRenderer:
    """Re-render a portrait with target face landmarks using the published face-animation network."""

    kind = "face"

    def __init__(self, model: nn.Module, device: str = "auto", load_size: int = LOAD_SIZE,
                 box_scale: float = FACE_BOX_SCALE) -> None:
        self.device = resolve_device(device)
        # a FaceGenerator: nn.Module's typing hides its encode_reference/step behind __getattr__
        self.model = cast(StepNetwork, model.to(self.device).eval())
        self.load_size = int(load_size)
        self.box_scale = float(box_scale)
        self.name = f"GFLA face ({device_label(self.device)})"

    def encode_source(self, image: np.ndarray, pose: np.ndarray | None = None) -> FaceSourceState:
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

    def _check(self, state: SourceState) -> FaceSourceState:
        if not isinstance(state, FaceSourceState) or state.box is None:
            raise RenderError("this source was prepared by another renderer; encode the portrait again")
        return state

    def target_structure(self, state: FaceSourceState, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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

    def _step(
        self, state: FaceSourceState, target: np.ndarray, previous: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[RenderResult, tuple[torch.Tensor, torch.Tensor]]:
        start = time.perf_counter()
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
        result = RenderResult(
            image=network_image,
            renderer=self.name,
            crop_box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])),
            flows=flows_to_numpy(out["flows"]),
            masks=masks_to_numpy(out["masks"]),
            seconds=time.perf_counter() - start,
            extras={"kind": self.kind, "network_image": network_image, "edge_image": edges,
                    "flow_order": ("previous 1/8", "reference 1/8", "previous 1/4", "reference 1/4")},
        )
        return result, (out["image"], structure)

    def render(self, state: SourceState, target: np.ndarray) -> RenderResult:
        """One frame whose "previous" frame is the portrait itself (as the first frame of a published clip)."""
        state = self._check(state)
        reference, reference_structure = state.reference, state.reference_structure
        assert reference is not None and reference_structure is not None  # set by encode_source
        result, _ = self._step(state, target, (reference, reference_structure))
        return result

    def render_sequence(
        self,
        state: SourceState,
        targets: Iterable[np.ndarray],
        progress: ProgressFn | None = None,
        cancel: CancelFn | None = None,
    ) -> Iterator[RenderResult]:
        """Frame t attends to the generated frame t-1 (and its structure) and to the portrait; frame 0 to the portrait twice."""
        state = self._check(state)
        total = len(targets) if hasattr(targets, "__len__") else -1  # type: ignore[arg-type]
        reference, reference_structure = state.reference, state.reference_structure
        assert reference is not None and reference_structure is not None  # set by encode_source
        previous = (reference, reference_structure)
        for i, target in enumerate(targets):
            if cancel is not None and cancel():
                raise Cancelled("rendering cancelled")
            result, previous = self._step(state, target, previous)
            yield result
            if progress is not None:
                progress(i + 1, total)


def open_face_renderer(path: str | os.PathLike | None, device: str = "auto") -> FaceRenderer:
    """The face renderer for a checkpoint (None: the newest imported ``face`` weights), loaded strictly."""
    device = resolve_device(device)
    return FaceRenderer(load_kind(locate_checkpoint("face", path), "face", device), device)
