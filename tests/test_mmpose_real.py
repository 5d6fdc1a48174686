"""The mmpose extra on its pip-only install: a model from mmpose's own config, saved and reloaded strictly, runs top-down."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mmpose") is None,
    reason="the mmpose extra is not installed (see README, 'mmpose backend')",
)

CONFIG = "body_2d_keypoint/topdown_heatmap/coco/td-hm_mobilenetv2_8xb64-210e_coco-256x192.py"


def test_random_weight_checkpoint_runs_topdown(tmp_path: Path) -> None:
    from core.detect.mmpose_import import import_mmpose_apis

    apis = import_mmpose_apis()
    assert "torchvision" not in sys.modules  # the import stand-in is not left behind
    import mmpose  # pyright: ignore[reportMissingImports]

    config = os.path.join(os.path.dirname(str(mmpose.__file__)), ".mim", "configs", CONFIG)
    built = apis.init_model(config, None, device="cpu")
    ckpt = tmp_path / "model.pth"
    torch.save({"state_dict": built.state_dict()}, ckpt)
    loaded = apis.init_model(config, None, device="cpu")
    result = loaded.load_state_dict(torch.load(ckpt, weights_only=True)["state_dict"], strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (300, 200, 3), dtype=np.uint8)
    out = apis.inference_topdown(loaded, image, bboxes=np.array([[10.0, 10.0, 190.0, 290.0]]))
    keypoints = out[0].pred_instances.keypoints
    assert keypoints.shape == (1, 17, 2)
    assert np.isfinite(keypoints).all()
    # in image coordinates: inside the box mmpose crops (the 180x280 box widened to 3:4 and padded 1.25x, so
    # x in [-31.25, 231.25], y in [-25, 325]) give or take one heatmap cell (about 5.5 px)
    x, y = keypoints[0, :, 0], keypoints[0, :, 1]
    assert (x >= -37).all() and (x <= 237).all() and (y >= -31).all() and (y <= 331).all()
    assert np.ptp(x) > 0 or np.ptp(y) > 0  # not one constant point


def test_missing_torchvision_pieces_say_so() -> None:
    from core.detect.mmpose_import import import_mmpose_apis

    import_mmpose_apis()
    from mmpose.visualization import simcc_vis  # pyright: ignore[reportMissingImports]

    with pytest.raises(ImportError, match="torchvision"):
        simcc_vis.ToPILImage()


def _config() -> str:
    import mmpose  # pyright: ignore[reportMissingImports]

    return os.path.join(os.path.dirname(str(mmpose.__file__)), ".mim", "configs", CONFIG)


def test_backend_loads_strictly_and_detects(tmp_path: Path) -> None:
    from core.detect.mmpose_backend import MMPoseDetector
    from core.detect.mmpose_import import import_mmpose_apis
    from core.errors import StudioError

    state = import_mmpose_apis().init_model(_config(), None, device="cpu").state_dict()
    good = tmp_path / "good.pth"
    torch.save({"state_dict": state}, good)
    detector = MMPoseDetector(config=_config(), checkpoint=str(good), score_threshold=0.0)
    image = np.random.default_rng(1).integers(0, 255, (256, 192, 3), dtype=np.uint8)
    det = detector.detect(image)
    assert det.backend == "mmpose" and det.scores.shape == (18,)
    dropped = sorted(state)[0]
    bad = {k: v for k, v in state.items() if k != dropped} | {"head.extra.weight": torch.zeros(1)}
    torch.save({"state_dict": bad}, tmp_path / "bad.pth")
    with pytest.raises(StudioError, match="does not match the config") as err:
        MMPoseDetector(config=_config(), checkpoint=str(tmp_path / "bad.pth"))
    assert dropped in str(err.value) and "head.extra.weight" in str(err.value)
