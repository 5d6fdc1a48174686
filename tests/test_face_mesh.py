"""Face landmarks: MediaPipe's face mesh mapped to the 68-point layout, tracked through video, and the layout as data."""

from __future__ import annotations

import numpy as np
import pytest

from core.detect.face_mesh import (
    JAW_CONTOUR_LEFT,
    JAW_CONTOUR_RIGHT,
    MESH_TO_FACE68,
    FaceMeshDetector,
    detect_face,
    detect_face_sequence,
    landmark_track,
    mesh_to_face68,
)
from core.errors import NoFaceFound, NoPersonFound, PoseError
from core.face.layout import FACE68, FACE68_STABLE, body_layout


def _mean(lm: np.ndarray, idx) -> np.ndarray:
    return lm[list(idx)].mean(axis=0)


def test_bundled_portrait_has_68_landmarks_inside_the_photo(portrait, landmarks) -> None:
    h, w = portrait.shape[:2]
    assert landmarks.shape == (68, 2) and np.isfinite(landmarks).all()
    assert (landmarks >= 0).all() and (landmarks[:, 0] < w).all() and (landmarks[:, 1] < h).all()


def test_portrait_landmarks_stack_brows_eyes_nose_mouth_chin_from_top_to_bottom(landmarks) -> None:
    y = landmarks[:, 1]
    brows, eyes = _mean(landmarks, range(17, 27))[1], _mean(landmarks, range(36, 48))[1]
    assert brows < eyes < y[30] < y[33] < y[51] < y[62] <= y[66] < y[57] < y[8]
    assert y[8] > y[48:68].max()  # the chin is below the whole mouth
    assert y[[0, 16]].max() < y[48:68].min()  # the jaw starts at ear level, above the mouth


def test_portrait_landmarks_put_the_subjects_right_side_on_the_image_left(landmarks) -> None:
    x = landmarks[:, 0]
    assert _mean(landmarks, range(36, 42))[0] < _mean(landmarks, range(42, 48))[0]  # eyes
    assert _mean(landmarks, range(17, 22))[0] < _mean(landmarks, range(22, 27))[0]  # brows
    assert x[0] < x[8] < x[16] and x[31] < x[33] < x[35] and x[48] < x[51] < x[54] and x[60] < x[64]
    assert x[36] < x[39] < x[42] < x[45]  # outer, inner, inner, outer eye corners


def test_each_group_of_portrait_landmarks_runs_in_the_layout_order(landmarks) -> None:
    x, y = landmarks[:, 0], landmarks[:, 1]
    slack = 0.05 * np.linalg.norm(landmarks[36] - landmarks[45])  # the jaw's upper ends run nearly vertical
    assert (np.diff(x[0:17]) > -slack).all() and x[0] < x[4] < x[8] < x[12] < x[16]  # jaw: round the chin
    assert (np.diff(y[0:9]) > 0).all() and (np.diff(y[8:17]) < 0).all()  # down to the chin, back up
    assert (np.diff(x[17:22]) > 0).all() and (np.diff(x[22:27]) > 0).all()  # brows
    assert (np.diff(y[27:31]) > 0).all()  # nose bridge, top to tip
    assert (np.diff(x[31:36]) > 0).all()  # nose base
    for outer, up1, up2, inner, lo1, lo2 in ((36, 37, 38, 39, 40, 41), (45, 44, 43, 42, 47, 46)):
        xs = x[[outer, up1, up2, inner]]
        assert (np.diff(xs) > 0).all() if outer < inner else (np.diff(xs) < 0).all()
        assert y[up1] < y[lo2] and y[up2] < y[lo1]  # upper lid above lower lid
    assert (np.diff(x[48:55]) > 0).all() and (np.diff(x[54:60]) < 0).all()  # outer lips
    assert (np.diff(x[60:65]) > 0).all() and (np.diff(x[64:68]) < 0).all()  # inner lips


def test_mirrored_portrait_gives_the_mirrored_landmarks(portrait, landmarks) -> None:
    w = portrait.shape[1]
    flipped = detect_face(np.ascontiguousarray(portrait[:, ::-1])).landmarks
    expected = FACE68.mirrored(landmarks, w)
    interocular = np.linalg.norm(landmarks[36] - landmarks[45])
    assert np.linalg.norm(flipped - expected, axis=1).mean() < 0.08 * interocular


def test_mesh_mapping_spaces_the_jaw_evenly_and_averages_paired_vertices() -> None:
    rng = np.random.default_rng(0)
    mesh = rng.uniform(0, 100, (468, 3))
    # put each jaw contour on a straight vertical line with uneven vertex spacing
    steps = np.cumsum(rng.uniform(0.5, 3.0, len(JAW_CONTOUR_RIGHT)))
    steps -= steps[0]
    for contour, x in ((JAW_CONTOUR_RIGHT, 10.0), (JAW_CONTOUR_LEFT, 10.0)):
        mesh[list(contour), 0], mesh[list(contour), 1] = x, steps
    lm = mesh_to_face68(mesh)
    assert np.allclose(np.diff(lm[0:9, 1]), steps[-1] / 8) and np.allclose(np.diff(lm[8:17, 1]), -steps[-1] / 8)
    for k, src in enumerate(MESH_TO_FACE68):
        assert np.allclose(lm[17 + k], mesh[list(np.atleast_1d(src)), :2].mean(axis=0))
    with pytest.raises(PoseError, match="468"):
        mesh_to_face68(np.zeros((33, 2)))


def test_image_without_a_face_raises_no_face_found() -> None:
    blank = np.full((240, 320, 3), 128, np.uint8)
    with pytest.raises(NoFaceFound, match="no face found") as info:
        detect_face(blank)
    assert isinstance(info.value, NoPersonFound)  # callers that handle "nobody there" handle this too


def test_video_tracking_follows_a_moving_face_and_reports_frames_without_one(portrait, landmarks) -> None:
    shifts = [(0, 0), (3, 1), (6, 2), None, (9, 3)]
    frames = [
        np.full_like(portrait, 128) if s is None else np.ascontiguousarray(np.roll(portrait, s[::-1], axis=(0, 1)))
        for s in shifts
    ]
    done: list[int] = []
    found = list(detect_face_sequence(frames, progress=lambda d, t: done.append(d), detector=FaceMeshDetector()))
    assert done == [1, 2, 3, 4, 5] and found[3] is None
    interocular = np.linalg.norm(landmarks[36] - landmarks[45])
    for det, s in zip(found, shifts, strict=True):
        if s is not None:
            stable = list(FACE68_STABLE)
            moved = (det.landmarks[stable] - landmarks[stable]).mean(axis=0)
            assert np.allclose(moved, s, atol=0.06 * interocular), (moved, s)
    track = landmark_track(found)
    assert track.shape == (5, 68, 2) and np.isnan(track[3]).all() and np.isfinite(track[[0, 1, 2, 4]]).all()
    with pytest.raises(NoFaceFound):
        landmark_track([None, None])


def test_face_layout_is_complete_and_its_mirror_swaps_right_and_left_names() -> None:
    assert FACE68.size == 68 and len(set(FACE68.names)) == 68 and len(FACE68.colors) == 68
    members = sorted(i for _, idx in FACE68.groups for i in idx)
    assert members == list(range(68))
    assert all(0 <= a < 68 and 0 <= b < 68 and a != b for a, b in FACE68.edges)
    mirror = FACE68.mirror
    assert sorted(mirror) == list(range(68)) and all(mirror[mirror[i]] == i for i in range(68))

    def swap(name: str) -> str:
        return name.replace("right", "#").replace("left", "right").replace("#", "left")

    assert all(FACE68.names[mirror[i]] == swap(FACE68.names[i]) for i in range(68))
    assert FACE68.group_of(39) == "right_eye" and FACE68.label(30) == "Nose tip"
    with pytest.raises(PoseError, match="68"):
        FACE68.check(np.zeros((18, 2)))


def test_body_layout_describes_the_shared_18_joint_skeleton() -> None:
    from core.skeleton import JOINT_NAMES, LIMBS_DRAWN, MIRROR_PERMUTATION

    body = body_layout()
    assert body.names == JOINT_NAMES and body.mirror == MIRROR_PERMUTATION
    assert body.edges == LIMBS_DRAWN
