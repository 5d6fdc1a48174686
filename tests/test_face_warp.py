"""The landmark mesh warp (no checkpoint) re-renders a portrait's face: faithful, local, fast and unbreakable."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import Cancelled, PoseError, RenderError
from core.imageio_utils import import_cv2
from core.render.face_mesh_topology import INNER_MOUTH, face_triangles, fill_points
from core.render.face_warp import FaceWarpRenderer, FaceWarpState, openness
from core.render.face_warp_mesh import (
    FILL,
    FIRST_ANCHOR,
    FOREHEAD,
    MOUTH_SPLIT,
    OUTLINE,
    TEMPLATE68,
    anchors_and_band,
    forehead_points,
    mouth_gap,
    mouth_split,
    ring,
)

cv2 = import_cv2()


def synthetic_portrait(size: int = 320, iod: float = 60.0, open_mouth: bool = False, seed: int = 0,
                       centre: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A textured background with a drawn face (skin, brows, eyes with irises, nose, red lips) and its landmarks."""
    rng = np.random.default_rng(seed)
    h = w = size
    noise = cv2.resize(rng.integers(0, 256, (h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8), (w, h))
    yy, xx = np.mgrid[0:h, 0:w]
    image = (0.5 * noise + 60 + 40 * np.stack([xx / w, yy / h, 1 - xx / w], axis=2)).astype(np.uint8)
    cx, cy = centre if centre is not None else (w / 2, h * 0.45)
    lm = TEMPLATE68 * iod + np.array([cx, cy])
    if open_mouth:  # part the lips wider than the template's
        lm[[55, 56, 57, 58, 59, 65, 66, 67], 1] += 0.1 * iod
    else:  # shut the lips: the inner upper and lower lip meet in the middle
        for up, low in ((61, 67), (62, 66), (63, 65)):
            lm[up] = lm[low] = (lm[up] + lm[low]) / 2
    face = np.vstack([lm[:17], forehead_points(lm)[::-1]])
    skin = (rng.normal(0, 6, (h, w, 3)) + np.array([215, 170, 140])).clip(0, 255).astype(np.uint8)
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(face).astype(np.int32)], 1)
    image[mask > 0] = skin[mask > 0]

    def pts(idx):
        return np.round(lm[list(idx)]).astype(np.int32)

    thick = max(1, int(iod / 15))
    cv2.polylines(image, [pts(range(17, 22)), pts(range(22, 27))], False, (70, 45, 30), thick * 2)
    for eye in (range(36, 42), range(42, 48)):
        cv2.fillPoly(image, [pts(eye)], (245, 245, 240))
        c = lm[list(eye)].mean(axis=0)
        cv2.circle(image, (int(round(c[0])), int(round(c[1]))), max(1, int(iod / 9)), (60, 90, 140), -1)
        cv2.circle(image, (int(round(c[0])), int(round(c[1]))), max(1, int(iod / 20)), (10, 10, 10), -1)
    cv2.polylines(image, [pts(range(27, 31)), pts(range(31, 36))], False, (150, 100, 80), thick)
    cv2.circle(image, tuple(int(v) for v in np.round(lm[30])), max(1, int(iod / 12)), (190, 120, 100), -1)
    cv2.fillPoly(image, [pts(range(48, 60))], (200, 60, 70))
    if open_mouth:
        cv2.fillPoly(image, [pts(range(60, 68))], (250, 250, 245))  # teeth
    else:
        cv2.polylines(image, [pts(range(60, 68))], True, (120, 30, 40), 1)
    return image, lm


@pytest.fixture(scope="module")
def renderer() -> FaceWarpRenderer:
    return FaceWarpRenderer()


@pytest.fixture(scope="module")
def portrait() -> tuple[np.ndarray, np.ndarray]:
    return synthetic_portrait()


def _outside_box(a: np.ndarray, b: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    keep = np.ones(a.shape[:2], bool)
    keep[y0:y1, x0:x1] = False
    return np.array_equal(a[keep], b[keep])


def _polygon_mask(shape: tuple[int, int], polygon: np.ndarray, erode: int = 0) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    if erode:
        mask = cv2.erode(mask, np.ones((2 * erode + 1, 2 * erode + 1), np.uint8))
    return mask.astype(bool)


def test_rendering_the_photos_own_landmarks_gives_back_the_photo(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    result = renderer.render(state, lm.copy())
    assert result.image.shape == image.shape and result.image.dtype == np.uint8
    assert np.abs(result.image.astype(int) - image).max() <= 2
    assert result.crop_box is None and result.renderer == renderer.name and result.seconds > 0
    assert isinstance(state.pose, np.ndarray) and state.pose.shape == (68, 2)


def test_the_real_portrait_comes_back_unchanged_and_moves_with_raised_brows(renderer):
    from core.detect.face_mesh import get_face_detector
    from core.imageio_utils import load_image
    from tests.conftest import ROOT

    image = load_image(ROOT / "resources" / "portrait.png")
    lm = get_face_detector().detect(image).landmarks
    state = renderer.encode_source(image, lm)
    assert np.abs(renderer.render(state, lm).image.astype(int) - image).max() <= 2
    raised = lm.copy()
    raised[17:27, 1] -= 0.1 * np.hypot(*(lm[45] - lm[36]))
    result = renderer.render(state, raised).image
    assert _outside_box(result, image, state.ring_box)
    x0, y0, x1, y1 = np.round([lm[17:27, 0].min(), lm[17:27, 1].min() - 8, lm[17:27, 0].max(), lm[36:48, 1].min()])
    assert np.abs(result[int(y0):int(y1), int(x0):int(x1)].astype(int) - image[int(y0):int(y1), int(x0):int(x1)]).mean() > 2


def test_moving_the_lower_lip_leaves_the_upper_face_and_the_surroundings_unchanged(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    target = lm.copy()
    target[[55, 56, 57, 58, 59, 65, 66, 67], 1] += 12
    result = renderer.render(state, target).image
    above_nose = int(np.floor(lm[31:36, 1].min()))
    assert np.array_equal(result[:above_nose], image[:above_nose])
    assert _outside_box(result, image, state.ring_box)
    assert not np.array_equal(result, image)  # the mouth did change


def test_outside_the_anchor_ring_the_photo_is_untouched_even_for_a_big_move(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    target = lm + np.array([25.0, -15.0])
    result = renderer.render(state, target).image
    assert _outside_box(result, image, state.ring_box)
    ring_mask = _polygon_mask(image.shape[:2], state.points[FIRST_ANCHOR:])
    ring_mask = cv2.dilate(ring_mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # the edge's own pixels may blend
    assert np.array_equal(result[~ring_mask], image[~ring_mask])


def test_opening_a_shut_mouth_shows_a_dark_mouth_not_stretched_lips(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    assert openness(lm[60:68]) < 0.01
    target = lm.copy()
    drop = 0.35 * np.hypot(*(lm[64] - lm[60]))
    target[[65, 66, 67], 1] += drop
    target[[55, 56, 57, 58, 59], 1] += drop
    target[5:12, 1] += 0.6 * drop
    result = renderer.render(state, target)
    gap = _polygon_mask(image.shape[:2], target[60:68], erode=2)
    lips = _polygon_mask(image.shape[:2], lm[48:60], erode=1)
    assert gap.sum() > 50
    lum_gap = result.image[gap].astype(float).mean()
    lum_lips = image[lips].astype(float).mean()
    assert result.extras["mouth_fill"] > 0.9
    assert lum_gap < 0.6 * lum_lips


def test_teeth_in_the_photo_move_with_the_lips_and_only_the_new_gap_is_dark(renderer):
    image, lm = synthetic_portrait(open_mouth=True)
    state = renderer.encode_source(image, lm)
    teeth = _polygon_mask(image.shape[:2], lm[60:68], erode=1)
    assert image[teeth].mean() > 200
    wider = lm.copy()
    wider[[55, 56, 57, 58, 59, 65, 66, 67], 1] += 14
    result = renderer.render(state, wider)
    assert result.extras["mouth_fill"] > 0.5
    upper_teeth = _polygon_mask(image.shape[:2], np.vstack([wider[60:65], mouth_split(lm, wider)[2::-1]]), erode=1)
    gap = _polygon_mask(image.shape[:2], mouth_gap(renderer.target_points(state, wider)), erode=2)
    assert upper_teeth.sum() > 20 and gap.sum() > 20
    assert result.image[upper_teeth].mean() > 180  # the upper teeth came along with the upper lip, unstretched
    assert result.image[gap].mean() < 0.5 * result.image[upper_teeth].mean()  # the new gap is dark
    narrower = lm.copy()
    narrower[[65, 66, 67], 1] -= 2
    result = renderer.render(state, narrower)
    assert result.extras["mouth_fill"] == 0.0  # a mouth closing a little just compresses its interior
    assert result.image[_polygon_mask(image.shape[:2], narrower[60:68], erode=1)].mean() > 200


def test_moving_every_landmark_right_moves_the_nose_right_by_the_same_amount(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    d = 9
    result = renderer.render(state, lm + np.array([d, 0.0])).image
    x, y = np.round(lm[30]).astype(int)
    r = 12
    patch = image[y - r:y + r, x - r:x + r]
    search = result[y - r - 4:y + r + 4, x - r - 4:x + r + d + 8]
    score = cv2.matchTemplate(search, patch, cv2.TM_SQDIFF)
    dy, dx = np.unravel_index(np.argmin(score), score.shape)
    assert abs((dx - 4) - d) <= 1 and abs(dy - 4) <= 1


def test_raising_the_whole_face_carries_the_forehead_and_raising_the_brows_lifts_it_part_way(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    forehead = state.points[FOREHEAD]
    up = renderer.target_points(state, lm - np.array([0.0, 10.0]))[FOREHEAD]
    np.testing.assert_allclose(up, forehead - np.array([0.0, 10.0]), atol=1e-6)
    brows = lm.copy()
    brows[17:27, 1] -= 10
    lifted = renderer.target_points(state, brows)[FOREHEAD]
    rise = forehead[:, 1] - lifted[:, 1]
    assert (rise > 1).all() and (rise < 10).all()
    assert np.array_equal(renderer.target_points(state, brows)[FIRST_ANCHOR:], state.points[FIRST_ANCHOR:])


def test_a_dragged_mouth_corner_carries_the_cheek_part_of_the_way(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    smile = lm.copy()
    smile[[48, 60], 1] -= 6
    moved = renderer.target_points(state, smile)[FILL] - state.points[FILL]  # (7, 2)
    cheek = int(np.argmin(np.hypot(*(state.points[FILL] - lm[48]).T)))  # the fill point nearest the corner
    assert 0.5 < -moved[cheek, 1] < 4.5  # follows the corner, part of the way
    assert np.abs(moved[:, 0]).max() < 1e-9 and (moved[:, 1] <= 1e-9).all()


def _signed_areas(points: np.ndarray, tris: np.ndarray) -> np.ndarray:
    a = points[tris]
    e1, e2 = a[:, 1] - a[:, 0], a[:, 2] - a[:, 0]
    return (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]) / 2


def _loop_area(xy: np.ndarray) -> float:
    return 0.5 * abs(float(np.dot(xy[:, 0], np.roll(xy[:, 1], -1)) - np.dot(np.roll(xy[:, 0], -1), xy[:, 1])))


@pytest.mark.parametrize("roll_degrees", [0.0, 40.0, -120.0])
def test_the_mesh_tiles_the_ring_without_overlaps_for_any_head_roll(roll_degrees):
    t = np.radians(roll_degrees)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    lm = TEMPLATE68 @ rot.T * 50 + 200
    face = np.vstack([lm, forehead_points(lm), mouth_split(lm, lm)])
    face = np.vstack([face, fill_points(face)])
    centre, axes = ring(face)
    anchors, band = anchors_and_band(face, centre, axes)
    points = np.vstack([face, anchors])
    tris = np.vstack([band, face_triangles()])
    areas = _signed_areas(points, tris)
    solid = np.abs(areas) > 1e-9  # the mouth's gap strip is empty until the mouth opens
    assert (areas[solid] > 0).all() or (areas[solid] < 0).all()  # one orientation: nothing folded
    assert np.isclose(np.abs(areas).sum(), _loop_area(anchors))  # and together they cover the ring exactly
    assert np.isclose(np.abs(_signed_areas(points, face_triangles())).sum(), _loop_area(points[list(OUTLINE)]))


def test_the_inner_mouth_is_made_of_inner_lip_and_mouth_split_points_only():
    mouth = set(range(60, 68)) | set(range(MOUTH_SPLIT, MOUTH_SPLIT + 6))
    assert all(set(t) <= mouth for t in INNER_MOUTH)
    touching = [set(t) for t in face_triangles().tolist() if set(t) & mouth]
    assert all(t <= mouth | set(range(48, 60)) for t in touching)  # the inner lips connect to lips only


def _extreme_cases(lm: np.ndarray, size: int) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    crossed = lm[::-1].copy()
    return [
        np.zeros_like(lm),  # everything dragged into the photo's corner
        np.full_like(lm, float(size - 1)),
        crossed,  # every point swapped with another: the whole mesh folds
        lm + rng.normal(0, 40, lm.shape),  # scrambled
        np.full_like(lm, 1e9) * rng.choice([-1, 1], lm.shape),  # absurdly far
        np.repeat(lm[30:31], 68, axis=0),  # all on the nose tip
        lm * np.array([1.0, -1.0]) + np.array([0.0, 2 * lm[:, 1].mean()]),  # upside down
    ]


def test_extreme_drags_never_raise_and_leave_the_outside_alone(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    for target in _extreme_cases(lm, image.shape[0]):
        result = renderer.render(state, target).image
        assert result.shape == image.shape and result.dtype == np.uint8
        assert _outside_box(result, image, state.ring_box)


@pytest.mark.parametrize("case", ["half_outside", "tiny", "huge_photo", "corner"])
def test_faces_at_the_edge_tiny_or_in_huge_photos_render(renderer, case):
    if case == "half_outside":
        image, lm = synthetic_portrait(size=240, centre=(10.0, 40.0))
    elif case == "corner":
        image, lm = synthetic_portrait(size=240, centre=(235.0, 235.0))
    elif case == "tiny":
        image, lm = synthetic_portrait(size=96, iod=8.0)  # a landmark box about 20 px
        assert np.ptp(lm, axis=0).max() < 25
    else:
        small, lm = synthetic_portrait(size=200)
        image = np.zeros((3000, 2000, 3), np.uint8)
        image[1000:1200, 1000:1200] = small
        lm = lm + 1000.0
    state = renderer.encode_source(image, lm)
    x0, y0, x1, y1 = state.ring_box
    same = renderer.render(state, lm).image
    assert _outside_box(same, image, state.ring_box)
    assert np.abs(same[y0:y1, x0:x1].astype(int) - image[y0:y1, x0:x1]).max() <= 2
    for target in (lm + np.array([6.0, -4.0]), *_extreme_cases(lm, image.shape[0])[:3]):
        result = renderer.render(state, target)
        assert result.image.shape == image.shape
        assert _outside_box(result.image, image, state.ring_box)
    if case == "huge_photo":
        x0, y0, x1, y1 = result.extras["changed_box"]
        assert (x1 - x0) * (y1 - y0) < 0.05 * image.shape[0] * image.shape[1]  # only the face's region is worked on


def test_missing_or_misshapen_landmarks_are_a_pose_error(renderer, portrait):
    image, lm = portrait
    bad = lm.copy()
    bad[40] = np.nan
    with pytest.raises(PoseError):
        renderer.encode_source(image, bad)
    state = renderer.encode_source(image, lm)
    with pytest.raises(PoseError):
        renderer.render(state, bad)
    with pytest.raises(PoseError):
        renderer.render(state, lm[:60])
    inf = lm.copy()
    inf[3, 0] = np.inf
    with pytest.raises(PoseError):
        renderer.render(state, inf)


def test_a_state_from_another_renderer_or_a_bad_image_is_a_render_error(renderer, portrait):
    image, lm = portrait
    with pytest.raises(RenderError):
        renderer.render(object(), lm)  # type: ignore[arg-type]
    with pytest.raises(RenderError):
        renderer.encode_source(image[..., 0], lm)


def test_a_sequence_renders_one_frame_per_target_and_stops_when_cancelled(renderer, portrait):
    image, lm = portrait
    state = renderer.encode_source(image, lm)
    assert isinstance(state, FaceWarpState)
    targets = [lm + np.array([float(i), 0.0]) for i in range(4)]
    seen = []
    results = list(renderer.render_sequence(state, targets, progress=lambda done, total: seen.append((done, total))))
    assert len(results) == 4 and seen[-1] == (4, 4)
    assert np.abs(results[0].image.astype(int) - image).max() <= 2
    assert not np.array_equal(results[3].image, image)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2

    got = []
    with pytest.raises(Cancelled):
        for result in renderer.render_sequence(state, targets, cancel=cancel):
            got.append(result)
    assert len(got) == 2
