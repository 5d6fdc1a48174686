"""Measure encode/render time and peak memory of each renderer configuration (``python main.py bench``).

Each case runs in a fresh Python process so that its peak resident memory is its own. A case is a
named recipe (``BenchCase``) in ``CASES``; later work adds rows (for example straightforward vs
optimised variants of one network) by appending cases.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from core.bench_cases import CASES, BenchCase, Prepared, case_by_name, standing_pose
from core.bench_report import Measurement, Report, machine_info

__all__ = ["CASES", "BenchCase", "Measurement", "Prepared", "Report", "case_by_name", "machine_info", "measure",
           "measure_in_subprocess", "standing_pose"]


# ---- measuring ----------------------------------------------------------------------------------
def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return float("nan")


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def measure(case: BenchCase, device: str, warmup: int = 2, repeats: int = 5) -> Measurement:
    """Time ``case`` in this process: medians of ``repeats`` runs after ``warmup`` runs, and memory peaks."""
    import torch

    cuda = device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    m = Measurement(case.name, case.variant, device)
    rss_before = _current_rss_mb()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    prepared = case.prepare(device)
    m.note = prepared.note

    def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
        sync()
        start = time.perf_counter()
        result = fn()
        sync()
        return result, time.perf_counter() - start

    encode = prepared.encode or (lambda: None)
    enc_times, ren_times = [], []
    for i in range(warmup + repeats):
        state, t_enc = timed(encode)
        _, t_ren = timed(lambda s=state: prepared.render(s))
        if i >= warmup:
            enc_times.append(t_enc)
            ren_times.append(t_ren)
    m.runs = repeats
    m.encode_ms = 1000 * statistics.median(enc_times) if prepared.encode else None
    m.render_ms = 1000 * statistics.median(ren_times)
    m.render_min_ms = 1000 * min(ren_times)
    tracemalloc.start()
    prepared.render(encode())
    m.py_heap_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    m.peak_rss_mb = _peak_rss_mb()
    m.rss_growth_mb = m.peak_rss_mb - rss_before
    if cuda:
        m.cuda_peak_mb = torch.cuda.max_memory_allocated() / 2**20
    if case.baseline:  # after the memory peaks were read, so they stay this case's own
        _pair(m, prepared, encode(), case_by_name(case.baseline).prepare(device), timed, warmup, repeats)
    return m


def _pair(m: Measurement, prepared: Prepared, state: Any, base: Prepared, timed: Callable, warmup: int,
          repeats: int) -> None:
    """Time ``prepared`` and ``base`` alternately on the same source, so both see the same machine load."""
    base_state = base.encode() if base.encode else None
    ours, theirs = [], []
    for i in range(warmup + repeats):
        _, t_base = timed(lambda: base.render(base_state))
        _, t_ours = timed(lambda: prepared.render(state))
        if i >= warmup:
            ours.append(t_ours)
            theirs.append(t_base)
    paired, baseline = 1000 * statistics.median(ours), 1000 * statistics.median(theirs)
    m.paired_ms, m.baseline_ms = paired, baseline
    m.speedup = baseline / paired if paired > 0 else None


def measure_in_subprocess(case: BenchCase, device: str, warmup: int, repeats: int, timeout: float = 900) -> Measurement:
    """Run ``measure`` in a fresh interpreter (so the memory peaks are this case's alone)."""
    cmd = [sys.executable, "-m", "core.bench", case.name, device, str(warmup), str(repeats)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=root)
    except subprocess.TimeoutExpired:
        return Measurement(case.name, case.variant, device, error=f"timed out after {timeout:.0f} s")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return Measurement(case.name, case.variant, device, error=tail[:200])
    return Measurement(**json.loads(lines[-1]))


def _worker(argv: list[str]) -> int:
    name, device, warmup, repeats = argv[0], argv[1], int(argv[2]), int(argv[3])
    try:
        result = measure(case_by_name(name), device, warmup, repeats)
    except ImportError as exc:
        case = case_by_name(name)
        result = Measurement(case.name, case.variant, device, error=f"not available yet ({exc.name or exc})")
    except Exception as exc:  # noqa: BLE001 - reported as the row's error
        case = case_by_name(name)
        result = Measurement(case.name, case.variant, device, error=f"{type(exc).__name__}: {exc}")
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(_worker(sys.argv[1:]))
