"""Build the network a config describes."""

from __future__ import annotations

import torch.nn as nn

from core.gfla.configs import DanceConfig, FaceConfig, KeypointConfig, ModelConfig, PoseConfig, ShapeNetConfig
from core.gfla.dance import DanceGenerator
from core.gfla.face import FaceGenerator
from core.gfla.generator import PoseGenerator
from core.gfla.motion import KeypointNet
from core.gfla.shapenet import ShapeNetGenerator


def build_model(config: ModelConfig) -> nn.Module:
    """Build the (randomly initialised) network for ``config``; wrap in ``torch.device("meta")`` for shapes only."""
    if isinstance(config, DanceConfig):
        return DanceGenerator(config)
    if isinstance(config, PoseConfig):
        return PoseGenerator(config)
    if isinstance(config, KeypointConfig):
        return KeypointNet(config)
    if isinstance(config, FaceConfig):
        return FaceGenerator(config)
    if isinstance(config, ShapeNetConfig):
        return ShapeNetGenerator(config)
    raise TypeError(f"not a GFLA config: {config!r}")
