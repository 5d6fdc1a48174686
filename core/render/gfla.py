"""The GFLA pose-transfer renderer (pose_fashion, pose_market) and the tensor helpers every network renderer shares."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar, cast

import numpy as np
import torch
import torch.nn as nn

from core.errors import CheckpointError, RenderError
from core.gfla.accel import Accelerator
from core.gfla.accel.precision import check_precision, layout, precision_context, prepare_model
from core.render import resolve_device
from core.render.base import FrameByFrame, RenderResult, SourceState
from core.render.framing import FrameSpec, Framing, frame_person
from core.render.registry import body_framing, kinds_of
from core.render.targets import PoseTarget
from core.skeleton import Pose


def device_label(device: str) -> str:
    """'cpu' → 'CPU', 'cuda:0' → 'CUDA'."""
    return "CUDA" if device.startswith("cuda") else "CPU"


def image_to_tensor(image: np.ndarray, device: str) -> torch.Tensor:
    """(H, W, 3) uint8 → (1, 3, H, W) float32 in [-1, 1], as ToTensor + Normalize(0.5, 0.5)."""
    t = torch.from_numpy(np.ascontiguousarray(image)).to(device).permute(2, 0, 1).float().div(255.0)
    return ((t - 0.5) / 0.5).unsqueeze(0)  # (1, 3, H, W)


def tensor_to_image(t: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) in [-1, 1] → (H, W, 3) uint8."""
    x = ((t[0].detach().float().cpu().clamp(-1, 1) + 1.0) * 127.5).round()  # (3, H, W)
    return x.to(torch.uint8).permute(1, 2, 0).numpy()


def feature_list(features: Iterable[torch.Tensor]) -> list[torch.Tensor]:
    """The source pyramid as a list; an accelerated model's ``SourceCache`` (a list with cached projections) is kept."""
    return features if isinstance(features, list) else list(features)


def flows_to_numpy(flows: Iterable[torch.Tensor]) -> list[np.ndarray]:
    """[(1, 2, h, w)] → [(2, h, w) float32], x then y in pixels of each flow's own grid."""
    return [f[0].detach().float().cpu().numpy() for f in flows]


def masks_to_numpy(masks: Iterable[torch.Tensor]) -> list[np.ndarray]:
    """[(1, 1, h, w)] → [(h, w) float32]."""
    return [m[0, 0].detach().float().cpu().numpy() for m in masks]


class Named(Protocol):
    """A renderer as a result names it: its display name and checkpoint kind."""

    name: str
    kind: str


def network_result(renderer: Named, out: dict, image: np.ndarray, crop_box: tuple[float, float, float, float] | None,
                   start: float, **extras: object) -> RenderResult:
    """The RenderResult of a network output ``out`` (its ``flows`` and ``masks`` converted): ``image`` (h, w, 3)
    uint8 shown, timed from ``start`` (time.perf_counter()), with the renderer's name and kind and ``extras``."""
    return RenderResult(
        image=image,
        renderer=renderer.name,
        crop_box=crop_box,
        flows=flows_to_numpy(out["flows"]),
        masks=masks_to_numpy(out["masks"]),
        seconds=time.perf_counter() - start,
        extras={"kind": renderer.kind, **extras},
    )


class PoseNetwork(Protocol):
    """What the pose-transfer and view renderers call on their network (plain or accelerated)."""

    def encode_source(self, source: torch.Tensor) -> Iterable[torch.Tensor]: ...

    def __call__(
        self, source: torch.Tensor, source_structure: torch.Tensor, target_structure: torch.Tensor,
        source_features: list[torch.Tensor] | None = None,
    ) -> dict: ...


class StepNetwork(Protocol):
    """What the frame-by-frame (dance and face) renderers call on their network (plain or accelerated)."""

    def encode_reference(self, reference_image: torch.Tensor) -> Iterable[torch.Tensor]: ...

    def step(
        self, target_structure: torch.Tensor, reference_image: torch.Tensor, reference_structure: torch.Tensor,
        previous_image: torch.Tensor, previous_structure: torch.Tensor,
        reference_features: list[torch.Tensor] | None = None,
    ) -> dict: ...


@dataclass
class GFLASourceState(SourceState[Pose]):
    """The framed source and everything the network computes from it alone."""

    framing: Framing | None = None
    source: torch.Tensor | None = None  # (1, 3, H, W) in [-1, 1]
    source_structure: torch.Tensor | None = None  # (1, 18, H, W) heat maps
    features: list[torch.Tensor] = field(default_factory=list)  # source encoder pyramid
    network_image: np.ndarray | None = None  # (H, W, 3) uint8, the framed source at network size


NetT = TypeVar("NetT")  # what a body renderer calls on its network (plain or accelerated): PoseNetwork, StepNetwork


class BodyNetworkRenderer(Generic[NetT]):
    """What every body-network renderer sets up: kind check against the registry, framing, device, inference path, name."""

    WHAT = "a body network"

    def __init__(self, model: nn.Module, kind: str, device: str = "auto", accel: str = "auto",
                 precision: str = "fp32") -> None:
        """``accel``: the inference path (core.gfla.accel): auto, compiled, fast or plain; ``precision``: fp32 or bf16."""
        kinds = kinds_of(f"{type(self).__module__}:{type(self).__name__}")
        if kind not in kinds:
            raise CheckpointError(f"{kind} is not {self.WHAT} (expected one of {kinds})")
        self.device: str = resolve_device(device)
        self.kind: str = kind
        self.spec: FrameSpec = body_framing(kind)
        self.precision: str = check_precision(precision)
        self.accel = Accelerator(prepare_model(model.to(self.device).eval(), self.precision), accel, self.device)
        self.model = cast(NetT, self.accel.model)
        suffix = "" if self.precision == "fp32" else f", {self.precision}"
        self.name: str = f"GFLA {kind} ({device_label(self.device)}{suffix})"


class GFLARenderer(BodyNetworkRenderer[PoseNetwork], FrameByFrame[PoseTarget]):
    """Re-render the person of a photo in a new pose with a pose_fashion or pose_market network.

    ``accel`` picks the inference path (core.gfla.accel): "auto" (the fastest available: compiled
    parts on a CPU with a C++ compiler, built in the background once rendering has taken a few
    seconds; the eager fast path until then), "compiled", "fast", or "plain" (the published
    network as written). The environment variable GFLA_ACCEL replaces "auto".
    """

    WHAT = "a pose-transfer network"
    # render_sequence (export) batches when set > 1; left at 1: 48 frames at batch 8 were 0.83-0.88x frame by
    # frame (slower) on the 2-core CPU (docs/benchmarks.md)
    batch_size = 1
    workers = None  # export renders one frame per core, each on one thread (core.render.concurrent)

    def sequence_workers(self) -> int:
        """One frame per CPU core on the eager paths (``workers`` None); the compiled path and CUDA one at a time."""
        if self.workers is not None:
            return self.workers
        from core.render.concurrent import default_workers

        return default_workers() if self.device == "cpu" and self.accel.label != "compiled" else 1

    def encode_source(self, image: np.ndarray, pose: Pose | np.ndarray) -> GFLASourceState:
        pose = Pose.coerce(pose)
        framing = frame_person(pose, self.spec)
        framed = framing.crop(image)  # (H, W, 3) uint8, validates the image
        heat = framing.heatmaps(pose)  # (18, H, W)
        with torch.inference_mode():
            source = layout(image_to_tensor(framed, self.device), self.precision)  # (1, 3, H, W)
            structure = layout(torch.from_numpy(heat).to(self.device).unsqueeze(0), self.precision)  # (1, 18, H, W)
            with precision_context(self.precision, self.device):
                features = self.model.encode_source(source)
        return GFLASourceState(
            image=image, pose=pose, framing=framing, source=source, source_structure=structure,
            features=feature_list(features), network_image=framed,
        )

    def _state(self, state: SourceState) -> GFLASourceState:
        if not isinstance(state, GFLASourceState) or state.framing is None:
            raise RenderError("this source was prepared by another renderer; encode the photo again")
        return state

    def forward(self, state: GFLASourceState, target: Pose | np.ndarray, use_cache: bool = True) -> dict:
        """The network's raw output dict for a target pose in photo pixels (framed with the source's box)."""
        state = self._state(state)
        framing, source, source_structure = state.framing, state.source, state.source_structure
        assert framing is not None and source is not None and source_structure is not None  # set by encode_source
        heat = framing.heatmaps(Pose.coerce(target))  # (18, H, W)
        with torch.inference_mode(), precision_context(self.precision, self.device):
            target_structure = layout(torch.from_numpy(heat).to(self.device).unsqueeze(0), self.precision)  # (1, 18, H, W)
            return self.model(
                source, source_structure, target_structure,
                source_features=state.features if use_cache else None,
            )

    def render(self, state: SourceState, target: Pose | np.ndarray) -> RenderResult:
        start = time.perf_counter()
        checked = self._state(state)
        return self._result(checked, self.forward(checked, target), start)

    def render_batch(self, state: SourceState, targets: Sequence[Pose | np.ndarray]) -> list[RenderResult]:
        """All ``targets`` in one network call (the fast paths take one source for a batch of targets); equal to
        rendering each within float32 round-off. The plain path renders one at a time."""
        if self.accel.fast is None or len(targets) < 2:
            return [self.render(state, t) for t in targets]
        start = time.perf_counter()
        state = self._state(state)
        framing, source, structure = state.framing, state.source, state.source_structure
        assert framing is not None and source is not None and structure is not None  # set by encode_source
        heat = np.stack([framing.heatmaps(Pose.coerce(t)) for t in targets])  # (B, 18, H, W)
        n = len(targets)
        with torch.inference_mode(), precision_context(self.precision, self.device):
            target_structure = layout(torch.from_numpy(heat).to(self.device), self.precision)
            out = self.model(source.expand(n, -1, -1, -1), structure.expand(n, -1, -1, -1), target_structure,
                             source_features=state.features)
        results = []
        for i in range(n):
            one = {"image": out["image"][i:i + 1], "flows": [f[i:i + 1] for f in out["flows"]],
                   "masks": [m[i:i + 1] for m in out["masks"]]}
            results.append(self._result(state, one, start))
            start = time.perf_counter()  # the first frame carries the batch's network time
        return results

    def _result(self, state: GFLASourceState, out: dict, start: float) -> RenderResult:
        framing = state.framing
        assert framing is not None  # checked by _state
        network_image = tensor_to_image(out["image"])  # (H, W, 3) network size
        image = framing.output_image(network_image)  # (h, w, 3) at the crop box's aspect
        result = network_result(self, out, image, framing.box, start, network_image=network_image,
                                inference=self.accel.label)
        self.accel.after_render(result.seconds)
        return result
