"""Fine-tune a pose-transfer checkpoint on a video of one person, so the app renders that person better.

Steps: read the frames (a video file or a folder of images), detect the person in each (the app's
detector), build random (source, target) frame pairs framed as the renderer frames a photo, train the
whole generator with the published full-stage losses from the given weights, and write
``<out>/finetuned_net_G.safetensors`` in the published key layout (the app and ``weights import`` load it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import Cancelled, StudioError
from core.train.config import (
    DataConfig,
    LossWeights,
    ModelConfig,
    OptimConfig,
    ScheduleConfig,
    Stage,
    TrainConfig,
    train_kind,
)
from core.train.errors import DatasetError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")
POSES_FILE = "poses.npz"
OUTPUT_NAME = "finetuned_net_G.safetensors"


@dataclass(frozen=True)
class FinetuneOptions:
    iterations: int = 2000
    batch_size: int = 2
    lr: float = 1e-5  # generator; the discriminator uses lr × 0.1 as published
    max_frames: int = 300
    device: str = "auto"
    vgg19: str | None = None
    detector: str = "mediapipe"
    save_every: int = 250
    print_every: int = 10
    seed: int = 0
    model: ModelConfig = field(default_factory=ModelConfig)  # widths of the given weights (full size normally)


def read_frames(source: str | os.PathLike, max_frames: int = 300,
                cancel: Callable[[], bool] | None = None) -> list[np.ndarray]:
    """(H, W, 3) uint8 RGB frames of a video file or of a folder of images (natural order)."""
    from core.animation.motion_import import natural_key

    p = Path(source)
    frames: list[np.ndarray] = []
    if p.is_dir():
        from core.imageio_utils import load_image

        files = sorted((f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES), key=lambda f: natural_key(f.name))
        for f in files[:max_frames]:
            frames.append(load_image(f))
    elif p.is_file():
        import imageio_ffmpeg

        try:
            reader = imageio_ffmpeg.read_frames(str(p), pix_fmt="rgb24")
            meta = next(reader)
        except (OSError, RuntimeError, StopIteration) as exc:
            raise DatasetError(f"cannot read {p.name} as a video ({str(exc).splitlines()[0] if str(exc) else exc})") from exc
        w, h = meta["size"]
        try:
            for buf in reader:
                if len(frames) >= max_frames or (cancel is not None and cancel()):
                    break
                frames.append(np.frombuffer(buf, dtype=np.uint8).reshape(h, w, 3).copy())
        finally:
            reader.close()
    else:
        raise DatasetError(f"{p} does not exist")
    if len(frames) < 2:
        raise DatasetError(f"{p.name} has {len(frames)} usable frame(s); fine-tuning needs a video of at least two")
    return frames


def detect_poses(frames: list[np.ndarray], detector: Any = "mediapipe",
                 progress: Callable[[int, int], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> np.ndarray:
    """(T, 18, 2) x, y per frame (NaN where nobody or a joint was found)."""
    from core.detect import detect_sequence
    from core.skeleton import Pose

    out = []
    for det in detect_sequence(frames, detector, progress, cancel):
        out.append(np.full((18, 2), np.nan) if det is None else Pose.coerce(det.pose).xy)
    return np.stack(out)


def finetune_config(kind: str, out: Path, weights: str, options: FinetuneOptions) -> TrainConfig:
    """One full-model stage with the published loss weights, starting from ``weights``."""
    return TrainConfig(
        kind=train_kind(kind), out_dir=str(out), init_weights=str(weights), vgg19=options.vgg19, device=options.device,
        seed=options.seed, model=options.model,
        data=DataConfig(layout="video", root=str(out), batch_size=options.batch_size, workers=0),
        optim=OptimConfig(lr=options.lr),
        schedule=ScheduleConfig(print_every=options.print_every, save_latest_every=options.save_every,
                                save_every=10**9, curves_every=max(options.save_every, options.print_every)),
        stages=(Stage(name="finetune", iterations=options.iterations, trains="all", weights=LossWeights()),),
    )


def video_dataset(root: Path, cfg: TrainConfig) -> Any:
    """Pairs from the poses and frames saved in ``root`` by an earlier ``finetune`` call (config layout 'video')."""
    from core.train.datasets import VideoPairs

    poses_path = root / POSES_FILE
    if not poses_path.is_file():
        raise DatasetError(f"{root} has no {POSES_FILE}: run 'python main.py finetune' to prepare a video")
    with np.load(poses_path) as z:
        poses, source = z["poses"], str(z["source"])
    frames = read_frames(source, len(poses))
    spec = "market" if cfg.kind == "pose_market" else "deepfashion"
    size = cfg.model.image_size
    return VideoPairs(frames, poses[: len(frames)], spec, pairs_per_epoch=max(64, cfg.data.batch_size * 16), image_size=size)


def finetune(weights: str | os.PathLike, video: str | os.PathLike, out: str | os.PathLike,
             options: FinetuneOptions = FinetuneOptions(), resume: bool = False,
             progress: Callable[[int, int, str], None] | None = None, cancel: Callable[[], bool] | None = None,
             echo: Callable[[str], None] = print, detector: Any = None) -> Path:
    """Fine-tune ``weights`` on ``video``; returns the path of the fine-tuned generator weights."""
    from core.atomic import atomic_path
    from core.gfla.checkpoint import read_state_dict
    from core.gfla.layout import detect_kind
    from core.train.trainer import Trainer

    out, weights = Path(out).resolve(), Path(weights).resolve()
    out.mkdir(parents=True, exist_ok=True)
    kind = detect_kind(read_state_dict(weights))
    if kind not in ("pose_fashion", "pose_market"):
        raise StudioError(f"fine-tuning on a video needs pose_fashion or pose_market weights; {Path(weights).name} is {kind}")
    cfg = finetune_config(kind, out, str(weights), options)

    def stage_progress(label: str, offset: float, span: float) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            if progress is not None and total > 0:
                progress(int(1000 * (offset + span * done / total)), 1000, label)
        return report

    poses_path = out / POSES_FILE
    if resume and poses_path.is_file():
        echo("using the poses detected before")
    else:
        echo(f"reading {Path(video).name}…")
        frames = read_frames(video, options.max_frames, cancel)
        if cancel is not None and cancel():
            raise Cancelled("fine-tuning cancelled")
        echo(f"finding the person in {len(frames)} frames…")
        poses = detect_poses(frames, detector or options.detector, stage_progress("Finding the person", 0.0, 0.1), cancel)
        with atomic_path(poses_path) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, poses=poses, source=np.array(str(Path(video).resolve())))
    dataset = video_dataset(out, cfg)
    echo(f"{len(dataset.good)} frames with a person; fine-tuning {cfg.kind} for {options.iterations} iterations")

    def train_progress(done: int, total: int, text: str) -> None:
        if progress is not None:
            progress(100 + int(900 * done / max(total, 1)), 1000, text)

    trainer = Trainer(cfg, dataset=dataset, echo=echo, progress=train_progress, cancel=cancel)
    result = trainer.run(resume=resume)
    final = out / OUTPUT_NAME
    with atomic_path(final) as tmp:
        shutil.copyfile(result.checkpoint, tmp)
    return final
