"""Worker process that compiles an accelerated GFLA generator's parts with AOTInductor (``python -m core.gfla.accel.aot_worker FOLDER``).

FOLDER holds ``spec.json`` (config, batch size) and ``weights.safetensors`` written by
``CompiledParts.build``. The worker runs one eager forward on placeholder inputs of the network's
size to record each part's arguments, exports and compiles every part with frozen weights into
``<part>.pt2``, then writes ``done.json`` (the argument signatures) — or ``failed.json`` with the
reason — and deletes the weights copy.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn as nn

from core.gfla.accel.aot import DONE, FAILED, LOCK, SPEC, WEIGHTS, config_from_json, signature


def record_part_inputs(model: Any, call: Callable[[], Any]) -> dict[str, tuple]:
    """Run ``call`` (a forward of ``model``) eagerly and keep the arguments each part first received."""
    seen: dict[str, tuple] = {}
    handles = []
    for name, part in model.parts().items():

        def hook(_mod: nn.Module, args: tuple, name: str = name) -> None:
            seen.setdefault(name, tuple(a.clone(memory_format=torch.contiguous_format) for a in args))

        handles.append(part.register_forward_pre_hook(hook))
    try:
        model.reset_run()
        with torch.inference_mode():
            call()
    finally:
        for h in handles:
            h.remove()
    return seen


def example_call(model: Any, batch: int) -> Callable[[], Any]:
    """A forward of ``model`` on placeholder inputs at its network size (values do not matter for compiling)."""
    from core.gfla.configs import DanceConfig

    cfg = model.config
    h, w = cfg.image_size
    gen = torch.Generator().manual_seed(0)
    image = torch.rand(batch, cfg.image_nc, h, w, generator=gen) * 2 - 1  # (B, 3, H, W)
    structure = torch.rand(batch, cfg.structure_nc, h, w, generator=gen)  # (B, S, H, W)
    if isinstance(cfg, DanceConfig):
        return lambda: model.step(structure, image, structure, image, structure)
    return lambda: model(image, structure, structure)


def build(folder: Path) -> dict:
    """Compile every part into ``folder``; returns what goes into ``done.json``."""
    import torch._inductor.config as inductor_config

    from core.atomic import atomic_path
    from core.gfla.accel import accelerate
    from core.gfla.checkpoint import load_model, read_state_dict

    spec = json.loads((folder / SPEC).read_text())
    config = config_from_json(spec["config"])
    model = accelerate(load_model(read_state_dict(folder / WEIGHTS), config=config).model)
    inputs = record_part_inputs(model, example_call(model, int(spec["batch"])))
    seconds: dict[str, float] = {}
    for name, part in model.parts().items():
        start = time.perf_counter()
        with torch.inference_mode():
            exported = torch.export.export(part, inputs[name])
        with atomic_path(folder / f"{name}.pt2") as tmp, inductor_config.patch(freezing=True):
            # freezing folds the weights in, so convolutions use oneDNN kernels on prepacked weights
            torch._inductor.aoti_compile_and_package(exported, package_path=str(tmp))
        seconds[name] = round(time.perf_counter() - start, 1)
    return {
        "signatures": {name: signature(args) for name, args in inputs.items()},
        "seconds": seconds,
        "torch": torch.__version__,
    }


def main(argv: list[str]) -> int:
    from core.atomic import write_text_atomic

    folder = Path(argv[0])
    if hasattr(os, "nice"):
        os.nice(10)  # the interactive process comes first
    try:
        result = build(folder)
        write_text_atomic(folder / DONE, json.dumps(result, indent=1))
        return 0
    except Exception as exc:  # reported to the app through failed.json; it keeps the eager path
        traceback.print_exc()
        write_text_atomic(folder / FAILED, json.dumps({"error": f"{type(exc).__name__}: {str(exc)[:500]}"}))
        return 1
    finally:
        for name in (WEIGHTS, LOCK):
            (folder / name).unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
