"""Frozen configuration records for each released GFLA network, and building one from a fixture's config."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from core.errors import CheckpointError


@dataclass(frozen=True)
class _GeneratorConfig:
    """Widths and layout shared by the pose-transfer and animation generators.

    ``extractor_kz`` maps an attention layer to its local-attention kernel size, stored as a
    tuple of ``(layer, kernel)`` pairs so the record stays hashable.
    """

    image_nc: int = 3
    structure_nc: int = 18
    ngf: int = 64
    img_f: int = 512
    layers: int = 3
    num_blocks: int = 2
    attn_layer: tuple[int, ...] = (2, 3)
    extractor_kz: tuple[tuple[int, int], ...] = ((2, 5), (3, 3))
    flow_ngf: int = 32
    flow_img_f: int = 256
    flow_encoder_layer: int = 5
    attn_hidden: int = 128
    image_size: tuple[int, int] = (256, 256)

    def kernel_for(self, layer: int) -> int:
        """Local-attention kernel size used at attention ``layer``."""
        for key, k in self.extractor_kz:
            if key == layer:
                return k
        raise KeyError(f"no extractor kernel size for attention layer {layer}")


@dataclass(frozen=True)
class PoseConfig(_GeneratorConfig):
    """Pose-transfer generator (pose_fashion, pose_market): 18 heat-map channels per pose."""


@dataclass(frozen=True)
class DanceConfig(_GeneratorConfig):
    """Sequential animation generator (dance_fashion, dance_iper): 17 heat maps + 3-channel bone image."""

    structure_nc: int = 20


@dataclass(frozen=True)
class FaceConfig(_GeneratorConfig):
    """Face animation generator (face): 16-channel structure (edge image, 14 distance maps, part labels)."""

    structure_nc: int = 16


@dataclass(frozen=True)
class ShapeNetConfig(_GeneratorConfig):
    """Novel-view generator (shapenet car / chair): 21-channel one-hot view code (18 azimuth + 3 elevation bins).

    The target decoder starts from the view code tiled to ``view_grid`` × ``view_grid``, so the
    network only accepts images of ``view_grid · 2^(layers+2)`` pixels (256 × 256).
    """

    structure_nc: int = 21
    view_grid: int = 8


@dataclass(frozen=True)
class KeypointConfig:
    """Motion Extraction Network (dance_keypoint): 1-D temporal convolutions over 17 joints."""

    structure_nc: int = 17
    channels: int = 256
    layers: int = 4


GeneratorConfig = PoseConfig | DanceConfig | FaceConfig | ShapeNetConfig  # the image generators (flow + target nets)
ModelConfig = PoseConfig | DanceConfig | KeypointConfig | FaceConfig | ShapeNetConfig

CONFIGS: dict[str, ModelConfig] = {
    "pose_fashion": PoseConfig(),
    "pose_market": PoseConfig(attn_layer=(2,), extractor_kz=((2, 3),), image_size=(128, 64)),
    "dance_fashion": DanceConfig(),
    "dance_iper": DanceConfig(),
    "dance_keypoint": KeypointConfig(),
    "face": FaceConfig(),
    "shapenet": ShapeNetConfig(),
}

_CLASS_TO_CONFIG = {
    "PoseGenerator": PoseConfig,
    "DanceGenerator": DanceConfig,
    "KPInput2DGenerator": KeypointConfig,
    "FaceGenerator": FaceConfig,
    "ShapeNetGenerator": ShapeNetConfig,
}


def config_from_fixture(cfg: dict[str, Any]) -> ModelConfig:
    """Build a config from the ``config`` entry of a numeric fixture file (reduced widths allowed)."""
    cls = _CLASS_TO_CONFIG.get(str(cfg.get("class")))
    if cls is None:
        raise CheckpointError(f"fixture config names an unknown network class {cfg.get('class')!r}")
    if cfg.get("use_spect", False):
        raise CheckpointError("spectral-norm generators are not supported (the released ones use none)")
    if cfg.get("norm", "instance") != "instance" or cfg.get("activation", "LeakyReLU") != "LeakyReLU":
        raise CheckpointError("only instance norm with LeakyReLU(0.1) is supported (as in every released generator)")
    names = {f.name for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in cfg.items():
        if key not in names:
            continue
        if key == "attn_layer":
            value = tuple(int(v) for v in value)
        elif key == "extractor_kz":
            value = tuple(sorted((int(k), int(v)) for k, v in dict(value).items()))
        elif key == "image_size":
            value = (int(value[0]), int(value[1]))
        kwargs[key] = value
    return cls(**kwargs)
