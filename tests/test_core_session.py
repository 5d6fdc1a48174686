"""The Qt-free editing session and the subject records: typed point sets, one photo, newest result wins, staleness."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import PoseError
from core.keypoints import Keypoints
from core.session import EditingSession
from core.skeleton import N_JOINTS, Pose
from core.subjects import BODY, FACE, SUBJECTS, VIEW, subject_for_layout


def test_each_subject_names_its_layout_files_and_recovery():
    assert BODY.n_points == N_JOINTS and FACE.n_points == 68 and VIEW.layout is None
    assert subject_for_layout("face68") is FACE and subject_for_layout("body18") is BODY
    assert FACE.policy.needs_every_point and not BODY.policy.needs_every_point
    assert FACE.policy.preview_side == 768 and FACE.policy.settle_on_release
    assert {s.recovery_name for s in (BODY, FACE)} == {"autosave", "face-autosave"}
    assert SUBJECTS["view"].checkpoint_kind == "shapenet"
    with pytest.raises(KeyError):
        subject_for_layout("hand21")


def test_points_are_typed_by_the_subjects_layout_never_by_size():
    body, face = EditingSession(BODY), EditingSession(FACE)
    assert isinstance(body.empty_points(), Pose) and isinstance(face.empty_points(), Keypoints)
    assert isinstance(face.make_points(np.zeros((68, 2))), Keypoints)
    with pytest.raises(PoseError, match="face68 point set has 68"):
        face.make_points(np.zeros((N_JOINTS, 2)))  # a body's points are refused, not taken for another type
    with pytest.raises(PoseError, match="body18 point set has 18"):
        body.make_points(np.zeros((68, 2)))
    with pytest.raises(ValueError):
        EditingSession(VIEW)


def test_the_photo_is_held_once_by_reference():
    session = EditingSession(FACE)
    image = np.zeros((40, 60, 3), np.uint8)
    session.set_photo("p.png", image, np.ones((68, 2)))
    assert session.photo is not None and session.photo.image is image and session.size == (60, 40)
    assert session.points == session.detected and isinstance(session.points, Keypoints)


def test_a_late_preview_never_covers_the_settled_result_and_staleness_follows_edits():
    session = EditingSession(FACE)
    session.set_photo("p.png", np.zeros((10, 10, 3), np.uint8), np.ones((68, 2)))
    assert session.stale
    preview = session.request(preview=True)
    settled = session.request(preview=False)
    assert session.accept(settled) and not session.stale
    assert not session.accept(preview), "an older preview arriving after the settled render is not shown"
    moved = np.ones((68, 2))
    moved[3] = (5.0, 5.0)
    session.set_points(moved)
    assert session.stale
    old = session.request(preview=False)
    session.set_photo("q.png", np.zeros((10, 10, 3), np.uint8), np.ones((68, 2)))
    assert not session.accept(old), "nothing asked for the previous photo shows on the new one"


def test_hidden_landmarks_stop_a_face_render_but_not_a_body_render():
    face = EditingSession(FACE)
    assert face.why_not_render() == "there is no photo open"
    xy = np.ones((68, 2))
    xy[7] = np.nan
    face.set_photo("p.png", np.zeros((10, 10, 3), np.uint8), xy)
    assert "restore the 1 hidden one(s)" in (face.why_not_render() or "")
    body = EditingSession(BODY)
    xy = np.ones((N_JOINTS, 2))
    xy[2] = np.nan
    body.set_photo("b.png", np.zeros((10, 10, 3), np.uint8), xy)
    assert body.why_not_render() is None
