"""Evaluation scores a folder of generated images against the real ones; LPIPS and FID only with given weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image


def _person(rng, shift=0):
    img = np.full((96, 64, 3), 235, np.uint8)  # plain backdrop
    img[20 + shift: 80 + shift, 20:44] = rng.integers(0, 200, (60, 24, 3))
    return img


@pytest.fixture
def folders(tmp_path):
    rng = np.random.default_rng(0)
    real, same, noisy = tmp_path / "real", tmp_path / "same", tmp_path / "noisy"
    for d in (real, same, noisy):
        d.mkdir()
    for i in range(4):
        img = _person(rng)
        Image.fromarray(img).save(real / f"p{i}.png")
        Image.fromarray(img).save(same / f"p{i}_vis.png")
        bad = np.clip(img.astype(int) + rng.integers(-60, 60, img.shape), 0, 255).astype(np.uint8)
        Image.fromarray(bad).save(noisy / f"p{i}.png")
    return real, same, noisy


def test_identical_images_score_perfectly_and_noise_scores_worse(folders):
    from core.train.evaluate import evaluate_folders

    real, same, noisy = folders
    perfect = evaluate_folders(same, real)
    assert perfect.pairs == 4
    assert perfect.scores["ssim"] == pytest.approx(1.0) and perfect.scores["masked_ssim"] == pytest.approx(1.0)
    assert perfect.scores["l1"] == 0.0
    worse = evaluate_folders(noisy, real)
    assert worse.scores["ssim"] < 0.9 and worse.scores["l1"] > 0.05
    assert any("LPIPS: not computed" in n for n in worse.notes) and any("FID: not computed" in n for n in worse.notes)


def test_masked_ssim_ignores_differences_outside_the_person(folders, tmp_path):
    from core.train.evaluate import evaluate_folders, masked_ssim, ssim

    real, _, _ = folders
    masks, changed = tmp_path / "masks", tmp_path / "changed"
    masks.mkdir()
    changed.mkdir()
    for f in real.iterdir():
        img = np.asarray(Image.open(f))
        m = np.zeros(img.shape[:2], np.uint8)
        m[20:80, 20:44] = 255
        Image.fromarray(m).save(masks / f.name)
        other = img.copy()
        other[:, :15] = 0  # the background changes, the person does not
        Image.fromarray(other).save(changed / f.name)
        assert masked_ssim(img, other, m > 0) == pytest.approx(1.0)
        assert ssim(img, other) < 0.95
    report = evaluate_folders(changed, real, masks=masks)
    assert report.scores["masked_ssim"] == pytest.approx(1.0) and report.scores["ssim"] < 0.95


def test_lpips_runs_from_user_weight_files(folders, tmp_path):
    from core.train.evaluate import evaluate_folders
    from core.train.metrics_nets import LPIPSAlex

    real, same, noisy = folders
    torch.manual_seed(0)
    net = LPIPSAlex()
    alex = {f"features.{k.split('.', 1)[1]}": v for k, v in net.state_dict().items() if k.startswith("features.")}
    lins = {f"lin{i}.model.1.weight": net.lins[i].weight.detach().abs() for i in range(5)}  # LPIPS weights are ≥ 0
    torch.save(alex, tmp_path / "alexnet.pth")
    torch.save(lins, tmp_path / "alex_lin.pth")
    weights = f"{tmp_path / 'alexnet.pth'},{tmp_path / 'alex_lin.pth'}"
    assert evaluate_folders(same, real, lpips_weights=weights, device="cpu").scores["lpips"] == pytest.approx(0.0, abs=1e-6)
    assert evaluate_folders(noisy, real, lpips_weights=weights, device="cpu").scores["lpips"] > 1e-4
    torch.save(alex, tmp_path / "alexnet_only.pth")
    from core.errors import CheckpointError

    with pytest.raises(CheckpointError, match="LPIPS"):
        evaluate_folders(noisy, real, lpips_weights=str(tmp_path / "alexnet_only.pth"), device="cpu")


def test_fid_uses_the_pytorch_fid_inception_layout_and_the_frechet_distance(tmp_path):
    from core.errors import CheckpointError
    from core.train.metrics_nets import FIDInception, frechet_distance, load_inception

    sd = FIDInception().state_dict()
    assert "Mixed_7c.branch3x3dbl_3b.conv.weight" in sd and sd["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3)
    torch.save({**sd, "fc.weight": torch.zeros(1008, 2048), "fc.bias": torch.zeros(1008)}, tmp_path / "pt_inception.pth")
    assert isinstance(load_inception(str(tmp_path / "pt_inception.pth")), FIDInception)
    torch.save({k: v for k, v in sd.items() if not k.startswith("Mixed_7c")}, tmp_path / "partial.pth")
    with pytest.raises(CheckpointError, match="Inception"):
        load_inception(str(tmp_path / "partial.pth"))
    a = np.random.default_rng(1).normal(size=(400, 3))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(a, a + 2.0) == pytest.approx(12.0, rel=1e-6)


def test_evaluate_refuses_folders_without_matching_names(tmp_path):
    from core.train.errors import DatasetError
    from core.train.evaluate import evaluate_folders

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a" / "x.png")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "b" / "y.png")
    with pytest.raises(DatasetError, match="same-named"):
        evaluate_folders(tmp_path / "a", tmp_path / "b")
