"""Optional pose detector on mmpose (extra ``[mmpose]``): the user supplies a COCO-17 config and checkpoint."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from core.detect.base import MIN_JOINTS, Detection, check_rgb, no_person
from core.detect.mmpose_import import import_mmpose_apis
from core.errors import StudioError
from core.pose_io import COCO17_TO_COCO18, remap_keypoints
from core.skeleton import Pose

# An inferencer takes a BGR uint8 image and returns one dict per person with
# "keypoints" (17, 2) pixels and "keypoint_scores" (17,).
Inferencer = Callable[[np.ndarray], Sequence[dict[str, Any]]]


def coco17_to_coco18(keypoints: np.ndarray, scores: np.ndarray, threshold: float) -> tuple[Pose, np.ndarray]:
    """(17, 2) COCO-17 pixels and (17,) scores -> (COCO-18 Pose, (18,) scores); scores below ``threshold`` are missing."""
    kp = np.asarray(keypoints, dtype=np.float64).reshape(-1, 2)
    sc = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(kp) == 133 and len(sc) == 133:  # COCO-WholeBody starts with the 17 body joints
        kp, sc = kp[:17], sc[:17]
    if kp.shape != (17, 2) or sc.shape != (17,):
        raise ValueError(f"expected 17 COCO keypoints and scores, got {len(kp)} and {len(sc)}")
    conf = np.where(sc >= threshold, np.maximum(sc, 1e-6), 0.0)
    out, out_scores = remap_keypoints(kp, conf, COCO17_TO_COCO18)
    return Pose(out), out_scores


def _load_strict(model: Any, checkpoint: str) -> None:
    """Load a checkpoint with weights_only=True, strictly; a config/checkpoint mismatch names the keys."""
    import torch

    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear error
        raise StudioError(f"mmpose checkpoint {checkpoint}: not a weights-only torch file ({exc})") from None
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    result = model.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise StudioError(
            f"mmpose checkpoint {checkpoint} does not match the config: missing keys "
            f"{list(result.missing_keys)[:5]}, unexpected keys {list(result.unexpected_keys)[:5]}"
        )


def _mmpose_inferencer(config: str, checkpoint: str, device: str) -> Inferencer:
    """Build an inferencer on mmpose's top-down API (whole image as the person box: no extra detector download)."""
    try:
        apis = import_mmpose_apis()
    except ImportError as exc:
        raise StudioError(f"{exc}, or use --backend mediapipe") from None
    for label, path in (("config", config), ("checkpoint", checkpoint)):
        if not path:
            raise StudioError(f"the mmpose backend needs a {label} file: pass {label}=PATH")
        if not os.path.isfile(path):
            raise StudioError(f"mmpose {label} not found: {path}")
    model = apis.init_model(config, None, device=device)
    _load_strict(model, checkpoint)
    inference_topdown = apis.inference_topdown

    def infer(image_bgr: np.ndarray) -> list[dict[str, Any]]:
        people = []
        for sample in inference_topdown(model, image_bgr):
            inst = sample.pred_instances
            for kp, sc in zip(np.asarray(inst.keypoints), np.asarray(inst.keypoint_scores), strict=True):
                people.append({"keypoints": kp, "keypoint_scores": sc})
        return people

    return infer


class MMPoseDetector:
    """Pose detection with a user-supplied mmpose COCO-17 model, mapped to COCO-18."""

    name = "mmpose"

    def __init__(
        self,
        config: str | None = None,
        checkpoint: str | None = None,
        device: str = "cpu",
        score_threshold: float = 0.3,
        inferencer: Inferencer | None = None,
    ):
        self.score_threshold = float(score_threshold)
        self._infer = (
            inferencer if inferencer is not None else _mmpose_inferencer(config or "", checkpoint or "", device)
        )
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> Detection:
        image = check_rgb(image)
        with self._lock:
            people = list(self._infer(np.ascontiguousarray(image[:, :, ::-1])))  # mmpose expects BGR
        best: tuple[float, Pose, np.ndarray] | None = None
        for person in people:
            try:
                pose, scores = coco17_to_coco18(person["keypoints"], person["keypoint_scores"], self.score_threshold)
            except (KeyError, ValueError) as exc:
                raise StudioError(
                    f"mmpose returned an unexpected result ({exc}); is the model a COCO-17 body model?"
                ) from None
            b = pose.bounds()
            if b is None or int(pose.present.sum()) < MIN_JOINTS:
                continue
            area = (b[2] - b[0]) * (b[3] - b[1])
            if best is None or area > best[0]:
                best = (area, pose, scores)
        if best is None:
            raise no_person()
        return Detection(pose=best[1], scores=best[2], mask=None, backend=self.name)
