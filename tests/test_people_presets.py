"""core.people (the people state: add, duplicate, delete, hide, hands following wrists) and core.pose_presets (the
bundled library keeps the standing skeleton's bone lengths; saving is atomic and lists the new preset)."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import PoseError
from core.people import PeopleState, with_body
from core.pose_presets import fit_preset, list_presets, load_preset, save_preset, stem_of, title_of
from core.posedoc import Face, Hand, Person, PoseDocument
from core.rig import BODY_TREE
from core.skeleton import JOINT_INDEX, Pose

BONES = [(p, j) for j, p in enumerate(BODY_TREE.parent) if p >= 0]
NAMES = {"T pose", "Standing", "Walking", "Arms up", "Sitting", "Waving", "Running", "Hands on hips", "Kicking"}


def lengths(pose: Pose) -> np.ndarray:
    return np.array([np.hypot(*(pose.xy[j] - pose.xy[p])) for p, j in BONES])


def test_the_bundled_library_has_the_named_poses_and_each_keeps_the_standing_bone_lengths():
    presets = {p.name: p for p in list_presets()}
    assert NAMES <= set(presets)
    standing = lengths(load_preset(presets["Standing"]))
    for name in ("Sitting", "Waving", "Running", "Hands on hips", "Kicking"):
        pose = load_preset(presets[name])
        assert pose.present.all(), name
        np.testing.assert_allclose(lengths(pose), standing, atol=0.15, err_msg=name)
        assert not np.allclose(pose.xy, load_preset(presets["Standing"]).xy, atol=5.0), name


def test_a_saved_preset_is_listed_as_the_users_and_fits_back_onto_a_person(tmp_path):
    standing = load_preset(next(p for p in list_presets() if p.name == "Standing"))
    person = Pose(standing.xy * 1.5 + 30.0)
    preset = save_preset("My wave!", person, (800, 800), folder=tmp_path)
    assert preset.path == tmp_path / "my_wave.json" and preset.user
    listed = list_presets(user=tmp_path)
    assert [p.name for p in listed if p.user] == ["My wave"]
    np.testing.assert_allclose(fit_preset(load_preset(preset), person).xy, person.xy, atol=0.5)
    with pytest.raises(PoseError, match="letters or digits"):
        stem_of("  !!  ")
    assert title_of("t_pose") == "T pose"


def hand(x: float, y: float) -> Hand:
    return Hand(np.array([(x + i, y + i) for i in range(21)], dtype=np.float64))


def test_a_hand_follows_its_wrist_and_the_face_the_nose():
    body = load_preset(next(p for p in list_presets() if p.name == "Standing"))
    w = JOINT_INDEX["right_wrist"]
    face = Face(np.tile(body.xy[JOINT_INDEX["nose"]], (70, 1)))
    person = Person(body, right_hand=hand(*body.xy[w]), face=face)
    moved = with_body(person, body.with_joint(w, (body.xy[w][0] + 10, body.xy[w][1] - 4)))
    assert moved.right_hand is not None and person.right_hand is not None and moved.face is not None
    np.testing.assert_allclose(moved.right_hand.xy - person.right_hand.xy, np.tile([10, -4], (21, 1)))
    np.testing.assert_allclose(moved.face.xy, face.xy)  # the nose did not move


def test_people_state_operations():
    a = Person(Pose(np.full((18, 2), 10.0)))
    state = PeopleState.from_document(PoseDocument((100, 100), (a,)))
    two = state.duplicated(0, (5.0, 0.0))
    assert two.selected == 1 and np.allclose(two.people[1].body.xy, [15.0, 10.0])
    hidden = two.toggled_hidden(0)
    assert hidden.hidden == (True, False) and len(hidden.document((100, 100)).people) == 1
    assert hidden.deleted(1).selected == 0 and len(hidden.deleted(1).people) == 1
    with pytest.raises(PoseError, match="last person"):
        state.deleted(0)
    with pytest.raises(PoseError, match="does not exist"):
        state.selecting(3)


def test_hiding_the_selected_person_selects_the_next_visible_one():
    a = Person(Pose(np.full((18, 2), 10.0)))
    three = PeopleState.from_document(PoseDocument((100, 100), (a, a, a)), selected=1)
    assert three.toggled_hidden(1).selected == 2  # the next one after it
    last = three.selecting(2).toggled_hidden(2)
    assert last.selected == 1 and last.hidden == (False, False, True)  # none after it: the one before
    alone = three.toggled_hidden(0).toggled_hidden(2).toggled_hidden(1)
    assert alone.selected == 1 and all(alone.hidden)  # no one visible: the selection stays
    assert three.toggled_hidden(0).selected == 1  # hiding another person keeps the selection
