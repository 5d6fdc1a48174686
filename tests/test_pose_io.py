"""Pose files: OpenPose JSON (ours and OpenPose's own), ControlNet skeleton images, the published annotation CSV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from formats_helpers import COCO17_NAMES

from core.errors import PoseError
from core.pose_io import (
    AnnotationRow,
    annotation_row_to_pose,
    draw_skeleton_image,
    list_people,
    openpose_canvas_size,
    pose_to_annotation_row,
    read_annotation_csv,
    read_openpose_json,
    write_annotation_csv,
    write_openpose_json,
)
from core.skeleton import COLORS, JOINT_INDEX, JOINT_NAMES, LIMBS_DRAWN, N_JOINTS, Pose

DATA = Path(__file__).parent / "data"
POSES = Path(__file__).resolve().parents[1] / "resources" / "poses"

# OpenPose's own joint orders, written out by name (independent of the code under test).
BODY25_NAMES = [
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow", "left_wrist",
    "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle", "right_eye",
    "left_eye", "right_ear", "left_ear", "left_big_toe", "left_small_toe", "left_heel", "right_big_toe",
    "right_small_toe", "right_heel",
]  # fmt: skip


def _odd_pose() -> Pose:
    rng = np.random.default_rng(7)
    xy = rng.uniform(-50, 900, (N_JOINTS, 2)) + 1 / 3
    xy[[3, 16]] = np.nan
    xy[5] = (0.0, 0.0)  # a present joint at the origin must stay present
    return Pose(xy)


def _expected_from_named(triplets: list[list[float]], names: list[str]) -> np.ndarray:
    by_name = {n: t for n, t in zip(names, triplets, strict=True)}
    out = np.full((N_JOINTS, 2), np.nan)
    for j, name in enumerate(JOINT_NAMES):
        if name == "neck" and "neck" not in by_name:
            ls, rs = by_name["left_shoulder"], by_name["right_shoulder"]
            if ls[2] > 0 and rs[2] > 0:
                out[j] = ((ls[0] + rs[0]) / 2, (ls[1] + rs[1]) / 2)
        elif by_name[name][2] > 0:
            out[j] = by_name[name][:2]
    return out


# ----- OpenPose JSON ---------------------------------------------------------------------


def test_openpose_json_round_trips_exactly_with_missing_joints(tmp_path):
    pose = _odd_pose()
    conf = np.linspace(0.05, 1.0, N_JOINTS)
    write_openpose_json(tmp_path / "p.json", pose, canvas_size=(1024, 768), confidence=conf)
    assert read_openpose_json(tmp_path / "p.json") == pose
    (person,) = list_people(tmp_path / "p.json")
    assert person.layout == "COCO-18"
    assert np.array_equal(person.confidence, np.where(pose.present, conf, 0.0))
    assert openpose_canvas_size(tmp_path / "p.json") == (1024, 768)
    doc = json.loads((tmp_path / "p.json").read_text())
    assert len(doc["people"][0]["pose_keypoints_2d"]) == 54
    assert doc["people"][0]["pose_keypoints_2d"][3 * 3 : 3 * 3 + 3] == [0.0, 0.0, 0.0]


def test_body25_file_from_openpose_loads_as_coco18():
    path = DATA / "openpose_body25_keypoints.json"
    raw = json.loads(path.read_text())["people"][0]["pose_keypoints_2d"]
    triplets = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    pose = read_openpose_json(path)
    assert pose == Pose(_expected_from_named(triplets, BODY25_NAMES))
    assert pose.missing[JOINT_INDEX["left_ear"]]  # stored as 0, 0, 0
    assert list_people(path)[0].layout == "BODY_25"


def test_multi_person_coco_file_picks_the_largest_person_or_the_one_asked_for():
    path = DATA / "openpose_coco_keypoints.json"
    doc = json.loads(path.read_text())
    people = list_people(path)
    assert len(people) == 2
    raws = [p["pose_keypoints_2d"] for p in doc["people"]]
    expected = [Pose(_expected_from_named([r[i : i + 3] for i in range(0, 54, 3)], JOINT_NAMES)) for r in raws]
    assert [p.pose for p in people] == expected
    areas = [p.area for p in people]
    assert read_openpose_json(path) == expected[int(np.argmax(areas))]
    assert read_openpose_json(path, person=0) == expected[0]
    assert read_openpose_json(path, person=1) == expected[1]
    with pytest.raises(PoseError, match="2 people"):
        read_openpose_json(path, person=2)


def test_coco17_keypoints_get_a_neck_between_the_shoulders(tmp_path):
    rng = np.random.default_rng(3)
    trip = [[float(x), float(y), 0.9] for x, y in rng.uniform(0, 500, (17, 2))]
    trip[COCO17_NAMES.index("left_ear")][2] = 0.0
    path = tmp_path / "c17.json"
    path.write_text(json.dumps({"people": [{"pose_keypoints_2d": sum(trip, [])}]}))
    assert read_openpose_json(path) == Pose(_expected_from_named(trip, COCO17_NAMES))


def test_normalised_coordinates_are_scaled_by_the_canvas(tmp_path):
    pose = Pose(np.random.default_rng(1).uniform(0.1, 0.9, (N_JOINTS, 2)))
    flat = [v for (x, y) in pose.xy for v in (x, y, 1.0)]
    path = tmp_path / "norm.json"
    path.write_text(json.dumps({"canvas_width": 400, "canvas_height": 300, "people": [{"pose_keypoints_2d": flat}]}))
    assert np.allclose(read_openpose_json(path).xy, pose.xy * (400, 300))


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "not valid JSON"),
        ('{"version": 1.3}', "no 'people' list"),
        ('{"people": []}', "no people"),
        ('{"people": [{"face_keypoints_2d": []}]}', "pose_keypoints_2d"),
        ('{"people": [{"pose_keypoints_2d": [1, 2, 3, 4]}]}', "4 values"),
        ('{"people": [{"pose_keypoints_2d": ' + json.dumps(["a"] * 54) + "}]}", "not a number"),
        ('{"people": [7]}', "not an object"),
        ('{"canvas_width": "wide", "canvas_height": 3, "people": []}', "canvas_width"),
    ],
)
def test_malformed_openpose_files_name_what_is_wrong(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(PoseError) as err:
        read_openpose_json(path)
    assert words in str(err.value) and "bad.json" in str(err.value)


def test_missing_pose_file_is_a_pose_error(tmp_path):
    with pytest.raises(PoseError, match="no such file"):
        read_openpose_json(tmp_path / "missing.json")


def test_bundled_pose_templates_share_a_frame_and_a_torso():
    names = ["standing", "t_pose", "arms_up", "walking"]
    poses = {n: read_openpose_json(POSES / f"{n}.json") for n in names}
    torso = [JOINT_INDEX[n] for n in ("nose", "neck", "right_shoulder", "left_shoulder", "right_hip", "left_hip")]
    for name, pose in poses.items():
        size = openpose_canvas_size(POSES / f"{name}.json")
        assert size is not None and pose.present.all(), name
        x0, y0, x1, y1 = pose.bounds()
        assert 0 <= x0 and x1 <= size[0] and 0 <= y0 and y1 <= size[1], name
        assert np.allclose(pose.xy[torso], poses["standing"].xy[torso]), name
    # the templates differ where they should
    wr = [JOINT_INDEX["right_wrist"], JOINT_INDEX["left_wrist"]]
    assert (poses["arms_up"].xy[wr, 1] < poses["standing"].xy[JOINT_INDEX["nose"], 1]).all()
    assert np.allclose(poses["t_pose"].xy[wr, 1], poses["t_pose"].xy[[2, 5], 1], atol=2)


# ----- skeleton image ----------------------------------------------------------------------


def _template() -> Pose:
    return read_openpose_json(POSES / "t_pose.json")


def test_skeleton_image_is_black_with_openpose_colours_at_the_joints():
    pose = _template()
    img = draw_skeleton_image(pose, (512, 512))
    assert img.shape == (512, 512, 3) and img.dtype == np.uint8
    assert (img[:5, :5] == 0).all() and (img[-5:, -5:] == 0).all()
    for j in np.where(pose.present)[0]:
        x, y = np.round(pose.xy[j]).astype(int)
        others = np.delete(pose.xy, j, axis=0)
        if np.nanmin(np.hypot(*(others - pose.xy[j]).T)) > 10:  # no other joint disc on top
            assert tuple(img[y, x]) == COLORS[j], JOINT_NAMES[j]


def test_a_limb_is_an_ellipse_at_sixty_percent_of_its_colour_on_black():
    xy = np.full((N_JOINTS, 2), np.nan)
    xy[JOINT_INDEX["neck"]] = (100, 256)
    xy[JOINT_INDEX["right_shoulder"]] = (400, 256)  # limb 0 (neck to right shoulder), horizontal
    img = draw_skeleton_image(Pose(xy), (512, 512))
    limb = tuple(int(v) for v in np.rint(0.6 * np.array(COLORS[0])))
    assert tuple(img[256, 250]) == limb
    column = (img[:, 250] > 0).any(axis=1)
    assert 6 <= column.sum() <= 10  # OpenPose's stick width 4 at 512 px: about 2 x 4 + 1 rows
    assert (img[:, 50] == 0).all() and (img[:, 460] == 0).all()  # nothing beyond the joints' discs


def test_crossing_limbs_blend_like_openpose():
    xy = np.full((N_JOINTS, 2), np.nan)
    xy[JOINT_INDEX["neck"]] = (100, 256)
    xy[JOINT_INDEX["right_shoulder"]] = (400, 256)  # limb 0: horizontal through (250, 256)
    xy[JOINT_INDEX["left_shoulder"]] = (250, 150)
    xy[JOINT_INDEX["left_elbow"]] = (250, 360)  # limb 4, drawn later: vertical through (250, 256)
    img = draw_skeleton_image(Pose(xy), (512, 512))
    assert (LIMBS_DRAWN[0], LIMBS_DRAWN[4]) == ((1, 2), (5, 6))
    first = np.rint(0.6 * np.array(COLORS[0]))
    expected = np.rint(0.4 * first + 0.6 * np.array(COLORS[4]))
    assert img[256, 250].tolist() == expected.astype(int).tolist()
    assert img[300, 250].tolist() == np.rint(0.6 * np.array(COLORS[4])).astype(int).tolist()


def test_missing_joints_and_their_limbs_are_not_drawn():
    pose = _template()
    j = JOINT_INDEX["left_wrist"]
    img_full = draw_skeleton_image(pose, (512, 512))
    img = draw_skeleton_image(pose.with_joint(j, None), (512, 512))
    x, y = np.round(pose.xy[j]).astype(int)
    assert tuple(img_full[y, x]) == COLORS[j] and tuple(img[y, x]) == (0, 0, 0)
    assert draw_skeleton_image(Pose.empty(), (64, 80)).sum() == 0


def test_stick_width_grows_with_the_image():
    pose = _template()
    small = draw_skeleton_image(pose, (512, 512))
    big = draw_skeleton_image(pose.transformed(4.0), (2048, 2048))
    assert (big > 0).any(axis=2).sum() > 12 * (small > 0).any(axis=2).sum()


def test_skeleton_can_be_drawn_over_a_photo_without_changing_other_pixels():
    photo = np.full((512, 512, 3), 90, np.uint8)
    over = draw_skeleton_image(_template(), (512, 512), background=photo)
    alone = draw_skeleton_image(_template(), (512, 512))
    untouched = (alone == 0).all(axis=2)
    assert (over[untouched] == 90).all() and not (over[~untouched] == 90).all()
    assert (photo == 90).all()  # the caller's array is not modified


# ----- annotation CSV ----------------------------------------------------------------------


def test_annotation_csv_round_trips_exactly(tmp_path):
    rows = [
        AnnotationRow("fashionWOMENDressesid0000262902_1front.jpg", tuple(range(18)), tuple(range(100, 118))),
        AnnotationRow("b.jpg", (-1,) * 17 + (5,), (-1,) * 17 + (7,)),
    ]
    write_annotation_csv(tmp_path / "ann.csv", rows)
    assert read_annotation_csv(tmp_path / "ann.csv") == rows
    lines = (tmp_path / "ann.csv").read_text().splitlines()
    assert lines[0] == "name:keypoints_y:keypoints_x"
    assert lines[1].startswith("fashionWOMENDressesid0000262902_1front.jpg: [0, 1, 2, ")


def test_published_annotation_line_reads_as_y_then_x(tmp_path):
    ys = [24, 51, 51, 96, 132, 50, 94, 129, 143, 207, 258, 141, 206, 256, 21, 21, 24, -1]
    xs = [89, 87, 66, 61, 63, 109, 115, 112, 75, 79, 79, 103, 103, 97, 84, 94, 78, -1]
    (tmp_path / "a.csv").write_text(f"name:keypoints_y:keypoints_x\nperson.jpg: {ys}: {xs}\n")
    (row,) = read_annotation_csv(tmp_path / "a.csv")
    pose = annotation_row_to_pose(row)
    assert pose.xy[JOINT_INDEX["nose"]].tolist() == [89.0, 24.0]
    assert pose.missing[JOINT_INDEX["left_ear"]] and int(pose.present.sum()) == 17
    assert pose_to_annotation_row(pose, "person.jpg") == row


def test_pose_to_annotation_row_and_back_is_exact_for_whole_pixels():
    xy = np.random.default_rng(5).integers(0, 255, (N_JOINTS, 2)).astype(float)
    xy[[0, 17]] = np.nan
    pose = Pose(xy)
    row = pose_to_annotation_row(pose, "x.jpg")
    assert row.keypoints_y[0] == -1 and row.keypoints_x[17] == -1
    assert annotation_row_to_pose(row) == pose
    assert annotation_row_to_pose(keypoints_y=row.keypoints_y, keypoints_x=row.keypoints_x) == pose


def test_fractional_poses_round_to_the_nearest_pixel():
    xy = np.full((N_JOINTS, 2), 10.0)
    xy[0] = (3.5, 7.49)
    row = pose_to_annotation_row(Pose(xy), "r.jpg")
    assert (row.keypoints_x[0], row.keypoints_y[0]) == (4, 7)


def test_a_joint_that_would_read_as_missing_is_refused():
    xy = np.full((N_JOINTS, 2), 10.0)
    xy[4] = (-1.2, 30)
    with pytest.raises(PoseError, match="right_wrist"):
        pose_to_annotation_row(Pose(xy), "r.jpg")


@pytest.mark.parametrize(
    "line, words",
    [
        ("a.jpg [1, 2]", "expected"),
        ("a.jpg: [1, 2]: [3, 4]", "18 values"),
        ("a.jpg: " + json.dumps([1.5] * 18) + ": " + json.dumps([1] * 18), "whole numbers"),
        ("a.jpg: [oops]: [3]", "not a list"),
    ],
)
def test_malformed_annotation_lines_name_the_line(tmp_path, line, words):
    path = tmp_path / "bad.csv"
    path.write_text("name:keypoints_y:keypoints_x\n" + line + "\n")
    with pytest.raises(PoseError) as err:
        read_annotation_csv(path)
    assert "line 2" in str(err.value) and words in str(err.value)
