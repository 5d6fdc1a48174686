"""The target branch of a GFLA generator cut into tensor-in, tensor-out stages between its attention steps.

Every stage is a plain ``nn.Module`` whose inputs and outputs are tensors, so a backend can run it
eagerly, through ``torch.compile`` or as an exported graph; only the data-dependent gathers of the
local attention run in between. The stages reuse the plain network's modules (shared weights).

Decoder step ``i`` of ``TargetNet`` first blends attended source features into the stream when
``i`` is an attention step, then runs ``decoder<i>``. The stem runs the structure encoder and the
decoders before the first attention step; stage ``j`` blends at attention step ``a_j`` and runs the
decoders up to the next attention step. Each stage ends with the target halves of the next step's
attention convolutions (``FastLocalAttention.target_half``), or with the output convolution.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import torch
import torch.nn as nn
import torch.nn.functional as F

from core.gfla.accel.attention import FastLocalAttention
from core.gfla.blocks import LEAK, ReflectConv
from core.gfla.generator import TargetNet


def _fast(layers: nn.ModuleList) -> Iterable[FastLocalAttention]:
    """The layers of a list that holds FastLocalAttention layers only (the stages build it so), as typed."""
    return cast(Iterable[FastLocalAttention], layers)


class FastOutConv(nn.Module):
    """``ReflectConv`` (act → reflection pad → k×k conv → tanh) for few output channels, as one matrix product.

    A convolution with 3 output channels keeps oneDNN's kernels mostly idle. Instead every tap's
    weights are applied at once (a (k²·O, C) @ (C, H·W) product); reflection padding commutes with
    that per-pixel product, so the k² shifted slices of the padded result are summed afterwards.
    """

    weight: torch.Tensor
    bias: torch.Tensor

    def __init__(self, layer: ReflectConv) -> None:
        super().__init__()
        conv = layer.conv1
        if conv.bias is None:
            raise TypeError("FastOutConv needs a ReflectConv whose convolution has a bias")
        out_c, in_c, k, _ = conv.weight.shape
        self.k, self.out_c = k, out_c
        self.tanh = isinstance(layer.model[-1], nn.Tanh)
        self.register_buffer("weight", conv.weight.detach().permute(2, 3, 0, 1).reshape(k * k * out_c, in_c).clone())
        self.register_buffer("bias", conv.bias.detach().clone().view(1, out_c, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        k, o, p = self.k, self.out_c, self.k // 2
        taps = torch.matmul(self.weight, F.leaky_relu(x, LEAK).reshape(b, c, h * w))  # (B, k²·O, H·W)
        taps = F.pad(taps.view(b, k * k * o, h, w), (p, p, p, p), mode="reflect")  # (B, k²·O, H+2p, W+2p)
        out = self.bias.expand(b, o, h, w)
        for i in range(k):
            for j in range(k):
                t = (i * k + j) * o
                out = out + taps[:, t : t + o, i : i + h, j : j + w]
        return torch.tanh(out) if self.tanh else out


class Stem(nn.Module):
    """structure (B, S, H, W) -> (stream, target half of each branch's first attention conv...)."""

    def __init__(self, net: TargetNet, heads: list[FastLocalAttention]) -> None:
        super().__init__()
        self.net = net
        self.stop = net.attn_steps[0] if net.attn_steps else net.layers
        self.heads = nn.ModuleList(heads)
        self.outconv = FastOutConv(net.outconv)

    def forward(self, structure: torch.Tensor) -> tuple[torch.Tensor, ...]:
        net = self.net
        out = net.block0(structure)
        for i in range(net.layers - 1):
            out = getattr(net, f"encoder{i}")(out)
        for i in range(self.stop):
            out = getattr(net, f"decoder{i}")(out)
        if not self.heads:
            return (self.outconv(out),)
        return (out, *[h.target_half(out) for h in _fast(self.heads)])


class Stage(nn.Module):
    """One attention step: gather and blend the attended source features, then decode up to the next step.

    Inputs: the stream (B, C, h, w), then per branch the target half of its attention conv, the
    source feature, its projection table, the flow and the mask. Outputs: the next stage's stream
    and target halves (or the image, at the end), then each branch's softmax attention weights.
    """

    def __init__(
        self,
        net: TargetNet,
        start: int,
        stop: int,
        attention: list[FastLocalAttention],
        heads: list[FastLocalAttention],
    ) -> None:
        super().__init__()
        self.net = net
        self.start, self.stop = start, stop
        self.attention = nn.ModuleList(attention)
        self.heads = nn.ModuleList(heads)
        self.outconv = FastOutConv(net.outconv)

    def forward(self, out: torch.Tensor, *branch_inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        nb = len(self.attention)
        hidden, sources, tables, flows, masks = (branch_inputs[i * nb : (i + 1) * nb] for i in range(5))
        blended = None
        weights = []
        for b, layer in enumerate(_fast(self.attention)):
            sampled, w = layer.attend(sources[b], hidden[b], flows[b], tables[b])
            m = masks[b]  # (B, 1, h, w)
            term = out * (1 - m) + sampled * m  # (B, C, h, w)
            blended = term if blended is None else blended + term
            weights.append(w)
        if blended is None:
            raise ValueError("a stage blends at least one branch")
        out = blended
        for i in range(self.start, self.stop):
            out = getattr(self.net, f"decoder{i}")(out)
        if not self.heads:
            return (self.outconv(out), *weights)
        return (out, *[h.target_half(out) for h in _fast(self.heads)], *weights)


def build_stages(net: TargetNet, attention: nn.ModuleDict) -> tuple[Stem, list[Stage]]:
    """The stem and one stage per attention step; ``attention`` maps ``<branch><step>`` to its fast layer."""
    steps = list(net.attn_steps)

    def layer(name: str) -> FastLocalAttention:
        found = attention[name]
        if not isinstance(found, FastLocalAttention):
            raise TypeError(f"attention[{name!r}] is a {type(found).__name__}, not a FastLocalAttention")
        return found

    def heads(step: int | None) -> list[FastLocalAttention]:
        return [] if step is None else [layer(f"{b}{step}") for b in net.branches]

    stem = Stem(net, heads(steps[0] if steps else None))
    stages = []
    for j, step in enumerate(steps):
        nxt = steps[j + 1] if j + 1 < len(steps) else None
        stages.append(Stage(net, step, net.layers if nxt is None else nxt, heads(step), heads(nxt)))
    return stem, stages
