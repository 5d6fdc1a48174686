"""GFLA networks in pure PyTorch: configs, the three generator families, and strict checkpoint loading."""

from __future__ import annotations

from core.gfla.checkpoint import LoadedModel, detect_kind, load_model, read_state_dict
from core.gfla.configs import CONFIGS, DanceConfig, KeypointConfig, ModelConfig, PoseConfig, config_from_fixture
from core.gfla.dance import DanceGenerator
from core.gfla.factory import build_model
from core.gfla.generator import PoseGenerator
from core.gfla.motion import KeypointNet
from core.gfla.ops import extract_blocks, local_attn_reshape

__all__ = [
    "CONFIGS",
    "DanceConfig",
    "DanceGenerator",
    "KeypointConfig",
    "KeypointNet",
    "LoadedModel",
    "ModelConfig",
    "PoseConfig",
    "PoseGenerator",
    "build_model",
    "config_from_fixture",
    "detect_kind",
    "extract_blocks",
    "load_model",
    "local_attn_reshape",
    "read_state_dict",
]
