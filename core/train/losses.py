"""The published GFLA training losses: sampling correctness, affine flow regularisation, L1, content, style, GAN.

Every function reproduces ``model/networks/external_function.py`` of the published code numerically (see
``../shared/fixtures/LOSSES.md``); the VGG features are passed in as dicts of named maps, so the losses do
not depend on where the features come from (``core.train.vgg`` computes them from images).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from core.train.resample import resample2d

EPS = 1e-8
# The published PerceptualCorrectness indexes this list by attention layer number (index 0 is never used).
CORRECTNESS_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1")
CONTENT_LAYERS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
STYLE_LAYERS = ("relu2_2", "relu3_4", "relu4_4", "relu5_2")


# ---- sampling correctness --------------------------------------------------------------------------
def correctness_on_features(
    target_feat: torch.Tensor, source_feat: torch.Tensor, flow: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """Sampling-correctness loss of one layer: how well the flow-warped source features match the target's.

    target_feat, source_feat (B, C, h, w) (features of the target image P2 and source image P1); flow
    (B, 2, h', w') in pixels of the feature map, nearest-resized to (h, w); mask None or (B, 1, H, W).
    Each target position's cosine similarity is normalised by its best match anywhere in the source.
    """
    b, c, h, w = target_feat.shape
    flow = F.interpolate(flow, size=(h, w))  # nearest; identity when the sizes match
    target_all = target_feat.reshape(b, c, h * w)  # (B, C, N)
    source_all = source_feat.reshape(b, c, h * w).transpose(1, 2)  # (B, N, C)
    source_norm = source_all / (source_all.norm(dim=2, keepdim=True) + EPS)
    target_norm = target_all / (target_all.norm(dim=1, keepdim=True) + EPS)
    best = torch.bmm(source_norm, target_norm).amax(dim=1)  # (B, N): best source match per target position
    sampled = resample2d(source_feat, flow).reshape(b, c, h * w)  # (B, C, N)
    cos = F.cosine_similarity(sampled, target_all, dim=1, eps=EPS)  # (B, N)
    loss_map = torch.exp(-cos / (best + EPS))
    if mask is None:
        return loss_map.mean() - math.exp(-1)
    m = F.interpolate(mask.to(loss_map.dtype), size=(h, w)).reshape(-1, h * w)  # (B, N), nearest
    return torch.sum(m * (loss_map - math.exp(-1))) / (torch.sum(m) + EPS)


def correctness(
    target_feats: Mapping[str, torch.Tensor],
    source_feats: Mapping[str, torch.Tensor],
    flows: Sequence[torch.Tensor],
    attn_layers: Sequence[int],
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Sum of the per-layer correctness losses; ``flows`` is coarse first, paired with the attention layers
    sorted descending (DeepFashion: flows[0] ↔ relu4_1, flows[1] ↔ relu3_1)."""
    layers = sorted(attn_layers, reverse=True)
    total = flows[0].new_zeros(())
    for flow, layer in zip(flows, layers, strict=False):
        name = CORRECTNESS_LAYERS[layer]
        total = total + correctness_on_features(target_feats[name], source_feats[name], flow, mask)
    return total


def correctness_feature_names(attn_layers: Sequence[int]) -> tuple[str, ...]:
    """The VGG layers the correctness loss reads for these attention layers."""
    return tuple(CORRECTNESS_LAYERS[layer] for layer in sorted(attn_layers, reverse=True))


# ---- affine regularisation -------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _residual_projector(kz: int) -> np.ndarray:
    """(kz², kz²) float64 matrix mapping a row-major window to the residual of its least-squares affine fit."""
    r, c = np.divmod(np.arange(kz * kz), kz)
    a = np.stack([r, c, np.ones(kz * kz)], axis=1).astype(np.float64)  # (kz², 3) design matrix [row, col, 1]
    return a @ np.linalg.inv(a.T @ a) @ a.T - np.eye(kz * kz)


def affine_regularization(flow: torch.Tensor, kz: int) -> torch.Tensor:
    """Mean over batch and every fully-inside kz×kz window of the squared residual of a local affine fit of
    the sampling grid (flow + pixel coordinates), summed over the x and y channels. flow (B, 2, h, w)."""
    b, _, h, w = flow.shape
    if h < kz or w < kz:
        return flow.new_zeros(())
    proj = torch.as_tensor(_residual_projector(kz), dtype=flow.dtype, device=flow.device)  # (kz², kz²)
    # The identity grid is affine, so the residual of (flow + coordinates) is the residual of the flow.
    windows = F.unfold(flow.reshape(b * 2, 1, h, w), kernel_size=kz)  # (2B, kz², L)
    resid = torch.matmul(proj, windows)  # (2B, kz², L)
    per_window = resid.pow(2).sum(dim=1).reshape(b, 2, -1)  # (B, 2, L)
    return per_window.mean(dim=(0, 2)).sum()


def multi_affine_regularization(flows: Sequence[torch.Tensor], kz_by_layer: Mapping[int, int] | Mapping[str, int]) -> torch.Tensor:
    """Sum of ``affine_regularization`` over the flows; layer keys are sorted descending *as strings* and
    flows[i] uses the kernel of the i-th key (DeepFashion {2: 5, 3: 3}: coarse flow kz 3, fine flow kz 5)."""
    keys = sorted((str(k) for k in kz_by_layer), reverse=True)
    lookup = {str(k): int(v) for k, v in kz_by_layer.items()}
    total = flows[0].new_zeros(())
    for flow, key in zip(flows, keys, strict=False):
        total = total + affine_regularization(flow, lookup[key])
    return total


# ---- reconstruction, content, style ----------------------------------------------------------------
def l1(generated: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference."""
    return F.l1_loss(generated, target)


def gram(feature: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) -> (B, C, C) Gram matrix f·fᵀ / (C·H·W)."""
    b, c, h, w = feature.shape
    f = feature.reshape(b, c, h * w)
    return torch.bmm(f, f.transpose(1, 2)) / (h * w * c)


def content_style(
    gen_feats: Mapping[str, torch.Tensor], real_feats: Mapping[str, torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """(content, style): Σ mean|φ(gen) − φ(real)| over relu{1..5}_1 and Σ mean|G(φ(gen)) − G(φ(real))| over
    relu2_2, relu3_4, relu4_4, relu5_2 (all layer weights 1, as published)."""
    content = sum(F.l1_loss(gen_feats[n], real_feats[n]) for n in CONTENT_LAYERS)
    style = sum(F.l1_loss(gram(gen_feats[n]), gram(real_feats[n])) for n in STYLE_LAYERS)
    return content, style  # type: ignore[return-value]


# ---- adversarial -------------------------------------------------------------------------------------
GAN_MODES = ("lsgan", "hinge")


def gan_term(output: torch.Tensor, real: bool, for_discriminator: bool, mode: str = "lsgan") -> torch.Tensor:
    """One adversarial term on a raw discriminator map: lsgan mean((D − label)²); hinge mean(relu(1 ∓ D)) for
    the discriminator and mean(−D) for the generator."""
    if mode == "lsgan":
        return torch.mean((output - (1.0 if real else 0.0)) ** 2)
    if mode == "hinge":
        if for_discriminator:
            return F.relu(1.0 - output).mean() if real else F.relu(1.0 + output).mean()
        return (-output).mean()
    raise ValueError(f"unknown GAN mode {mode!r}; choose one of {', '.join(GAN_MODES)}")


def discriminator_loss(d_real: torch.Tensor, d_fake: torch.Tensor, mode: str = "lsgan") -> torch.Tensor:
    """0.5 · (real term + fake term), as the published backward_D_basic."""
    return 0.5 * (gan_term(d_real, True, True, mode) + gan_term(d_fake, False, True, mode))


def generator_gan_loss(d_fake: torch.Tensor, mode: str = "lsgan") -> torch.Tensor:
    """The generator's adversarial term (before λ_g)."""
    return gan_term(d_fake, True, False, mode)
