"""The renderer registry behind load_renderer, the one sequence loop, and the one strict weights loader."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as nn

from core.errors import Cancelled, CheckpointError, RenderError
from core.gfla.checkpoint import load_strict
from core.gfla.configs import CONFIGS, DanceConfig, FaceConfig, PoseConfig, ShapeNetConfig
from core.gfla.factory import build_model
from core.render import load_renderer, renderer_for_model
from core.render.base import RenderResult, render_sequence
from core.render.face import FaceRenderer
from core.render.face_warp import FaceWarpRenderer
from core.render.gfla import GFLARenderer
from core.render.registry import REGISTRY, locate_checkpoint, record
from core.render.sequential import SequentialRenderer
from core.render.view import ViewRenderer
from core.render.warp import WarpRenderer

SMALL = {"ngf": 8, "img_f": 32, "flow_ngf": 8, "flow_img_f": 32}
TINY = {  # kind -> a reduced-width network of the published layout
    "pose_fashion": lambda: build_model(PoseConfig(**SMALL)),
    "pose_market": lambda: build_model(PoseConfig(**SMALL, attn_layer=(2,), extractor_kz=((2, 3),),
                                                  image_size=(128, 64))),
    "dance_fashion": lambda: build_model(DanceConfig(**SMALL)),
    "dance_iper": lambda: build_model(DanceConfig(**SMALL)),
    "face": lambda: build_model(FaceConfig(**SMALL)),
    "shapenet": lambda: build_model(ShapeNetConfig(**SMALL)),
}
EXPECTED = {"pose_fashion": GFLARenderer, "pose_market": GFLARenderer, "dance_fashion": SequentialRenderer,
            "dance_iper": SequentialRenderer, "face": FaceRenderer, "shapenet": ViewRenderer}
SUBJECT = {"face": "face", "shapenet": "object"}


def test_every_published_checkpoint_kind_has_a_record_with_its_config():
    assert set(CONFIGS) <= set(REGISTRY)
    for kind, config in CONFIGS.items():
        assert record(kind).config == config
    assert record("warp").config is None and record("face_warp").config is None


@pytest.mark.parametrize("kind", sorted(TINY))
def test_a_network_of_each_kind_is_driven_by_the_renderer_its_record_names(kind):
    renderer = renderer_for_model(TINY[kind](), kind, "cpu", subject=SUBJECT.get(kind, "body"))
    assert type(renderer) is EXPECTED[kind] and renderer.kind == kind and renderer.device == "cpu"
    if isinstance(renderer, GFLARenderer | SequentialRenderer):
        assert renderer.spec is record(kind).framing  # the framing comes from the record
    if isinstance(renderer, FaceRenderer):
        assert renderer.box_scale == record("face").framing


def test_a_network_asked_for_another_subject_says_where_it_is_used():
    with pytest.raises(CheckpointError, match="renders portraits from 68 face landmarks, not body poses.*Face Mode"):
        renderer_for_model(TINY["face"](), "face", "cpu")
    with pytest.raises(CheckpointError, match="renders new views of objects, not portraits.*Novel View"):
        renderer_for_model(TINY["shapenet"](), "shapenet", "cpu", subject="face")
    with pytest.raises(CheckpointError, match="Motion Extraction Network"):
        renderer_for_model(build_model(CONFIGS["dance_keypoint"]), "dance_keypoint", "cpu")
    with pytest.raises(CheckpointError, match="known kinds: pose_fashion"):
        renderer_for_model(TINY["face"](), "facial", "cpu")
    with pytest.raises(CheckpointError, match="pose_market is not an animation network"):
        SequentialRenderer(TINY["pose_market"](), "pose_market", "cpu")


def test_without_a_checkpoint_each_subject_gets_its_embedded_renderer_or_a_clear_error():
    assert isinstance(load_renderer(None), WarpRenderer)
    assert isinstance(load_renderer(None, subject="face"), FaceWarpRenderer)
    assert isinstance(load_renderer(None, kind="face_warp", subject="face"), FaceWarpRenderer)
    with pytest.raises(RenderError, match="object views|new views of objects needs a checkpoint"):
        load_renderer(None, subject="object")
    with pytest.raises(RenderError, match="renders portraits from 68 face landmarks, not body poses"):
        load_renderer(None, kind="face_warp")
    with pytest.raises(RenderError, match="unknown subject"):
        load_renderer(None, subject="car")


def test_a_missing_imported_checkpoint_names_the_published_file(tmp_path, monkeypatch):
    monkeypatch.setenv("GFLA_WEIGHTS_DIR", str(tmp_path))
    with pytest.raises(CheckpointError, match="latest_net_G.pth from face_checkpoints.*weights import"):
        load_renderer(None, kind="face", subject="face")
    with pytest.raises(CheckpointError, match="shape_net_car_checkpoints"):
        locate_checkpoint("shapenet")
    assert locate_checkpoint("face", tmp_path / "x.pth") == tmp_path / "x.pth"


def test_a_checkpoint_file_of_the_right_kind_loads_and_one_of_another_kind_is_named(tmp_path):
    from core.render.face import open_face_renderer
    from core.render.view import open_view_renderer

    path = tmp_path / "keypoint.pth"
    torch.save(build_model(CONFIGS["dance_keypoint"]).state_dict(), path)  # the smallest published network
    with pytest.raises(CheckpointError, match="keypoint.pth is a dance_keypoint checkpoint, not the face network"):
        open_face_renderer(path, "cpu")
    with pytest.raises(CheckpointError, match="not the shapenet network"):
        open_view_renderer(path, "cpu")
    with pytest.raises(CheckpointError, match="Motion Extraction Network"):
        load_renderer(path, "cpu")


# ---- the one sequence loop -------------------------------------------------------------------
def _result(value: int) -> RenderResult:
    return RenderResult(image=np.full((2, 2, 3), value, np.uint8), renderer="test")


def test_the_sequence_loop_renders_in_order_reports_progress_and_stops_on_cancel():
    seen: list[tuple[int, int]] = []
    out = [r.image[0, 0, 0] for r in render_sequence([3, 1, 2], _result, lambda d, t: seen.append((d, t)))]
    assert out == [3, 1, 2] and seen == [(1, 3), (2, 3), (3, 3)]
    seen.clear()
    assert len(list(render_sequence(iter([5, 6]), _result, lambda d, t: seen.append((d, t))))) == 2
    assert seen == [(1, -1), (2, -1)]  # no length: total unknown
    calls = []
    frames = render_sequence(range(5), lambda v: calls.append(v) or _result(v), cancel=lambda: len(calls) >= 2)
    with pytest.raises(Cancelled):
        list(frames)
    assert calls == [0, 1]


def test_a_recurrent_renderer_feeds_each_generated_frame_to_the_next():
    renderer = renderer_for_model(TINY["dance_fashion"](), "dance_fashion", "cpu")
    assert isinstance(renderer, SequentialRenderer)
    from core.skeleton import Pose

    xy = np.array([[100, 40], [100, 70], [80, 70], [75, 110], [70, 150], [120, 70], [125, 110], [130, 150],
                   [90, 150], [88, 210], [86, 270], [110, 150], [112, 210], [114, 270], [95, 35], [105, 35],
                   [90, 38], [110, 38]], dtype=np.float64)
    photo = np.random.default_rng(0).integers(0, 255, (300, 200, 3), dtype=np.uint8)
    state = renderer.encode_source(photo, Pose(xy))
    targets = [Pose(xy + [dx, 0]) for dx in (0.0, 8.0, 16.0)]
    frames = [r.extras["network_image"] for r in renderer.render_sequence(state, targets)]
    assert np.array_equal(frames[0], renderer.render(state, targets[0]).extras["network_image"])
    alone = renderer.render(state, targets[2]).extras["network_image"]  # frame 2 with the source as "previous"
    assert not np.array_equal(frames[2], alone)  # in the sequence it attended to frame 1 instead


# ---- the one strict loader -------------------------------------------------------------------
class _Shared(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Conv2d(2, 3, 1)
        self.b = self.a  # one convolution under two names (as the published aliased keys)
        self.c = nn.Linear(3, 4)


def test_load_strict_names_every_missing_unexpected_and_misshaped_key(tmp_path):
    good = {k: torch.randn_like(v) for k, v in _Shared().state_dict().items() if not k.startswith("b.")}
    net = _Shared()
    load_strict(net, good)  # the aliased conv stored once, under "a."
    assert torch.equal(net.b.weight, good["a.weight"])
    bad = dict(good, extra=torch.zeros(1))
    bad.pop("c.bias")
    bad["c.weight"] = torch.zeros(5, 3)
    path = tmp_path / "bad.safetensors"
    from safetensors.torch import save_file

    save_file(bad, str(path))
    with pytest.raises(CheckpointError) as err:
        load_strict(_Shared(), path)
    text = str(err.value)
    assert text.startswith("bad.safetensors does not match the network")
    assert "missing keys (1): c.bias" in text and "unexpected keys (1): extra" in text
    assert "c.weight expected (4, 3) found (5, 3)" in text
    torch.save({"net": good}, tmp_path / "nested.pth")
    with pytest.raises(CheckpointError, match="not a state dict of tensors"):
        load_strict(_Shared(), tmp_path / "nested.pth")
