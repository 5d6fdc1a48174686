"""Keyframe tracks: edits return new tracks, and every interpolation passes through the keyframes."""

from __future__ import annotations

import numpy as np
import pytest

from core.animation.keyframes import INTERPOLATIONS, Keyframe, Track, TrackError, track_from_poses
from core.skeleton import Pose


def _pose(rng: np.random.Generator) -> Pose:
    return Pose(rng.uniform(20, 480, size=(18, 2)))


def _track(modes: list[str], frames: list[int], seed: int = 0, length: int = 80) -> Track:
    rng = np.random.default_rng(seed)
    return Track(tuple(Keyframe(f, _pose(rng), m) for f, m in zip(frames, modes, strict=True)), length, 24.0)


@pytest.mark.parametrize("mode", INTERPOLATIONS)
def test_every_interpolation_passes_exactly_through_every_keyframe(mode: str) -> None:
    track = _track([mode] * 5, [0, 7, 19, 40, 63])
    dense = track.dense()
    for k in track.keyframes:
        np.testing.assert_array_equal(dense[k.frame], k.pose.xy)
        assert track.pose_at(k.frame) == k.pose


def test_mixed_segments_pass_through_keyframes_and_hold_before_first_and_after_last() -> None:
    track = _track(["smooth", "ease", "hold", "linear", "smooth"], [5, 12, 30, 41, 60])
    dense = track.dense()
    for k in track.keyframes:
        np.testing.assert_array_equal(dense[k.frame], k.pose.xy)
    np.testing.assert_array_equal(dense[0], track.keyframes[0].pose.xy)
    np.testing.assert_array_equal(dense[79], track.keyframes[-1].pose.xy)


def test_hold_keeps_the_pose_until_the_next_keyframe() -> None:
    track = _track(["hold", "linear"], [10, 30])
    for f in np.linspace(10, 29.99, 25):
        np.testing.assert_array_equal(track.pose_at(f).xy, track.keyframes[0].pose.xy)
    np.testing.assert_array_equal(track.pose_at(30).xy, track.keyframes[1].pose.xy)


def test_linear_is_the_straight_line_between_keyframes() -> None:
    track = _track(["linear", "linear"], [0, 20])
    a, b = track.keyframes[0].pose.xy, track.keyframes[1].pose.xy
    np.testing.assert_allclose(track.pose_at(5).xy, a + (b - a) * 0.25)


def test_ease_starts_and_ends_with_zero_velocity() -> None:
    track = _track(["ease", "ease"], [10, 40])
    a, b = track.keyframes[0].pose.xy, track.keyframes[1].pose.xy
    h = 1e-3
    v_start = (track.pose_at(10 + h).xy - track.pose_at(10).xy) / h
    v_end = (track.pose_at(40).xy - track.pose_at(40 - h).xy) / h
    v_mid = (track.pose_at(25 + h).xy - track.pose_at(25 - h).xy) / (2 * h)
    span = np.abs(b - a).max()
    assert np.abs(v_start).max() < 1e-3 * span
    assert np.abs(v_end).max() < 1e-3 * span
    np.testing.assert_allclose(v_mid, 1.5 * (b - a) / 30, rtol=1e-4)  # cubic ease peaks at 1.5× the mean speed


def test_smooth_is_c1_across_interior_keyframes() -> None:
    track = _track(["smooth"] * 5, [0, 9, 22, 35, 60], seed=3)
    h = 1e-4
    for k in track.keyframes[1:-1]:
        f = k.frame
        left = (track.pose_at(f).xy - track.pose_at(f - h).xy) / h
        right = (track.pose_at(f + h).xy - track.pose_at(f).xy) / h
        np.testing.assert_allclose(left, right, atol=0.05)  # px/frame; a kink would differ by ~10
    # ... while a linear track has kinks there (so the check above can fail)
    lin = _track(["linear"] * 5, [0, 9, 22, 35, 60], seed=3)
    f = 9
    kink = (lin.pose_at(f + h).xy - lin.pose_at(f).xy) / h - (lin.pose_at(f).xy - lin.pose_at(f - h).xy) / h
    assert np.abs(kink).max() > 1.0


def test_a_joint_missing_at_either_end_of_a_segment_is_missing_inside_it() -> None:
    rng = np.random.default_rng(1)
    a, b, c = _pose(rng), _pose(rng).with_joint(4, None), _pose(rng)
    for mode in INTERPOLATIONS:
        track = Track((Keyframe(0, a, mode), Keyframe(10, b, mode), Keyframe(20, c, mode)), 30, 24)
        for f in (3, 7.5, 13, 19):
            pose = track.pose_at(f)
            assert not pose.present[4], (mode, f)
            assert pose.present[3], (mode, f)
        assert track.pose_at(0).present[4] and track.pose_at(20).present[4]
        assert not track.pose_at(10).present[4]


def test_edits_return_new_tracks_and_leave_the_old_one_unchanged() -> None:
    track = _track(["linear", "linear"], [0, 20])
    pose = track.keyframes[0].pose.with_joint(0, (1.0, 2.0))
    added = track.add(10, pose, "ease")
    assert track.frames == (0, 20) and added.frames == (0, 10, 20)
    moved = added.move(10, 15)
    assert moved.frames == (0, 15, 20) and moved.keyframe_at(15).pose == pose
    with pytest.raises(TrackError):
        moved.move(15, 20)
    dup = moved.duplicate(0, 30)
    assert dup.keyframe_at(30).pose == dup.keyframe_at(0).pose
    assert dup.delete(15).frames == (0, 20, 30)
    assert dup.set_interp(0, "hold").keyframe_at(0).interp == "hold"
    pasted = track.paste([track.keyframes[0], track.keyframes[1]], at_frame=40)
    assert pasted.frames == (0, 20, 40, 60)
    with pytest.raises(TrackError):
        track.add(80, pose)  # beyond the 80-frame length
    with pytest.raises(TrackError):
        track.set_interp(0, "bouncy")
    assert track.with_length(10).frames == (0,)


def test_sample_yields_every_frame_and_fractional_frames() -> None:
    track = _track(["smooth"] * 3, [0, 10, 39], length=40)
    poses = list(track.sample())
    assert len(poses) == 40
    assert poses[10] == track.keyframes[1].pose
    assert len(list(track.sample([0.5, 1.5]))) == 2


def test_track_from_poses_makes_one_keyframe_per_pose() -> None:
    arr = np.random.default_rng(0).uniform(0, 100, (5, 18, 2))
    track = track_from_poses(arr, fps=12, layout="body18")
    np.testing.assert_array_equal(track.dense(), arr)
    assert track.layout == "body18" and isinstance(track.pose_at(2), Pose)


def test_points_are_typed_by_the_tracks_layout_never_by_their_count() -> None:
    from core.errors import PoseError
    from core.keypoints import Keypoints, points_of

    arr = np.random.default_rng(1).uniform(0, 100, (3, 18, 2))
    with pytest.raises(TrackError, match="name the layout"):
        track_from_poses(arr, fps=12)  # plain arrays: the layout must be said
    with pytest.raises(PoseError, match="face68 points must be 68"):
        points_of("face68", arr[0])
    with pytest.raises(PoseError, match="body18 points expected, got Keypoints"):
        points_of("body18", Keypoints(np.zeros((68, 2))))
    with pytest.raises(TrackError, match="needs typed points"):
        Keyframe(0, arr[0])  # type: ignore[arg-type]
    face = Track(layout="face68").add(0, np.zeros((68, 2)))
    assert isinstance(face.pose_at(0), Keypoints) and face.n_points == 68


def test_empty_track_gives_an_empty_pose() -> None:
    assert not Track((), 10, 24).pose_at(3).present.any()


def test_a_track_of_face_landmarks_interpolates_68_points_and_refuses_body_poses() -> None:
    from core.keypoints import Keypoints

    rng = np.random.default_rng(3)
    a, b = rng.uniform(0, 200, (68, 2)), rng.uniform(0, 200, (68, 2))
    b[5] = np.nan  # a hidden landmark stays hidden inside the segment
    track = Track(layout="face68").add(0, Keypoints(a)).add(10, b, "ease")
    mid = track.pose_at(5)
    assert isinstance(mid, Keypoints) and len(mid) == 68
    np.testing.assert_allclose(mid.xy[0], (a[0] + b[0]) / 2)
    assert not mid.present[5] and track.pose_at(0).present[5]
    assert track.dense().shape == (track.length_frames, 68, 2)
    with pytest.raises(TrackError, match=r"this animation's poses are face68 \(68 points\): face68 points expected"):
        track.add(3, Pose(np.zeros((18, 2))))
    assert isinstance(Track().pose_at(0), Pose), "the default track is the 18-joint body"
