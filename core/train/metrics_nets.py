"""The metric networks, built here and filled from weight files the user provides: LPIPS (AlexNet features +
LPIPS v0.1 linear layers) and FID (the pytorch-fid Inception-v3, ``pt_inception-2015-12-05`` state dict).

Key layouts: AlexNet as torchvision's ``features.{0,3,6,8,10}.weight/bias``; LPIPS as the lpips package's
``lin{0..4}.model.1.weight``; Inception as pytorch-fid's (``Conv2d_1a_3x3.conv.weight``, ``Mixed_5b.…``, ``fc.*``
ignored). Several files may be given for LPIPS (their keys are merged).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from core.errors import CheckpointError
from core.gfla.checkpoint import load_strict, read_state_dict

# ---- LPIPS -------------------------------------------------------------------------------------------
_ALEX = ((3, 64, 11, 4, 2), (64, 192, 5, 1, 2), (192, 384, 3, 1, 1), (384, 256, 3, 1, 1), (256, 256, 3, 1, 1))
_ALEX_IDX = (0, 3, 6, 8, 10)
_SHIFT = (-0.030, -0.088, -0.188)
_SCALE = (0.458, 0.448, 0.450)


class LPIPSAlex(nn.Module):
    """LPIPS distance with AlexNet features: (B, 3, H, W) pairs in [-1, 1] -> (B,) distances."""

    shift: torch.Tensor  # (1, 3, 1, 1) buffer
    scale: torch.Tensor  # (1, 3, 1, 1) buffer

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.ModuleDict({str(i): nn.Conv2d(a, b, k, s, p) for i, (a, b, k, s, p) in zip(_ALEX_IDX, _ALEX, strict=True)})
        self.lins = nn.ModuleList([nn.Conv2d(c[1], 1, 1, bias=False) for c in _ALEX])
        self.register_buffer("shift", torch.tensor(_SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(_SCALE).view(1, 3, 1, 1))

    def _taps(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = (x - self.shift) / self.scale
        taps = []
        for n, idx in enumerate(_ALEX_IDX):
            if n in (1, 2):
                x = F.max_pool2d(x, 3, 2)
            x = F.relu(self.features[str(idx)](x))
            taps.append(x)
        return taps

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        total = a.new_zeros(a.shape[0])
        for fa, fb, lin in zip(self._taps(a), self._taps(b), self.lins, strict=True):
            na = fa / (fa.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            nb = fb / (fb.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)
            total = total + lin((na - nb) ** 2).mean(dim=(1, 2, 3))
        return total


def load_lpips(paths: Sequence[str]) -> LPIPSAlex:
    merged: dict[str, torch.Tensor] = {}
    for p in paths:
        merged.update(read_state_dict(p))
    state = {}
    for key, value in merged.items():
        k = key.removeprefix("module.").removeprefix("net.")
        if k.startswith("features."):
            state["features." + k.split(".", 1)[1]] = value
        elif k.startswith("lin") and k.endswith(".weight"):
            state[f"lins.{int(k[3])}.weight"] = value
    net = LPIPSAlex()
    state.update({"shift": net.shift, "scale": net.scale})
    try:
        load_strict(net, state, "the LPIPS weights")
    except CheckpointError as exc:
        raise CheckpointError(f"the LPIPS weights do not fit AlexNet + LPIPS v0.1 ({str(exc)[:300]})") from exc
    return net.eval()


def _to_tensor(images: Sequence[np.ndarray]) -> torch.Tensor:
    return torch.from_numpy(np.stack(images).astype(np.float32)).permute(0, 3, 1, 2) / 255.0  # (N, 3, H, W) in [0, 1]


def lpips_distance(gens: Sequence[np.ndarray], reals: Sequence[np.ndarray], paths: Sequence[str], device: str = "auto") -> float:
    from core.render import resolve_device

    dev = resolve_device(device)
    net = load_lpips(paths).to(dev)
    out = []
    with torch.no_grad():
        for g, r in zip(gens, reals, strict=True):
            out.append(float(net(_to_tensor([g]).to(dev) * 2 - 1, _to_tensor([r]).to(dev) * 2 - 1)[0]))
    return float(np.mean(out))


# ---- FID -------------------------------------------------------------------------------------------
class Conv(nn.Module):
    def __init__(self, cin: int, cout: int, k: int | tuple[int, int], s: int = 1, p: int | tuple[int, int] = 0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, s, p, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


def _avg(x: torch.Tensor) -> torch.Tensor:
    return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)


class BlockA(nn.Module):
    def __init__(self, cin: int, pool: int) -> None:
        super().__init__()
        self.branch1x1, self.branch5x5_1, self.branch5x5_2 = Conv(cin, 64, 1), Conv(cin, 48, 1), Conv(48, 64, 5, p=2)
        self.branch3x3dbl_1, self.branch3x3dbl_2 = Conv(cin, 64, 1), Conv(64, 96, 3, p=1)
        self.branch3x3dbl_3, self.branch_pool = Conv(96, 96, 3, p=1), Conv(cin, pool, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1x1(x), self.branch5x5_2(self.branch5x5_1(x)),
                          self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))), self.branch_pool(_avg(x))], 1)


class BlockB(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3 = Conv(cin, 384, 3, 2)
        self.branch3x3dbl_1, self.branch3x3dbl_2, self.branch3x3dbl_3 = Conv(cin, 64, 1), Conv(64, 96, 3, p=1), Conv(96, 96, 3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch3x3(x), self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                          F.max_pool2d(x, 3, 2)], 1)


class BlockC(nn.Module):
    def __init__(self, cin: int, c7: int) -> None:
        super().__init__()
        self.branch1x1 = Conv(cin, 192, 1)
        self.branch7x7_1, self.branch7x7_2, self.branch7x7_3 = Conv(cin, c7, 1), Conv(c7, c7, (1, 7), p=(0, 3)), Conv(c7, 192, (7, 1), p=(3, 0))
        self.branch7x7dbl_1, self.branch7x7dbl_2 = Conv(cin, c7, 1), Conv(c7, c7, (7, 1), p=(3, 0))
        self.branch7x7dbl_3, self.branch7x7dbl_4 = Conv(c7, c7, (1, 7), p=(0, 3)), Conv(c7, c7, (7, 1), p=(3, 0))
        self.branch7x7dbl_5, self.branch_pool = Conv(c7, 192, (1, 7), p=(0, 3)), Conv(cin, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = x
        for i in range(1, 6):
            d = getattr(self, f"branch7x7dbl_{i}")(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(_avg(x))], 1)


class BlockD(nn.Module):
    def __init__(self, cin: int) -> None:
        super().__init__()
        self.branch3x3_1, self.branch3x3_2 = Conv(cin, 192, 1), Conv(192, 320, 3, 2)
        self.branch7x7x3_1, self.branch7x7x3_2 = Conv(cin, 192, 1), Conv(192, 192, (1, 7), p=(0, 3))
        self.branch7x7x3_3, self.branch7x7x3_4 = Conv(192, 192, (7, 1), p=(3, 0)), Conv(192, 192, 3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x
        for i in range(1, 5):
            b = getattr(self, f"branch7x7x3_{i}")(b)
        return torch.cat([self.branch3x3_2(self.branch3x3_1(x)), b, F.max_pool2d(x, 3, 2)], 1)


class BlockE(nn.Module):
    def __init__(self, cin: int, max_pool: bool) -> None:
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1, self.branch3x3_1 = Conv(cin, 320, 1), Conv(cin, 384, 1)
        self.branch3x3_2a, self.branch3x3_2b = Conv(384, 384, (1, 3), p=(0, 1)), Conv(384, 384, (3, 1), p=(1, 0))
        self.branch3x3dbl_1, self.branch3x3dbl_2 = Conv(cin, 448, 1), Conv(448, 384, 3, p=1)
        self.branch3x3dbl_3a, self.branch3x3dbl_3b = Conv(384, 384, (1, 3), p=(0, 1)), Conv(384, 384, (3, 1), p=(1, 0))
        self.branch_pool = Conv(cin, 192, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3_1(x)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        pool = F.max_pool2d(x, 3, 1, 1) if self.max_pool else _avg(x)
        return torch.cat([self.branch1x1(x), self.branch3x3_2a(b3), self.branch3x3_2b(b3), self.branch3x3dbl_3a(d),
                          self.branch3x3dbl_3b(d), self.branch_pool(pool)], 1)


class FIDInception(nn.Module):
    """pytorch-fid's Inception-v3 up to the 2048-d pool features; images (N, 3, H, W) in [0, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.Conv2d_1a_3x3, self.Conv2d_2a_3x3, self.Conv2d_2b_3x3 = Conv(3, 32, 3, 2), Conv(32, 32, 3), Conv(32, 64, 3, p=1)
        self.Conv2d_3b_1x1, self.Conv2d_4a_3x3 = Conv(64, 80, 1), Conv(80, 192, 3)
        self.Mixed_5b, self.Mixed_5c, self.Mixed_5d = BlockA(192, 32), BlockA(256, 64), BlockA(288, 64)
        self.Mixed_6a = BlockB(288)
        self.Mixed_6b, self.Mixed_6c, self.Mixed_6d, self.Mixed_6e = (BlockC(768, c) for c in (128, 160, 160, 192))
        self.Mixed_7a, self.Mixed_7b, self.Mixed_7c = BlockD(768), BlockE(1280, False), BlockE(2048, True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False) * 2 - 1
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(F.max_pool2d(x, 3, 2)))
        x = F.max_pool2d(x, 3, 2)
        for name in ("5b", "5c", "5d", "6a", "6b", "6c", "6d", "6e", "7a", "7b", "7c"):
            x = getattr(self, f"Mixed_{name}")(x)
        return x.mean(dim=(2, 3))  # (N, 2048)


def load_inception(path: str) -> FIDInception:
    from pathlib import Path

    sd = {k: v for k, v in read_state_dict(path).items() if not k.startswith(("fc.", "AuxLogits."))}
    net = FIDInception()
    try:
        load_strict(net, sd, Path(path).name)
    except CheckpointError as exc:
        raise CheckpointError(f"{Path(path).name} is not the pytorch-fid Inception-v3 state dict ({str(exc)[:300]})") from exc
    return net.eval()


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to the rows of ``a`` and ``b`` (N, D)."""
    from scipy import linalg

    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = linalg.sqrtm((s1 + offset) @ (s2 + offset))
    covmean = np.real(np.asarray(covmean))
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fid(gens: Sequence[np.ndarray], reals: Sequence[np.ndarray], path: str, device: str = "auto",
        net: FIDInception | None = None) -> float:
    from core.render import resolve_device

    dev = resolve_device(device)
    model = (net or load_inception(path)).to(dev)

    def feats(images: Sequence[np.ndarray]) -> np.ndarray:
        out = []
        with torch.no_grad():
            for i in range(0, len(images), 16):
                out.append(model(_to_tensor(images[i:i + 16]).to(dev)).double().cpu().numpy())
        return np.concatenate(out)

    return frechet_distance(feats(gens), feats(reals))
