"""Read GFLA checkpoints (.pth weights_only, or safetensors) and load them strictly into our networks."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn

from core.errors import CheckpointError
from core.gfla.configs import CONFIGS, ModelConfig
from core.gfla.factory import build_model
from core.gfla.layout import (
    Layout,
    detect_kind,
    drop_norm_running_stats,
    expected_layout,
    rank_kinds,
    strip_module_prefix,
)
from core.tensor_checks import require_finite

__all__ = [
    "LoadedModel", "detect_kind", "load_model", "load_strict", "mismatches", "read_state_dict", "sha256_file",
    "state_dict_for_saving",
]

SAFETENSORS_KIND_KEY = "gfla_kind"  # metadata entry our safetensors files carry
_LIST_LIMIT = 12


@dataclass
class LoadedModel:
    """A network with its weights loaded, in eval mode, and where they came from."""

    kind: str
    config: ModelConfig
    model: nn.Module
    path: Path | None = None
    sha256: str | None = None


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(obj: object) -> str:
    if isinstance(obj, Mapping):
        keys = list(obj)[:6]
        nested = [k for k in keys if isinstance(obj[k], Mapping)]
        hint = f"; it wraps dicts under {nested}: save the generator's state dict on its own" if nested else ""
        return f"a dict whose entries are not all tensors (keys {keys}){hint}"
    return f"a {type(obj).__name__}"


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Tensors of a .pth/.pt (torch.load, weights_only) or .safetensors file, with any ``module.`` prefix removed.

    The one reader of weights files: every checkpoint, training state, VGG/LPIPS/Inception file comes through here.
    A file holding NaN or infinity is refused (core.tensor_checks)."""
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"checkpoint {p} does not exist" if not p.exists() else f"checkpoint {p} is not a file")
    if p.suffix.lower() == ".safetensors":
        from safetensors.torch import load_file

        try:
            obj: object = load_file(str(p))
        except Exception as exc:  # safetensors raises its own error types for corrupt headers
            raise CheckpointError(f"{p.name} is not a readable safetensors file ({exc})") from exc
    else:
        try:
            obj = torch.load(p, map_location="cpu", weights_only=True)
        except Exception as exc:  # corrupt zip, truncated pickle, or objects refused by weights_only
            raise CheckpointError(
                f"{p.name} cannot be read as a PyTorch checkpoint: it is corrupt, not a checkpoint, "
                f"or holds Python objects that cannot be loaded safely ({type(exc).__name__}: {str(exc)[:200]})"
            ) from exc
    if (
        not isinstance(obj, Mapping)
        or not obj
        or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items())
    ):
        raise CheckpointError(f"{p.name} is not a state dict of tensors: it holds {_describe(obj)}")
    require_finite(obj, str(p))  # NaN/Inf weights render garbage: refused, naming the tensors
    return strip_module_prefix(obj)


def _safetensors_kind(path: Path) -> str | None:
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as fh:
            kind = (fh.metadata() or {}).get(SAFETENSORS_KIND_KEY)
    except Exception:
        return None
    return kind if kind in CONFIGS else None


def _clip(items: list[str]) -> str:
    more = f", … and {len(items) - _LIST_LIMIT} more" if len(items) > _LIST_LIMIT else ""
    return ", ".join(items[:_LIST_LIMIT]) + more


def _conform(sd: dict[str, torch.Tensor], layout: Layout, kind: str, source: str) -> dict[str, torch.Tensor]:
    """Check ``sd`` against ``layout`` strictly; fill in the missing name of an aliased pair."""
    sd = drop_norm_running_stats(sd, layout)
    out = dict(sd)
    for group in layout.aliases:
        present = [k for k in group if k in sd]
        if not present:
            continue
        first = sd[present[0]]
        for other in present[1:]:
            if sd[other].shape == first.shape and not torch.equal(sd[other], first):
                raise CheckpointError(
                    f"{source}: {present[0]} and {other} name one shared convolution but hold different values"
                )
        for key in group:
            out.setdefault(key, first)
    problems = mismatches(out, layout.shapes)
    if problems:
        ranked = rank_kinds(sd)
        closest = ranked[0][1] if ranked[0][0][0] > 0 else "none (no key matches any known network)"
        raise CheckpointError("\n".join([f"{source} does not match the {kind} network (closest known kind: {closest})",
                                         *problems]))
    return out


def mismatches(sd: Mapping[str, torch.Tensor], shapes: Mapping[str, tuple[int, ...]]) -> list[str]:
    """One line each for the missing, unexpected and mis-shaped keys of ``sd`` against ``shapes``; [] when it fits."""
    missing = [k for k in shapes if k not in sd]
    unexpected = [k for k in sd if k not in shapes]
    misshaped = [
        f"{k} expected {tuple(shapes[k])} found {tuple(v.shape)}"
        for k, v in sd.items()
        if k in shapes and tuple(v.shape) != tuple(shapes[k])
    ]
    named = (("missing", missing), ("unexpected", unexpected), ("mis-shaped", misshaped))
    return [f"  {what} keys ({len(keys)}): {_clip(keys)}" for what, keys in named if keys]


def load_strict(net: nn.Module, weights: str | os.PathLike | Mapping[str, torch.Tensor], source: str | None = None) -> None:
    """Load a weights file (read by ``read_state_dict``) or a state dict into ``net`` strictly, in place.

    Keys that name one shared tensor of ``net`` (aliases) may be stored once under any of their names.
    Raises CheckpointError naming every missing, unexpected and mis-shaped key (``source`` names the weights).
    """
    if isinstance(weights, Mapping):
        stored, source = strip_module_prefix(weights), source or "the state dict"
    else:
        stored, source = read_state_dict(weights), source or Path(weights).name
    own = net.state_dict(keep_vars=True)
    names: dict[int, list[str]] = {}
    for key, t in own.items():
        names.setdefault(id(t), []).append(key)
    full = dict(stored)
    for group in names.values():
        present = [k for k in group if k in stored]
        if present:
            for key in group:
                full.setdefault(key, stored[present[0]])
    problems = mismatches(full, {k: tuple(t.shape) for k, t in own.items()})
    if problems:
        raise CheckpointError("\n".join([f"{source} does not match the network it is loaded into", *problems]))
    net.load_state_dict(full, strict=True)


def load_model(
    path_or_state_dict: str | os.PathLike | Mapping[str, torch.Tensor],
    device: str | torch.device = "cpu",
    kind: str | None = None,
    config: ModelConfig | None = None,
) -> LoadedModel:
    """Build the network and load the weights strictly; raises CheckpointError naming every mismatch.

    ``kind`` overrides detection (needed to tell dance_iper from dance_fashion); ``config`` overrides
    the kind's full-size config (for reduced-width test networks). Both names of an aliased pair are
    accepted (they must be equal), and so is either name alone.
    """
    path: Path | None = None
    if isinstance(path_or_state_dict, Mapping):
        sd = strip_module_prefix(path_or_state_dict)
        source = "the state dict"
    else:
        path = Path(path_or_state_dict)
        sd = read_state_dict(path)
        source = path.name
        if kind is None and path.suffix.lower() == ".safetensors":
            kind = _safetensors_kind(path)
    if kind is not None and kind not in CONFIGS:
        raise CheckpointError(f"unknown checkpoint kind {kind!r}; known kinds: {', '.join(CONFIGS)}")
    kind = kind or detect_kind(sd)
    config = config or CONFIGS[kind]
    layout = expected_layout(config)
    sd = _conform(sd, layout, kind, source)

    with torch.device("meta"):
        model = build_model(config)
    tensors = {k: v.detach().to(device=device, dtype=torch.float32, copy=True) for k, v in sd.items()}
    model.load_state_dict(tensors, strict=True, assign=True)
    model.to(device)
    if any(t.is_meta for t in [*model.parameters(), *model.buffers()]):
        raise CheckpointError(f"{source}: internal error, some weights of the {kind} network were not loaded")
    model.eval()
    return LoadedModel(kind, config, model, path, sha256_file(path) if path is not None else None)


def state_dict_for_saving(model: nn.Module) -> dict[str, torch.Tensor]:
    """Published key layout with each aliased tensor stored once (under its first name), contiguous, on CPU."""
    out: dict[str, torch.Tensor] = {}
    seen: set[int] = set()
    for key, t in model.state_dict(keep_vars=True).items():
        if id(t) in seen:
            continue
        seen.add(id(t))
        out[key] = t.detach().to("cpu").contiguous().clone()
    return out
