"""Fine-tuning on a person's own video runs end to end and writes weights the app loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from gfla_checks import TINY
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _animated_sample(tmp_path: Path, n: int = 5) -> tuple[Path, list]:
    """The bundled photo, its arms raised a little more in each frame by the warp renderer, as an MP4."""
    import imageio_ffmpeg

    from core.detect import get_detector
    from core.imageio_utils import load_image
    from core.render.warp import WarpRenderer

    image = load_image(ROOT / "resources" / "sample_person.png")
    image = np.asarray(Image.fromarray(image).resize((368, 512), Image.BILINEAR))
    pose = get_detector("mediapipe").detect(image).pose
    warp = WarpRenderer()
    state = warp.encode_source(image, pose)
    frames = []
    for k in range(n):
        xy = pose.xy.copy()
        xy[[3, 4, 6, 7]] += np.array([0.0, -6.0 * k])
        frames.append(warp.render(state, xy).image)
    path = tmp_path / "me.mp4"
    writer = imageio_ffmpeg.write_frames(str(path), (368, 512), fps=8, macro_block_size=1, quality=9)
    writer.send(None)
    for f in frames:
        writer.send(np.ascontiguousarray(f))
    writer.close()
    return path, frames


def test_finetuning_on_a_short_synthetic_video_runs_end_to_end(tmp_path):
    from safetensors.torch import save_file

    from core.gfla.checkpoint import load_model
    from core.train.config import ModelConfig, default_config
    from core.train.finetune import FinetuneOptions, finetune
    from core.train.models import build_generator, generator_config
    from core.train.state import save_network
    from core.train.synthetic import random_vgg19_state

    video, _ = _animated_sample(tmp_path)
    model = ModelConfig(**TINY)
    cfg = default_config("pose_fashion").model_copy(update={"model": model})
    start = build_generator(cfg)
    save_network(start, tmp_path / "start.safetensors")
    save_file(random_vgg19_state(16), str(tmp_path / "vgg.safetensors"))
    steps: list[tuple[int, int, str]] = []
    options = FinetuneOptions(iterations=4, batch_size=1, lr=1e-4, device="cpu", model=model, print_every=2,
                              vgg19=str(tmp_path / "vgg.safetensors"))
    out = finetune(tmp_path / "start.safetensors", video, tmp_path / "ft", options,
                   progress=lambda d, t, s: steps.append((d, t, s)), echo=lambda s: None)
    assert out == tmp_path / "ft" / "finetuned_net_G.safetensors"
    tuned = load_model(out, kind="pose_fashion", config=generator_config(cfg)).model.state_dict()
    assert any(not torch.equal(tuned[k], v) for k, v in start.state_dict().items())
    with np.load(tmp_path / "ft" / "poses.npz") as z:
        poses = z["poses"]
    assert poses.shape == (5, 18, 2) and np.isfinite(poses).all(axis=2).sum(axis=1).min() >= 12
    assert steps and steps[-1][0] == steps[-1][1] == 1000
    assert [d for d, _, _ in steps] == sorted(d for d, _, _ in steps)


def test_full_size_trained_weights_open_in_the_app_renderer_and_import(tmp_path):
    from core.render import load_renderer
    from core.train.config import default_config
    from core.train.models import build_generator
    from core.train.state import save_network
    from core.weights_store import import_checkpoint

    path = tmp_path / "latest_net_G.safetensors"
    save_network(build_generator(default_config("pose_market")), path, kind="pose_market")
    renderer = load_renderer(path, "cpu")
    assert "pose_market" in renderer.name
    entry = import_checkpoint(path, root=tmp_path / "weights")
    assert entry.kind == "pose_market"
