"""What this machine's arithmetic reaches, measured in the bench run itself: fp32 and bf16 matmul throughput and an
fp32 convolution stack of a network's FLOPs (the yardstick every render time is divided by).

The conv stack is plain 3x3 convolutions at 64 channels and 256x256 (what oneDNN runs near its best), repeated until
it does the same number of FLOPs as one render of the network; a render path that is 0.5x the yardstick runs the
network's arithmetic twice as fast as plain float32 convolutions would.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Yardstick:
    fp32_gflops: float  # 2048² matmul, GFLOP/s
    bf16_gflops: float
    network: str
    network_gflop: float  # FLOPs of one render of ``network`` (convs and matmuls), GFLOP
    conv_ms: float  # median time of the fp32 conv stack of ``network_gflop``

    def line(self) -> str:
        return (f"yardstick: matmul 2048² fp32 {self.fp32_gflops:.0f} GFLOP/s, bf16 {self.bf16_gflops:.0f} GFLOP/s "
                f"({self.bf16_gflops / self.fp32_gflops:.2f}×); fp32 conv stack of {self.network} "
                f"({self.network_gflop:.1f} GFLOP) {self.conv_ms:.0f} ms")


def _median_s(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_gflops(dtype: Any, n: int = 2048, repeats: int = 5) -> float:
    """Throughput of an n x n matmul in ``dtype`` on the CPU, GFLOP/s."""
    import torch

    a, b = torch.randn(n, n).to(dtype), torch.randn(n, n).to(dtype)
    with torch.inference_mode():
        return 2 * n**3 / _median_s(lambda: a @ b, repeats) / 1e9


def network_gflop(kind: str = "pose_fashion") -> float:
    """FLOPs (GFLOP) of one render (after encode_source's work is not separated: the whole forward) of ``kind``."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from core.gfla.configs import CONFIGS
    from core.gfla.factory import build_model

    torch.manual_seed(0)
    cfg = CONFIGS[kind]
    model = build_model(cfg).eval()
    h, w = getattr(cfg, "image_size", (256, 256))  # every image network has one; the keypoint net is not one
    src, sp, tp = torch.rand(1, 3, h, w), torch.rand(1, 18, h, w), torch.rand(1, 18, h, w)
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        model(src, sp, tp)
    return counter.get_total_flops() / 1e9


def conv_stack_ms(gflop: float, repeats: int = 5) -> float:
    """Median time (ms) of fp32 3x3 64->64 convolutions at 256x256, as many as make ``gflop`` GFLOP."""
    import torch
    import torch.nn.functional as F

    per_layer = 2 * 64 * 64 * 9 * 256 * 256 / 1e9
    layers = max(1, round(gflop / per_layer))
    weight = torch.randn(64, 64, 3, 3) * 0.05
    x = torch.randn(1, 64, 256, 256)

    def stack() -> None:
        y = x
        for _ in range(layers):
            y = F.conv2d(y, weight, padding=1)

    with torch.inference_mode():
        return 1000 * _median_s(stack, repeats) * gflop / (layers * per_layer)


def measure_yardstick(kind: str = "pose_fashion", repeats: int = 5) -> Yardstick:
    import torch

    fp32 = matmul_gflops(torch.float32, repeats=repeats)
    bf16 = matmul_gflops(torch.bfloat16, repeats=repeats)
    gflop = network_gflop(kind)
    return Yardstick(fp32, bf16, kind, gflop, conv_stack_ms(gflop, repeats))
