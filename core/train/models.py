"""Build the networks a training config describes: the generator (with the config's widths) and its discriminators."""

from __future__ import annotations

from dataclasses import replace

import torch.nn as nn

from core.gfla.configs import CONFIGS, DanceConfig, KeypointConfig, PoseConfig
from core.gfla.factory import build_model
from core.train.config import TrainConfig
from core.train.discriminators import ResDiscriminator, TemporalDiscriminator, init_orthogonal
from core.train.errors import TrainConfigError


def generator_config(cfg: TrainConfig) -> PoseConfig | DanceConfig | KeypointConfig:
    """The core.gfla config for ``cfg.kind`` with the widths and image size of ``cfg.model``."""
    base = CONFIGS[cfg.kind]
    m = cfg.model
    if isinstance(base, KeypointConfig):
        return KeypointConfig(structure_nc=base.structure_nc, channels=m.kp_channels, layers=base.layers)
    if not isinstance(base, PoseConfig | DanceConfig):
        raise TrainConfigError(f"{cfg.kind} is not a network this trainer builds")
    size = m.image_size or base.image_size
    h, w = size
    if h % 32 or w % 32 or min(h, w) < 64:
        raise TrainConfigError(f"image_size {size}: height and width must be multiples of 32 and at least 64 "
                               "(the flow network halves the image five times)")
    return replace(base, ngf=m.ngf, img_f=m.img_f, flow_ngf=m.flow_ngf, flow_img_f=m.flow_img_f,
                   image_size=(int(h), int(w)))


def is_full_size(cfg: TrainConfig) -> bool:
    """True when the generator has the released checkpoints' layout (the app can load it)."""
    return generator_config(cfg) == CONFIGS[cfg.kind]


def build_generator(cfg: TrainConfig) -> nn.Module:
    net = build_model(generator_config(cfg))
    return init_orthogonal(net) if cfg.model.init == "orthogonal" else net


def discriminator_layers(cfg: TrainConfig) -> int:
    return cfg.model.d_layers or (3 if cfg.kind == "pose_market" else 4)


def build_discriminators(cfg: TrainConfig) -> dict[str, nn.Module]:
    """'D' (image) for pose and animation models, plus 'D_V' (temporal) for animation; none for the keypoint net."""
    if cfg.kind == "dance_keypoint":
        return {}
    m = cfg.model
    nets: dict[str, nn.Module] = {"D": ResDiscriminator(3, m.d_ndf, m.d_img_f, discriminator_layers(cfg))}
    if cfg.kind.startswith("dance"):
        nets["D_V"] = TemporalDiscriminator(3, cfg.data.chunk, m.d_ndf, m.d_img_f, 4)
    if m.init == "orthogonal":
        for net in nets.values():
            init_orthogonal(net)
    return nets
