"""The Qt-free rig maths: bone lengths kept by Rotate and IK, reach limits, bend side, pins, selections, mirror."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.rig import (
    BODY_TREE,
    DragMode,
    drag_joint,
    group_shifted,
    ik_two_bone,
    keep_lengths,
    mirror_edit,
    rotate_bone,
    selection_transformed,
)
from core.skeleton import JOINT_INDEX, LIMBS, Pose

NECK, SHOULDER, ELBOW, WRIST = (JOINT_INDEX[n] for n in ("neck", "right_shoulder", "right_elbow", "right_wrist"))
L_ELBOW, L_WRIST = JOINT_INDEX["left_elbow"], JOINT_INDEX["left_wrist"]
BONES = [(p, j) for j, p in enumerate(BODY_TREE.parent) if p >= 0]


def standing() -> Pose:
    """A symmetric standing person (mirror axis x = 100) with slightly bent arms."""
    right = {"nose": (100, 30), "neck": (100, 60), "right_shoulder": (80, 60), "right_elbow": (72, 100),
             "right_wrist": (80, 138), "right_hip": (88, 140), "right_knee": (86, 190), "right_ankle": (88, 240),
             "right_eye": (95, 25), "right_ear": (90, 28)}  # fmt: skip
    xy = np.full((18, 2), np.nan)
    for name, (x, y) in right.items():
        xy[JOINT_INDEX[name]] = (x, y)
        other = name.replace("right_", "left_")
        xy[JOINT_INDEX[other]] = (200 - x, y)
    return Pose(xy)


def lengths(pose: Pose) -> np.ndarray:
    return np.array([np.hypot(*(pose.xy[j] - pose.xy[p])) for p, j in BONES])


def side(a, b, c) -> float:
    u, v = np.subtract(b, a), np.subtract(c, a)
    return float(np.sign(u[0] * v[1] - u[1] * v[0]))


def test_the_bone_tree_covers_every_limb_from_the_neck():
    assert BODY_TREE.parent[NECK] == -1 and BODY_TREE.order[0] == NECK
    assert sorted(BODY_TREE.order) == list(range(18))
    tree_bones = {frozenset(b) for b in BONES}
    assert all(frozenset(limb) in tree_bones for limb in LIMBS[:17])


def test_ik_drag_of_a_wrist_two_arm_lengths_away_keeps_both_bones_and_points_the_arm_at_the_target():
    pose = standing()
    before = lengths(pose)
    arm = before[BONES.index((SHOULDER, ELBOW))] + before[BONES.index((ELBOW, WRIST))]
    direction = np.array([-0.6, -0.8])
    target = pose.xy[SHOULDER] + 2 * arm * direction
    out = drag_joint(pose, WRIST, tuple(target), DragMode.IK)
    np.testing.assert_allclose(lengths(out), before, atol=1e-6)
    for j in (ELBOW, WRIST):
        d = out.xy[j] - out.xy[SHOULDER]
        np.testing.assert_allclose(d / np.hypot(*d), direction, atol=1e-6)
    np.testing.assert_array_equal(out.xy[SHOULDER], pose.xy[SHOULDER])


def test_ik_reaches_a_target_in_range_and_keeps_the_elbow_on_its_side():
    pose = standing()
    for target in [(60.0, 110.0), (95.0, 120.0), (50.0, 70.0)]:
        out = ik_two_bone(pose, WRIST, target)
        np.testing.assert_allclose(out.xy[WRIST], target, atol=1e-6)
        np.testing.assert_allclose(lengths(out), lengths(pose), atol=1e-6)
        assert side(out.xy[SHOULDER], out.xy[ELBOW], out.xy[WRIST]) == side(
            pose.xy[SHOULDER], pose.xy[ELBOW], pose.xy[WRIST])
    flipped = pose.with_joint(ELBOW, (88.0, 100.0))  # the elbow bent the other way
    out = ik_two_bone(flipped, WRIST, (60.0, 110.0))
    assert side(out.xy[SHOULDER], out.xy[ELBOW], out.xy[WRIST]) == side(
        flipped.xy[SHOULDER], flipped.xy[ELBOW], flipped.xy[WRIST]) != side(
        pose.xy[SHOULDER], pose.xy[ELBOW], pose.xy[WRIST])


def test_ik_target_too_close_folds_the_chain_keeping_lengths():
    pose = standing()
    out = ik_two_bone(pose, WRIST, tuple(pose.xy[SHOULDER]))
    np.testing.assert_allclose(lengths(out), lengths(pose), atol=1e-6)


def test_rotate_turns_the_bone_about_its_parent_and_the_child_chain_follows_rigidly():
    pose = standing()
    out = rotate_bone(pose, ELBOW, (20.0, 60.0))  # upper arm horizontal, pointing left
    np.testing.assert_allclose(lengths(out), lengths(pose), atol=1e-6)
    np.testing.assert_array_equal(out.xy[SHOULDER], pose.xy[SHOULDER])
    assert abs(out.xy[ELBOW][1] - 60.0) < 1e-6 and out.xy[ELBOW][0] < 80
    before_angle = math.atan2(*(pose.xy[WRIST] - pose.xy[ELBOW])[::-1]) - math.atan2(
        *(pose.xy[ELBOW] - pose.xy[SHOULDER])[::-1])
    after_angle = math.atan2(*(out.xy[WRIST] - out.xy[ELBOW])[::-1]) - math.atan2(
        *(out.xy[ELBOW] - out.xy[SHOULDER])[::-1])
    assert math.isclose(math.remainder(before_angle - after_angle, math.tau), 0.0, abs_tol=1e-9)
    untouched = [j for j in range(18) if j not in (ELBOW, WRIST)]
    np.testing.assert_array_equal(out.xy[untouched], pose.xy[untouched])


def test_a_pinned_elbow_makes_the_wrist_drag_turn_only_the_forearm():
    pose = standing()
    out = drag_joint(pose, WRIST, (40.0, 120.0), DragMode.IK, pins={ELBOW})
    np.testing.assert_array_equal(out.xy[ELBOW], pose.xy[ELBOW])
    np.testing.assert_allclose(lengths(out), lengths(pose), atol=1e-6)
    d = out.xy[WRIST] - out.xy[ELBOW]
    t = np.array([40.0, 120.0]) - out.xy[ELBOW]
    np.testing.assert_allclose(d / np.hypot(*d), t / np.hypot(*t), atol=1e-9)


def test_pinned_joints_stay_put():
    pose = standing()
    assert drag_joint(pose, WRIST, (10.0, 10.0), DragMode.FREE, pins={WRIST}) == pose
    assert rotate_bone(pose, ELBOW, (20.0, 60.0), pins={WRIST}) == pose  # it would move the pinned wrist
    moved = selection_transformed(pose, [SHOULDER, ELBOW, WRIST], angle=0.5, pins={ELBOW})
    np.testing.assert_array_equal(moved.xy[ELBOW], pose.xy[ELBOW])
    assert not np.allclose(moved.xy[WRIST], pose.xy[WRIST])


def test_missing_joints_stay_missing_and_block_nothing_else():
    pose = standing().with_joint(JOINT_INDEX["right_ear"], None).with_joint(L_WRIST, None)
    out = drag_joint(pose, JOINT_INDEX["nose"], (130.0, 35.0), DragMode.ROTATE)
    assert not out.present[JOINT_INDEX["right_ear"]] and not out.present[L_WRIST]
    assert not np.allclose(out.xy[JOINT_INDEX["left_ear"]], pose.xy[JOINT_INDEX["left_ear"]])
    gone = pose.with_joint(ELBOW, None)
    assert ik_two_bone(gone, WRIST, (50.0, 50.0)) == gone
    mirrored = mirror_edit(pose, drag_joint(pose, L_ELBOW, (150.0, 60.0), DragMode.ROTATE))
    assert not mirrored.present[L_WRIST]


def test_a_selection_rotates_and_scales_about_its_centroid():
    pose = standing()
    sel = [SHOULDER, ELBOW, WRIST, JOINT_INDEX["right_hip"]]
    c = pose.xy[sel].mean(axis=0)
    turned = selection_transformed(pose, sel, angle=math.pi / 2)
    np.testing.assert_allclose(turned.xy[sel].mean(axis=0), c, atol=1e-9)
    for j in sel:
        r0, r1 = pose.xy[j] - c, turned.xy[j] - c
        np.testing.assert_allclose(r1, (-r0[1], r0[0]), atol=1e-9)
    scaled = selection_transformed(pose, sel, scale=1.5)
    np.testing.assert_allclose(scaled.xy[sel] - c, 1.5 * (pose.xy[sel] - c), atol=1e-9)
    others = [j for j in range(18) if j not in sel]
    np.testing.assert_array_equal(scaled.xy[others], pose.xy[others])


def test_symmetric_editing_mirrors_a_limb_edit_onto_the_other_side():
    pose = standing()
    for mode, target in [(DragMode.IK, (40.0, 90.0)), (DragMode.ROTATE, (30.0, 80.0)), (DragMode.FREE, (50.0, 70.0))]:
        edited = drag_joint(pose, WRIST, target, mode)
        both = mirror_edit(pose, edited)
        np.testing.assert_allclose(both.mirrored(100.0).xy, both.xy, atol=1e-9)
        np.testing.assert_array_equal(both.xy[[ELBOW, WRIST]], edited.xy[[ELBOW, WRIST]])
        if mode is not DragMode.FREE:
            np.testing.assert_allclose(lengths(both), lengths(pose), atol=1e-6)


def test_symmetric_editing_leaves_pinned_mirror_joints():
    pose = standing()
    both = mirror_edit(pose, drag_joint(pose, WRIST, (40.0, 90.0), DragMode.IK), pins={L_WRIST})
    np.testing.assert_array_equal(both.xy[L_WRIST], pose.xy[L_WRIST])
    assert not np.allclose(both.xy[L_ELBOW], pose.xy[L_ELBOW])


def test_a_part_moves_as_one_shift_clamped_at_the_photo_edge():
    pose = standing()
    members = [SHOULDER, ELBOW, WRIST]
    out = group_shifted(pose, WRIST, (pose.xy[WRIST][0] - 500, pose.xy[WRIST][1]), members, (200, 300),
                        followers=[(NECK, 0.5)])
    shift = out.xy[members] - pose.xy[members]
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape))
    assert out.xy[members][:, 0].min() == pytest.approx(0.0)
    np.testing.assert_allclose(out.xy[NECK], pose.xy[NECK] + 0.5 * shift[0])


def test_keep_lengths_takes_directions_from_the_target_and_lengths_from_the_source():
    source = standing()
    target = Pose(source.xy * 1.7 + 13.0).with_joint(WRIST, (10.0, 300.0))
    out = keep_lengths(target, source)
    np.testing.assert_allclose(lengths(out), lengths(source), atol=1e-6)
    np.testing.assert_array_equal(out.xy[NECK], target.xy[NECK])
    for p, j in BONES:
        a, b = out.xy[j] - out.xy[p], target.xy[j] - target.xy[p]
        np.testing.assert_allclose(a / np.hypot(*a), b / np.hypot(*b), atol=1e-9)
    assert not keep_lengths(target.with_joint(L_WRIST, None), source).present[L_WRIST]
