"""OpenPose JSON as OpenPose writes it (version 1.3, BODY_25 and COCO-18 bodies, face and hands) into PoseDocuments."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import PoseError
from core.formats import read_pose_document, write_pose_document
from core.posedoc import Person, PoseDocument
from core.skeleton import Pose
from tests.formats_helpers import body25, flat, same, whole_body_person


def _openpose_file(tmp_path, people: list[Person], use25: bool = True):
    rng = np.random.default_rng(3)
    entries = []
    for p in people:
        body = body25(p) if use25 else p.body.xy
        entries.append({
            "person_id": [-1],
            "pose_keypoints_2d": flat(body, rng.uniform(0.2, 0.95, len(body))),
            "face_keypoints_2d": flat(p.face.xy if p.face else None, rng.uniform(0.1, 0.9, 70)),
            "hand_left_keypoints_2d": flat(p.left_hand.xy if p.left_hand else None, rng.uniform(0.1, 0.9, 21)),
            "hand_right_keypoints_2d": flat(p.right_hand.xy if p.right_hand else None, rng.uniform(0.1, 0.9, 21)),
            "pose_keypoints_3d": [], "face_keypoints_3d": [],
            "hand_left_keypoints_3d": [], "hand_right_keypoints_3d": [],
        })
    path = tmp_path / "frame_000000000000_keypoints.json"
    path.write_text(json.dumps({"version": 1.3, "people": entries}))
    return path


def test_openpose_body25_file_reads_every_person_with_feet_hands_and_face(tmp_path):
    people = [whole_body_person(1), whole_body_person(2)]
    doc = read_pose_document(_openpose_file(tmp_path, people))
    assert isinstance(doc, PoseDocument) and doc.canvas is None and len(doc.people) == 2
    for got, want in zip(doc.people, people, strict=True):
        for name in ("body", "feet", "left_hand", "right_hand", "face"):
            assert same(got.part(name).xy, want.part(name).xy), name  # type: ignore[union-attr]


def test_openpose_coco18_file_has_no_feet_and_absent_parts_stay_absent(tmp_path):
    p = whole_body_person(4).without(["feet", "face", "right_hand"])
    doc = read_pose_document(_openpose_file(tmp_path, [p], use25=False))
    assert isinstance(doc, PoseDocument)
    got = doc.people[0]
    assert got.feet is None and got.face is None and got.right_hand is None
    assert same(got.left_hand.xy, p.left_hand.xy)  # type: ignore[union-attr]
    assert got.found_parts() == ["body", "left_hand"]


def test_whole_body_document_round_trips_through_openpose_json(tmp_path):
    doc = PoseDocument((512, 768), (whole_body_person(5), whole_body_person(6).without(["feet", "face"])))
    write_pose_document(tmp_path / "o.json", doc, "openpose")
    raw = json.loads((tmp_path / "o.json").read_text())
    assert raw["version"] == 1.3 and len(raw["people"][0]["pose_keypoints_2d"]) == 75
    assert len(raw["people"][1]["pose_keypoints_2d"]) == 54 and raw["people"][1]["face_keypoints_2d"] == []
    back = read_pose_document(tmp_path / "o.json")
    assert back == doc


def test_missing_points_are_nan_never_zero(tmp_path):
    p = whole_body_person(7)
    doc = read_pose_document(_openpose_file(tmp_path, [p]))
    assert isinstance(doc, PoseDocument)
    hand = doc.people[0].left_hand
    assert hand is not None and np.isnan(hand.xy).any() and not (hand.xy == 0).any()


def test_largest_person_and_person_index():
    small = Person(Pose(np.full((18, 2), np.nan)).with_joint(0, (1, 1)).with_joint(1, (5, 5)))
    big = whole_body_person(8)
    doc = PoseDocument((512, 768), (small, big))
    assert doc.largest() is big and doc.person(0) is small
    with pytest.raises(PoseError, match="2 people"):
        doc.person(2)
