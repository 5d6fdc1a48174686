"""The renderer registry: one record per checkpoint kind (and per embedded renderer), and the one factory over it.

A record says what a kind renders (its subject), how photos are framed for it, which published network
config it loads and which renderer class drives it, in the spirit of a pretrained-model registry: a
checkpoint is read strictly (core.gfla.checkpoint), its kind detected from its keys, its record looked up
here and the renderer built from it. ``core.render.load_renderer`` is ``build_renderer``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from core.errors import CheckpointError, RenderError
from core.render.framing import DEEPFASHION, FACE_BOX_SCALE, FASHION_VIDEO, IPER, MARKET, OBJECT_FILL, FrameSpec

if TYPE_CHECKING:
    import torch.nn as nn

    from core.gfla.configs import ModelConfig
    from core.render.base import Renderer

Subject = Literal["body", "face", "object"]
SUBJECTS: dict[str, str] = {"body": "body poses", "face": "portraits from 68 face landmarks", "object": "new views of objects"}
_ELSEWHERE = {
    "body": "open it in the body editor or use `python main.py repose`",
    "face": "use File ▸ Open Portrait (Face Mode) or `python main.py face-animate`",
    "object": "use Tools ▸ Novel View or `python main.py view`",
}


@dataclass(frozen=True)
class RendererRecord:
    """Everything needed to turn a checkpoint of ``kind`` (or, for an embedded renderer, none) into a renderer."""

    kind: str
    subject: Subject  # what it renders: "body" (18-joint poses), "face" (68 landmarks) or "object" (views)
    renderer: str  # "module:Class" of the renderer, imported when one is built; "" = the kind renders nothing
    framing: FrameSpec | float | None = None  # a body kind's FrameSpec; the face box scale; the object fill
    needs_weights: bool = True  # False: an embedded renderer (no checkpoint)
    note: str = ""  # why a kind renders nothing, or which published file a missing checkpoint is

    @property
    def config(self) -> ModelConfig | None:
        """The kind's published network config (core.gfla.configs.CONFIGS); None for embedded renderers."""
        from core.gfla.configs import CONFIGS

        return CONFIGS.get(self.kind) if self.needs_weights else None

    def renderer_class(self) -> Callable[..., Renderer[Any]]:
        """The renderer class: called (model, kind, device, accel) for a network, with no arguments when embedded."""
        if not self.renderer:
            raise CheckpointError(self.note)
        module, _, name = self.renderer.partition(":")
        return getattr(importlib.import_module(module), name)


_KEYPOINT = (
    "this is a dance_keypoint checkpoint: the Motion Extraction Network that smooths skeleton sequences for "
    "animation. It does not render images; load it on the timeline, and choose a pose_* or dance_* checkpoint "
    "as the renderer"
)
_RECORDS = (
    RendererRecord("pose_fashion", "body", "core.render.gfla:GFLARenderer", DEEPFASHION),
    RendererRecord("pose_market", "body", "core.render.gfla:GFLARenderer", MARKET),
    RendererRecord("dance_fashion", "body", "core.render.sequential:SequentialRenderer", FASHION_VIDEO),
    RendererRecord("dance_iper", "body", "core.render.sequential:SequentialRenderer", IPER),
    RendererRecord("dance_keypoint", "body", "", note=_KEYPOINT),
    RendererRecord("face", "face", "core.render.face:FaceRenderer", FACE_BOX_SCALE,
                   note="face animation needs the published face checkpoint (latest_net_G.pth from face_checkpoints)"),
    RendererRecord("shapenet", "object", "core.render.view:ViewRenderer", OBJECT_FILL,
                   note="view synthesis needs the published ShapeNet checkpoint (latest_net_G.pth from "
                   "shape_net_car_checkpoints or shape_net_chair_checkpoints)"),
    RendererRecord("warp", "body", "core.render.warp:WarpRenderer", needs_weights=False),
    RendererRecord("face_warp", "face", "core.render.face_warp:FaceWarpRenderer", needs_weights=False),
)
REGISTRY: dict[str, RendererRecord] = {r.kind: r for r in _RECORDS}


def record(kind: str) -> RendererRecord:
    """The record of ``kind``; CheckpointError naming the known kinds when there is none."""
    found = REGISTRY.get(kind)
    if found is None:
        raise CheckpointError(f"no renderer for checkpoint kind {kind!r}; known kinds: {', '.join(REGISTRY)}")
    return found


def kinds_of(renderer: str) -> list[str]:
    """The kinds whose record names the renderer ``renderer`` ("module:Class")."""
    return [r.kind for r in _RECORDS if r.renderer == renderer]


def body_framing(kind: str) -> FrameSpec:
    """The FrameSpec a body kind frames its photos with."""
    spec = record(kind).framing
    if not isinstance(spec, FrameSpec):
        raise CheckpointError(f"{kind} is not a body network (it renders {SUBJECTS[record(kind).subject]})")
    return spec


def locate_checkpoint(kind: str, path: str | os.PathLike | None = None) -> Path:
    """``path`` if given, else the newest imported checkpoint of ``kind``; CheckpointError (one line) if none."""
    if path:
        return Path(path)
    from core.weights_store import find_weights

    found = find_weights(kind)
    if found:
        return found[0].path()
    needed = record(kind).note if kind in REGISTRY else ""
    raise CheckpointError(
        f"{needed or f'this needs a {kind} checkpoint'}: import it with "
        "`python main.py weights import PATH` (see weights/README.md)"
    )


def from_model(model: nn.Module, kind: str, device: str = "auto", accel: str = "auto",
               subject: Subject = "body", precision: str = "fp32") -> Renderer[Any]:
    """The renderer of ``kind``'s record driving ``model`` (already built and loaded) for ``subject``."""
    rec = record(kind)
    cls = rec.renderer_class()  # CheckpointError with the record's note for a kind that renders nothing
    if rec.subject != subject:
        raise CheckpointError(
            f"this is a {kind} checkpoint: it renders {SUBJECTS[rec.subject]}, not {SUBJECTS[subject]}; "
            f"{_ELSEWHERE[rec.subject]}"
        )
    if precision == "fp32":
        return cls(model, kind, device, accel)
    if rec.renderer != "core.render.gfla:GFLARenderer":
        raise RenderError(f"precision {precision!r} is available for pose_fashion and pose_market only, not {kind}")
    return cls(model, kind, device, accel, precision)


def build_renderer(path: str | os.PathLike | None, device: str = "auto", *, kind: str | None = None,
                   subject: Subject = "body", accel: str = "auto", precision: str = "fp32") -> Renderer[Any]:
    """The renderer for ``subject`` ("body", "face" or "object") from a checkpoint, or an embedded one.

    * ``path`` given: the file is read strictly, its kind detected from its keys (``kind`` given: it must
      be that kind) and its record builds the renderer. A file that matches no known network raises
      CheckpointError naming the missing, unexpected and mis-shaped keys; one for another subject (a
      face checkpoint asked for body poses, …) says where it is used instead.
    * ``path`` None, ``kind`` None: the subject's embedded renderer (the skeleton warp for bodies, the
      landmark mesh warp for faces); ``kind`` "warp" / "face_warp" names one.
    * ``precision``: "fp32" (default, exact) or "bf16" (pose_fashion/pose_market; core.gfla.accel.precision).
    * ``path`` None, a checkpoint ``kind`` ("face", "shapenet", …): the newest imported weights of it.
    """
    if subject not in SUBJECTS:
        raise RenderError(f"unknown subject {subject!r}: use {', '.join(SUBJECTS)}")
    if path is None:
        embedded = [r for r in _RECORDS if not r.needs_weights and r.subject == subject]
        rec = record(kind) if kind is not None else (embedded or [None])[0]
        if rec is None:
            raise RenderError(f"rendering {SUBJECTS[subject]} needs a checkpoint: there is no embedded renderer")
        if not rec.needs_weights:
            if precision != "fp32":
                raise RenderError(f"precision {precision!r} needs a network checkpoint; the {rec.kind} renderer has none")
            if rec.subject != subject:
                raise RenderError(f"the {rec.kind} renderer renders {SUBJECTS[rec.subject]}, not {SUBJECTS[subject]}")
            return rec.renderer_class()()
    from core.gfla.checkpoint import load_model
    from core.render import resolve_device

    device = resolve_device(device)
    file = locate_checkpoint(kind or "", path)
    loaded = load_model(file, device=device)
    if kind is not None and loaded.kind != kind:
        if record(kind).config != loaded.config:
            raise CheckpointError(f"{file.name} is a {loaded.kind} checkpoint, not the {kind} network this needs")
        loaded = replace(loaded, kind=kind)  # one network, two names (dance_fashion and dance_iper share a layout)
    return from_model(loaded.model, loaded.kind, device, accel, subject, precision)
