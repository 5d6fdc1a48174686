"""Structure inputs match the published loaders on every case of fixture_heatmap.pt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core import encoding as E
from core.skeleton import JOINT_NAMES

ROOT = Path(__file__).resolve().parents[1]
from fixture_files import FIXTURES, fixture_file  # noqa: E402,F401

HEATMAP_FILE = FIXTURES / "fixture_heatmap.pt"


def _cases(kind: str) -> list[dict]:
    cases = torch.load(fixture_file(HEATMAP_FILE.name), weights_only=True)["cases"]
    return [c for c in cases if c["kind"] == kind]


def _check_maps(maps: np.ndarray, case: dict, n: int) -> None:
    """Full maps at atol 1e-6, or the stored exact summary (samples + float64 channel sums)."""
    if "heatmap" in case or "structure" in case:
        ref = (case.get("heatmap") if "heatmap" in case else case["structure"][:n]).numpy()
        assert maps.shape == ref.shape
        np.testing.assert_allclose(maps, ref, rtol=0, atol=1e-6)
    else:
        assert maps.shape == tuple(case["shape"])
        idx = case["sample_index_cyx"].numpy()
        np.testing.assert_allclose(maps[idx[:, 0], idx[:, 1], idx[:, 2]], case["sample_value"].numpy(), rtol=0, atol=1e-6)
        sums = maps.astype(np.float64).sum(axis=(1, 2))
        np.testing.assert_allclose(sums, case["channel_sum_f64"].numpy(), rtol=1e-9, atol=1e-12)


def test_pose18_heatmaps_match_the_published_loader_for_every_fixture_case():
    cases = _cases("pose18")
    assert cases
    for case in cases:
        cords = case["cords_yx"].numpy()
        centers = E.annotation_centers(cords, case["old_size_hw"], case["load_size_hw"])
        np.testing.assert_array_equal(centers, case["effective_centers_yx"].numpy())
        maps = E.pose18_heatmaps(cords, case["old_size_hw"], case["load_size_hw"])
        assert maps.dtype == np.float32
        _check_maps(maps, case, 18)


def test_a_channel_is_zero_only_when_a_coordinate_is_exactly_minus_one():
    cords = np.array([[10, 20]] * 18)
    cords[0] = (-1, 5)  # missing
    cords[1] = (-3, 40)  # outside the frame above: present, its tail enters the frame
    cords[2] = (5, -1)  # missing
    maps = E.pose18_heatmaps(cords, (256, 176), (256, 256))
    assert not maps[0].any() and not maps[2].any()
    assert maps[1].max() > 0.5 and maps[1].argmax() // 256 == 0  # brightest on the top row


def test_dance_bone_images_are_identical_to_the_published_ones():
    cases = _cases("dance20")
    assert cases
    for case in cases:
        args = (case["pose_keypoints_2d"].tolist(), case["org_size_hw"], case["load_size_hw"][0], case["is_clean_pose"])
        bones = E.bone_image(*args)
        assert bones.dtype == np.uint8
        np.testing.assert_array_equal(bones, case["bone_image_uint8"].numpy())


def test_dance_structure_and_keypoint_vector_match_the_published_loader():
    for case in _cases("dance20"):
        args = (case["pose_keypoints_2d"].tolist(), case["org_size_hw"], case["load_size_hw"][0], case["is_clean_pose"])
        structure = E.dance20_structure(*args)
        assert structure.shape == (20, *case["load_size_hw"]) and structure.dtype == np.float32
        _check_maps(structure[:17], case, 17)
        if "structure" in case:
            np.testing.assert_array_equal(structure[17:], case["structure"][17:].numpy())
        np.testing.assert_array_equal(structure[17:], E.bone_image(*args).astype(np.float32))
        vec = E.keypoint_vector_34(*args)
        assert vec.shape == (34, 1) and vec.dtype == np.float32
        np.testing.assert_allclose(vec, case["keypoint_vector_34"].numpy(), rtol=0, atol=1e-6)


def test_openpose18_to_coco17_reorders_joints_by_name():
    for coco_index, op_index in enumerate(E.OPENPOSE18_TO_COCO17):
        assert JOINT_NAMES[op_index] == E.COCO17_NAMES[coco_index]


def test_labelcolormap_starts_black_and_gives_distinct_colours():
    cmap = E.labelcolormap(17)
    assert cmap.shape == (17, 3) and cmap.dtype == np.uint8
    assert (cmap[0] == 0).all()
    assert len({tuple(c) for c in cmap}) == 17
    assert tuple(cmap[1]) == (128, 0, 0) and tuple(cmap[2]) == (0, 128, 0) and tuple(cmap[8]) == (64, 0, 0)


def test_a_frame_pose_survives_the_annotation_round_trip_to_the_pixel():
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 170, size=(18, 2))
    xy[3] = np.nan
    ann = E.frame_pose_to_annotation(xy)
    assert ann.dtype == np.int64 and tuple(ann[3]) == (-1, -1)
    back = E.annotation_to_frame_pose(ann)
    present = ~np.isnan(xy).any(axis=1)
    assert np.abs(back[present] - xy[present]).max() <= 0.5 + 1e-9
    assert np.isnan(back[3]).all()


def test_a_present_joint_just_outside_the_frame_is_not_mistaken_for_missing():
    xy = np.full((18, 2), 50.0)
    xy[0] = (-0.5, 10.0)  # pixel column -1
    ann = E.frame_pose_to_annotation(xy)
    assert tuple(ann[0]) == (10, -2)
    assert E.pose18_heatmaps(ann, (256, 176), (256, 256))[0].any()


def test_our_pose_becomes_a_dance_keypoint_list_with_zero_for_missing():
    xy = np.full((18, 2), np.nan)
    xy[1] = (40.0, 60.0)
    flat = E.pose_to_keypoints_2d(xy)
    assert len(flat) == 54 and flat[3:6] == [40.0, 60.0, 1.0] and flat[:3] == [0.0, 0.0, 0.0]
    h36m = E.openpose18_to_h36m17(xy)
    assert h36m.shape == (17, 2)
    np.testing.assert_array_equal(h36m[8], (40.0, 60.0))  # thorax = neck
    assert np.isnan(h36m[0]).all()  # pelvis needs both hips
