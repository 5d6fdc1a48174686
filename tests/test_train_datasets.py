"""Training datasets read the published layouts and a person's own video, with inputs built as published."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from core.train.errors import DatasetError


def _write_market(root, n=3, dot=(30, 60)):
    """Market-1501 layout: 64×128 grey images with a white dot at joint 0, the other joints missing."""
    (root / "train").mkdir(parents=True)
    ann = ["name:keypoints_y:keypoints_x"]
    for i in range(n):
        img = np.full((128, 64, 3), 90, np.uint8)
        img[dot[1] - 1: dot[1] + 2, dot[0] - 1: dot[0] + 2] = 255
        Image.fromarray(img).save(root / "train" / f"p{i}.jpg", quality=100)
        ys, xs = [-1] * 18, [-1] * 18
        ys[0], xs[0] = dot[1], dot[0]
        ann.append(f"p{i}.jpg:{json.dumps(ys)}:{json.dumps(xs)}")
    (root / "market-annotation-train.csv").write_text("\n".join(ann) + "\n")
    (root / "market-pairs-train.csv").write_text("from,to\n" + "".join(f"p{i}.jpg,p{(i + 1) % n}.jpg\n" for i in range(n)))


def test_deepfashion_pairs_give_images_and_published_heat_maps(tmp_path):
    from core.encoding import pose18_heatmaps
    from core.train.datasets import PosePairs, read_annotations
    from core.train.synthetic import write_synthetic_pose_dataset

    root = write_synthetic_pose_dataset(tmp_path, identities=2, views=2)
    ds = PosePairs(root, "fashion")
    assert len(ds) == 4
    item = ds[(1, 123)]
    assert item["P1"].shape == (3, 256, 256) and item["BP2"].shape == (18, 256, 256)
    assert -1.0 <= float(item["P1"].min()) and float(item["P1"].max()) <= 1.0
    ann = read_annotations(root / "fasion-annotation-train.csv")
    target = ds.pairs[1][1]
    expected = pose18_heatmaps(ann[target], (256, 176), (256, 256))  # DeepFashion trains without augmentation
    np.testing.assert_array_equal(item["BP2"].numpy(), expected)


def test_market_augmentation_moves_keypoints_with_the_image(tmp_path):
    from core.train.datasets import PosePairs

    _write_market(tmp_path)
    ds = PosePairs(tmp_path, "market")
    for seed in range(6):
        item = ds[(0, seed)]
        assert item["P1"].shape == (3, 128, 64)
        image = item["P1"].mean(0).numpy()
        ys, xs = np.nonzero(image > 0.8)
        dot = np.array([xs.mean() + 0.5, ys.mean() + 0.5])  # centre of the white dot in the warped image
        heat = item["BP1"][0].numpy()
        peak = np.array(np.unravel_index(np.argmax(heat), heat.shape))[::-1] + 0.5
        assert np.abs(dot - peak).max() <= 1.6, (seed, dot, peak)
    plain = PosePairs(tmp_path, "market", augment=False)[(0, 0)]
    assert float(plain["BP1"][0, 60, 30]) == 1.0


def test_pairs_naming_an_unannotated_image_are_refused(tmp_path):
    from core.train.datasets import PosePairs

    _write_market(tmp_path)
    with open(tmp_path / "market-pairs-train.csv", "a") as fh:
        fh.write("p0.jpg,ghost.jpg\n")
    with pytest.raises(DatasetError, match="no annotation"):
        PosePairs(tmp_path, "market")
    with pytest.raises(DatasetError, match="does not exist"):
        PosePairs(tmp_path / "nowhere", "market")


def _write_dance(root, frames=8, size=(48, 40)):
    base = root / "train_256"
    rng = np.random.default_rng(0)
    for sub in ("train_A", "train_video2d", "train_alphapose", "train_C"):
        (base / sub / "vid0").mkdir(parents=True)
    for t in range(frames):
        img = rng.integers(0, 255, size=(size[1], size[0], 3), dtype=np.uint8)
        Image.fromarray(img).save(base / "train_A" / "vid0" / f"{t:05d}.png")
        Image.fromarray((img[..., 0] > 128).astype(np.uint8) * 255).save(base / "train_C" / "vid0" / f"{t:05d}.png")
        clean = [[float(10 + j + t), float(5 + 2 * j), 1.0] for j in range(17)]
        noisy = [[float(11 + j), float(6 + 2 * j), 0.9] for j in range(18)]
        (base / "train_video2d" / "vid0" / f"{t:05d}.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": sum(clean, [])}]}))
        (base / "train_alphapose" / "vid0" / f"{t:05d}.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": sum(noisy, [])}]}))


def test_animation_sequences_come_in_whole_chunks_with_reference_and_masks(tmp_path):
    from core.encoding import dance20_structure
    from core.train.datasets_video import DanceSequences

    _write_dance(tmp_path)
    iper = DanceSequences(tmp_path, "iper", frames_total=30, chunk=3, size=64)
    item = iper[(0, 5)]
    assert item["images"].shape == (6, 3, 64, 64)  # 8 frames, rounded down to two chunks of 3
    assert item["structures"].shape == (6, 20, 64, 64) and item["masks"].shape == (6, 1, 64, 64)
    assert item["ref_structure"].shape == (20, 64, 64)
    fashion = DanceSequences(tmp_path, "fashion", frames_total=4, chunk=2, augment=False, size=64)
    item = fashion[(0, 1)]
    assert "masks" not in item and item["images"].shape[0] == 4
    # Without augmentation each frame's structure is the published dance encoding of its clean skeleton.
    folder = tmp_path / "train_256" / "train_video2d" / "vid0"
    encoded = [dance20_structure(json.loads(f.read_text())["people"][0]["pose_keypoints_2d"], (40, 48), 64, True)
               for f in sorted(folder.iterdir())]
    for s in item["structures"]:
        assert any(np.allclose(s.numpy(), e, atol=1e-4) for e in encoded)
    with pytest.raises(DatasetError):
        DanceSequences(tmp_path / "missing")


def test_skeleton_sequences_give_receptive_field_inputs_and_targets(tmp_path):
    from core.train.datasets_video import KeypointSequences

    rng = np.random.default_rng(0)
    clean = rng.uniform(100, 900, (50, 17, 2))
    np.savez(tmp_path / "walk.npz", noisy=clean + rng.normal(0, 3, clean.shape), clean=clean, width=1000.0)
    ds = KeypointSequences(tmp_path, augment=False)
    item = ds[(0, 4)]
    assert item["input"].shape == (34, 104) and item["target"].shape == (34, 24)
    row = item["target"][:, 0].numpy()
    assert any(np.allclose(row[:17], clean[t, :, 1] / 1000 * 2 - 1, atol=1e-6) and
               np.allclose(row[17:], clean[t, :, 0] / 1000 * 2 - 1, atol=1e-6) for t in range(50))


def test_human36m_files_train_on_s9_and_s11_only(tmp_path):
    from core.train.datasets_video import KeypointSequences

    def seqs(n):
        return [np.full((n, 17, 2), 500.0)]
    gt = {"S9": {"Walk": seqs(30)}, "S11": {"Sit": seqs(40)}, "S1": {"Walk": seqs(20)}}
    det = {s: {a: [np.concatenate([c[0], np.ones((len(c[0]), 17, 1))], axis=2)] for a, c in acts.items()}
           for s, acts in gt.items()}
    np.savez(tmp_path / "data_2d_h36m_gt.npz", positions_2d=np.array(gt, dtype=object))
    np.savez(tmp_path / "data_2d_h36m_detectron_pt_coco.npz", positions_2d=np.array(det, dtype=object))
    ds = KeypointSequences(tmp_path)
    assert len(ds) == 2
    assert ds[(1, 0)]["input"].shape == (34, 104)


def test_own_video_pairs_are_framed_like_the_renderer_frames_a_photo():
    from conftest import standing_pose_xy

    from core.render.framing import DEEPFASHION, frame_person
    from core.train.datasets import VideoPairs

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (120, 90, 3), dtype=np.uint8) for _ in range(4)]
    poses = np.stack([standing_pose_xy(90, 120) + [2.0 * t, 0] for t in range(4)])
    poses[2] = np.nan  # nobody found in frame 2
    ds = VideoPairs(frames, poses, pairs_per_epoch=5)
    assert len(ds) == 5 and ds.good == [0, 1, 3]
    item = ds[(3, 77)]
    assert item["P1"].shape == (3, 256, 256) and item["BP2"].shape == (18, 256, 256)
    sources = {i: frame_person(poses[i], DEEPFASHION) for i in ds.good}
    assert any(np.array_equal(item["BP1"].numpy(), f.heatmaps(poses[i])) for i, f in sources.items())
    with pytest.raises(DatasetError, match="at least two frames"):
        VideoPairs(frames[:1], poses[:1])
