"""Renderers: the Renderer protocol and ``load_renderer``, the one factory (over core.render.registry) everything uses."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from core.render.base import Renderer, RenderResult, SourceState

if TYPE_CHECKING:
    import torch.nn as nn

    from core.render.registry import Subject

__all__ = ["Renderer", "RenderResult", "SourceState", "load_renderer", "renderer_for_model", "resolve_device"]


def resolve_device(device: str = "auto") -> str:
    """'auto' → 'cuda' when a CUDA device is present, else 'cpu'; 'cuda' without one is an error."""
    import torch

    from core.errors import RenderError

    device = (device or "auto").lower()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RenderError("CUDA was requested but no CUDA device is available; choose CPU or Auto")
    if device != "cpu" and not device.startswith("cuda"):
        raise RenderError(f"unknown device {device!r}: use auto, cpu or cuda")
    return device


def load_renderer(path: str | os.PathLike | None, device: str = "auto", *, kind: str | None = None,
                  subject: Subject = "body", accel: str = "auto", precision: str = "fp32") -> Renderer[Any]:
    """The one renderer factory: None → the subject's embedded renderer (the skeleton warp for bodies, the landmark
    mesh warp for faces); a checkpoint path → the renderer its registry record names (core.render.registry).

    The checkpoint is read strictly and its kind detected from its keys; a file that matches no known network
    raises core.errors.CheckpointError naming the missing, unexpected and mis-shaped keys, and one of another
    subject (``subject``: "body", "face" or "object") says where it is used instead. ``kind`` without a path
    loads the newest imported checkpoint of that kind; ``accel`` picks the body networks' inference path;
    ``precision`` "fp32" (exact) or "bf16" (pose_fashion/pose_market, within a 40 dB gate of fp32).
    """
    from core.render.registry import build_renderer

    return build_renderer(path, device, kind=kind, subject=subject, accel=accel, precision=precision)


def renderer_for_model(model: nn.Module, kind: str, device: str = "auto", accel: str = "auto",
                       subject: Subject = "body", precision: str = "fp32") -> Renderer[Any]:
    """The renderer of ``kind``'s registry record driving ``model`` (a network already built and loaded)."""
    from core.render.registry import from_model

    return from_model(model, kind, device, accel, subject, precision)
