"""The face structure built from 68 landmarks and a frame matches the published face loader code for code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from scipy import ndimage

from core.errors import PoseError, RenderError
from core.face.encoding import POLYLINES, face_structure, fit_curve, frame_to_input, upper_face_points

REPO = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401


@pytest.fixture(scope="module")
def face_fixture() -> dict:
    path = fixture_file("face.pt")
    return torch.load(path, weights_only=True)


def _mismatch(actual: np.ndarray, expected: torch.Tensor) -> int:
    expected = expected.numpy()
    assert actual.shape == expected.shape
    return int((actual.astype(np.int64) != expected.astype(np.int64)).sum())


def test_structure_case_is_reproduced_exactly_with_every_intermediate(face_fixture) -> None:
    case = face_fixture["structure_case"]
    size = int(case["load_size"][0])
    frame = case["original_frame_uint8"].numpy()
    assert [frame.shape[1], frame.shape[0]] == list(case["original_frame_wh"])
    fs = face_structure(case["landmarks_xy"].numpy(), frame, size)
    assert _mismatch(fs.keypoints83, case["keypoints83_xy"]) == 0
    assert _mismatch(fs.label_map_original, case["label_map_original_uint8"]) == 0
    assert _mismatch(fs.label_map, case["label_map_uint8"]) == 0
    assert _mismatch(fs.face_edges, case["face_edges_uint8"]) == 0
    assert _mismatch(fs.gray_resized, case["gray_resized_uint8"]) == 0
    assert _mismatch(fs.canny, case["canny_bool"]) == 0
    assert _mismatch(fs.edge_image, case["edge_image_uint8"]) == 0
    for ch in range(16):
        assert _mismatch(fs.codes[ch], case["structure_uint8"][ch]) == 0, f"channel {ch}"
    # The decoded float structure is exactly what the network saw (stored as float16).
    seen = face_fixture["inputs"]["BP_frame_step"][0, case["frame_index"]]
    assert torch.equal(torch.from_numpy(fs.as_float()).half(), seen)


def test_landmark_channels_of_every_fixture_frame_match_the_network_input(face_fixture) -> None:
    """Distance maps and labels depend only on the landmarks, so a blank frame reproduces channels 1..15."""
    w, h = face_fixture["keypoints"]["original_frame_wh"]
    size = int(face_fixture["keypoints"]["load_size"][0])
    frames = face_fixture["inputs"]["BP_frame_step"][0]  # (T, 16, S, S) float16
    for t, landmarks in enumerate(face_fixture["keypoints"]["landmarks_xy"]):
        fs = face_structure(landmarks.numpy(), np.zeros((h, w, 3), np.uint8), size)
        assert torch.equal(torch.from_numpy(fs.as_float()).half()[1:], frames[t, 1:]), f"frame {t}"
        on_face_edge = torch.from_numpy(fs.face_edges == 255)
        assert (frames[t, 0][on_face_edge].float() >= 254 / 255 - 1e-3).all(), f"frame {t} edge image"


def _synthetic_face(w: int = 200, h: int = 220) -> np.ndarray:
    """(68, 2) integer landmarks of a plain frontal face in a w×h frame (dlib order)."""
    cx, cy = w / 2, h * 0.55
    jaw = [(cx + 70 * np.sin(a), cy + 75 * np.cos(a) - 20) for a in np.linspace(-np.pi / 2, np.pi / 2, 17)][::-1]
    jaw = [(cx - (x - cx), y) for x, y in jaw]
    brows = [(cx - 55 + 9 * i, cy - 45 - 4 * np.sin(i / 4 * np.pi)) for i in range(5)]
    brows += [(cx + 19 + 9 * i, cy - 45 - 4 * np.sin(i / 4 * np.pi)) for i in range(5)]
    nose = [(cx, cy - 35 + 9 * i) for i in range(4)] + [(cx - 12 + 6 * i, cy + 2 + (2 - abs(i - 2))) for i in range(5)]
    eye = [(-20, 0), (-12, -5), (-4, -5), (4, 0), (-4, 4), (-12, 4)]
    eyes = [(cx - 28 + x, cy - 28 + y) for x, y in eye] + [(cx + 28 + x, cy - 28 + y) for x, y in eye]
    outer = [(cx + 25 * np.cos(a), cy + 30 + 10 * np.sin(a)) for a in np.linspace(np.pi, -np.pi, 13)[:-1]]
    inner = [(cx + 15 * np.cos(a), cy + 30 + 3 * np.sin(a)) for a in np.linspace(np.pi, -np.pi, 9)[:-1]]
    points = np.array(jaw + brows + nose + eyes + outer + inner)
    assert points.shape == (68, 2)
    return np.round(points).astype(np.int64)


def test_upper_face_points_mirror_the_inner_jaw_upwards_with_floor_division_then_truncation() -> None:
    landmarks = np.zeros((68, 2), np.int64)
    landmarks[:17, 0] = np.arange(17) * 10
    landmarks[:17, 1] = [10, 25, 30, 34, 40, 45, 50, 55, 58, 55, 50, 45, 40, 34, 30, 25, 11]
    kp = upper_face_points(landmarks)
    assert kp.shape == (83, 2)
    assert kp[:68].tolist() == landmarks.tolist()
    # Point 68 + k mirrors jaw point 15 - k; x is kept. Baseline b = (10 + 11) / 2 = 10.5.
    assert kp[68:, 0].tolist() == landmarks[15:0:-1, 0].tolist()
    assert kp[68, 1] == 0  # jaw 15 (y 25): 10.5 + floor(-29 / 3) = 10.5 - 10 = 0.5 -> 0
    assert kp[75, 1] == -21  # jaw 8 (y 58): 10.5 + floor(-95 / 3) = -21.5 -> -21 (toward zero, not -22)
    assert kp[76, 1] == -19  # jaw 7 (y 55): 10.5 + floor(-89 / 3) = -19.5 -> -19


def test_curves_sample_the_longer_axis_with_linspace_gaps_and_drop_steep_parabolas() -> None:
    xs, ys = fit_curve(np.array([0, 4]), np.array([0, 2]))  # a line: x is sampled as linspace(0, 4, 4)
    assert xs.tolist() == [0, 1, 2, 4] and ys.tolist() == [0, 0, 1, 2]
    xs, ys = fit_curve(np.array([5, 6, 5]), np.array([0, 3, 6]))  # mostly vertical: y is the free axis
    assert ys.tolist() == [0, 1, 2, 3, 4, 6] and ((xs >= 5) & (xs <= 6)).all()  # linspace(0, 6, 6), truncated
    assert fit_curve(np.array([0, 2, 1]), np.array([0, 0, 2])) is None  # y = -2x² + 4x: |a| = 2 > 1 (tie keeps x)
    xs, ys = fit_curve(np.array([8, 4, 0]), np.array([0, 1, 0]))  # reversed window: sampled from low to high
    assert xs.tolist() == [0, 1, 2, 3, 4, 5, 6, 8] and ys.max() <= 1


def test_synthetic_face_gives_one_edge_channel_fourteen_distance_maps_and_labels() -> None:
    landmarks, size = _synthetic_face(), 64
    rng = np.random.default_rng(0)
    frame = (rng.random((220, 200, 3)) * 255).astype(np.uint8)
    fs = face_structure(landmarks, frame, size)
    assert fs.codes.shape == (16, size, size) and fs.codes.dtype == np.uint8 and len(POLYLINES) == 14
    assert set(np.unique(fs.codes[15])) <= set(range(7)) and {1, 2, 3, 4, 5} <= set(np.unique(fs.codes[15]))
    edges = fs.face_edges == 255
    near = ndimage.binary_dilation(edges, ndimage.generate_binary_structure(2, 1), iterations=2)  # L1 <= 2
    union = np.zeros((size, size), bool)
    for ch in range(1, 15):
        near_line = fs.codes[ch] == 0  # code = floor(L1 distance / 3): 0 within 2 px of the polyline
        assert near_line.any(), f"polyline {ch - 1} drew nothing"
        union |= near_line
    assert (union | ~edges).all() and not (union & ~near).any()
    kept = fs.canny & (fs.label_map == 0)
    assert np.array_equal(fs.edge_image, (fs.face_edges.astype(int) + 255 * kept) % 256)
    decoded = fs.as_float()
    assert decoded.dtype == np.float32 and decoded[:15].max() <= 1 and decoded[15].max() == fs.codes[15].max()


def test_bad_landmarks_and_frames_give_typed_errors() -> None:
    frame = np.zeros((220, 200, 3), np.uint8)
    with pytest.raises(PoseError, match="68"):
        face_structure(np.zeros((67, 2)), frame)
    landmarks = _synthetic_face().astype(float)
    landmarks[30] = np.nan
    with pytest.raises(PoseError, match="NaN"):
        face_structure(landmarks, frame)
    with pytest.raises(RenderError, match="RGB uint8"):
        face_structure(_synthetic_face(), np.zeros((220, 200), np.uint8))
    with pytest.raises(RenderError, match="RGB uint8"):
        frame_to_input(frame.astype(np.float32))


def test_frame_input_is_a_bicubic_resize_normalised_to_minus_one_one() -> None:
    rng = np.random.default_rng(1)
    frame = (rng.random((90, 70, 3)) * 255).astype(np.uint8)
    out = frame_to_input(frame, 32)
    resized = np.asarray(Image.fromarray(frame).resize((32, 32), Image.BICUBIC)).transpose(2, 0, 1)
    assert out.shape == (3, 32, 32) and out.dtype == np.float32
    assert np.allclose(out, resized / 127.5 - 1, atol=1e-6)
