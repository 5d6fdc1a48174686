"""GFLA networks in pure PyTorch: configs, the three generator families, and strict checkpoint loading."""

from __future__ import annotations

# Submodules load on first use (PEP 562), so that light users such as the CLI's argument parser
# can read core.gfla.configs without importing torch.
_EXPORTS = {
    "LoadedModel": "checkpoint", "detect_kind": "checkpoint", "load_model": "checkpoint", "read_state_dict": "checkpoint",
    "CONFIGS": "configs", "DanceConfig": "configs", "KeypointConfig": "configs", "ModelConfig": "configs",
    "PoseConfig": "configs", "config_from_fixture": "configs", "DanceGenerator": "dance", "build_model": "factory",
    "PoseGenerator": "generator", "KeypointNet": "motion", "extract_blocks": "ops", "local_attn_reshape": "ops",
    "FaceConfig": "configs", "ShapeNetConfig": "configs", "FaceGenerator": "face", "ShapeNetGenerator": "shapenet",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core.gfla' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"core.gfla.{module}"), name)


__all__ = sorted(_EXPORTS)
