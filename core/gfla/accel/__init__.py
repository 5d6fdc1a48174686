"""Faster inference paths for the GFLA generators, selectable by name, with the plain networks' call contract.

* ``plain``: the published network as written (core.gfla.generator / dance).
* ``fast``: the same arithmetic re-arranged (accel.attention): no k²-upsampled block tensors, the
  source half of each attention convolution projected once per photo; eager PyTorch, float32.
* ``compiled``: ``fast`` with its convolutional parts compiled ahead of time by AOTInductor (fused
  element-wise work, oneDNN convolutions on prepacked weights), built once in a background process
  and cached on disk (accel.aot); until the build is ready the ``fast`` parts run.

``auto`` is ``compiled`` on a CPU with a C++ compiler on PATH, else ``fast``; the environment
variable GFLA_ACCEL (plain, fast, compiled, auto) replaces ``auto``. Packages that exist are always
used; *building* them (minutes of CPU, ~50 MB on disk per network) happens only where it was asked
for: ``enable_background_builds()`` (the interactive app calls it once), GFLA_ACCEL=compiled, or
``Accelerator.prepare()``. A test run or a one-off CLI command therefore never starts a build.
"""

from __future__ import annotations

import os
import threading

import torch.nn as nn

from core.errors import RenderError
from core.gfla.accel.aot import CompiledParts, compiler_available
from core.gfla.accel.generators import FastDanceGenerator, FastPoseGenerator, SourceCache
from core.gfla.dance import DanceGenerator
from core.gfla.generator import PoseGenerator

MODES = ("plain", "fast", "compiled")
ENV_MODE = "GFLA_ACCEL"
BUILD_AFTER_S = 3.0  # interactive render time after which building the compiled parts pays off
_builds = {"enabled": False}


def enable_background_builds(enabled: bool = True) -> None:
    """Let renderers in ``compiled`` mode build missing packages in the background (for long-lived, interactive use)."""
    _builds["enabled"] = enabled


ENV_BUILDS = "GFLA_ACCEL_BUILDS"  # "1": this process may build compiled parts (the interactive app sets it)


def background_builds_enabled() -> bool:
    return (
        _builds["enabled"]
        or os.environ.get(ENV_BUILDS) == "1"
        or os.environ.get(ENV_MODE, "").strip().lower() == "compiled"
    )


__all__ = [
    "BUILD_AFTER_S",
    "MODES",
    "Accelerator",
    "CompiledParts",
    "FastDanceGenerator",
    "FastPoseGenerator",
    "SourceCache",
    "accelerate",
    "background_builds_enabled",
    "enable_background_builds",
    "resolve_mode",
]


def accelerate(model: nn.Module) -> FastPoseGenerator | FastDanceGenerator:
    """The ``fast`` path of a pose or dance generator (shares its weights; eval mode)."""
    if isinstance(model, DanceGenerator):
        return FastDanceGenerator(model).eval()
    if isinstance(model, PoseGenerator):
        return FastPoseGenerator(model).eval()
    raise TypeError(f"no accelerated path for {type(model).__name__}")


def resolve_mode(mode: str = "auto", device: str = "cpu") -> str:
    """The concrete path for ``mode`` on ``device`` (compiled parts exist for the CPU only)."""
    mode = (mode or "auto").lower()
    if mode == "auto":
        mode = os.environ.get(ENV_MODE, "").strip().lower() or "auto"
    if mode == "auto":
        mode = "compiled" if device == "cpu" and compiler_available() else "fast"
    if mode not in MODES:
        raise RenderError(f"unknown inference path {mode!r}: choose auto, {', '.join(MODES)}")
    return "fast" if mode == "compiled" and device != "cpu" else mode


class Accelerator:
    """The network a renderer calls for one inference path, and the background compilation behind ``compiled``.

    ``model`` has the plain network's methods (``encode_source``/``forward`` or ``encode_reference``/
    ``step``). In ``compiled`` mode, ``after_render`` loads existing packages (in a thread) so that
    later renders use them; where background builds are enabled it also counts render time and,
    past ``build_after_s``, starts building missing ones. ``prepare`` builds and loads now, waiting.
    """

    def __init__(
        self, model: nn.Module, mode: str = "auto", device: str = "cpu", build_after_s: float = BUILD_AFTER_S
    ) -> None:
        self.mode = resolve_mode(mode, device)
        if not isinstance(model, (PoseGenerator, DanceGenerator)):
            self.mode = "plain"  # other generators (face, ...) have no accelerated path yet
        self.plain = model
        self.fast = None if self.mode == "plain" else accelerate(model)
        self.model: nn.Module = model if self.fast is None else self.fast
        self.build_after_s = build_after_s
        self.rendered_s = 0.0
        self._parts: CompiledParts | None = None
        self._loader: threading.Thread | None = None

    @property
    def parts(self) -> CompiledParts | None:
        """The compiled packages (``compiled`` mode only); hashing the weights for their key takes ~0.2 s."""
        return self._compiled() if self.mode == "compiled" else self._parts

    def _compiled(self) -> CompiledParts:
        """The compiled packages of the fast network, made on first use (``compiled`` mode has a fast network)."""
        if self._parts is None:
            if self.fast is None:
                raise RenderError("the plain inference path has no compiled parts")
            self._parts = CompiledParts(self.fast)
        return self._parts

    @property
    def label(self) -> str:
        """'plain', 'fast', 'compiled', or 'fast (compiled parts: building|ready|failed|absent)'."""
        if self.mode != "compiled":
            return self.mode
        if self._parts is not None and self._parts.loaded:
            return "compiled"
        return f"fast (compiled parts: {self._parts.poll() if self._parts else 'not checked'})"

    def after_render(self, seconds: float) -> None:
        """Account one render; start the build or load finished packages when due. Never blocks for long."""
        if self.mode != "compiled" or (self._parts is not None and self._parts.loaded):
            return
        self.rendered_s += seconds
        parts = self._compiled()
        status = parts.poll()
        if status == "ready" and self._loader is None:
            self._loader = threading.Thread(target=parts.load, name="gfla-load-compiled")
            self._loader.start()
        elif status == "absent" and self.rendered_s >= self.build_after_s and background_builds_enabled():
            parts.build()

    def prepare(self) -> bool:
        """Build (waiting for it) and load the compiled parts now; True when they are in use."""
        if self.mode != "compiled":
            return False
        parts = self._compiled()
        parts.build(wait=True)  # waits for another process's build of the same packages too
        if self._loader is not None:
            self._loader.join()
        return parts.load()
