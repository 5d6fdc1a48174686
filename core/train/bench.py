"""Time one training iteration (discriminator step + generator step with every published loss) for the bench.

The data are random tensors of the kind's native size and the VGG19 has random weights at full width, so the
cost is that of real training without needing the dataset or the VGG file.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable

import torch
from torch.utils.data import Dataset

from core.gfla.configs import KeypointConfig
from core.train.config import Stage, default_config
from core.train.errors import TrainConfigError
from core.train.models import generator_config


class _RandomItems(Dataset):
    def __init__(self, item: dict[str, torch.Tensor]) -> None:
        self.item = item

    def __len__(self) -> int:
        return 64

    def __getitem__(self, key: object) -> dict[str, torch.Tensor]:
        return self.item


def _item(kind: str, frames: int) -> dict[str, torch.Tensor]:
    cfg = default_config(kind)
    if kind == "dance_keypoint":
        return {"input": torch.rand(34, 104) * 2 - 1, "target": torch.rand(34, 24) * 2 - 1}
    gcfg = generator_config(cfg)
    if isinstance(gcfg, KeypointConfig):  # handled above: the motion network has no image size
        raise TrainConfigError(f"{kind} trains no image generator")
    h, w = gcfg.image_size
    if kind.startswith("pose"):
        return {"P1": torch.rand(3, h, w) * 2 - 1, "BP1": torch.rand(18, h, w), "P2": torch.rand(3, h, w) * 2 - 1,
                "BP2": torch.rand(18, h, w)}
    return {"images": torch.rand(frames, 3, h, w) * 2 - 1, "structures": torch.rand(frames, 20, h, w),
            "ref_image": torch.rand(3, h, w) * 2 - 1, "ref_structure": torch.rand(20, h, w)}


def training_step(kind: str = "pose_fashion", batch: int = 1, device: str = "cpu") -> Callable[[], None]:
    """Build a trainer for ``kind`` on random data; the returned function runs one full-stage iteration.

    Its scratch folder (random VGG19 weights, run folder) lives as long as the returned function.
    """
    from safetensors.torch import save_file

    from core.train.data import to_device
    from core.train.synthetic import random_vgg19_state
    from core.train.trainer import Trainer

    scratch = tempfile.TemporaryDirectory()
    tmp = scratch.name
    vgg = None
    if kind != "dance_keypoint":
        vgg = f"{tmp}/vgg19.safetensors"
        save_file(random_vgg19_state(1), vgg)
    base = default_config(kind)
    full = Stage(name="full", iterations=10**9, trains="all", weights=base.stages[-1].weights)
    frames = base.data.chunk
    cfg = base.model_copy(update={
        "out_dir": f"{tmp}/run", "vgg19": vgg, "device": device, "stages": (full,),
        "data": base.data.model_copy(update={"batch_size": batch, "workers": 0, "frames_total": frames}),
    })
    trainer = Trainer(cfg, dataset=_RandomItems(_item(kind, frames)), echo=lambda _s: None)
    trainer._enter_stage(0)
    loader = iter(trainer._loader(0))

    def step() -> None:
        batch_data = to_device(next(loader), trainer.device)
        trainer.step.run(batch_data, full, trainer.flow_module)
        if trainer.device.type == "cuda":
            torch.cuda.synchronize()

    step.scratch = scratch  # type: ignore[attr-defined]  # keep the folder alive with the function
    return step


def bench_training_iteration(kind: str = "pose_fashion", batch: int = 1, device: str = "cpu",
                             repeats: int = 3, warmup: int = 1) -> float:
    """Median seconds of one full-stage training iteration of ``kind`` at ``batch`` (published networks)."""
    step = training_step(kind, batch, device)
    times = []
    for i in range(warmup + repeats):
        t0 = time.perf_counter()
        step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    step.scratch.cleanup()  # type: ignore[attr-defined]
    return statistics.median(times)
