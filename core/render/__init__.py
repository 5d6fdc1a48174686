"""Renderers: the Renderer protocol and ``load_renderer``, the one factory the app and CLI use."""

from __future__ import annotations

import os

from core.render.base import Renderer, RenderResult, SourceState

__all__ = ["Renderer", "RenderResult", "SourceState", "load_renderer", "resolve_device"]


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


def load_renderer(path: str | os.PathLike | None, device: str = "auto") -> Renderer:
    """None → the embedded skeleton-warp renderer; a checkpoint path → the matching GFLA renderer.

    The checkpoint kind is detected from its keys; a file that matches no known network raises
    core.errors.CheckpointError naming the missing, unexpected and mis-shaped keys.
    """
    if path is None:
        from core.render.warp import WarpRenderer

        return WarpRenderer()
    from core.render.gfla import open_checkpoint_renderer

    return open_checkpoint_renderer(path, device=device)
