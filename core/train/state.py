"""Checkpoints of a training run: network weights as safetensors in the published key layout, and the rest of
the run's state (optimisers, iteration, random generators, loss accumulators) for an exact resume.

Files in ``<out>/checkpoints/``: ``latest_net_G.safetensors`` (loads in the app and in ``weights import``),
``latest_net_D.safetensors`` / ``latest_net_D_V.safetensors``, ``<iteration>_net_<name>.safetensors`` at the
numbered saves, and ``latest_state.pt`` (plain tensors and numbers, read with ``weights_only=True``).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn as nn

from core.atomic import atomic_path
from core.errors import CheckpointError
from core.gfla.checkpoint import SAFETENSORS_KIND_KEY, load_strict, state_dict_for_saving
from core.train.errors import TrainingError

STATE_FILE = "latest_state.pt"


def save_network(net: nn.Module, path: Path, kind: str | None = None, extra: dict[str, str] | None = None) -> None:
    """Write ``net``'s state dict (aliased tensors once) as safetensors, atomically."""
    from safetensors.torch import save_file

    metadata = dict(extra or {})
    if kind:
        metadata[SAFETENSORS_KIND_KEY] = kind
    tensors = state_dict_for_saving(net)
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=metadata or None)


def load_network(net: nn.Module, path: Path) -> None:
    """Strictly load a safetensors file written by ``save_network`` (aliased keys filled from their partner)."""
    if not path.is_file():
        raise TrainingError(f"cannot resume: {path} is missing")
    try:
        load_strict(net, path)
    except CheckpointError as exc:
        raise TrainingError(f"{path.name} does not match the network of this config ({str(exc)[:300]})") from exc


def rng_state() -> dict[str, Any]:
    np_state = np.random.get_state(legacy=True)
    if not isinstance(np_state, tuple):
        raise TrainingError("numpy returned its random state in an unknown form")
    out: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), int(np_state[2]), int(np_state[3]),
                  float(np_state[4])],
        "python": random.getstate(),
    }
    if torch.cuda.is_available():
        out["cuda"] = torch.cuda.get_rng_state_all()
    return out


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_state(folder: Path, state: dict[str, Any]) -> None:
    with atomic_path(folder / STATE_FILE) as tmp:
        torch.save(state, tmp)


def load_state(folder: Path) -> dict[str, Any]:
    path = folder / STATE_FILE
    if not path.is_file():
        raise TrainingError(f"cannot resume: no training state in {folder} (start without --resume)")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # corrupt or foreign file
        raise TrainingError(f"cannot resume: {path.name} is unreadable ({type(exc).__name__}: {exc})") from exc
