"""The GFLA novel-view generator (shapenet car / chair): re-render an object photo from another azimuth, and its view codes."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
from numpy.typing import ArrayLike

from core.errors import RenderError
from core.gfla.blocks import ResBlock, ResBlockDecoder
from core.gfla.configs import ShapeNetConfig
from core.gfla.flow import FlowUNet
from core.gfla.generator import AttentionDecoder, Decoded, FlowPair, SingleSourceGenerator, SourceEncoder

AZIMUTH_BINS = 18  # h // 2: 20° azimuth steps (h is the azimuth in units of 10°)
ELEVATION_BINS = 3  # v // 10: elevation labels 0, 10, 20 (inferred from the published loader)
VIEW_CODE_NC = AZIMUTH_BINS + ELEVATION_BINS


def view_code(labels_hv: ArrayLike | torch.Tensor) -> torch.Tensor:
    """One-hot view codes from the dataset's raw (h, v) labels: (2,) or (B, 2) integers -> (B, 21, 1, 1) float32.

    Channels 0..17 are one-hot of ``h // 2``, channels 18..20 one-hot of ``v // 10`` (floor division,
    as the published code's integer division did on the PyTorch of its time).
    """
    hv = np.asarray(labels_hv.cpu() if isinstance(labels_hv, torch.Tensor) else labels_hv)
    if hv.ndim == 1:
        hv = hv[None]
    if hv.ndim != 2 or hv.shape[1] != 2 or not np.issubdtype(hv.dtype, np.integer):
        raise RenderError(f"view labels must be integer (h, v) pairs, got shape {hv.shape} of {hv.dtype}")
    h_bin, v_bin = hv[:, 0] // 2, hv[:, 1] // 10
    if (h_bin < 0).any() or (h_bin >= AZIMUTH_BINS).any() or (v_bin < 0).any() or (v_bin >= ELEVATION_BINS).any():
        raise RenderError(f"view labels out of range (h in 0..35, v in 0..29): {hv.tolist()}")
    code = torch.zeros(len(hv), VIEW_CODE_NC, 1, 1)  # (B, 21, 1, 1)
    rows = torch.arange(len(hv))
    code[rows, torch.as_tensor(h_bin, dtype=torch.long)] = 1.0
    code[rows, AZIMUTH_BINS + torch.as_tensor(v_bin, dtype=torch.long)] = 1.0
    return code


def view_labels(azimuth_deg: float, elevation_deg: float = 0.0) -> tuple[int, int]:
    """Raw (h, v) labels of the trained view nearest to an azimuth and elevation in degrees.

    Azimuths snap to the 18 trained 20° steps (wrapping at 360°); elevations snap to 0°, 10° or 20°.
    """
    if not (np.isfinite(azimuth_deg) and np.isfinite(elevation_deg)):
        raise RenderError(f"view angles must be finite numbers, got azimuth {azimuth_deg}, elevation {elevation_deg}")
    h = 2 * (int(np.floor(float(azimuth_deg) % 360.0 / 20.0 + 0.5)) % AZIMUTH_BINS)
    v = 10 * int(np.clip(np.floor(float(elevation_deg) / 10.0 + 0.5), 0, ELEVATION_BINS - 1))
    return h, v


class _Bottleneck(nn.Module):
    """One residual block that mixes the tiled view difference into the deepest flow feature (key ``cat.model.0``)."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.model = nn.Sequential(ResBlock(c_in, c_out, c_in))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class ShapeNetFlowNet(FlowUNet):
    """Flow U-Net that sees only the source image; the view change enters at the bottleneck (``cat``).

    Flows and masks come out at the attention scales, coarse first (32² and 64² for 256² input).
    """

    def __init__(self, cfg: ShapeNetConfig) -> None:
        """The source image (``image_nc`` channels) in; the ``structure_nc``-channel view change at the bottleneck."""
        code_nc = cfg.structure_nc
        super().__init__(cfg.image_nc, cfg, bottleneck=lambda width: _Bottleneck(width + code_nc, width))

    def forward(
        self, source: torch.Tensor, source_code: torch.Tensor, target_code: torch.Tensor
    ) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """source (B, 3, H, W); codes (B, 21, 1, 1) -> flows [(B, 2, h, w)], masks [(B, 1, h, w)], coarse first."""
        out, skips = self.encode(source)
        change = (source_code - target_code).repeat(1, 1, out.shape[2], out.shape[3])  # (B, 21, H/32, W/32)
        return self.decode(self.cat(torch.cat((out, change), dim=1)), skips)


class ShapeNetTargetNet(AttentionDecoder):
    """Decode the target view code (tiled to a fixed grid) into an image, blending in attended source features."""

    def __init__(self, cfg: ShapeNetConfig) -> None:
        super().__init__()
        self.grid = cfg.view_grid
        self.block0 = ResBlockDecoder(cfg.structure_nc, cfg.ngf)  # grid -> 2·grid
        self.block1 = ResBlockDecoder(cfg.ngf, cfg.ngf * min(2 ** (cfg.layers - 1), cfg.img_f // cfg.ngf))  # -> 4·grid
        self.add_decoder(cfg, ("",))

    def forward(
        self, target_code: torch.Tensor, features: list[torch.Tensor], flows: list[torch.Tensor], masks: list[torch.Tensor]
    ) -> Decoded:
        """target_code (B, 21, 1, 1); source pyramid, flows, masks deepest first -> image (B, 3, H, W), attention."""
        out = self.block1(self.block0(target_code.repeat(1, 1, self.grid, self.grid)))  # (B, C, 4·grid, 4·grid)
        return self.run_decoder(out, [features], [flows], [masks])


class ShapeNetGenerator(SingleSourceGenerator):
    """Novel-view synthesis: re-render the object in ``source`` (seen from ``source_code``) from ``target_code``."""

    def __init__(self, cfg: ShapeNetConfig) -> None:
        super().__init__()
        self.config = cfg
        self.image_size = cfg.view_grid * 2 ** (cfg.layers + 2)  # 256 for the released layout
        self.source = SourceEncoder(cfg.image_nc, cfg.ngf, cfg.img_f, cfg.layers)
        self.target = ShapeNetTargetNet(cfg)
        self.flow_net = ShapeNetFlowNet(cfg)

    def encode_source(self, source: torch.Tensor) -> list[torch.Tensor]:
        self._check(source)
        return self.source(source)

    def _check(self, source: torch.Tensor) -> None:
        if source.dim() != 4 or tuple(source.shape[-2:]) != (self.image_size, self.image_size):
            raise RenderError(
                f"the ShapeNet network only accepts {self.image_size}×{self.image_size} images "
                f"(B, 3, {self.image_size}, {self.image_size}); got shape {tuple(source.shape)}"
            )

    def source_flows(self, source: torch.Tensor, source_structure: torch.Tensor, target_structure: torch.Tensor) -> FlowPair:
        return self.flow_net(source, source_structure, target_structure)

    def decode(self, target_structure: torch.Tensor, features: list[torch.Tensor], flows: list[torch.Tensor],
               masks: list[torch.Tensor]) -> Decoded:
        return self.target(target_structure, features, flows, masks)

    def forward(self, source: torch.Tensor, source_structure: torch.Tensor, target_structure: torch.Tensor,
                source_features: list[torch.Tensor] | None = None) -> dict[str, object]:
        """source (B, 3, 256, 256) in [-1, 1]; the structures are view codes (B, 21, 1, 1) from ``view_code``.

        Returns ``image`` (B, 3, 256, 256), ``flows`` [(B, 2, 32, 32), (B, 2, 64, 64)], ``masks``
        likewise with 1 channel, and ``attn``: module name -> softmax weights (B, k², h, w).
        """
        self._check(source)
        codes = []
        for code in (source_structure, target_structure):
            if code.numel() != source.shape[0] * self.config.structure_nc:
                raise RenderError(f"view codes must have shape (B, {self.config.structure_nc}, 1, 1), got {tuple(code.shape)}")
            codes.append(code.reshape(source.shape[0], self.config.structure_nc, 1, 1).to(source.device, source.dtype))
        return super().forward(source, codes[0], codes[1], source_features)
