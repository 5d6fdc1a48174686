"""Optimised inference wrappers of the GFLA generators, with the same call contract as the plain networks.

They share the plain network's weights, replace each local-attention layer by ``FastLocalAttention``
and run the convolutional parts as named tensor-in, tensor-out *parts* (the flow network(s), the
target stem and the stages between attention steps). ``run`` maps each part's name to the callable
that executes it: the module itself (eager) until a backend swaps in a compiled version.

Everything that depends on the source image alone (the feature pyramid and each attention layer's
per-offset projection of it) is computed once by ``encode_source`` / ``encode_reference`` and
returned as a ``SourceCache``: a list (the plain pyramid) with the projections attached. A plain
list of features is accepted too; its projections are then computed on each call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import torch
import torch.nn as nn

from core.gfla.accel.attention import FastLocalAttention
from core.gfla.accel.stages import build_stages
from core.gfla.dance import DanceGenerator
from core.gfla.generator import Branches, Decoded, FlowPair, PoseGenerator, SingleSourceGenerator, TargetNet
from core.gfla.recurrent import RecurrentGenerator, StepInputs


class SourceCache(list):
    """A source feature pyramid (deepest first, image last) plus ``projections``: attention step -> table."""

    projections: dict[int, torch.Tensor]

    def __init__(self, features: list[torch.Tensor], projections: dict[int, torch.Tensor]) -> None:
        super().__init__(features)
        self.projections = projections


class FastTargetNet(nn.Module):
    """``TargetNet.forward`` as stem → (attention gathers → stage) per attention step."""

    def __init__(self, target: TargetNet) -> None:
        super().__init__()
        self.plain = target
        self.attn = nn.ModuleDict(
            {
                f"{name}{i}": FastLocalAttention(getattr(target, f"attn{name}{i}"))
                for i in target.attn_steps
                for name in target.branches
            }
        )
        stem, stages = build_stages(target, self.attn)
        self.stem = stem
        self.stages = nn.ModuleList(stages)

    def parts(self) -> dict[str, nn.Module]:
        return {"stem": self.stem, **{f"stage{j}": s for j, s in enumerate(self.stages)}}

    def cache(self, features: list[torch.Tensor], branch: str) -> SourceCache:
        """Attach the projections of ``branch``'s attention layers to a source pyramid."""
        if isinstance(features, SourceCache):
            return features
        proj = {i: self.project(f"{branch}{i}", features[i]) for i in self.plain.attn_steps}
        return SourceCache(list(features), proj)

    def project(self, layer: str, features: torch.Tensor) -> torch.Tensor:
        """The per-offset projection table of attention layer ``layer`` (branch + step) for source ``features``."""
        return cast(FastLocalAttention, self.attn[layer]).project(features)

    def forward(
        self,
        structure: torch.Tensor,
        features: list[list[torch.Tensor]],
        flows: list[list[torch.Tensor]],
        masks: list[list[torch.Tensor]],
        run: dict[str, Callable] | None = None,
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Same inputs and outputs as ``TargetNet.forward``; ``run`` overrides how the parts execute."""
        run = self.parts() if run is None else run
        net = self.plain
        nb = len(net.branches)
        outs = run["stem"](structure)
        attn: dict[str, torch.Tensor] = {}
        for n, i in enumerate(net.attn_steps):
            sources = [feats[i] for feats in features]
            tables = [
                feats.projections[i] if isinstance(feats, SourceCache) else self.project(f"{name}{i}", feats[i])
                for feats, name in zip(features, net.branches, strict=True)
            ]
            stream, hidden = outs[0], outs[1 : 1 + nb]
            step_flows = [f[n] for f in flows]
            step_masks = [m[n] for m in masks]
            outs = run[f"stage{n}"](stream, *hidden, *sources, *tables, *step_flows, *step_masks)
            for b, name in enumerate(net.branches):
                attn[f"target.attn{name}{i}"] = outs[len(outs) - nb + b]
            outs = outs[: len(outs) - nb]
        return outs[0], attn


class EncodeWithProjections(nn.Module):
    """A source encoder followed by the projections its branch's attention layers need: image -> (pyramid..., tables...)."""

    def __init__(self, encoder: nn.Module, target: FastTargetNet, branch: str) -> None:
        super().__init__()
        self.encoder = encoder
        self.steps = list(target.plain.attn_steps)
        self.layers = nn.ModuleList([target.attn[f"{branch}{i}"] for i in self.steps])

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, ...]:
        features = self.encoder(image)
        return (*features, *[cast(FastLocalAttention, layer).project(features[i])
                             for i, layer in zip(self.steps, self.layers, strict=True)])

    def as_cache(self, outputs: tuple[torch.Tensor, ...]) -> SourceCache:
        n = len(outputs) - len(self.steps)
        return SourceCache(list(outputs[:n]), dict(zip(self.steps, outputs[n:], strict=True)))


class _Accelerated(nn.Module):
    """Common part: ``parts()`` lists the swappable modules, ``run`` holds how each executes."""

    target: FastTargetNet

    def parts(self) -> dict[str, nn.Module]:
        raise NotImplementedError

    def reset_run(self) -> None:
        self.run: dict[str, Callable] = dict(self.parts())


class FastPoseGenerator(SingleSourceGenerator, _Accelerated):
    """Optimised ``PoseGenerator``: ``encode_source`` once per photo, then ``forward`` per target pose.

    ``forward`` (same contract as ``PoseGenerator.forward``; ``source_features`` may come from either
    network) is SingleSourceGenerator's; the hooks here run the parts through ``run``.
    """

    def __init__(self, model: PoseGenerator) -> None:
        super().__init__()
        self.config = model.config
        self.plain = model
        self.target = FastTargetNet(model.target)
        self.reset_run()

    def parts(self) -> dict[str, nn.Module]:
        return {"flow": self.plain.flow_net, **self.target.parts()}

    def encode_source(self, source: torch.Tensor) -> SourceCache:
        """The source pyramid and the attention projections of it (B, 3, H, W) -> ``SourceCache``."""
        return self.target.cache(self.plain.source(source), "")

    def source_flows(self, source: torch.Tensor, source_structure: torch.Tensor, target_structure: torch.Tensor) -> FlowPair:
        return self.run["flow"](source, source_structure, target_structure)

    def decode(self, target_structure: torch.Tensor, features: list[torch.Tensor], flows: list[torch.Tensor],
               masks: list[torch.Tensor]) -> Decoded:
        return self.target(target_structure, [features], [flows], [masks], self.run)


class FastDanceGenerator(RecurrentGenerator, _Accelerated):
    """Optimised ``DanceGenerator``: the reference's projections are cached, the previous frame's computed per step.

    ``step`` and ``forward`` are RecurrentGenerator's; the hooks here run the parts through ``run``.
    """

    def __init__(self, model: DanceGenerator) -> None:
        super().__init__()
        self.config = model.config
        self.plain = model
        self.target = FastTargetNet(model.target)
        self.previous_encoder = EncodeWithProjections(model.source_previous, self.target, "_p")
        self.reset_run()

    def parts(self) -> dict[str, nn.Module]:
        p = self.plain
        return {
            "flow_previous": p.flow_net_previous,
            "flow_reference": p.flow_net_reference,
            "encode_previous": self.previous_encoder,
            **self.target.parts(),
        }

    def encode_reference(self, reference_image: torch.Tensor) -> SourceCache:
        return self.target.cache(self.plain.source_reference(reference_image), "_r")

    def encode_previous(self, previous_image: torch.Tensor) -> SourceCache:
        return self.previous_encoder.as_cache(tuple(self.run["encode_previous"](previous_image)))

    def branch_flows(self, x: StepInputs) -> tuple[FlowPair, FlowPair]:
        previous = self.run["flow_previous"](x.previous_image, x.previous_structure, x.target_structure)
        reference = self.run["flow_reference"](x.reference_image, x.reference_structure, x.target_structure)
        return previous, reference

    def decode(self, target_structure: torch.Tensor, features: Branches, flows: Branches, masks: Branches) -> Decoded:
        return self.target(target_structure, features, flows, masks, self.run)
