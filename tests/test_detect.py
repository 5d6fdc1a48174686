"""Pose detection: a plausible skeleton on photos of standing people, clear 'no person' errors, video tracking, mmpose mapping."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from formats_helpers import COCO17_NAMES

from core.detect import Detection, Detector, NoPersonFound, detect_sequence, get_detector
from core.detect.mediapipe_backend import landmarks_to_coco18
from core.detect.mmpose_backend import MMPoseDetector
from core.errors import Cancelled, ImageLoadError, StudioError
from core.imageio_utils import import_cv2, load_image
from core.pose_io import read_openpose_json
from core.skeleton import JOINT_INDEX, JOINT_NAMES, N_JOINTS, Pose

cv2 = import_cv2()
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "resources" / "sample_person.png"
DATA = Path(__file__).parent / "data"

MEDIAPIPE_NAMES = [
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
]  # fmt: skip
WHOLE_BODY = [
    "nose",
    "neck",
    "right_shoulder",
    "left_shoulder",
    "right_hip",
    "left_hip",
    "right_knee",
    "left_knee",
    "right_ankle",
    "left_ankle",
]
UPPER_BODY = ["nose", "neck", "right_shoulder", "left_shoulder"]


def assert_plausible_standing_person(pose: Pose, required: list[str]) -> None:
    """Holds for any photo of an upright person: head above neck above hips above knees above ankles
    (where visible), and every left/right pair of the head and torso on the same side of its partner."""
    xy, present = pose.xy, pose.present
    missing = [n for n in required if not present[JOINT_INDEX[n]]]
    assert not missing, f"expected visible: {missing}"
    y = {n: xy[JOINT_INDEX[n], 1] for n in JOINT_NAMES if present[JOINT_INDEX[n]]}
    for upper, lower in [
        ("nose", "neck"), ("neck", "right_hip"), ("neck", "left_hip"), ("right_hip", "right_knee"),
        ("left_hip", "left_knee"), ("right_knee", "right_ankle"), ("left_knee", "left_ankle"),
    ]:  # fmt: skip
        if upper in y and lower in y:
            assert y[upper] < y[lower], f"{upper} should be above {lower}"
    x0, y0, x1, y1 = pose.bounds()
    signs = set()
    for part in ("shoulder", "hip", "eye", "ear"):
        left, right = JOINT_INDEX[f"left_{part}"], JOINT_INDEX[f"right_{part}"]
        if present[left] and present[right]:
            dx = xy[left, 0] - xy[right, 0]
            if abs(dx) > 0.02 * (y1 - y0):
                signs.add(np.sign(dx))
    assert len(signs) == 1, "left and right joints of head and torso disagree about which side is left"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return get_detector("mediapipe")


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    return load_image(SAMPLE)


@pytest.fixture(scope="module")
def sample_detection(detector, sample) -> Detection:
    return detector.detect(sample)


def _height(pose: Pose) -> float:
    b = pose.bounds()
    return b[3] - b[1]


def _rotated(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), borderValue=(255, 255, 255))


def _variants() -> dict[str, tuple]:
    """Name -> (image loader, joints that must be visible)."""

    def skimage_rgb(name):
        import skimage.data

        img = getattr(skimage.data, name)()
        return np.repeat(img[:, :, None], 3, axis=2) if img.ndim == 2 else img

    return {
        "bundled sample": (lambda: load_image(SAMPLE), WHOLE_BODY),
        "sample mirrored": (lambda: np.ascontiguousarray(load_image(SAMPLE)[:, ::-1]), WHOLE_BODY),
        "sample tilted left": (lambda: _rotated(load_image(SAMPLE), 12), WHOLE_BODY),
        "sample tilted right": (lambda: _rotated(load_image(SAMPLE), -12), WHOLE_BODY),
        "sample small": (
            lambda: cv2.resize(load_image(SAMPLE), None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA),
            WHOLE_BODY,
        ),
        "sample off centre on colour": (
            lambda: cv2.copyMakeBorder(
                load_image(SAMPLE), 100, 60, 700, 80, cv2.BORDER_CONSTANT, value=(190, 210, 235)
            ),
            WHOLE_BODY,
        ),
        "walking woman (openclipart)": (lambda: load_image(DATA / "walking_woman.png"), WHOLE_BODY),
        "police woman (openclipart)": (lambda: load_image(DATA / "standing_police_woman.png"), WHOLE_BODY),
        "cameraman photo (scikit-image, cut at the thighs)": (
            lambda: skimage_rgb("camera"),
            UPPER_BODY + ["right_hip", "left_hip"],
        ),
        "astronaut photo (scikit-image, head and shoulders)": (lambda: skimage_rgb("astronaut"), UPPER_BODY),
    }


@pytest.mark.parametrize("name", list(_variants()))
def test_detected_skeleton_is_plausible_on_standing_people(detector, name):
    load, required = _variants()[name]
    det = detector.detect(load())
    assert det.backend == "mediapipe" and det.scores.shape == (N_JOINTS,)
    assert ((det.scores > 0) == det.pose.present).all()
    assert_plausible_standing_person(det.pose, required)


def test_mask_covers_the_person_at_the_image_size(sample, sample_detection):
    mask = sample_detection.mask
    assert mask is not None and mask.shape == sample.shape[:2] and mask.dtype == np.float32
    assert 0.0 <= mask.min() and mask.max() <= 1.0
    pose = sample_detection.pose
    for a, b in [("neck", "right_hip"), ("neck", "left_hip"), ("right_hip", "right_knee")]:
        x, y = np.round((pose.xy[JOINT_INDEX[a]] + pose.xy[JOINT_INDEX[b]]) / 2).astype(int)
        assert mask[y, x] > 0.5, f"mask should cover the body between {a} and {b}"
    assert max(mask[:10, :10].max(), mask[-10:, -10:].max()) < 0.2


def test_huge_image_is_detected_on_a_bounded_copy_and_mapped_back(detector, sample, sample_detection):
    big = cv2.resize(sample, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    det = detector.detect(big)
    assert det.mask.shape == big.shape[:2]
    diff = np.abs(det.pose.xy - 3 * sample_detection.pose.xy)
    assert (det.pose.present == sample_detection.pose.present).all()
    assert np.nanmax(diff) < 0.02 * _height(det.pose)


def test_mirrored_photo_gives_the_mirrored_skeleton(detector, sample, sample_detection):
    det = detector.detect(np.ascontiguousarray(sample[:, ::-1]))
    expected = sample_detection.pose.mirrored(axis_x=sample.shape[1] / 2)
    assert np.nanmax(np.abs(det.pose.xy - expected.xy)) < 0.03 * _height(expected)


@pytest.mark.parametrize("fill", [0, 255, 128])
def test_image_without_a_person_raises_no_person_found_with_one_line(detector, fill):
    with pytest.raises(NoPersonFound) as err:
        detector.detect(np.full((240, 320, 3), fill, np.uint8))
    assert "no person" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "bad", [np.zeros((50, 50), np.uint8), np.zeros((50, 50, 3), np.float32), np.zeros((50, 50, 4), np.uint8)]
)
def test_wrong_image_arrays_are_a_clear_error(detector, bad):
    with pytest.raises(ImageLoadError, match="uint8 RGB"):
        detector.detect(bad)


def test_detectors_are_cached_per_backend_and_unknown_backends_are_refused(detector):
    assert get_detector() is detector and get_detector("MediaPipe") is detector
    with pytest.raises(StudioError, match="unknown pose detector"):
        get_detector("openpose")


def test_video_frames_are_tracked_and_empty_frames_yield_none(sample, sample_detection):
    blank = np.full_like(sample, 255)
    calls = []
    results = list(detect_sequence([sample, blank, sample, sample], progress=lambda d, t: calls.append((d, t))))
    assert [r is None for r in results] == [False, True, False, False]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    for r in (results[0], results[3]):
        assert r.mask.shape == sample.shape[:2]
        assert np.nanmax(np.abs(r.pose.xy - sample_detection.pose.xy)) < 0.03 * _height(sample_detection.pose)


def test_video_detection_can_be_cancelled(sample):
    frames = iter([sample] * 5)
    seen = []
    with pytest.raises(Cancelled):
        for det in detect_sequence(frames, cancel=lambda: len(seen) >= 2):
            seen.append(det)
    assert len(seen) == 2


def test_mediapipe_landmarks_map_to_coco18_by_name():
    rng = np.random.default_rng(0)
    lm = np.column_stack([rng.uniform(0, 1, 33), rng.uniform(0, 1, 33), np.full(33, 0.9)])
    lm[MEDIAPIPE_NAMES.index("left_ear"), 2] = 0.3  # not visible enough
    pose, scores = landmarks_to_coco18(lm, (640, 480))
    px = {n: lm[i, :2] * (640, 480) for i, n in enumerate(MEDIAPIPE_NAMES)}
    for j, name in enumerate(JOINT_NAMES):
        if name == "neck":
            assert np.allclose(pose.xy[j], (px["left_shoulder"] + px["right_shoulder"]) / 2)
        elif name == "left_ear":
            assert pose.missing[j] and scores[j] == 0
        else:
            assert np.allclose(pose.xy[j], px[name]), name
    lm[MEDIAPIPE_NAMES.index("right_shoulder"), 2] = 0.1
    pose, _ = landmarks_to_coco18(lm, (640, 480))
    assert pose.missing[JOINT_INDEX["right_shoulder"]] and pose.missing[JOINT_INDEX["neck"]]


# ----- mmpose, with a stand-in for the real inferencer ------------------------------------------


class StandInInferencer:
    """Behaves like the mmpose adapter: BGR image in, one dict per person out."""

    def __init__(self, people):
        self.people = people
        self.seen = None

    def __call__(self, image_bgr):
        self.seen = image_bgr
        return self.people


def _coco17_person(offset: float, scale: float, seed: int) -> dict:
    kp = np.random.default_rng(seed).uniform(0, 100, (17, 2)) * scale + offset
    return {"keypoints": kp, "keypoint_scores": np.full(17, 0.8)}


def test_mmpose_keypoints_map_to_coco18_for_the_largest_person():
    small, big = _coco17_person(0, 1, 1), _coco17_person(50, 4, 2)
    big["keypoint_scores"][COCO17_NAMES.index("left_knee")] = 0.1
    standin = StandInInferencer([small, big])
    image = np.random.default_rng(0).integers(0, 255, (60, 80, 3), dtype=np.uint8)
    det = get_detector("mmpose", inferencer=standin).detect(image)
    assert np.array_equal(standin.seen, image[:, :, ::-1])  # mmpose gets BGR
    assert det.backend == "mmpose" and det.mask is None
    kp = {n: big["keypoints"][i] for i, n in enumerate(COCO17_NAMES)}
    for j, name in enumerate(JOINT_NAMES):
        if name == "neck":
            assert np.allclose(det.pose.xy[j], (kp["left_shoulder"] + kp["right_shoulder"]) / 2)
        elif name == "left_knee":
            assert det.pose.missing[j] and det.scores[j] == 0
        else:
            assert np.allclose(det.pose.xy[j], kp[name]), name


def test_mmpose_wholebody_output_uses_its_body_joints():
    person = _coco17_person(10, 2, 3)
    whole = {"keypoints": np.vstack([person["keypoints"], np.zeros((116, 2))]), "keypoint_scores": np.full(133, 0.9)}
    det = MMPoseDetector(inferencer=StandInInferencer([whole])).detect(np.zeros((10, 10, 3), np.uint8))
    assert np.allclose(det.pose.xy[JOINT_INDEX["nose"]], person["keypoints"][0])


def test_mmpose_without_people_or_with_odd_output_is_a_clear_error():
    with pytest.raises(NoPersonFound):
        MMPoseDetector(inferencer=StandInInferencer([])).detect(np.zeros((10, 10, 3), np.uint8))
    odd = [{"keypoints": np.zeros((5, 2)), "keypoint_scores": np.ones(5)}]
    with pytest.raises(StudioError, match="COCO-17"):
        MMPoseDetector(inferencer=StandInInferencer(odd)).detect(np.zeros((10, 10, 3), np.uint8))


def test_mmpose_backend_without_mmpose_installed_says_how_to_install_it():
    try:
        import mmpose  # noqa: F401

        pytest.skip("mmpose is installed here")
    except ImportError:
        pass
    with pytest.raises(StudioError, match="pip install"):
        get_detector("mmpose", config="c.py", checkpoint="c.pth")


# ----- the detect command ---------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "detect", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_detect_command_on_an_empty_picture_fails_with_one_line(tmp_path):
    from core.imageio_utils import save_image

    path = tmp_path / "blank.png"
    save_image(path, np.full((200, 300, 3), 255, np.uint8))
    out = _cli(str(path))
    assert out.returncode != 0
    assert out.stderr.strip() == f"error: no person found in {path}"
    assert out.stdout == ""


def test_detect_command_writes_pose_overlay_and_skeleton_with_clean_output(tmp_path, sample, sample_detection):
    out = _cli(
        str(SAMPLE),
        "--out",
        str(tmp_path / "p.json"),
        "--overlay",
        str(tmp_path / "o.png"),
        "--skeleton",
        str(tmp_path / "s.jpg"),
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # no MediaPipe / absl log spam
    assert "1 person found" in out.stdout.splitlines()[0]
    assert "person 0: body 18/18" in out.stdout and "left hand 21/21" in out.stdout and "face 70/70" in out.stdout
    pose = read_openpose_json(tmp_path / "p.json")
    assert np.nanmax(np.abs(pose.xy - sample_detection.pose.xy)) < 0.5
    assert json.loads((tmp_path / "p.json").read_text())["canvas_width"] == sample.shape[1]
    overlay, skeleton = load_image(tmp_path / "o.png"), load_image(tmp_path / "s.jpg")
    assert overlay.shape == skeleton.shape == sample.shape
    assert skeleton[:20, :20].max() < 20 and overlay[:20, :20].min() > 230  # black vs the photo's white corner
