"""The benchmark cases of ``python main.py bench``: what each row builds (a network renderer on an inference
path, the motion network, the embedded warps, a training step) and the ``CASES`` list they are run from."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

import numpy as np

from core.errors import StudioError

S = TypeVar("S")


class _Embedded(Protocol[S]):
    """What the embedded warp renderers share: encode a photo at its points, render the state at new points."""

    def encode_source(self, image: np.ndarray, pose: np.ndarray, /) -> S: ...

    def render(self, state: S, target: np.ndarray, /) -> object: ...


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
    photo = np.array(Image.fromarray(small).resize((w, h), Image.Resampling.BILINEAR))
    scale = 0.8 * h / 256
    src = standing_pose(scale, (w / 2 - 88 * scale, 0.05 * h))
    tgt = src.copy()
    tgt[4] = src[3] + (0.0, -0.25 * h)  # raise the right wrist
    tgt[7] = src[6] + (0.15 * w, 0.0)  # stretch the left wrist out
    return photo, src, tgt


def _accel_note(renderer: object, accel: str) -> str:
    """The inference path a network renderer runs on; a compiled one is built (or loaded) first, and timed."""
    from core.gfla.accel import Accelerator

    acc = getattr(renderer, "accel", None)  # set by core.render.gfla.BodyNetworkRenderer
    if not isinstance(acc, Accelerator):
        raise StudioError(f"{type(renderer).__name__} has no inference path to benchmark")
    if acc.mode == "compiled":
        start = time.perf_counter()
        acc.prepare()  # builds the packages on first use (minutes), else loads them
        note = f"{acc.label}, ready in {time.perf_counter() - start:.0f} s"
        if acc.parts is not None and acc.parts.error:
            note += f" ({acc.parts.error})"
        return note
    return acc.label if accel != "plain" else ""


def _network_case(kind: str, config: Any = None, accel: str = "plain", precision: str = "fp32") -> Callable[[str], Prepared]:
    """A renderer case on inference path ``accel`` (core.gfla.accel); "compiled" builds/loads its parts first."""

    def prepare(device: str) -> Prepared:
        import torch

        from core.gfla.configs import CONFIGS
        from core.gfla.factory import build_model
        from core.render import renderer_for_model

        torch.manual_seed(0)
        renderer = renderer_for_model(build_model(config or CONFIGS[kind]), kind, device, accel=accel,
                                      precision=precision)
        note = _accel_note(renderer, accel)
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


def _embedded(renderer: _Embedded[S], photo: np.ndarray, src: np.ndarray, tgt: np.ndarray) -> Prepared:
    """An embedded (numpy/OpenCV) renderer's case: encode ``photo`` at ``src``, render at ``tgt``."""
    return Prepared(
        encode=lambda: renderer.encode_source(photo, src),
        render=lambda state: renderer.render(state, tgt),
        note=f"photo {photo.shape[1]}x{photo.shape[0]}, numpy/OpenCV (device ignored)",
    )


def _warp_case(long_side: int) -> Callable[[str], Prepared]:
    def prepare(device: str) -> Prepared:
        from core.render.warp import WarpRenderer

        photo, src, tgt = _photo_and_poses(long_side)
        return _embedded(WarpRenderer(), photo, src, tgt)

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
        photo = np.asarray(Image.fromarray(photo).resize(size, Image.Resampling.BICUBIC))
        src = get_face_detector().detect(photo).landmarks  # (68, 2)
        eyes = float(np.hypot(*(src[42:48].mean(axis=0) - src[36:42].mean(axis=0))))
        tgt = src + (0.05 * eyes, 0.0)
        tgt[17:27, 1] -= 0.15 * eyes
        tgt[[55, 56, 57, 58, 59, 65, 66, 67], 1] += 0.3 * eyes
        return _embedded(FaceWarpRenderer(), photo, src, tgt)

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
    bf16 = kind.startswith("pose_")  # precision options exist for the pose-transfer networks only
    return [
        BenchCase(f"{kind}_fast", _network_case(kind, accel="fast"), variant="optimised: fast (eager)",
                  description=f"{description}, re-arranged attention, eager", baseline=kind),
        BenchCase(f"{kind}_compiled", _network_case(kind, accel="compiled"), variant="optimised: compiled",
                  description=f"{description}, AOTInductor parts", baseline=kind),
        BenchCase(f"{kind}_fast_bf16", _network_case(kind, accel="fast", precision="bf16"),
                  variant="optimised: fast, bf16 autocast", description=f"{description}, bf16", baseline=f"{kind}_fast"),
    ][: 3 if bf16 else 2]


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
