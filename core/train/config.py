"""Typed training configs, one default per model kind, loadable from TOML (``python main.py train CONFIG``).

Defaults are the published values (options/*.py and model/*_model.py of the published code): Adam with
betas (0, 0.999), lr 1e-4, discriminator lr × 0.1, LSGAN, the loss weights of each stage, the batch sizes.
The repository trains until it is killed (a 5M-iteration cap) and does not say how long each stage ran;
the stage lengths below are our choice (the authors stopped the flow stage when its loss was "roughly 2"
for DeepFashion and 1.5 for Market: published issue #25), so set ``iterations`` or ``stop_below`` to taste.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.train.errors import TrainConfigError

TrainKind = Literal["pose_fashion", "pose_market", "dance_fashion", "dance_iper", "dance_keypoint"]
TRAIN_KINDS: dict[str, TrainKind] = {k: k for k in ("pose_fashion", "pose_market", "dance_fashion", "dance_iper",
                                                    "dance_keypoint")}


def train_kind(name: str) -> TrainKind:
    """``name`` as a trainable network kind; TrainConfigError naming the kinds otherwise."""
    try:
        return TRAIN_KINDS[name]
    except KeyError:
        raise TrainConfigError(f"cannot train {name!r}: choose one of {', '.join(TRAIN_KINDS)}") from None

KINDS = ("pose_fashion", "pose_market", "dance_fashion", "dance_iper", "dance_keypoint")
Layout = Literal["fashion", "market", "dance", "keypoint", "video", "pairs_folder"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LossWeights(_Strict):
    """λ of each loss term (0 switches a term off)."""

    rec: float = 5.0  # L1
    correct: float = 5.0  # sampling correctness
    g: float = 2.0  # adversarial (image and temporal discriminators)
    regularization: float = 0.0025  # affine flow regularisation
    style: float = 500.0
    content: float = 0.5
    mse: float = 1.0  # Motion Extraction Network only


FLOW_STAGE_WEIGHTS = LossWeights(rec=0, correct=20.0, g=0, regularization=0.01, style=0, content=0)


class Stage(_Strict):
    """A span of iterations with its own trainable part and loss weights."""

    name: str
    iterations: int = Field(gt=0)
    trains: Literal["flow", "all"] = "all"  # "flow": the flow network alone, no discriminator
    weights: LossWeights = LossWeights()
    stop_below: float | None = None  # end the stage early once the running mean of its total loss is below


class DataConfig(_Strict):
    layout: Layout = "fashion"
    root: str = "dataset/fashion"
    phase: str = "train"
    batch_size: int = Field(default=8, gt=0)
    workers: int = Field(default=2, ge=0)
    augment: bool = True  # the published affine augmentation where the dataset has one (Market, animation)
    fill: Literal["grey", "black", "white"] = "grey"  # augmentation fill (published: Pillow 5 grey, Pillow 6 black)
    frames_total: int = 30  # animation: frames per item
    chunk: int = 6  # animation: frames per optimiser step (and temporal discriminator length)
    use_mask: bool | None = None  # animation: foreground masks (None: iPER yes, FashionVideo no)
    pairs_per_video: int = 2000  # own video: random (source, target) pairs per epoch
    h36m_gt: str = "data_2d_h36m_gt.npz"  # keypoint layout, relative to root
    h36m_input: str = "data_2d_h36m_detectron_pt_coco.npz"


class ModelConfig(_Strict):
    """Network widths; the defaults are the released checkpoints' (smaller ones only for tests and experiments)."""

    ngf: int = 64
    img_f: int = 512
    flow_ngf: int = 32
    flow_img_f: int = 256
    image_size: tuple[int, int] | None = None  # (H, W); None: the kind's native size
    d_ndf: int = 32
    d_img_f: int = 128
    d_layers: int | None = None  # None: 4, or 3 for Market
    kp_channels: int = 256
    init: Literal["orthogonal", "pytorch"] = "orthogonal"


class OptimConfig(_Strict):
    lr: float = 1e-4
    betas: tuple[float, float] = (0.0, 0.999)
    d_lr_ratio: float = 0.1
    gan_mode: Literal["lsgan", "hinge"] = "lsgan"


class ScheduleConfig(_Strict):
    print_every: int = 100
    save_latest_every: int = 1000
    save_every: int = 10000
    curves_every: int = 1000  # rewrite the loss-curve PNG


class TrainConfig(_Strict):
    kind: TrainKind = "pose_fashion"
    out_dir: str = "runs/train"
    init_weights: str | None = None  # start the generator from this checkpoint (fine-tuning)
    vgg19: str | None = None  # torchvision vgg19 state dict (.pth/.safetensors); None: VGG losses off
    seed: int = 0
    device: str = "auto"
    amp: bool = True  # mixed precision on CUDA (ignored on the CPU)
    deterministic: bool = False
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    optim: OptimConfig = OptimConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    stages: tuple[Stage, ...] = ()

    @property
    def total_iterations(self) -> int:
        return sum(s.iterations for s in self.stages)

    def stage_at(self, iteration: int) -> tuple[int, Stage]:
        """(index, stage) that iteration ``iteration`` (0-based) belongs to; the last stage beyond the end."""
        end = 0
        for i, stage in enumerate(self.stages):
            end += stage.iterations
            if iteration < end:
                return i, stage
        return len(self.stages) - 1, self.stages[-1]

    def stage_start(self, index: int) -> int:
        return sum(s.iterations for s in self.stages[:index])


def default_config(kind: str) -> TrainConfig:
    """The published recipe for ``kind`` (stage lengths are ours, see the module docstring)."""
    if kind in ("pose_fashion", "pose_market"):
        market = kind == "pose_market"
        return TrainConfig(
            kind=kind,
            out_dir=f"runs/{kind}",
            data=DataConfig(layout="market" if market else "fashion", root=f"dataset/{'market' if market else 'fashion'}"),
            stages=(
                Stage(name="flow", iterations=100_000, trains="flow", weights=FLOW_STAGE_WEIGHTS),
                Stage(name="full", iterations=500_000, trains="all", weights=LossWeights()),
            ),
        )
    if kind in ("dance_fashion", "dance_iper"):
        iper = kind == "dance_iper"
        return TrainConfig(
            kind=kind,
            out_dir=f"runs/{kind}",
            data=DataConfig(layout="dance", root="dataset/iPER" if iper else "dataset/danceFashion", batch_size=2),
            schedule=ScheduleConfig(print_every=2, save_latest_every=2, save_every=1000, curves_every=100),
            # λ_correct is 2 when foreground masks are used (iPER); the trainer applies that.
            stages=(Stage(name="full", iterations=200_000, trains="all", weights=LossWeights()),),
        )
    if kind == "dance_keypoint":
        return TrainConfig(
            kind=kind,
            out_dir="runs/dance_keypoint",
            data=DataConfig(layout="keypoint", root="dataset/human36m", batch_size=32),
            schedule=ScheduleConfig(print_every=1000, save_latest_every=1000, save_every=50_000),
            stages=(Stage(name="full", iterations=300_000, trains="all",
                          weights=LossWeights(rec=0, correct=0, g=0, regularization=0, style=0, content=0, mse=1.0)),),
        )
    raise TrainConfigError(f"unknown model kind {kind!r}; choose one of {', '.join(KINDS)}")


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def config_from_dict(raw: dict, base_dir: str | os.PathLike | None = None) -> TrainConfig:
    """The kind's defaults overridden by ``raw`` (nested tables merge; ``stages`` replaces the whole list).

    Relative paths (data root, out_dir, vgg19, init_weights) are taken relative to ``base_dir``.
    """
    kind = raw.get("kind", "pose_fashion")
    base = default_config(kind).model_dump(mode="python")
    merged = _merge(base, raw)
    if "stages" in raw:  # a stage's weights start from the published full-model weights
        merged["stages"] = [_merge({"weights": LossWeights().model_dump()}, dict(s)) for s in raw["stages"]]
    try:
        cfg = TrainConfig.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:6])
        raise TrainConfigError(f"the training config is invalid: {problems}") from exc
    if not cfg.stages:
        raise TrainConfigError("the training config has no stages")
    if base_dir is not None:
        cfg = _resolve_paths(cfg, Path(base_dir))
    return cfg


def _resolve_paths(cfg: TrainConfig, base: Path) -> TrainConfig:
    def rel(p: str | None) -> str | None:
        return None if p is None else str(p if os.path.isabs(p) else (base / p))

    data = cfg.data.model_copy(update={"root": rel(cfg.data.root)})
    return cfg.model_copy(update={"out_dir": rel(cfg.out_dir), "vgg19": rel(cfg.vgg19),
                                  "init_weights": rel(cfg.init_weights), "data": data})


def load_config(path: str | os.PathLike) -> TrainConfig:
    """Read a TOML training config; paths in it are relative to the file's folder."""
    p = Path(path)
    if not p.is_file():
        raise TrainConfigError(f"the training config {p} does not exist")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TrainConfigError(f"{p.name} is not valid TOML ({exc})") from exc
    return config_from_dict(raw, p.parent)


def config_to_toml(cfg: TrainConfig) -> str:
    """A TOML rendering of ``cfg`` (saved next to each run so it can be repeated)."""
    data = cfg.model_dump(mode="json", exclude_none=True)
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, (dict, list))}
    lines += [f"{k} = {_toml_value(v)}" for k, v in scalars.items()]
    for key in ("data", "model", "optim", "schedule"):
        lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in data[key].items()]
    for stage in data["stages"]:
        lines += ["", "[[stages]]"] + [f"{k} = {_toml_value(v)}" for k, v in stage.items() if k != "weights"]
        lines += ["[stages.weights]"] + [f"{k} = {_toml_value(v)}" for k, v in stage["weights"].items()]
    return "\n".join(lines) + "\n"


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
