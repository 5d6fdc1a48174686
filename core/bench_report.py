"""What a benchmark run reports: one ``Measurement`` per case, the machine it ran on, and the Markdown/JSON
``Report`` of all rows."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from datetime import datetime

import numpy as np


@dataclass
class Measurement:
    case: str
    variant: str
    device: str
    encode_ms: float | None = None  # median
    render_ms: float | None = None  # median
    render_min_ms: float | None = None  # fastest timed run: closest to the cost on an idle machine
    runs: int = 0
    peak_rss_mb: float | None = None  # whole process, torch included
    rss_growth_mb: float | None = None  # peak RSS minus RSS before the case was built
    py_heap_mb: float | None = None  # tracemalloc peak (numpy arrays, Python objects) of one encode+render
    cuda_peak_mb: float | None = None
    note: str = ""
    error: str = ""
    paired_ms: float | None = None  # this case's render median, timed alternately with its baseline
    baseline_ms: float | None = None  # the baseline case's render median in those same alternating runs
    speedup: float | None = None  # baseline_ms / paired_ms
    vs_yardstick: float | None = None  # render_ms / the fp32 conv yardstick's ms measured in the same bench run


def machine_info() -> dict[str, str]:
    """CPU model, cores, torch version and threads, GPU when present, the date and the load average
    (other work on the machine inflates the timings; the load average shows how busy it was)."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": str(torch.get_num_threads()),
        "numpy": np.__version__,
        "load": " ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a",
    }
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def _fmt(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


@dataclass
class Report:
    machine: dict[str, str]
    rows: list[Measurement] = field(default_factory=list)
    warmup: int = 0
    repeats: int = 0
    yardstick: str = ""  # core.bench_yardstick.Yardstick.line() of this run

    def table(self) -> str:
        """A Markdown table (readable as plain text too)."""
        head = ["case", "variant", "device", "encode ms", "render ms", "render min ms", "side by side ms",
                "speed-up", "÷ yardstick", "peak RSS MB", "RSS growth MB", "numpy/py heap MB", "CUDA peak MB", "note"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            if r.error:
                cells = [r.case, r.variant, r.device, *["—"] * 10, f"skipped: {r.error}"]
            else:
                side = "—" if r.paired_ms is None else f"{r.paired_ms:.1f} vs {r.baseline_ms:.1f}"
                cells = [r.case, r.variant, r.device, _fmt(r.encode_ms), _fmt(r.render_ms), _fmt(r.render_min_ms),
                         side, "—" if r.speedup is None else f"{r.speedup:.2f}×", _fmt(r.vs_yardstick, 2),
                         _fmt(r.peak_rss_mb, 0),
                         _fmt(r.rss_growth_mb, 0), _fmt(r.py_heap_mb), _fmt(r.cuda_peak_mb, 0), r.note]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def header(self) -> str:
        m = self.machine
        gpu = f", GPU {m['gpu']}" if "gpu" in m else ""
        return (f"{m['date']} · {m['cpu']} · {m['cores']} cores{gpu} · Python {m['python']} · torch {m['torch']} "
                f"({m['threads']} threads) · numpy {m['numpy']} · load average {m.get('load', 'n/a')} at start · median of {self.repeats} runs after {self.warmup} warm-up")

    def to_json(self) -> str:
        return json.dumps({"machine": self.machine, "yardstick": self.yardstick, "warmup": self.warmup, "repeats": self.repeats,
                           "rows": [asdict(r) for r in self.rows]}, indent=2)
