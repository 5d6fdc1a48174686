"""Whole-body detection of every person (core.detect.wholebody) and the detect / repose CLI flags (issue #15).

Photos: the bundled sample (an illustration of a whole standing man, hands visible), the bundled portrait (a real
NASA photograph) and scikit-image's ``camera`` (a real CC0 photograph of a man with a camera, outdoors). No freely
licensed photograph of several people exists in a package reachable here, so the several-people image is made by
placing three copies of the sample side by side on a real photograph (scikit-image's ``coffee``, CC0) as
a cluttered background — a composite, said so, not a crowd photo.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.detect.wholebody import detect_document
from core.errors import PoseError
from core.imageio_utils import import_cv2, load_image, save_image

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "resources" / "sample_person.png"
COCO_RWRIST, COCO_LWRIST = 4, 7


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    return load_image(SAMPLE)


@pytest.fixture(scope="module")
def three_people(sample) -> np.ndarray:
    import skimage.data

    cv2 = import_cv2()
    canvas = cv2.resize(skimage.data.coffee(), (1500, 700))
    small = cv2.resize(sample, (420, 600), interpolation=cv2.INTER_AREA)
    for x in (40, 540, 1040):
        canvas[50:650, x:x + 420] = small
    return np.ascontiguousarray(canvas)


def test_the_sample_gives_body_feet_both_hands_and_face_attached_to_the_person(sample) -> None:
    doc = detect_document(sample).document
    assert len(doc.people) == 1
    person = doc.people[0]
    assert int(person.body.present.sum()) == 18
    assert person.left_hand is not None and person.right_hand is not None and person.face is not None
    assert person.left_hand.present.all() and person.right_hand.present.all()  # 21 points each
    assert person.face.present.all()  # 68 landmarks and both pupils
    body = person.body.xy
    forearm = np.hypot(*(body[COCO_LWRIST] - body[6]))
    # each hand's wrist point (hand point 0) sits at that side's wrist of the body, not the other side's
    assert np.hypot(*(person.left_hand.xy[0] - body[COCO_LWRIST])) < 0.3 * forearm
    assert np.hypot(*(person.right_hand.xy[0] - body[COCO_RWRIST])) < 0.3 * forearm
    # the pupils lie inside their eyes' landmark boxes (right eye 36-41, left eye 42-47)
    face = person.face.xy
    for pupil, eye in ((68, slice(36, 42)), (69, slice(42, 48))):
        lo, hi = face[eye].min(axis=0), face[eye].max(axis=0)
        assert np.all(face[pupil] >= lo - 2) and np.all(face[pupil] <= hi + 2)
    feet = person.feet
    assert feet is not None and np.isnan(feet.xy[[1, 4]]).all()  # small toes: no MediaPipe landmark, absent


def test_three_people_side_by_side_are_all_found_with_their_hands(three_people) -> None:
    doc = detect_document(three_people).document
    assert len(doc.people) == 3
    centres = sorted((b[0] + b[2]) / 2 for b in (p.bounds() for p in doc.people) if b is not None)
    assert [round(c / 500) for c in centres] == [0, 1, 2]  # one in each third (copies at x 40, 540, 1040)
    assert all(p.left_hand is not None and p.right_hand is not None for p in doc.people)


def test_largest_and_parts_options(three_people) -> None:
    doc = detect_document(three_people, people="largest", parts=("body",)).document
    assert len(doc.people) == 1
    person = doc.people[0]
    assert person.found_parts() == ["body"]
    with pytest.raises(PoseError, match="unknown part 'tail'"):
        detect_document(three_people, parts=("body", "tail"))


def test_real_photographs_give_a_body_and_a_face() -> None:
    import skimage.data

    camera = np.stack([skimage.data.camera()] * 3, axis=-1)
    for image in (camera, load_image(REPO / "resources" / "portrait.png")):
        doc = detect_document(image).document
        assert len(doc.people) == 1
        assert int(doc.people[0].body.present.sum()) >= 9 and doc.people[0].face is not None


def test_nobody_gives_an_empty_document() -> None:
    assert detect_document(np.full((300, 400, 3), 255, np.uint8)).document.people == ()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], cwd=REPO, capture_output=True, text=True, timeout=180)


def test_detect_writes_controlnet_json_that_keeps_every_found_joint_under_controlnets_rule(tmp_path, three_people):
    photo, out = tmp_path / "three.png", tmp_path / "three.json"
    save_image(photo, three_people)
    run = _cli("detect", str(photo), "--format", "controlnet", "--out", str(out))
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "3 people found" in lines[0]
    assert sum(line.strip().startswith("person ") for line in lines) == 3
    expected = detect_document(three_people).document
    data = json.loads(out.read_text())
    assert (data["canvas_width"], data["canvas_height"]) == (1500, 700)
    keys = {"body": "pose_keypoints_2d", "left_hand": "hand_left_keypoints_2d",
            "right_hand": "hand_right_keypoints_2d", "face": "face_keypoints_2d"}
    for written, person in zip(data["people"], expected.people, strict=True):
        for part, key in keys.items():
            points = person.part(part)
            trip = np.asarray(written[key], dtype=np.float64).reshape(-1, 3)
            kept = trip[trip[:, 2] >= 1.0]  # ControlNet's decoder drops every point whose confidence is below 1.0
            assert len(kept) == (0 if points is None else int(points.present.sum())), (part, key)


def test_detect_comfyui_and_largest_only(tmp_path, three_people):
    photo, out = tmp_path / "three.jpg", tmp_path / "frames.json"
    save_image(photo, three_people)
    run = _cli("detect", str(photo), "--people", "largest", "--parts", "body,hands", "--format", "comfyui",
               "--out", str(out))
    assert run.returncode == 0, run.stderr
    frames = json.loads(out.read_text())
    assert isinstance(frames, list) and len(frames) == 1 and len(frames[0]["people"]) == 1
    assert "face" not in run.stdout.splitlines()[1]


def test_repose_person_out_of_range_is_one_line(tmp_path, three_people):
    photo = tmp_path / "three.png"
    save_image(photo, three_people)
    target = REPO / "resources" / "poses" / "t_pose.json"
    run = _cli("repose", str(photo), "--target", str(target), "--person", "5", "--out", str(tmp_path / "r.png"))
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1] == "error: --person 5: the photo has 3 people found (0 to 2)"


def test_repose_moves_the_chosen_person(tmp_path, three_people):
    photo, result = tmp_path / "three.png", tmp_path / "r.png"
    save_image(photo, three_people)
    target = REPO / "resources" / "poses" / "t_pose.json"
    run = _cli("repose", str(photo), "--target", str(target), "--person", "2", "--out", str(result))
    assert run.returncode == 0, run.stderr
    changed = np.abs(load_image(result).astype(int) - three_people.astype(int)).max(axis=2) > 25
    columns = np.flatnonzero(changed.any(axis=0))
    assert columns.size > 0
    # exactly one person of the three was re-posed: the changed columns lie in one third of the picture
    assert columns.max() - columns.min() < 700
