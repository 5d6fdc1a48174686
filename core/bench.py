"""Measure encode/render time and peak memory of each renderer configuration (``python main.py bench``).

Each case runs in a fresh Python process so that its peak resident memory is its own. A case is a
named recipe (``BenchCase``) in ``CASES``; later work adds rows (for example straightforward vs
optimised variants of one network) by appending cases.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np

from core.errors import StudioError


@dataclass
class Prepared:
    """What a case builds before timing: ``encode()`` returns a state, ``render(state)`` does one render."""

    render: Callable[[Any], Any]
    encode: Callable[[], Any] | None = None  # None: the case has no per-source step
    note: str = ""


@dataclass(frozen=True)
class BenchCase:
    """One benchmark row: a name, a variant label and a function device -> Prepared."""

    name: str
    prepare: Callable[[str], Prepared]
    variant: str = "published"
    description: str = ""
    in_default: bool = True  # part of a plain ``bench`` run
    baseline: str | None = None  # a case to time interleaved with this one, in the same process, for a ratio


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


# ---- the cases ----------------------------------------------------------------------------------
def standing_pose(scale: float, offset: tuple[float, float]) -> np.ndarray:
    """(18, 2) x, y of a standing person 256 px tall at ``scale`` 1."""
    base = np.array(
        [[88, 31], [88, 51], [67, 54], [58, 90], [55, 123], [109, 54], [118, 90], [121, 123], [76, 128],
         [74, 179], [72, 230], [100, 128], [102, 179], [104, 230], [83, 26], [93, 26], [77, 28], [99, 28]],
        dtype=np.float64,
    )
    return base * scale + np.array(offset)


def _photo_and_poses(long_side: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A portrait photo (long side ``long_side``) of smooth noise, a standing pose and a target pose."""
    from PIL import Image

    h, w = long_side, int(round(long_side * 0.75))
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, size=(h // 16, w // 16, 3), dtype=np.uint8)
    photo = np.array(Image.fromarray(small).resize((w, h), Image.BILINEAR))
    scale = 0.8 * h / 256
    src = standing_pose(scale, (w / 2 - 88 * scale, 0.05 * h))
    tgt = src.copy()
    tgt[4] = src[3] + (0.0, -0.25 * h)  # raise the right wrist
    tgt[7] = src[6] + (0.15 * w, 0.0)  # stretch the left wrist out
    return photo, src, tgt


def _network_case(kind: str, config: Any = None, accel: str = "plain") -> Callable[[str], Prepared]:
    """A renderer case on inference path ``accel`` (core.gfla.accel); "compiled" builds/loads its parts first."""

    def prepare(device: str) -> Prepared:
        import torch

        from core.gfla.configs import CONFIGS
        from core.gfla.factory import build_model
        from core.render.gfla import renderer_for_model

        torch.manual_seed(0)
        renderer = renderer_for_model(build_model(config or CONFIGS[kind]), kind, device, accel=accel)
        note = ""
        if renderer.accel.mode == "compiled":
            start = time.perf_counter()
            renderer.accel.prepare()  # builds the packages on first use (minutes), else loads them
            parts = renderer.accel.parts
            note = f"{renderer.accel.label}, ready in {time.perf_counter() - start:.0f} s"
            if parts is not None and parts.error:
                note += f" ({parts.error})"
        elif accel != "plain":
            note = renderer.accel.label
        photo, src, tgt = _photo_and_poses()
        return Prepared(
            encode=lambda: renderer.encode_source(photo, src),
            render=lambda state: renderer.render(state, tgt),
            note=", ".join(n for n in (note, f"photo {photo.shape[1]}x{photo.shape[0]}") if n),
        )

    return prepare


def _keypoint_case(frames: int) -> Callable[[str], Prepared]:
    def prepare(device: str) -> Prepared:
        import torch

        from core.gfla.configs import CONFIGS
        from core.gfla.factory import build_model

        torch.manual_seed(0)
        model = build_model(CONFIGS["dance_keypoint"]).to(device).eval()
        x = torch.rand(1, 34, frames, device=device) * 2 - 1  # (1, 34, T) normalised y, x of 17 joints

        def render(_state: Any) -> Any:
            with torch.inference_mode():
                return model(x).cpu()  # (1, 34, T - 80)

        return Prepared(render=render, note=f"T={frames} -> {frames - 80} frames")

    return prepare


def _warp_case(long_side: int) -> Callable[[str], Prepared]:
    def prepare(device: str) -> Prepared:
        from core.render.warp import WarpRenderer

        renderer = WarpRenderer()
        photo, src, tgt = _photo_and_poses(long_side)
        return Prepared(
            encode=lambda: renderer.encode_source(photo, src),
            render=lambda state: renderer.render(state, tgt),
            note=f"photo {photo.shape[1]}x{photo.shape[0]}, numpy/OpenCV (device ignored)",
        )

    return prepare


def _face_warp_case(long_side: int) -> Callable[[str], Prepared]:
    """The landmark mesh warp on the bundled portrait: brows raised, mouth opened, whole face nudged right."""

    def prepare(device: str) -> Prepared:
        from pathlib import Path

        from PIL import Image

        from core.detect.face_mesh import get_face_detector
        from core.imageio_utils import load_image
        from core.render.face_warp import FaceWarpRenderer

        photo = load_image(Path(__file__).resolve().parents[1] / "resources" / "portrait.png")
        scale = long_side / max(photo.shape[:2])
        size = (round(photo.shape[1] * scale), round(photo.shape[0] * scale))
        photo = np.asarray(Image.fromarray(photo).resize(size, Image.BICUBIC))
        src = get_face_detector().detect(photo).landmarks  # (68, 2)
        eyes = float(np.hypot(*(src[42:48].mean(axis=0) - src[36:42].mean(axis=0))))
        tgt = src + (0.05 * eyes, 0.0)
        tgt[17:27, 1] -= 0.15 * eyes
        tgt[[55, 56, 57, 58, 59, 65, 66, 67], 1] += 0.3 * eyes
        renderer = FaceWarpRenderer()
        return Prepared(
            encode=lambda: renderer.encode_source(photo, src),
            render=lambda state: renderer.render(state, tgt),
            note=f"photo {photo.shape[1]}x{photo.shape[0]}, numpy/OpenCV (device ignored)",
        )

    return prepare


def _training_case(kind: str) -> Callable[[str], Prepared]:
    def prepare(device: str) -> Prepared:
        from core.train.bench import training_step

        step = training_step(kind, batch=1, device=device)
        return Prepared(render=lambda _state: step(), note="one training iteration (D step + G step, all published losses), batch 1")

    return prepare


def _tiny_config() -> Any:
    from core.gfla.configs import CONFIGS

    return replace(CONFIGS["pose_market"], ngf=8, img_f=32, flow_ngf=8, flow_img_f=32)


def _optimised(kind: str, description: str) -> list[BenchCase]:
    """The fast (eager) and compiled paths of ``kind``, each timed against the published one in the same run."""
    return [
        BenchCase(f"{kind}_fast", _network_case(kind, accel="fast"), variant="optimised: fast (eager)",
                  description=f"{description}, re-arranged attention, eager", baseline=kind),
        BenchCase(f"{kind}_compiled", _network_case(kind, accel="compiled"), variant="optimised: compiled",
                  description=f"{description}, AOTInductor parts", baseline=kind),
    ]


CASES: list[BenchCase] = [
    BenchCase("pose_fashion", _network_case("pose_fashion"), description="DeepFashion pose transfer, 256x256"),
    *_optimised("pose_fashion", "DeepFashion pose transfer, 256x256"),
    BenchCase("pose_market", _network_case("pose_market"), description="Market-1501 pose transfer, 128x64"),
    *_optimised("pose_market", "Market-1501 pose transfer, 128x64"),
    BenchCase("dance_fashion", _network_case("dance_fashion"), description="animation, one frame, 256x256"),
    *_optimised("dance_fashion", "animation, one frame, 256x256"),
    BenchCase("dance_keypoint", _keypoint_case(104), description="Motion Extraction Network, T=104"),
    BenchCase("warp", _warp_case(512), variant="embedded", description="skeleton warp, 512 px long side"),
    BenchCase("face_warp", _face_warp_case(768), variant="embedded",
              description="landmark mesh face warp, portrait at 768 px long side"),
    BenchCase("train_pose_fashion", _training_case("pose_fashion"), variant="training",
              description="one training iteration of pose_fashion, batch 1"),
    BenchCase(
        "tiny", lambda device: _network_case("pose_market", _tiny_config())(device), variant="reduced widths",
        description="pose_market at ngf 8 (smoke test)", in_default=False,
    ),
]


def case_by_name(name: str) -> BenchCase:
    for case in CASES:
        if case.name == name:
            return case
    raise StudioError(f"unknown benchmark {name!r}; choose from: {', '.join(c.name for c in CASES)}")


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
    m.paired_ms = 1000 * statistics.median(ours)
    m.baseline_ms = 1000 * statistics.median(theirs)
    m.speedup = m.baseline_ms / m.paired_ms if m.paired_ms > 0 else None


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

    def table(self) -> str:
        """A Markdown table (readable as plain text too)."""
        head = ["case", "variant", "device", "encode ms", "render ms", "render min ms", "side by side ms",
                "speed-up", "peak RSS MB", "RSS growth MB", "numpy/py heap MB", "CUDA peak MB", "note"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in self.rows:
            if r.error:
                cells = [r.case, r.variant, r.device, *["—"] * 9, f"skipped: {r.error}"]
            else:
                side = "—" if r.paired_ms is None else f"{r.paired_ms:.1f} vs {r.baseline_ms:.1f}"
                cells = [r.case, r.variant, r.device, _fmt(r.encode_ms), _fmt(r.render_ms), _fmt(r.render_min_ms),
                         side, "—" if r.speedup is None else f"{r.speedup:.2f}×", _fmt(r.peak_rss_mb, 0),
                         _fmt(r.rss_growth_mb, 0), _fmt(r.py_heap_mb), _fmt(r.cuda_peak_mb, 0), r.note]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def header(self) -> str:
        m = self.machine
        gpu = f", GPU {m['gpu']}" if "gpu" in m else ""
        return (f"{m['date']} · {m['cpu']} · {m['cores']} cores{gpu} · Python {m['python']} · torch {m['torch']} "
                f"({m['threads']} threads) · numpy {m['numpy']} · load average {m.get('load', 'n/a')} at start · median of {self.repeats} runs after {self.warmup} warm-up")

    def to_json(self) -> str:
        return json.dumps({"machine": self.machine, "warmup": self.warmup, "repeats": self.repeats,
                           "rows": [asdict(r) for r in self.rows]}, indent=2)


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
