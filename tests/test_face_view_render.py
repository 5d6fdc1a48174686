"""The face renderer (portrait + moved landmarks), the view renderer (object photo + new angle) and face retargeting."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gfla_checks import SMALL

from core.errors import Cancelled, NoFaceFound, PoseError, RenderError
from core.face.layout import FACE68_STABLE
from core.face.retarget import apply_similarity, fill_gaps, fit_similarity, retarget_face
from core.gfla.configs import FaceConfig, ShapeNetConfig
from core.gfla.factory import build_model
from core.render.base import Renderer
from core.render.face import FaceRenderer, FaceSourceState, crop_box, face_box
from core.render.view import OBJECT_FILL, ViewRenderer, frame_object, turntable

SIZE = 128  # face network run at 128² here for speed (it is fully convolutional)


@pytest.fixture(scope="module")
def face(portrait, landmarks) -> tuple[FaceRenderer, FaceSourceState]:
    torch.manual_seed(0)
    renderer = FaceRenderer(build_model(FaceConfig(**SMALL)), device="cpu", load_size=SIZE)
    return renderer, renderer.encode_source(portrait, landmarks)


def _open_mouth(lm: np.ndarray, px: float) -> np.ndarray:
    out = lm.copy()
    out[[55, 56, 57, 58, 59, 65, 66, 67], 1] += px  # lower lip and lower inner lip down
    out[list(range(5, 12)), 1] += px  # the chin follows
    return out


def test_face_renderer_returns_the_network_frame_with_its_crop_box_flows_and_masks(face, landmarks) -> None:
    renderer, state = face
    assert isinstance(renderer, Renderer) and renderer.name == "GFLA face (CPU)"
    result = renderer.render(state, _open_mouth(landmarks, 6))
    assert result.image.shape == (SIZE, SIZE, 3) and result.image.dtype == np.uint8
    x0, y0, x1, y1 = result.crop_box
    assert x1 - x0 == y1 - y0 > 0  # a square around the face
    assert (landmarks[:, 0] > x0).all() and (landmarks[:, 0] < x1).all()
    assert (landmarks[:, 1] > y0).all() and (landmarks[:, 1] < y1).all()
    assert [f.shape for f in result.flows] == [(2, SIZE // 8, SIZE // 8)] * 2 + [(2, SIZE // 4, SIZE // 4)] * 2
    assert len(result.masks) == 4 and all(0 <= m.min() and m.max() <= 1 for m in result.masks)
    assert result.extras["edge_image"].shape == (SIZE, SIZE)


def test_unmoved_landmarks_encode_exactly_the_portraits_own_structure(face) -> None:
    renderer, state = face
    structure, _ = renderer.target_structure(state, state.landmarks)
    assert torch.equal(torch.from_numpy(structure), state.reference_structure[0])


def test_opening_the_mouth_grows_the_inner_mouth_in_the_structure(face, landmarks) -> None:
    renderer, state = face
    closed, _ = renderer.target_structure(state, landmarks)
    opened, _ = renderer.target_structure(state, _open_mouth(landmarks, 8))
    assert (opened[15] == 6).sum() > (closed[15] == 6).sum() + 20  # channel 15: part labels, 6 = inner mouth
    assert not np.array_equal(opened[0], closed[0])  # the edge image follows


def test_face_sequence_feeds_each_frame_the_previous_result(face, landmarks, monkeypatch) -> None:
    renderer, state = face
    seen: list[tuple[torch.Tensor, torch.Tensor]] = []
    made: list[torch.Tensor] = []
    step = renderer.model.step

    def spy(target, ref_img, ref_st, prev_img, prev_st, reference_features=None):
        out = step(target, ref_img, ref_st, prev_img, prev_st, reference_features=reference_features)
        seen.append((prev_img, prev_st))
        made.append((out["image"], target))
        return out

    monkeypatch.setattr(renderer.model, "step", spy)
    targets = [_open_mouth(landmarks, px) for px in (3, 6)]
    done: list[tuple[int, int]] = []
    results = list(renderer.render_sequence(state, targets, progress=lambda d, t: done.append((d, t))))
    assert len(results) == 2 and done == [(1, 2), (2, 2)]
    assert seen[0][0] is state.reference and seen[0][1] is state.reference_structure
    assert seen[1][0] is made[0][0] and seen[1][1] is made[0][1]  # frame 1 attends to generated frame 0
    with pytest.raises(Cancelled):
        list(renderer.render_sequence(state, targets, cancel=lambda: True))


def test_face_renderer_rejects_bad_landmarks_and_foreign_states(face, portrait) -> None:
    renderer, state = face
    with pytest.raises(PoseError, match="68"):
        renderer.encode_source(portrait, np.zeros((18, 2)))
    with pytest.raises(RenderError, match="another renderer"):
        renderer.render(object(), state.landmarks)  # type: ignore[arg-type]


def test_face_crop_near_the_photo_border_is_padded_to_a_square(portrait, landmarks) -> None:
    shifted = landmarks - landmarks.min(axis=0) + 2  # face pushed into the top-left corner
    box = face_box(shifted)
    assert box[0] < 0 and box[1] < 0 and box[2] - box[0] == box[3] - box[1]
    region = crop_box(portrait, box)
    assert region.shape == (box[3] - box[1], box[2] - box[0], 3)
    assert (region[0, 0] == portrait[0, 0]).all()  # outside the photo repeats its border


@pytest.fixture(scope="module")
def view() -> ViewRenderer:
    torch.manual_seed(0)
    return ViewRenderer(build_model(ShapeNetConfig(**SMALL)), device="cpu")


def _object_photo() -> np.ndarray:
    photo = np.full((300, 400, 3), (90, 110, 130), np.uint8)  # plain blue-grey backdrop
    photo[120:200, 100:260] = (200, 30, 30)  # a red "car" 160 x 80
    photo[190:215, 120:150] = photo[190:215, 210:240] = (20, 20, 20)  # wheels
    return photo


def test_object_on_a_plain_backdrop_is_whitened_centred_and_scaled(view) -> None:
    framed, box, removed = frame_object(_object_photo())
    assert removed and framed.shape == (256, 256, 3)
    assert (framed[:5, :5] == 255).all() and (framed[-5:, -5:] == 255).all()
    cols = np.nonzero((framed != 255).any(axis=(0, 2)))[0]
    assert abs(len(cols) / 256 - OBJECT_FILL) < 0.02 and abs((cols[0] + cols[-1]) / 2 - 127.5) < 2
    busy = np.random.default_rng(0).integers(0, 256, (100, 200, 3), dtype=np.uint8)
    framed, box, removed = frame_object(busy)
    assert not removed and box == (0.0, -50.0, 200.0, 150.0)
    assert (framed[:40] == 255).all() and (framed[-40:] == 255).all()  # padded with white above and below


def test_view_renderer_renders_the_nearest_trained_view_and_reports_it(view) -> None:
    assert isinstance(view, Renderer) and view.name == "GFLA shapenet (CPU)"
    state = view.encode_source(_object_photo(), (0.0, 0.0))
    result = view.render_view(state, 45.0, 4.0)
    assert result.image.shape == (256, 256, 3) and result.image.dtype == np.uint8
    ex = result.extras
    assert (ex["azimuth_deg"], ex["elevation_deg"], ex["labels"]) == (40.0, 0.0, (4, 0))
    assert ex["requested"] == (45.0, 4.0)
    assert [f.shape for f in result.flows] == [(2, 32, 32), (2, 64, 64)]
    other = view.render(state, (180.0, 0.0))
    assert other.extras["labels"] == (18, 0) and not np.array_equal(other.image, result.image)
    assert len(turntable()) == 18 and turntable(10.0)[3] == (60.0, 10.0)
    with pytest.raises(RenderError, match="another renderer"):
        view.render_view(object(), 0.0)  # type: ignore[arg-type]


def test_similarity_fit_recovers_a_rotation_scale_and_shift() -> None:
    rng = np.random.default_rng(1)
    pts = rng.uniform(0, 100, (11, 2))
    a = np.deg2rad(17.0)
    m = np.array([[1.3 * np.cos(a), -1.3 * np.sin(a), 5.0], [1.3 * np.sin(a), 1.3 * np.cos(a), -7.0]])
    assert np.allclose(fit_similarity(pts, apply_similarity(m, pts)), m)
    with pytest.raises(PoseError):
        fit_similarity(np.ones((4, 2)), np.ones((4, 2)))


def test_retargeting_keeps_the_portraits_face_and_moves_it_like_the_driver(landmarks) -> None:
    a = np.deg2rad(-8.0)
    m = np.array([[0.5 * np.cos(a), -0.5 * np.sin(a), 40.0], [0.5 * np.sin(a), 0.5 * np.cos(a), 12.0]])
    driver = apply_similarity(m, landmarks)  # the same face, smaller, turned and elsewhere in its video
    driver = driver + np.random.default_rng(2).normal(0, 1.0, driver.shape) * (np.arange(68) >= 48)[:, None]
    frames = np.stack([driver, _open_mouth(driver, 3.0), np.full_like(driver, np.nan)])
    rel = retarget_face(frames, landmarks, "relative")
    assert np.allclose(rel[0], landmarks)  # frame 0: exactly the portrait's own face
    assert np.allclose(rel[2], rel[1])  # a frame without a face holds the last one
    lin = m[:, :2]
    assert np.allclose(rel[1] - rel[0], (_open_mouth(driver, 3.0) - driver) @ np.linalg.inv(lin).T)
    absolute = retarget_face(frames, landmarks, "absolute")
    stable = list(FACE68_STABLE)
    assert np.abs(absolute[0][stable] - landmarks[stable]).max() < 1e-6  # stable points were noise-free
    with pytest.raises(NoFaceFound):
        fill_gaps(np.full((3, 68, 2), np.nan))
    with pytest.raises(PoseError, match="mode"):
        retarget_face(frames, landmarks, "sideways")
