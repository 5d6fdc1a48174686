"""Numeric precision of a network renderer's forward pass: ``fp32`` (exact, the fixtures' reference) or ``bf16``
(oneDNN bfloat16 convolutions under ``torch.autocast`` on channels-last weights and inputs; grid sampling and the
softmaxes stay float32 as autocast keeps them), and the accuracy gate a reduced precision must pass against fp32.

Measured alternating in one run on the 2-core AVX-512 BF16 CPU (pose_fashion fast path, random weights, 256²):
fp32 271 ms, bf16 autocast 191 ms, bf16 autocast + channels-last 86 ms; converted (bf16) weights were not tried.

Measured on the reference fixtures (tests/test_precision.py): bf16 autocast gives 56 dB (pose_fashion) and
58 dB (pose_market) PSNR against the fp32 outputs, gate 40 dB.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import torch

from core.errors import RenderError

PRECISIONS = ("fp32", "bf16")
GATE_DB = {"fp32": math.inf, "bf16": 40.0}  # PSNR against fp32 a precision's output must reach


def check_precision(precision: str) -> str:
    p = (precision or "fp32").lower()
    if p not in PRECISIONS:
        raise RenderError(f"unknown precision {precision!r}: choose {', '.join(PRECISIONS)}")
    return p


@contextlib.contextmanager
def precision_context(precision: str, device: str) -> Iterator[None]:
    """Run the enclosed forward in ``precision`` on ``device`` (bf16: autocast; fp32: unchanged)."""
    if check_precision(precision) == "bf16":
        with torch.autocast("cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16):
            yield
    else:
        yield


def prepare_model(model: torch.nn.Module, precision: str) -> torch.nn.Module:
    """``model`` with its weights stored channels-last for bf16 (values unchanged, in place); as is for fp32."""
    if check_precision(precision) == "bf16":
        for param in model.parameters():
            if param.dim() == 4:
                param.data = param.data.contiguous(memory_format=torch.channels_last)
    return model


def layout(t: torch.Tensor, precision: str) -> torch.Tensor:
    """An (N, C, H, W) input in the layout ``precision`` runs on: channels-last for bf16, as is for fp32."""
    return t.contiguous(memory_format=torch.channels_last) if precision == "bf16" else t


def psnr_db(image: torch.Tensor, reference: torch.Tensor) -> float:
    """PSNR (dB) of two images in [-1, 1] (peak 2, i.e. the [0, 1] range); inf when equal."""
    mse = ((image.float() - reference.float()) / 2).pow(2).mean().item()
    return math.inf if mse == 0 else 10 * math.log10(1 / mse)
