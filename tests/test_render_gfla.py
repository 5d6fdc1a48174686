"""The GFLA renderers: framing a photo of any size, loading checkpoints, caching the source, animation frames."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from core.encoding import pose18_heatmaps
from core.errors import CheckpointError, PoseError
from core.gfla.configs import DanceConfig, PoseConfig
from core.gfla.factory import build_model
from core.render import load_renderer, renderer_for_model
from core.render.framing import DEEPFASHION, MARKET, frame_person
from core.render.gfla import GFLARenderer
from core.render.sequential import SequentialRenderer
from core.skeleton import Pose

ROOT = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401

# A standing person (x, y in pixels of a 176 x 256 frame), scaled into photos below.
STANDING = np.array(
    [[88, 31], [88, 51], [67, 54], [58, 90], [55, 123], [109, 54], [118, 90], [121, 123], [76, 128],
     [74, 179], [72, 230], [100, 128], [102, 179], [104, 230], [83, 26], [93, 26], [77, 28], [99, 28]],
    dtype=np.float64,
)


def _photo(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def _person(scale: float, offset: tuple[float, float]) -> Pose:
    return Pose(STANDING * scale + np.array(offset))


def _random_state_dict(keys_file: str, prefix: str = "") -> dict[str, torch.Tensor]:
    """Published keys and shapes with random values; aliased pairs share their values."""
    path = fixture_file(keys_file)
    spec = json.loads(path.read_text())
    gen = torch.Generator().manual_seed(0)
    sd: dict[str, torch.Tensor] = {}
    for key, shape in spec["keys"]:
        if len(shape) == 1 and key.endswith("weight"):
            sd[key] = torch.ones(shape)
        else:
            sd[key] = torch.randn(shape, generator=gen) * 0.02
    for a, b in spec["aliased_key_pairs"]:
        sd[b] = sd[a].clone()
    return {prefix + k: v for k, v in sd.items()}


def _tiny_pose_model(market: bool) -> torch.nn.Module:
    kw = dict(ngf=8, img_f=32, flow_ngf=8, flow_img_f=32)
    if market:
        kw.update(attn_layer=(2,), extractor_kz=((2, 3),), image_size=(128, 64))
    torch.manual_seed(0)
    return build_model(PoseConfig(**kw))


# ---- framing ------------------------------------------------------------------------------------
def test_a_pose_mapped_into_the_frame_and_back_is_unchanged():
    pose = _person(2.3, (140.0, 35.0))
    framing = frame_person(pose, DEEPFASHION)
    back = framing.from_frame(framing.to_frame(pose.xy))
    np.testing.assert_allclose(back, pose.xy, atol=1e-9)
    x0, y0, x1, y1 = framing.box
    assert (x1 - x0) / (y1 - y0) == pytest.approx(176 / 256)
    frame_xy = framing.to_frame(pose.xy)
    assert frame_xy[:, 1].min() == pytest.approx(0.10 * 256) and frame_xy[:, 1].max() == pytest.approx(0.90 * 256)


def test_a_person_at_the_photo_edge_is_padded_not_cut_off():
    photo = np.full((400, 300, 3), 200, dtype=np.uint8)
    photo[:, :40] = (10, 20, 30)  # something dark at the left edge, not the backdrop
    pose = _person(1.4, (-100.0, 20.0))  # the person's left side crosses the photo's left border
    framing = frame_person(pose, DEEPFASHION)
    assert framing.box[0] < 0  # the box leaves the photo instead of shifting the person
    frame_xy = framing.to_frame(pose.xy)
    assert (frame_xy[:, 0] > 0).all() and (frame_xy[:, 0] < 176).all()
    net = framing.crop(photo)
    assert net.shape == (256, 256, 3)
    # Everything left of the photo's border is the backdrop colour (plain padding for DeepFashion).
    border_col = int((0 - framing.box[0]) * framing.scale * 256 / 176)
    assert border_col > 2
    assert (net[:, : border_col - 1] == 200).all()
    market = frame_person(pose, MARKET).crop(photo)  # Market pads by repeating the border
    assert market.shape == (128, 64, 3) and (market[:, 0] == (10, 20, 30)).all()


def test_the_framed_heat_maps_are_the_published_ones_of_the_expected_annotation():
    pose = _person(1.7, (60.0, 12.0))
    framing = frame_person(pose, DEEPFASHION)
    x0, y0, _, _ = framing.box
    expected = np.floor((pose.xy - (x0, y0)) * framing.scale).astype(int)[:, ::-1]  # (y, x) pixel indices
    np.testing.assert_array_equal(framing.annotation(pose), expected)
    renderer = GFLARenderer(_tiny_pose_model(market=False), "pose_fashion", device="cpu")
    state = renderer.encode_source(_photo(517, 300), pose)
    np.testing.assert_array_equal(state.source_structure[0].numpy(), pose18_heatmaps(expected, (256, 176), (256, 256)))
    out = renderer.render(state, pose)
    assert out.image.shape == (256, 176, 3)  # DeepFashion's 176 x 256 frame, un-stretched
    assert [f.shape for f in out.flows] == [(2, 32, 32), (2, 64, 64)]


def test_a_dataset_framed_photo_reaches_the_network_exactly_as_the_published_loader_prepares_it():
    from PIL import Image

    from core.render.framing import Framing

    photo = _photo(256, 176, seed=7)  # a DeepFashion image: 176 wide, 256 high
    framing = Framing(DEEPFASHION, (0.0, 0.0, 176.0, 256.0))
    loader = np.asarray(Image.fromarray(photo).resize((256, 256), Image.BILINEAR))
    np.testing.assert_array_equal(framing.crop(photo), loader)
    annotation = STANDING.astype(int)[:, ::-1]  # (y, x) as stored in the annotation files
    pose = Pose(annotation[:, ::-1] + 0.5)  # the centres of those pixels
    np.testing.assert_array_equal(framing.annotation(pose), annotation)
    # The automatic framing of a dataset-like pose is (almost) the dataset's own frame.
    auto = frame_person(pose, DEEPFASHION)
    np.testing.assert_allclose(auto.box, framing.box, atol=3.0)


def test_a_source_pose_with_fewer_than_two_joints_is_refused_with_a_clear_error():
    xy = np.full((18, 2), np.nan)
    xy[0] = (10, 10)
    with pytest.raises(PoseError, match="two joints"):
        frame_person(Pose(xy), DEEPFASHION)


# ---- checkpoints through load_renderer ----------------------------------------------------------
@pytest.mark.parametrize("prefix", ["", "module."])
def test_a_published_market_checkpoint_renders_a_photo_of_any_size(tmp_path, prefix):
    path = tmp_path / "latest_net_G.pth"
    torch.save(_random_state_dict("keys_pose_market.json", prefix), path)
    renderer = load_renderer(path, device="cpu")
    assert renderer.name == "GFLA pose_market (CPU)"
    photo = _photo(300, 517)
    pose = _person(1.0, (200.0, 20.0))
    state = renderer.encode_source(photo, pose)
    target = pose.with_joint(4, (150.0, 30.0))
    out = renderer.render(state, target)
    assert out.image.dtype == np.uint8 and out.image.shape == (128, 64, 3)
    x0, y0, x1, y1 = out.crop_box
    assert out.image.shape[1] / out.image.shape[0] == pytest.approx((x1 - x0) / (y1 - y0))
    assert [f.shape for f in out.flows] == [(2, 32, 16)] and out.flows[0].dtype == np.float32
    assert [m.shape for m in out.masks] == [(32, 16)]
    assert out.renderer == renderer.name and out.seconds > 0


def test_the_cached_source_gives_the_same_image_as_a_full_forward():
    renderer = GFLARenderer(_tiny_pose_model(market=True), "pose_market", device="cpu")
    pose = _person(0.5, (30.0, 5.0))
    state = renderer.encode_source(_photo(330, 250, seed=3), pose)
    target = pose.with_joint(7, (70.0, 30.0))
    cached = renderer.forward(state, target, use_cache=True)
    full = renderer.forward(state, target, use_cache=False)
    torch.testing.assert_close(cached["image"], full["image"], rtol=0, atol=1e-6)
    assert not torch.equal(cached["image"], renderer.forward(state, pose)["image"])  # the target matters


def test_a_keypoint_checkpoint_is_refused_as_a_renderer_with_an_explanation(tmp_path):
    path = tmp_path / "kp.pth"
    torch.save(_random_state_dict("keys_keypoint.json"), path)
    with pytest.raises(CheckpointError, match="Motion Extraction Network"):
        load_renderer(path, device="cpu")


# ---- animation (first version) ------------------------------------------------------------------
def test_the_animation_renderer_follows_the_previous_frame_recurrence():
    torch.manual_seed(0)
    model = build_model(DanceConfig(ngf=8, img_f=32, flow_ngf=8, flow_img_f=32))
    renderer = renderer_for_model(model, "dance_fashion", device="cpu")
    assert isinstance(renderer, SequentialRenderer)
    pose = _person(1.5, (100.0, 10.0))
    state = renderer.encode_source(_photo(420, 380, seed=5), pose)
    assert state.reference_structure.shape == (1, 20, 256, 256)
    seen = []  # (previous image, previous structure) each step received
    step = renderer.model.step

    def recording_step(target, ref, ref_st, prev, prev_st, **kw):
        out = step(target, ref, ref_st, prev, prev_st, **kw)
        seen.append((prev, prev_st, target, out["image"]))
        return out

    renderer.model.step = recording_step
    targets = [pose, pose.with_joint(4, (120.0, 40.0))]
    frames = list(renderer.render_sequence(state, targets))
    assert len(frames) == 2 and frames[0].image.shape == (256, 196, 3)
    assert seen[0][0] is state.reference and seen[0][1] is state.reference_structure  # frame 0: the reference
    assert seen[1][0] is seen[0][3] and seen[1][1] is seen[0][2]  # frame 1: generated frame 0 and its structure
    assert len(frames[0].flows) == 4 and frames[0].flows[0].shape == (2, 32, 32)
