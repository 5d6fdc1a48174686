"""ComfyUI POSE_KEYPOINT files: a top-level list of frames; one frame opens as a pose, several as keyframes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import PoseError
from core.formats import read_pose_document, read_pose_documents, write_pose_document
from core.posedoc import PoseDocument
from tests.formats_helpers import flat, same, whole_body_person

CANVAS = (768, 512)


def _frame(seed: int, normalised: bool) -> dict:
    p = whole_body_person(seed, CANVAS)
    scale = CANVAS if normalised else (1.0, 1.0)
    return {
        "people": [{
            "pose_keypoints_2d": flat(p.body.xy, 1.0, scale),
            "face_keypoints_2d": flat(p.face.xy, 1.0, scale),  # type: ignore[union-attr]
            "hand_left_keypoints_2d": flat(p.left_hand.xy, 1.0, scale),  # type: ignore[union-attr]
            "hand_right_keypoints_2d": flat(p.right_hand.xy, 1.0, scale),  # type: ignore[union-attr]
        }],
        "canvas_width": CANVAS[0], "canvas_height": CANVAS[1],
    }


def test_pose_keypoint_list_of_three_frames_opens_as_three_documents(tmp_path):
    path = tmp_path / "pose_keypoint.json"
    path.write_text(json.dumps([_frame(21, True), _frame(22, False), _frame(23, True)]))
    docs = read_pose_document(path)
    assert isinstance(docs, list) and len(docs) == 3
    for doc, seed in zip(docs, (21, 22, 23), strict=True):
        want = whole_body_person(seed, CANVAS)
        assert doc.canvas == CANVAS and same(doc.people[0].body.xy, want.body.xy)
        assert same(doc.people[0].right_hand.xy, want.right_hand.xy)  # type: ignore[union-attr]


def test_one_frame_pose_keypoint_opens_as_one_pose(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps([_frame(24, True)]))
    doc = read_pose_document(path)
    assert isinstance(doc, PoseDocument) and len(doc.people) == 1


def test_documents_written_as_pose_keypoint_read_back(tmp_path):
    docs = [PoseDocument(CANVAS, (whole_body_person(s, CANVAS).without(["feet"]),)) for s in (31, 32)]
    write_pose_document(tmp_path / "k.json", docs, "comfyui")
    raw = json.loads((tmp_path / "k.json").read_text())
    assert isinstance(raw, list) and [set(f) for f in raw] == [{"people", "canvas_width", "canvas_height"}] * 2
    conf = np.array(raw[0]["people"][0]["pose_keypoints_2d"]).reshape(-1, 3)[:, 2]
    assert set(conf.tolist()) <= {0.0, 1.0}
    assert read_pose_documents(tmp_path / "k.json") == docs


@pytest.mark.parametrize("content, words", [
    ("[]", "no frames"),
    ("[3]", "[0] is int"),
    ('[{"people": [], "canvas_width": 10, "canvas_height": 10}, {"canvas_width": 3}]', "[1] has no 'people'"),
])
def test_bad_pose_keypoint_lists_name_the_frame(tmp_path, content, words):
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(PoseError) as err:
        read_pose_document(tmp_path / "bad.json")
    assert words in str(err.value) and "bad.json" in str(err.value) and "\n" not in str(err.value)
