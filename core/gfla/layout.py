"""The expected state-dict layout of each GFLA network (key names, shapes, aliased pairs) and kind detection."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import torch

from core.errors import CheckpointError
from core.gfla.configs import CONFIGS, ModelConfig
from core.gfla.factory import build_model

_RUNNING_STATS = (".running_mean", ".running_var", ".num_batches_tracked")


@dataclass(frozen=True)
class Layout:
    """Key -> shape in published order, plus the groups of keys that name one shared tensor."""

    shapes: dict[str, tuple[int, ...]]
    aliases: tuple[tuple[str, ...], ...]

    def alias_of(self) -> dict[str, tuple[str, ...]]:
        return {key: group for group in self.aliases for key in group}


@functools.lru_cache(maxsize=16)
def expected_layout(config: ModelConfig) -> Layout:
    """Layout of the network ``config`` builds (computed on the meta device: no memory, no init cost)."""
    with torch.device("meta"):
        model = build_model(config)
    tensors = model.state_dict(keep_vars=True)
    shapes = {key: tuple(t.shape) for key, t in tensors.items()}
    groups: dict[int, list[str]] = {}
    for key, t in tensors.items():
        groups.setdefault(id(t), []).append(key)
    aliases = tuple(tuple(keys) for keys in groups.values() if len(keys) > 1)
    return Layout(shapes, aliases)


def strip_module_prefix(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Remove the leading ``module.`` that DataParallel adds to every key."""
    return {(k[len("module.") :] if k.startswith("module.") else k): v for k, v in state_dict.items()}


def drop_norm_running_stats(state_dict: Mapping[str, torch.Tensor], layout: Layout) -> dict[str, torch.Tensor]:
    """Drop instance-norm running statistics that an old PyTorch may have saved (current PyTorch ignores them too)."""
    out = {}
    for key, value in state_dict.items():
        if key.endswith(_RUNNING_STATS):
            prefix = key.rsplit(".", 1)[0]
            shape = layout.shapes.get(prefix + ".weight")
            if shape is not None and len(shape) == 1:
                continue
        out[key] = value
    return out


def _score(names: set[str], shapes: Mapping[str, tuple[int, ...]], layout: Layout) -> tuple[float, float]:
    """(key-name Jaccard overlap, fraction of shared keys with the right shape), alias-aware."""
    present = set(names)
    for group in layout.aliases:
        if present.intersection(group):
            present.update(group)
    expected = set(layout.shapes)
    common = present & expected
    if not common:
        return 0.0, 0.0
    jaccard = len(common) / len(present | expected)
    right = sum(1 for k in common if k in shapes and shapes[k] == layout.shapes[k])
    right += sum(1 for k in common if k not in shapes)  # an alias filled in from its partner
    return jaccard, right / len(common)


def rank_kinds(state_dict: Mapping[str, torch.Tensor]) -> list[tuple[tuple[float, float], str]]:
    """Known kinds ordered from closest to farthest match; ties keep the CONFIGS order."""
    sd = strip_module_prefix(state_dict)
    shapes = {k: tuple(v.shape) for k, v in sd.items() if not k.endswith(_RUNNING_STATS)}
    names = set(shapes)
    scored = [(_score(names, shapes, expected_layout(cfg)), i, kind) for i, (kind, cfg) in enumerate(CONFIGS.items())]
    scored.sort(key=lambda s: (-s[0][0], -s[0][1], s[1]))
    return [(score, kind) for score, _, kind in scored]


def detect_kind(state_dict: Mapping[str, torch.Tensor]) -> str:
    """The known kind whose keys and shapes match ``state_dict`` best.

    dance_fashion and dance_iper share one layout; this returns "dance_fashion" for both
    (pass ``kind="dance_iper"`` explicitly where it matters).
    """
    (jaccard, _), kind = rank_kinds(state_dict)[0]
    if jaccard == 0.0:
        sample = ", ".join(list(state_dict)[:3]) or "none"
        raise CheckpointError(f"these weights share no key with any known GFLA network (first keys: {sample})")
    return kind
