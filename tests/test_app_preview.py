"""Dragging on a large photo: quick previews of a bounded copy, the full-size result once the pose settles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app import file_ops
from app.preview import PREVIEW_SIDE
from core.imageio_utils import load_image
from core.skeleton import JOINT_INDEX

WRIST = JOINT_INDEX["right_wrist"]
BIG = (3000, 2000)  # width, height of the large photo
SMALL = (PREVIEW_SIDE, round(2000 * PREVIEW_SIDE / 3000))  # its bounded copy: 768 x 512


@pytest.fixture
def photo_path(tmp_path) -> Path:
    """Overrides conftest's photo: a 3000 x 2000 one, so that previews render a bounded copy of it."""
    from PIL import Image

    w, h = BIG
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([xx * 255 // w, yy * 255 // h, np.full_like(xx, 90)], axis=-1).astype(np.uint8)
    path = tmp_path / "large.png"
    Image.fromarray(rgb).save(path, compress_level=1)
    return path


def drag_wrist(qtbot, editor, offset: QPoint, steps: int = 6) -> None:
    """Press on the right wrist, move in steps and release, as a user's mouse would."""
    canvas = editor.canvas
    vp, start = canvas.viewport(), canvas.joint_viewport_pos(WRIST)
    QTest.mouseMove(vp, start)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, steps + 1):
        QTest.mouseMove(vp, start + offset * (k / steps))
        qtbot.wait(20)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + offset)


def test_dragging_previews_a_bounded_copy_and_releasing_renders_the_full_photo(qtbot, editor, fake_renderers):
    warp = fake_renderers["warp"]
    shown = []
    editor.client.rendered.connect(shown.append)
    drag_wrist(qtbot, editor, QPoint(-40, -50))
    qtbot.waitUntil(lambda: editor.client.idle, timeout=10000)

    previews = [o for o in shown if not o.full_size]
    assert previews, "the drag showed quick previews"
    for o in previews:
        assert o.result.image.shape == (SMALL[1], SMALL[0], 3)
    final = shown[-1]
    assert final.full_size and final.result.image.shape == (BIG[1], BIG[0], 3)
    assert final.generation == editor.client.generation and not editor.result_view.shows_preview
    assert warp.encodes == 2, "the photo and its bounded copy are each encoded once"

    # the preview was rendered for the pose scaled onto the copy: the fake marks the wrist where it is now
    x, y = editor.document.pose.xy[WRIST] * np.array([SMALL[0] / BIG[0], SMALL[1] / BIG[1]])
    assert (previews[-1].result.image[int(round(y)), int(round(x))] == 255).all()
    assert (final.result.image[tuple(np.round(editor.document.pose.xy[WRIST][::-1]).astype(int))] == 255).all()


def test_a_preview_is_shown_in_the_photos_frame_at_the_photos_size(qtbot, editor):
    frame = editor.result_view.image_rect()
    pose = editor.document.pose
    moved = pose.with_joint(WRIST, pose.xy[WRIST] + (-120, 80))
    with qtbot.waitSignal(editor.client.rendered, timeout=10000, check_params_cb=lambda o: not o.full_size):
        editor.client.request_render(moved, settled=False)
    view = editor.result_view
    assert view.shows_preview and view.image_rect() == frame, "a preview is drawn where the photo's result is"
    assert view.composed_rgb().shape == (BIG[1], BIG[0], 3)
    with qtbot.waitSignal(editor.client.rendered, timeout=10000, check_params_cb=lambda o: o.full_size):
        editor.client.request_render(moved, settled=True)
    assert not view.shows_preview and view.image_rect() == frame


def test_save_result_after_a_drag_writes_the_full_resolution_render(qtbot, editor, tmp_path):
    shown = []
    editor.client.rendered.connect(shown.append)
    drag_wrist(qtbot, editor, QPoint(30, -60))
    qtbot.waitUntil(lambda: editor.client.idle, timeout=10000)
    out = tmp_path / "result.png"
    assert file_ops.save(editor, "result", str(out))
    saved = load_image(out)
    assert saved.shape == (BIG[1], BIG[0], 3)
    np.testing.assert_array_equal(saved, shown[-1].result.image)  # the full-size render itself, not a scaled preview
