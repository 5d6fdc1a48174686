"""The embedded skeleton-warp renderer: what a user without a checkpoint sees on every drag."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.errors import Cancelled, RenderError
from core.imageio_utils import import_cv2
from core.render import Renderer, SourceState, load_renderer
from core.render.sampling import sample_flow, sample_image, sample_pixels
from core.render.warp import WarpRenderer
from core.skeleton import Pose

cv2 = import_cv2()

# A frontal standing person in a 300 x 400 frame (x, y per OpenPose-18 joint).
UNIT_POSE = np.array([
    (150, 70), (150, 112), (118, 114), (106, 170), (101, 224), (182, 114), (194, 170), (199, 224),
    (129, 218), (127, 290), (125, 358), (171, 218), (173, 290), (175, 358), (142, 63), (158, 63),
    (133, 69), (167, 69),
], dtype=np.float64)  # fmt: skip
RIGHT_ARM = (2, 3, 4)


def synthetic_person(w: int = 300, h: int = 400, with_mask: bool = False):
    """A person drawn with differently coloured limbs on a striped background; returns (image, pose xy).

    ``with_mask`` also returns a segmentation like a detector's: (H, W) float32, 1 on the person.
    """
    xy = UNIT_POSE * np.array([w / 300, h / 400])
    s = min(w / 300, h / 400)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([120 + 60 * np.sin(xx / 9.0), 140 + 50 * np.cos(yy / 13.0), 100 + 40 * np.sin((xx + yy) / 7.0)], -1)
    img = np.ascontiguousarray(img.astype(np.uint8))
    background = img.copy()
    p = lambda i: tuple(int(round(v)) for v in xy[i])  # noqa: E731
    t = lambda r: max(1, int(round(2 * r * s)))  # noqa: E731
    cv2.fillConvexPoly(img, np.round(xy[[2, 5, 11, 8]]).astype(np.int32), (40, 60, 200), cv2.LINE_AA)
    cv2.line(img, p(2), p(5), (40, 60, 200), t(8))
    cv2.line(img, p(1), p(0), (230, 190, 160), t(9), cv2.LINE_AA)
    cv2.circle(img, (p(0)[0], p(0)[1] - int(6 * s)), max(1, int(26 * s)), (230, 190, 160), -1, cv2.LINE_AA)
    for a, b, r, c in [(8, 9, 14, (30, 30, 90)), (9, 10, 11, (50, 50, 120)), (11, 12, 14, (30, 30, 90)),
                       (12, 13, 11, (50, 50, 120)), (2, 3, 10, (200, 40, 40)), (3, 4, 8, (240, 200, 60)),
                       (5, 6, 10, (40, 160, 40)), (6, 7, 8, (60, 200, 220))]:  # fmt: skip
        cv2.line(img, p(a), p(b), c, t(r), cv2.LINE_AA)
    if not with_mask:
        return img, xy
    mask = (np.abs(img.astype(np.int16) - background).max(axis=2) > 8).astype(np.float32)
    return img, xy, mask


@pytest.fixture(scope="module")
def scene():
    img, xy = synthetic_person()
    renderer = WarpRenderer()
    state = renderer.encode_source(img, xy)
    return renderer, state, img, xy


def _outside_band(state) -> np.ndarray:
    """Pixels away from the inpainted band (the ring around the person's outline), as the requirement puts it."""
    band = state.hole & (state.person_mask < 0.999)
    band = cv2.dilate(band.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    return ~band


def _distance_to_polyline(shape_hw: tuple[int, int], points: list[np.ndarray]) -> np.ndarray:
    """Per-pixel distance to the segments joining consecutive points (photo px)."""
    canvas = np.full(shape_hw, 255, np.uint8)
    for a, b in zip(points[:-1], points[1:], strict=True):
        cv2.line(canvas, tuple(int(round(v)) for v in a), tuple(int(round(v)) for v in b), 0, 1)
    return cv2.distanceTransform(canvas, cv2.DIST_L2, 5)


# ----- the requirements ---------------------------------------------------------------------------
def test_target_equal_to_source_gives_back_the_photo(scene):
    renderer, state, img, xy = scene
    result = renderer.render(state, xy)
    assert result.image.shape == img.shape and result.image.dtype == np.uint8
    assert result.crop_box is None and result.renderer == "Skeleton warp (no checkpoint)"
    diff = np.abs(result.image.astype(np.int16) - img.astype(np.int16)).mean(axis=2)
    outside = _outside_band(state)
    assert outside.mean() > 0.5  # the band is a thin ring, not most of the photo
    assert diff[outside].mean() < 1.0
    assert (diff[outside] > 2).mean() < 1e-3


@pytest.mark.parametrize("size", [(300, 400), (700, 1000)], ids=["work-resolution", "larger-than-work"])
def test_identity_holds_with_a_detector_mask_and_above_the_working_resolution(size):
    img, xy, mask = synthetic_person(*size, with_mask=True)
    renderer = WarpRenderer()
    state = renderer.encode_source(img, xy, mask=mask)
    result = renderer.render(state, xy)
    diff = np.abs(result.image.astype(np.int16) - img.astype(np.int16)).mean(axis=2)
    assert diff[_outside_band(state)].mean() < 1.0


def test_moving_the_right_wrist_changes_pixels_only_near_the_right_arm(scene):
    renderer, state, img, xy = scene
    target = Pose(xy).with_joint(4, (xy[4, 0] - 60, xy[4, 1] - 90)).xy
    still = renderer.render(state, xy).image.astype(np.int16)
    moved = renderer.render(state, target).image.astype(np.int16)
    changed = np.abs(moved - still).max(axis=2) > 3
    scale = np.linalg.norm(xy[1] - (xy[8] + xy[11]) / 2)
    arm_then = [xy[i] for i in RIGHT_ARM]
    arm_now = [target[i] for i in RIGHT_ARM]
    near = np.minimum(_distance_to_polyline(img.shape[:2], arm_then), _distance_to_polyline(img.shape[:2], arm_now))
    assert changed[near < 0.15 * scale].sum() > 200  # the forearm really moved
    assert not changed[near > 0.45 * scale].any()  # nothing else did
    # the person's left half (the image's right half) is untouched
    left_half = np.zeros_like(changed)
    left_half[:, int(xy[1, 0]) + 5 :] = True
    assert not changed[left_half].any()


def test_flow_is_zero_where_nothing_moves_and_points_back_at_the_moved_joint(scene):
    renderer, state, img, xy = scene
    flow = renderer.render(state, xy).flows[0]
    assert flow.shape == (2, *img.shape[:2]) and flow.dtype == np.float32
    assert np.abs(flow).max() < 0.01
    target = Pose(xy).with_joint(4, (xy[4, 0] - 60, xy[4, 1] - 90)).xy
    result = renderer.render(state, target)
    flow = result.flows[0]
    scale = np.linalg.norm(xy[1] - (xy[8] + xy[11]) / 2)
    near = np.minimum(
        _distance_to_polyline(img.shape[:2], [xy[i] for i in RIGHT_ARM]),
        _distance_to_polyline(img.shape[:2], [target[i] for i in RIGHT_ARM]),
    )
    assert np.abs(flow[:, near > 0.45 * scale]).max() < 1e-3
    tx, ty = np.round(target[4]).astype(int)
    expected = xy[4] - np.round(target[4])  # backward: from the target pixel to where it comes from
    assert np.allclose(flow[:, ty, tx], expected, atol=2.0)
    assert result.masks[0].shape == img.shape[:2] and result.masks[0][ty, tx] > 0.9


def test_a_target_with_no_joints_shows_the_photo_unchanged(scene):
    renderer, state, img, _ = scene
    result = renderer.render(state, Pose.empty())
    diff = np.abs(result.image.astype(np.int16) - img.astype(np.int16)).mean(axis=2)
    assert diff[_outside_band(state)].mean() < 1.0
    assert "no joints" in result.extras["note"]


def test_a_source_with_no_joints_is_a_clear_error():
    img, _ = synthetic_person()
    with pytest.raises(RenderError, match="no joints"):
        WarpRenderer().encode_source(img, Pose.empty())


def test_joints_far_outside_the_photo_give_a_result_not_a_crash(scene):
    renderer, state, img, xy = scene
    target = xy.copy()
    target[4] = (1e6, -1e6)
    target[10] = (-5e4, 3e5)
    target[0] = (xy[0, 0], -2e5)
    result = renderer.render(state, target)
    assert result.image.shape == img.shape and np.isfinite(result.flows[0]).all()
    # a photo whose skeleton runs off the frame (legs below the bottom edge) still encodes and round-trips
    src = xy.copy()
    src[[9, 10, 12, 13], 1] += 300
    state2 = renderer.encode_source(img, src)
    back = renderer.render(state2, src).image.astype(np.int16)
    assert np.abs(back - img).mean(axis=2)[_outside_band(state2)].mean() < 1.0


@pytest.mark.parametrize("w,h", [(7, 5), (3, 200), (640, 36), (1600, 1200)])
def test_photos_of_any_size_render_at_their_own_size(w, h):
    img, xy = synthetic_person(w, h)
    renderer = WarpRenderer()
    state = renderer.encode_source(img, xy)
    target = xy.copy()
    target[7] += (0.1 * w, -0.1 * h)
    result = renderer.render(state, target)
    assert result.image.shape == (h, w, 3)
    assert result.flows[0].shape == (2, h, w) and result.masks[0].shape == (h, w)
    assert np.isfinite(result.flows[0]).all()


def test_grey_and_rgba_photos_are_accepted_and_bad_inputs_are_clear_errors():
    img, xy = synthetic_person()
    renderer = WarpRenderer()
    assert renderer.render(renderer.encode_source(img[..., 0], xy), xy).image.shape == img.shape
    rgba = np.concatenate([img, np.full(img.shape[:2] + (1,), 255, np.uint8)], axis=2)
    assert renderer.render(renderer.encode_source(rgba, xy), xy).image.shape == img.shape
    with pytest.raises(RenderError, match="8-bit"):
        renderer.encode_source(img.astype(np.float32), xy)
    with pytest.raises(RenderError, match="mask"):
        renderer.encode_source(img, xy, mask=np.ones((10, 10), np.float32))
    with pytest.raises(RenderError, match="another renderer"):
        renderer.render(SourceState(image=img, pose=Pose(xy)), xy)


# ----- no seams between the parts ---------------------------------------------------------------------
SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "sample_person.png"
SUIT, SKIN, PLAIN = (40, 40, 40), (225, 185, 150), (250, 250, 250)
# At the identity pose every layer is read at exact pixel centres, so wherever one opaque part covers a
# pixel the composite gives back the photo up to float rounding (1 grey level). A seam is where the parts'
# soft edges let the inpainted plate through: tens of grey levels. 2 levels leaves room for rounding only.
IDENTITY_P999 = 2.0


def _eroded(mask: np.ndarray, px: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.erode(mask.astype(np.uint8), kernel).astype(bool)


def _inside_error_p999(result: np.ndarray, photo: np.ndarray, person: np.ndarray) -> float:
    """99.9th percentile of the per-pixel max |result - photo| over the person, 2 px in from its outline."""
    inside = _eroded(person, 2)
    assert inside.sum() > 1000
    diff = np.abs(result.astype(np.int16) - photo.astype(np.int16)).max(axis=2)
    return float(np.percentile(diff[inside], 99.9))


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def _arm_raised(xy: np.ndarray) -> np.ndarray:
    """The right arm lifted out to the side with the forearm pointing up: elbow and shoulder both turn."""
    t = xy.copy()
    t[3] = xy[2] + np.linalg.norm(xy[3] - xy[2]) * _unit([-0.94, 0.34])
    t[4] = t[3] + np.linalg.norm(xy[4] - xy[3]) * _unit([0.05, -1.0])
    return t


def _one_colour_person(xy: np.ndarray, w: int = 300, h: int = 400) -> np.ndarray:
    """The synthetic person's shapes in one suit colour (head in skin) on a plain light background."""
    img = np.full((h, w, 3), PLAIN, np.uint8)
    p = lambda i: tuple(int(round(v)) for v in xy[i])  # noqa: E731
    cv2.fillConvexPoly(img, np.round(xy[[2, 5, 11, 8]]).astype(np.int32), SUIT, cv2.LINE_AA)
    cv2.line(img, p(2), p(5), SUIT, 16)
    cv2.line(img, p(1), p(0), SKIN, 18, cv2.LINE_AA)
    cv2.circle(img, (p(0)[0], p(0)[1] - 6), 26, SKIN, -1, cv2.LINE_AA)
    for a, b, r in [(8, 9, 14), (9, 10, 11), (11, 12, 14), (12, 13, 11), (2, 3, 10), (3, 4, 8), (5, 6, 10), (6, 7, 8)]:
        cv2.line(img, p(a), p(b), SUIT, 2 * r, cv2.LINE_AA)
    return img


def _longest_run(pixels: np.ndarray) -> int:
    """Size of the largest 8-connected group of True pixels (0 if none)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(pixels.astype(np.uint8), connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if n > 1 else 0


@pytest.fixture(scope="module")
def sample_scene():
    if not SAMPLE.exists():
        pytest.skip("bundled photo not present")
    from core.detect import get_detector
    from core.imageio_utils import load_image

    img = load_image(SAMPLE)
    detection = get_detector().detect(img)
    renderer = WarpRenderer()
    state = renderer.encode_source(img, detection.pose.xy, mask=detection.mask)
    return renderer, state, img, detection.pose.xy, detection.mask


@pytest.mark.parametrize("with_mask", [False, True], ids=["skeleton-outline", "detector-mask"])
def test_identity_pose_shows_no_seams_inside_the_synthetic_person(with_mask):
    img, xy, drawn = synthetic_person(with_mask=True)
    renderer = WarpRenderer()
    state = renderer.encode_source(img, xy, mask=drawn if with_mask else None)
    # without a detector mask the renderer finds the person's outline itself (GrabCut); where it leaves a sliver
    # of the drawing out, that sliver is feathered into the background like any outline: not a seam
    person = (drawn > 0.5) & (state.person_mask >= 0.999)
    assert _inside_error_p999(renderer.render(state, xy).image, img, person) <= IDENTITY_P999


def test_identity_pose_shows_no_seams_inside_the_bundled_sample(sample_scene):
    renderer, state, img, xy, mask = sample_scene
    assert _inside_error_p999(renderer.render(state, xy).image, img, mask > 0.5) <= IDENTITY_P999


@pytest.mark.parametrize("move", ["arm raised", "wrist moved"])
def test_a_moved_arm_shows_no_seam_of_background_inside_the_person(move):
    """Geometrically: inside the same figure drawn at the target pose (3 px in from its outline), no run of
    three or more pixels is nearer the background's colour than the suit's. Where a part's soft edge meets
    the part behind it, or a limb's outline now lies over the body, the plate used to show as a light line.
    """
    xy = UNIT_POSE.copy()
    target = _arm_raised(xy) if move == "arm raised" else Pose(xy).with_joint(4, xy[4] + (-60, -90)).xy
    img = _one_colour_person(xy)
    renderer = WarpRenderer()
    result = renderer.render(renderer.encode_source(img, xy), target).image.astype(np.int16)
    figure = _one_colour_person(target)
    inside = _eroded(np.abs(figure.astype(np.int16) - PLAIN).max(axis=2) > 100, 3)
    nearer_background = np.abs(result - PLAIN).sum(axis=2) < np.abs(result - SUIT).sum(axis=2)
    not_skin = np.abs(result - SKIN).max(axis=2) > 40
    assert _longest_run(inside & nearer_background & not_skin) < 3


def test_a_raised_arm_on_the_bundled_sample_has_no_light_seam_along_the_sleeve(sample_scene):
    """Along the dark sleeve of the moved arm (near the target upper arm and the elbow half of the forearm,
    where the photo has no light detail) no run of three or more pixels is lighter than mid-grey."""
    renderer, state, img, xy, _ = sample_scene
    target = _arm_raised(xy)
    result = renderer.render(state, target).image
    length = np.linalg.norm(xy[3] - xy[2])  # of the upper arm; the sleeve is about a quarter as wide
    upper = _distance_to_polyline(img.shape[:2], [target[2], target[3]])
    fore = _distance_to_polyline(img.shape[:2], [target[3], target[3] + 0.6 * (target[4] - target[3])])
    sleeve = (upper < 0.1 * length) | (fore < 0.08 * length)
    assert sleeve.sum() > 2000
    assert _longest_run(sleeve & (result.astype(np.int16).mean(axis=2) > 128)) < 3


# ----- wiring ---------------------------------------------------------------------------------------
def test_no_checkpoint_means_the_warp_renderer():
    renderer = load_renderer(None)
    assert isinstance(renderer, WarpRenderer) and isinstance(renderer, Renderer)
    assert renderer.name == "Skeleton warp (no checkpoint)" and renderer.device == "cpu"


def test_a_sequence_renders_frame_by_frame_and_stops_when_cancelled(scene):
    renderer, state, _, xy = scene
    targets = [xy + (k, 0) for k in range(3)]
    done = []
    results = list(renderer.render_sequence(state, targets, progress=lambda d, t: done.append((d, t))))
    assert len(results) == 3 and done[-1] == (3, 3)
    with pytest.raises(Cancelled):
        list(renderer.render_sequence(state, targets, cancel=lambda: True))


def test_rendering_leaves_torch_thread_settings_alone(scene):
    renderer, state, _, xy = scene
    before = torch.get_num_threads()
    renderer.render(state, xy)
    assert torch.get_num_threads() == before


# ----- the shared sampler -----------------------------------------------------------------------------
def test_the_sampler_reads_pixel_centres_exactly_and_clamps_at_the_border():
    rng = np.random.default_rng(0)
    img = rng.random((5, 7, 3)).astype(np.float32)
    ys, xs = np.mgrid[0:5, 0:7]
    coords = np.stack([xs, ys], -1).astype(np.float32)
    assert np.allclose(sample_image(img, coords), img, atol=1e-6)
    half = sample_image(img, np.array([[[0.5, 0.0]]], np.float32))[0, 0]
    assert np.allclose(half, (img[0, 0] + img[0, 1]) / 2, atol=1e-6)
    assert np.allclose(sample_image(img, np.array([[[-3.0, 10.0]]], np.float32))[0, 0], img[4, 0], atol=1e-6)
    zeros = sample_pixels(torch.from_numpy(img.transpose(2, 0, 1))[None], torch.tensor([[[[-9.0, -9.0]]]]), "zeros")
    assert float(zeros.abs().max()) == 0.0
    thin = sample_image(np.arange(4, dtype=np.float32)[:, None], np.array([[[5.0, 1.5]]], np.float32))
    assert np.isclose(thin[0, 0], 1.5)  # a one-pixel-wide image samples its only column


def test_a_backward_flow_of_one_pixel_shifts_the_image():
    src = torch.arange(20, dtype=torch.float32).view(1, 1, 4, 5)
    flow = torch.zeros(1, 2, 4, 5)
    flow[:, 0] = 1.0  # every output pixel reads its right neighbour
    out = sample_flow(src, flow)
    assert torch.equal(out[..., :-1], src[..., 1:]) and torch.equal(out[..., -1], src[..., -1])
