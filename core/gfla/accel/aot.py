"""Ahead-of-time compiled parts (AOTInductor, frozen weights) of an accelerated GFLA generator, cached on disk.

Compiling a generator takes a minute or two on a laptop CPU, so it never happens on the render path:
``CompiledParts.build`` starts ``python -m core.gfla.accel.aot_worker`` in a separate, low-priority
process (no contention for this process's GIL, and quitting the app cannot crash a compile half
way). The worker writes one ``<part>.pt2`` package per part into ``<cache>/<key>/`` and then
``done.json``; ``load`` swaps the packages in, which takes a second or two. The key hashes the
weights, the configuration, the torch version and the CPU, so later sessions reuse the packages.
A call whose tensor shapes differ from the compiled ones (another batch size) runs the eager part.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn

from core.gfla.accel.generators import _Accelerated

ENV_DIR = "GFLA_COMPILED_DIR"  # where the packages go (default: <weights folder>/.compiled)
DONE, FAILED, LOCK, SPEC, WEIGHTS, LOG = (
    "done.json",
    "failed.json",
    "building.json",
    "spec.json",
    "weights.safetensors",
    "build.log",
)
_REPO_ROOT = Path(__file__).resolve().parents[3]


def cache_root() -> Path:
    """$GFLA_COMPILED_DIR, else ``.compiled`` inside the local weights folder."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    from core.weights_store import weights_root

    return weights_root() / ".compiled"


def compiler_available() -> bool:
    """Whether the C++ compiler Inductor calls is on PATH (without one only the eager paths exist)."""
    names = [os.environ.get("CXX", "")] + (
        ["clang++", "c++"] if sys.platform == "darwin" else ["g++", "c++", "clang++"]
    )
    return any(n and shutil.which(n) for n in names)


def signature(args: Any) -> list:
    """JSON-able shapes and dtypes of a part's flat tensor arguments."""
    return [[list(a.shape), str(a.dtype)] if isinstance(a, torch.Tensor) else repr(type(a)) for a in args]


def config_to_json(config: Any) -> dict:
    return {"type": type(config).__name__, **asdict(config)}


def config_from_json(data: dict) -> Any:
    from core.gfla import configs

    cls = {"PoseConfig": configs.PoseConfig, "DanceConfig": configs.DanceConfig}[data["type"]]

    def tup(v: Any) -> Any:
        return tuple(tup(x) for x in v) if isinstance(v, list) else v

    return cls(**{k: tup(v) for k, v in data.items() if k != "type"})


def _cpu_tag() -> str:
    """Machine, and a hash of the CPU feature flags (the packages are built for this CPU's instruction set)."""
    flags = ""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = next((ln for ln in fh if ln.startswith("flags")), "")
    except OSError:
        pass
    return f"{platform.machine()}-{hashlib.sha256(flags.encode()).hexdigest()[:12]}"


def _code_tag() -> str:
    """Hash of the source files that define the compiled graphs (a code change must not load old packages)."""
    from core.gfla import blocks, dance, flow, generator
    from core.gfla.accel import attention, generators, stages

    h = hashlib.sha256()
    for module in (blocks, dance, flow, generator, attention, generators, stages):
        h.update(Path(inspect.getfile(module)).read_bytes())
    return h.hexdigest()[:16]


def _plain(model: _Accelerated) -> nn.Module:
    """The published network an accelerated one wraps (its weights are the packages' weights)."""
    plain = model.plain
    if not isinstance(plain, nn.Module):
        raise TypeError(f"{type(model).__name__}.plain is not a network")
    return plain


def package_key(model: _Accelerated, batch: int = 1) -> str:
    """Hash of everything the compiled code depends on: weights, config, batch, code, torch and the CPU."""
    h = hashlib.sha256()
    h.update(json.dumps([config_to_json(model.config), batch, torch.__version__, _cpu_tag(), _code_tag()]).encode())
    for name, t in _plain(model).state_dict().items():
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:24]


class _Guarded:
    """Run the compiled package for the shapes it was built for, the eager module otherwise.

    The packages read their inputs with the strides of the contiguous examples they were built
    with, so arguments are made contiguous first (a no-op for contiguous tensors).
    """

    def __init__(self, compiled: Any, eager: nn.Module, shapes: list) -> None:
        self.compiled, self.eager, self.shapes = compiled, eager, shapes

    def __call__(self, *args: torch.Tensor) -> Any:
        if all(a.device.type == "cpu" for a in args) and signature(args) == self.shapes:
            return self.compiled(*[a.contiguous() for a in args])  # built for contiguous inputs
        return self.eager(*args)


def prune_stale(root: Path, days: float = 30.0) -> None:
    """Delete package folders this installation can never load (built by other code or another torch),
    and any not built or loaded for ``days`` (a replaced checkpoint)."""
    limit = time.time() - days * 86400
    current = (_code_tag(), torch.__version__)
    for folder in root.glob("*/"):
        marks = [folder / DONE, folder / FAILED, folder / LOCK]
        try:
            spec = json.loads((folder / SPEC).read_text())
            newest = max((m.stat().st_mtime for m in marks if m.exists()), default=folder.stat().st_mtime)
        except (OSError, ValueError):
            continue
        if (spec.get("code"), spec.get("torch")) != current or newest < limit:
            shutil.rmtree(folder, ignore_errors=True)


def _pid_alive(pid: int, lock: Path) -> bool:
    """Whether the worker that wrote ``lock`` still runs (on Windows, where signal 0 is Ctrl+C: a recent lock)."""
    if sys.platform == "win32":
        try:
            return time.time() - lock.stat().st_mtime < 3600
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class CompiledParts:
    """The on-disk packages of one accelerated model: build them in the background, then load them."""

    def __init__(self, model: _Accelerated, root: str | os.PathLike | None = None, batch: int = 1) -> None:
        self.model = model
        self.batch = batch
        self.root = Path(root) if root is not None else cache_root()
        self.folder = self.root / package_key(model, batch)
        self.process: subprocess.Popen | None = None
        self.loaded = False
        self.error: str | None = None

    @property
    def available(self) -> bool:
        return (self.folder / DONE).is_file()

    @property
    def failed(self) -> bool:
        return (self.folder / FAILED).is_file()

    @property
    def building(self) -> bool:
        """A worker (this session's or another's) is building these packages now."""
        if self.process is not None and self.process.poll() is None:
            return True
        try:
            pid = int(json.loads((self.folder / LOCK).read_text())["pid"])
        except (OSError, ValueError, KeyError):
            return False
        return not self.available and _pid_alive(pid, self.folder / LOCK)

    def build(self, wait: bool = False) -> None:
        """Start the worker process unless the packages exist, failed before, or are being built.

        With ``wait``, return only when no build is running any more (this one or another process's).
        """
        if self.available or self.failed or self.building:
            while wait and self.building:
                if self.process is not None:
                    self.process.wait()
                else:
                    time.sleep(1.0)
            return
        self._start()
        if wait:
            self.build(wait=True)

    def _start(self) -> None:
        from safetensors.torch import save_file

        from core.atomic import atomic_path, write_text_atomic
        from core.gfla.checkpoint import state_dict_for_saving

        prune_stale(self.root)
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.folder / WEIGHTS) as tmp:
            save_file(state_dict_for_saving(_plain(self.model)), str(tmp))
        spec = {
            "config": config_to_json(self.model.config),
            "batch": self.batch,
            "torch": torch.__version__,
            "code": _code_tag(),
        }
        write_text_atomic(self.folder / SPEC, json.dumps(spec, indent=1))
        cmd = [sys.executable, "-m", "core.gfla.accel.aot_worker", str(self.folder)]
        with open(self.folder / LOG, "ab") as log:
            self.process = subprocess.Popen(
                cmd,
                cwd=_REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # keeps compiling if this process quits; the next session loads it
            )
        write_text_atomic(self.folder / LOCK, json.dumps({"pid": self.process.pid}))

    def poll(self) -> str:
        """'loaded', 'ready' (built, not loaded), 'building', 'failed' or 'absent'; records a failure's reason."""
        if self.loaded:
            return "loaded"
        if self.available:
            return "ready"
        if self.building:
            return "building"
        if self.failed:
            if self.error is None:
                self.error = self._failure()
            return "failed"
        return "absent"

    def _failure(self) -> str:
        try:
            return str(json.loads((self.folder / FAILED).read_text()).get("error", "unknown error"))
        except (OSError, ValueError):
            return "unknown error"

    def load(self) -> bool:
        """Swap the built packages into ``model.run``; False (eager parts kept) when they are missing or broken."""
        if self.loaded:
            return True
        if not self.available:
            return False
        try:
            from torch._inductor import aoti_load_package

            shapes = json.loads((self.folder / DONE).read_text())["signatures"]
            run = dict(self.model.run)
            for name, part in self.model.parts().items():
                run[name] = _Guarded(aoti_load_package(str(self.folder / f"{name}.pt2")), part, shapes[name])
        except Exception as exc:  # a package from another build of torch, a truncated file
            self.error = f"could not load the compiled parts ({type(exc).__name__}: {str(exc)[:200]})"
            return False
        self.model.run = run
        self.loaded = True
        with contextlib.suppress(OSError):
            os.utime(self.folder / DONE)  # last use, for prune_stale
        return True
