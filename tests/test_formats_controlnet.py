"""ControlNet's flavour of OpenPose JSON: canvas size, confidence exactly 1.0, pixel or normalised coordinates."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.errors import PoseError
from core.formats import read_pose_document, write_pose_document
from core.posedoc import PoseDocument
from tests.formats_helpers import flat, same, whole_body_person

CANVAS = (512, 768)


def _controlnet_decode(obj: dict) -> list[dict[str, list | None]]:
    """sd-webui-controlnet's decoder rule, restated: a point whose confidence is below 1.0 is dropped (None)."""
    def points(numbers):
        if not numbers:
            return None
        assert len(numbers) % 3 == 0
        return [None if c < 1.0 else (x, y) for x, y, c in zip(*[iter(numbers)] * 3, strict=True)]
    return [{k: points(p.get(k)) for k in ("pose_keypoints_2d", "face_keypoints_2d", "hand_left_keypoints_2d",
                                            "hand_right_keypoints_2d")} for p in obj["people"]]


def _controlnet_file(tmp_path, person, normalised: bool, name: str):
    """A file as ControlNet's encoder writes it: canvas fields, confidence 1.0, absent parts null."""
    scale = CANVAS if normalised else (1.0, 1.0)
    entry = {
        "pose_keypoints_2d": flat(person.body.xy, 1.0, scale),
        "face_keypoints_2d": flat(person.face.xy, 1.0, scale) if person.face else None,
        "hand_left_keypoints_2d": flat(person.left_hand.xy, 1.0, scale) if person.left_hand else None,
        "hand_right_keypoints_2d": None,
    }
    path = tmp_path / name
    path.write_text(json.dumps({"people": [entry], "canvas_height": CANVAS[1], "canvas_width": CANVAS[0]}))
    return path


@pytest.mark.parametrize("normalised", [True, False])
def test_controlnet_file_in_pixels_or_normalised_reads_in_pixels(tmp_path, normalised):
    p = whole_body_person(11, CANVAS).without(["feet", "right_hand"])
    doc = read_pose_document(_controlnet_file(tmp_path, p, normalised, "cn.json"))
    assert isinstance(doc, PoseDocument) and doc.canvas == CANVAS
    got = doc.people[0]
    assert same(got.body.xy, p.body.xy, 1e-6) and same(got.face.xy, p.face.xy, 1e-6)  # type: ignore[union-attr]
    assert same(got.left_hand.xy, p.left_hand.xy, 1e-6) and got.right_hand is None  # type: ignore[union-attr]


@pytest.mark.parametrize("normalised", [False, True])
def test_exported_json_read_by_controlnets_rule_keeps_every_joint(tmp_path, normalised):
    doc = PoseDocument(CANVAS, (whole_body_person(12, CANVAS), whole_body_person(13, CANVAS).without(["face"])))
    write_pose_document(tmp_path / "out.json", doc, "controlnet", normalised=normalised)
    obj = json.loads((tmp_path / "out.json").read_text())
    assert (obj["canvas_width"], obj["canvas_height"]) == CANVAS
    decoded = _controlnet_decode(obj)
    scale = np.array(CANVAS, float) if normalised else np.ones(2)
    fields = {"body": "pose_keypoints_2d", "face": "face_keypoints_2d", "left_hand": "hand_left_keypoints_2d",
              "right_hand": "hand_right_keypoints_2d"}
    for person, dec in zip(doc.people, decoded, strict=True):
        for part, fld in fields.items():
            pts = person.part(part)
            if pts is None:
                assert dec[fld] is None
                continue
            kept = dec[fld]
            assert kept is not None and len(kept) == len(pts)
            for (x, y), ok, k in zip(pts.xy, pts.present, kept, strict=True):
                assert (k is not None) == bool(ok)  # every shown joint survives, hidden ones stay hidden
                if ok:
                    assert np.allclose(np.array(k) * scale, (x, y))


def test_controlnet_written_file_reads_back_equal_apart_from_feet(tmp_path):
    doc = PoseDocument(CANVAS, (whole_body_person(14, CANVAS),))
    write_pose_document(tmp_path / "o.json", doc, "controlnet", normalised=True)
    back = read_pose_document(tmp_path / "o.json")
    assert isinstance(back, PoseDocument)
    want = doc.people[0].without(["feet"])
    assert back.people[0].found_parts() == want.found_parts() == ["body", "left_hand", "right_hand", "face"]
    for (_, a), (_, b) in zip(back.people[0].parts(), want.parts(), strict=True):
        assert same(a.xy, b.xy, 1e-9)


def test_a_tiny_canvas_is_never_taken_as_normalised(tmp_path):
    entry = {"pose_keypoints_2d": [0.5, 0.5, 1.0] + [0.0, 0.0, 0.0] * 17}
    (tmp_path / "t.json").write_text(json.dumps({"people": [entry], "canvas_width": 4, "canvas_height": 4}))
    doc = read_pose_document(tmp_path / "t.json")
    assert isinstance(doc, PoseDocument) and np.allclose(doc.people[0].body.xy[0], (0.5, 0.5))


def test_controlnet_format_needs_a_canvas(tmp_path):
    with pytest.raises(PoseError, match="canvas"):
        write_pose_document(tmp_path / "o.json", PoseDocument(None, (whole_body_person(1),)), "controlnet")
