"""Motions come in from videos and OpenPose folders, fit the photo's person, and thin into keyframes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.animation.motion_import import load_motion, natural_key, read_openpose_folder, read_video_motion
from core.animation.retarget import body_scale_ratio, motion_to_track, retarget, thin_frames
from core.animation.sequence import synthetic_person, synthetic_walk
from core.animation.smoothing import MotionError
from core.detect.base import Detection, NoPersonFound
from core.errors import Cancelled
from core.export import open_writer
from core.pose_io import write_openpose_json
from core.skeleton import Pose


class DotDetector:
    """A stand-in detector: the pose is a standing skeleton placed at the frame's brightest pixel."""

    name = "dot"

    def __init__(self, template: Pose) -> None:
        self.template = np.asarray(template.xy)
        self.seen = 0

    def detect(self, image: np.ndarray) -> Detection:
        self.seen += 1
        grey = image.astype(np.float64).sum(axis=2)
        if grey.max() < 300:
            raise NoPersonFound("nobody")
        ys, xs = np.nonzero(grey > grey.max() / 2)
        x, y = xs.mean(), ys.mean()  # centre of the bright dot
        xy = self.template - self.template[1] + (x, y)  # neck on the dot
        return Detection(Pose(xy), np.ones(18), None, self.name)


def _dot_video(path: Path, n: int, size=(96, 64), empty_frames=(3,)) -> list[tuple[int, int]]:
    dots = []
    with open_writer(path, 10, size) as w:
        for i in range(n):
            f = np.zeros((size[1], size[0], 3), np.uint8)
            x, y = 10 + 6 * i, 20 + 2 * i
            if i not in empty_frames:
                f[y - 2 : y + 3, x - 2 : x + 3] = 255
            w.append(f)
            dots.append((x, y))
    return dots


def test_video_import_streams_frames_to_the_detector_with_progress(tmp_path: Path) -> None:
    video = tmp_path / "dance.mp4"
    dots = _dot_video(video, 12)
    _, pose = synthetic_person(64)
    calls: list[tuple[int, int]] = []
    motion = load_motion(video, detector=DotDetector(pose), progress=lambda d, t: calls.append((d, t)))
    assert motion.xy.shape == (12, 18, 2) and motion.fps == pytest.approx(10)
    assert motion.frame_size == (96, 64)
    assert np.isnan(motion.xy[3]).all()  # nobody in frame 3
    for i, (x, y) in enumerate(dots):
        if i != 3:
            np.testing.assert_allclose(motion.xy[i, 1], (x, y), atol=0.75)  # neck follows the dot
    assert [d for d, _ in calls] == list(range(1, 13)) and calls[-1][1] >= 12


def test_video_import_can_be_cancelled_and_limited(tmp_path: Path) -> None:
    video = tmp_path / "dance.mp4"
    _dot_video(video, 12)
    _, pose = synthetic_person(64)
    det = DotDetector(pose)
    with pytest.raises(Cancelled):
        read_video_motion(video, det, cancel=lambda: det.seen >= 4)
    assert det.seen == 4
    assert len(read_video_motion(video, DotDetector(pose), max_frames=5)) == 5


def test_unreadable_video_gives_a_motion_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(MotionError, match="broken.mp4"):
        read_video_motion(bad, DotDetector(synthetic_person(64)[1]))
    with pytest.raises(MotionError, match="does not exist"):
        load_motion(tmp_path / "missing.mp4")


def test_openpose_folder_is_read_in_natural_order(tmp_path: Path) -> None:
    _, pose = synthetic_person(64)
    for i in (0, 1, 2, 10, 11):
        write_openpose_json(tmp_path / f"frame{i}.json", pose.transformed(1.0, (i, 0)), canvas_size=(200, 100))
    (tmp_path / "frame5.json").write_text('{"people": []}')  # nobody in this frame
    motion = read_openpose_folder(tmp_path, fps=15)
    assert motion.frame_size == (200, 100) and motion.fps == 15
    neck_x = motion.xy[:, 1, 0] - pose.xy[1, 0]
    np.testing.assert_allclose(neck_x[[0, 1, 2, 4, 5]], [0, 1, 2, 10, 11])
    assert np.isnan(motion.xy[3]).all()
    assert sorted(["f10", "f2", "f1"], key=natural_key) == ["f1", "f2", "f10"]


def test_retarget_scales_and_places_the_motion_on_the_photos_person() -> None:
    _, photo = synthetic_person(256)
    t = np.arange(30)[:, None]
    motion = np.repeat(np.asarray(photo.xy)[None], 30, axis=0)
    motion[:, [3, 4, 6, 7], 0] += 10 * np.sin(t / 4)  # arms swing (body size segments keep their length)
    motion += np.stack([2.0 * t, np.zeros_like(t, dtype=float)], axis=2)  # walking to the right
    foreign = motion * 0.5 + np.array([300.0, -40.0])  # the same motion, half size, elsewhere
    assert body_scale_ratio(foreign, photo) == pytest.approx(2.0)
    fitted = retarget(foreign, photo)
    np.testing.assert_allclose(fitted, motion, atol=1e-6)
    unscaled = retarget(foreign, photo, scale=False)[0]  # only moved: half size, feet and hips where the photo's are
    anchor = [8, 11, 10, 13]
    np.testing.assert_allclose(unscaled[anchor].mean(axis=0), photo.xy[anchor].mean(axis=0), atol=1e-9)
    assert np.linalg.norm(unscaled[1] - unscaled[8]) == pytest.approx(0.5 * np.linalg.norm(photo.xy[1] - photo.xy[8]))


def test_retarget_copes_with_missing_feet_and_refuses_unrelated_skeletons() -> None:
    _, photo = synthetic_person(256)
    motion = synthetic_walk(photo, 12).dense() * 0.5
    motion[:, [10, 13]] = np.nan
    fitted = retarget(motion, photo)
    np.testing.assert_allclose(fitted[0, [8, 11]].mean(axis=0), photo.xy[[8, 11]].mean(axis=0), atol=1e-6)
    only_head = np.full((3, 18, 2), np.nan)
    only_head[:, 14] = 5.0
    with pytest.raises(MotionError):
        retarget(only_head, photo)


def test_thinning_keeps_few_keyframes_and_reproduces_the_motion_within_tolerance() -> None:
    _, photo = synthetic_person(256)
    dense = synthetic_walk(photo, 97).dense()
    dense[40:44, 4] = np.nan  # a wrist vanishes for a while
    track = motion_to_track(dense, fps=24, tolerance_px=2.0)
    assert len(track) < 0.4 * len(dense)  # measured 25 of 97
    back = track.dense()
    np.testing.assert_array_equal(np.isnan(back), np.isnan(dense))
    ok = ~np.isnan(dense)
    assert np.abs(back[ok] - dense[ok]).max() <= 2.0 + 1e-9
    assert len(motion_to_track(dense, fps=24, tolerance_px=None)) == 97
    assert thin_frames(np.zeros((2, 18, 2))) == [0, 1]
