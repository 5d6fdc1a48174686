"""Checks on the values of loaded weights: a checkpoint holding NaN or infinity renders garbage, so it is refused.

Called on import (core.weights_store.import_checkpoint), by ``weights verify`` and by the one strict checkpoint
reader (core.gfla.checkpoint.read_state_dict) on every state dict it returns.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from core.errors import CheckpointError

NAMES_SHOWN = 5  # tensor names listed in the message; the count of the rest follows


def nonfinite_tensors(state: Mapping[str, torch.Tensor]) -> list[tuple[str, int, int]]:
    """(name, NaN count, infinity count) of every floating-point tensor holding a NaN or an infinity, in order."""
    bad: list[tuple[str, int, int]] = []
    for name, tensor in state.items():
        if not isinstance(tensor, torch.Tensor) or not (tensor.is_floating_point() or tensor.is_complex()):
            continue
        t = tensor.detach()
        if bool(torch.isfinite(t).all()):
            continue
        bad.append((name, int(torch.isnan(t).sum()), int(torch.isinf(t).sum())))
    return bad


def describe_nonfinite(bad: list[tuple[str, int, int]]) -> str:
    """'a.weight (3 NaN), b.bias (1 infinite) and 4 more tensors' for the first NAMES_SHOWN entries."""
    parts = []
    for name, nans, infs in bad[:NAMES_SHOWN]:
        counts = [f"{nans} NaN"] * bool(nans) + [f"{infs} infinite"] * bool(infs)
        parts.append(f"{name} ({', '.join(counts)})")
    more = f" and {len(bad) - NAMES_SHOWN} more tensors" if len(bad) > NAMES_SHOWN else ""
    return ", ".join(parts) + more


def require_finite(state: Mapping[str, torch.Tensor], where: str) -> None:
    """CheckpointError naming the tensors when any floating-point tensor of ``state`` holds NaN or infinity."""
    bad = nonfinite_tensors(state)
    if bad:
        raise CheckpointError(
            f"{where} holds weights that are not finite numbers, so every render would be garbage: "
            f"{describe_nonfinite(bad)}"
        )
