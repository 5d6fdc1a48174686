"""Rendering an animation streams frames into the writer with progress, time left and cancel."""

from __future__ import annotations

import weakref
from pathlib import Path

import numpy as np
import pytest

from core.animation.keyframes import Keyframe, Track
from core.animation.sequence import render_animation, synthetic_person, synthetic_walk
from core.errors import Cancelled
from core.export import open_writer, probe_video
from core.progress import Progress
from core.render.base import RenderResult, SourceState, render_each
from core.skeleton import Pose


class CountingRenderer:
    """Draws each target's neck as a dot; counts how many rendered frames are alive at once."""

    name = "counting"
    device = "cpu"

    def __init__(self, size=(64, 48)) -> None:
        self.size = size
        self.refs: list[weakref.ref] = []
        self.peak_alive = 0
        self.rendered = 0

    def encode_source(self, image, pose) -> SourceState:
        return SourceState(image, Pose.coerce(pose))

    def render(self, state, target) -> RenderResult:
        w, h = self.size
        img = np.zeros((h, w, 3), np.uint8)
        x, y = np.clip(Pose.coerce(target).xy[1], 0, [w - 1, h - 1]).astype(int)
        img[y, x] = 255
        self.refs = [r for r in self.refs if r() is not None] + [weakref.ref(img)]
        self.peak_alive = max(self.peak_alive, len(self.refs))
        self.rendered += 1
        return RenderResult(img, self.name)

    def render_sequence(self, state, targets, progress=None, cancel=None):
        return render_each(self, state, targets, progress, cancel)


class ListWriter:
    """A writer that keeps only a count and the last frame (like a streaming one)."""

    def __init__(self, size) -> None:
        self.size, self.count, self.last = size, 0, None

    def append(self, frame) -> None:
        assert frame.shape == (self.size[1], self.size[0], 3)
        self.count, self.last = self.count + 1, frame


def _track(n: int) -> Track:
    _, pose = synthetic_person(48)
    return synthetic_walk(pose, n)


def test_render_animation_streams_every_frame_with_progress_and_time_left() -> None:
    renderer, writer = CountingRenderer(), ListWriter((64, 48))
    seen: list[Progress] = []
    n = render_animation(renderer, renderer.encode_source(None, Pose.empty()), _track(200), writer, seen.append)
    assert n == writer.count == renderer.rendered == 200
    assert [p.done for p in seen] == list(range(1, 201)) and {p.total for p in seen} == {200}
    assert seen[-1].eta_s == 0 and seen[9].eta_s > 0
    assert renderer.peak_alive <= 3  # frames are not piled up between renderer and writer
    assert "frame 200/200" in str(seen[-1])


def test_render_animation_writes_a_playable_mp4_and_a_cancel_leaves_nothing(tmp_path: Path) -> None:
    renderer = CountingRenderer()
    state = renderer.encode_source(None, Pose.empty())
    with open_writer(tmp_path / "ok.mp4", 24, (64, 48)) as w:
        render_animation(renderer, state, _track(30), w)
    assert probe_video(tmp_path / "ok.mp4")["frames"] == 30
    with pytest.raises(Cancelled):
        with open_writer(tmp_path / "cancelled.mp4", 24, (64, 48)) as w:
            render_animation(renderer, state, _track(30), w, cancel=lambda: w.frames_written >= 10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.mp4"]


def test_skeleton_beside_puts_the_target_skeleton_next_to_each_frame() -> None:
    renderer, writer = CountingRenderer(), ListWriter((128, 48))
    _, pose = synthetic_person(48)
    track = Track((Keyframe(0, pose),), 3, 24)
    render_animation(renderer, renderer.encode_source(None, pose), track, writer, skeleton_beside=True)
    left, right = writer.last[:, :64], writer.last[:, 64:]
    assert left.sum() == 255 * 3  # only the neck dot
    assert (right.sum(axis=2) > 0).sum() > 100  # a drawn skeleton


def test_the_warp_renderer_animates_a_photo_into_a_file(tmp_path: Path) -> None:
    from core.render import load_renderer

    image, pose = synthetic_person(96)
    renderer = load_renderer(None)
    state = renderer.encode_source(image, pose)
    with open_writer(tmp_path / "walk.gif", 12, (96, 96)) as w:
        render_animation(renderer, state, synthetic_walk(pose, 6), w)
    from PIL import Image

    with Image.open(tmp_path / "walk.gif") as im:
        assert im.n_frames == 6 and im.size == (96, 96)
