"""The shared Pose type: 18 joints in image pixels, NaN for missing, immutable edits, mirror, bounds, validation."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import PoseError
from core.skeleton import (
    COLORS,
    JOINT_INDEX,
    JOINT_NAMES,
    LIMBS,
    LIMBS_DRAWN,
    MIRROR_PERMUTATION,
    N_JOINTS,
    Pose,
    joint_label,
)


def _pose(seed: int = 0) -> Pose:
    xy = np.random.default_rng(seed).uniform(0, 500, (N_JOINTS, 2))
    xy[[4, 17]] = np.nan
    return Pose(xy)


def test_joint_names_follow_openpose_coco18_order():
    assert N_JOINTS == 18
    assert JOINT_NAMES[:2] == ("nose", "neck")
    assert [JOINT_INDEX[n] for n in ("right_shoulder", "left_shoulder", "right_hip", "left_hip")] == [2, 5, 8, 11]
    assert [JOINT_INDEX[n] for n in ("right_eye", "left_eye", "right_ear", "left_ear")] == [14, 15, 16, 17]
    assert joint_label(4) == "Right wrist"


def test_limbs_and_colours_are_consistent():
    assert len(LIMBS_DRAWN) == 17 and len(COLORS) == N_JOINTS
    assert all(0 <= a < N_JOINTS and 0 <= b < N_JOINTS and a != b for a, b in LIMBS)
    assert all(len(c) == 3 and all(0 <= v <= 255 for v in c) for c in COLORS)


def test_mirror_permutation_swaps_left_and_right_names():
    for i, j in enumerate(MIRROR_PERMUTATION):
        a, b = JOINT_NAMES[i], JOINT_NAMES[j]
        assert b == a.replace("left", "@").replace("right", "left").replace("@", "right")
    assert [MIRROR_PERMUTATION[j] for j in MIRROR_PERMUTATION] == list(range(N_JOINTS))


@pytest.mark.parametrize("bad, words", [(np.zeros((17, 2)), "shape"), (np.zeros((18, 3)), "shape")])
def test_wrong_shapes_are_refused_with_a_clear_error(bad, words):
    with pytest.raises(PoseError, match=words):
        Pose(bad)


def test_infinite_and_half_missing_coordinates_are_refused_naming_the_joint():
    xy = np.zeros((N_JOINTS, 2))
    xy[3, 0] = np.inf
    with pytest.raises(PoseError, match="right_elbow"):
        Pose(xy)
    xy = np.zeros((N_JOINTS, 2))
    xy[7, 1] = np.nan
    with pytest.raises(PoseError, match="left_wrist"):
        Pose(xy)


def test_pose_is_immutable_and_edits_return_new_poses():
    p = _pose()
    with pytest.raises(ValueError):
        p.xy[0, 0] = 1.0
    q = p.with_joint(0, (1.0, 2.0))
    assert q.xy[0].tolist() == [1.0, 2.0] and p.xy[0].tolist() != [1.0, 2.0]
    hidden = p.with_joint(0, None)
    assert hidden.missing[0] and p.present[0]


def test_equality_treats_missing_joints_as_equal_and_hash_agrees():
    a, b = _pose(1), Pose(_pose(1).copy_array())
    assert a == b and hash(a) == hash(b)
    assert a != a.with_joint(1, (0.0, 0.0))


def test_mirroring_twice_gives_back_the_pose():
    p = _pose(2)
    assert np.allclose(p.mirrored().mirrored().xy, p.xy, equal_nan=True)


def test_mirror_reflects_about_the_axis_and_swaps_sides():
    p = _pose(3)
    m = p.mirrored(axis_x=100.0)
    rs, ls = JOINT_INDEX["right_shoulder"], JOINT_INDEX["left_shoulder"]
    assert m.xy[rs].tolist() == [200.0 - p.xy[ls, 0], p.xy[ls, 1]]
    assert m.present[JOINT_INDEX["right_wrist"]] and m.missing[JOINT_INDEX["left_wrist"]]  # p lacks its right wrist
    b, mb = p.bounds(), p.mirrored().bounds()
    assert np.allclose(b, mb)  # mirrored about its own centre: stays in place


def test_bounds_ignore_missing_joints_and_empty_pose_has_none():
    xy = np.full((N_JOINTS, 2), np.nan)
    xy[0] = (10, 20)
    xy[5] = (30, 5)
    assert Pose(xy).bounds() == (10.0, 5.0, 30.0, 20.0)
    assert Pose.empty().bounds() is None and Pose.empty().mirrored() == Pose.empty()


def test_transformed_scales_and_offsets_present_joints():
    p = _pose(4)
    t = p.transformed((2.0, 3.0), (5.0, -1.0))
    assert np.allclose(t.xy, p.xy * (2, 3) + (5, -1), equal_nan=True)
    assert (t.missing == p.missing).all()


def test_coerce_accepts_arrays_and_poses():
    p = _pose(5)
    assert Pose.coerce(p) is p
    assert Pose.coerce(p.copy_array()) == p
    assert np.asarray(p).shape == (N_JOINTS, 2)
