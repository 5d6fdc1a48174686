"""Face window → Drive with Video…: the portrait moved by a face video, exported as MP4/GIF in one worker job with
progress and cancel; no file after a cancel, the banner for a video without a face or a missing checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from test_app_face import PORTRAIT, import_small_checkpoint, open_face

from core.export import open_writer, probe_video

FPS = 10


def driving_video(path: Path, frames: int) -> Path:
    """The portrait shifted a little more each frame: a face the tracker follows."""
    from core.imageio_utils import load_image

    portrait = load_image(PORTRAIT)
    h, w = portrait.shape[:2]
    with open_writer(path, FPS, (w, h)) as writer:
        for i in range(frames):
            writer.append(np.ascontiguousarray(np.roll(portrait, (2 * i, 3 * i), axis=(0, 1))))
    return path


def faceless_video(path: Path, frames: int = 3) -> Path:
    with open_writer(path, FPS, (160, 120)) as writer:
        for i in range(frames):
            writer.append(np.full((120, 160, 3), 80 + 10 * i, np.uint8))
    return path


@pytest.fixture
def face_window(qtbot, weights_store, editor, tmp_path, monkeypatch):
    import_small_checkpoint("face", tmp_path, monkeypatch)
    window = open_face(qtbot, editor)
    qtbot.waitUntil(lambda: window.last_result is not None and window.idle, timeout=30000)
    return window


def drive(window, driving: Path, out: Path, smooth: str = "savgol", whole: bool = True):
    """Open the dialog through the window's action and fill it in as a user would."""
    window.acts.drive.trigger()
    from app.face.drive import DriveDialog

    dialog = window.findChild(DriveDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.driving_edit.setText(str(driving))
    dialog.out_edit.setText(str(out))
    dialog.smooth.setCurrentIndex(dialog.smooth.findData(smooth))
    dialog.frame.setCurrentIndex(dialog.frame.findData(whole))
    return dialog


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


def test_driving_the_portrait_writes_one_mp4_frame_per_video_frame_at_the_videos_rate(qtbot, face_window, tmp_path):
    video = driving_video(tmp_path / "driver.mp4", 4)
    out = tmp_path / "driven.mp4"
    dialog = drive(face_window, video, out, smooth="oneeuro")
    assert dialog.fps.value() == 0 and dialog.settings().fps is None, "the frame rate defaults to the video's"
    job = dialog.start()
    assert job is not None and dialog.running and not dialog.export_button.isEnabled()
    steps = []
    job.progressed.connect(steps.append)
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert dialog.written is not None, dialog.status.text()
    info = probe_video(out)
    h, w = face_window.portrait.image.shape[:2]
    assert info["frames"] == 4 and tuple(info["size"]) == (w, h) and info["fps"] == pytest.approx(FPS)
    assert dialog.written.frames == 4 and dialog.written.seen == 4 and "Wrote 4 frames" in dialog.status.text()
    assert dialog.phases[0] == "Tracking the face" and dialog.phases[-1].startswith("Rendering frames")
    last = steps[-1]
    assert (last.done, last.total) == (4, 4) and "frame 4 of 4" in last.describe("frame")
    assert leftovers(tmp_path) == [] and dialog.export_button.isEnabled()
    assert face_window.banner.kind != "error"


def test_the_face_only_gif_has_the_networks_frame_and_the_chosen_rate(qtbot, face_window, tmp_path):
    out = tmp_path / "driven.gif"
    dialog = drive(face_window, driving_video(tmp_path / "driver.mp4", 3), out, smooth="none", whole=False)
    dialog.fps.setValue(5)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert dialog.written is not None, dialog.status.text()
    info = probe_video(out)
    assert info["frames"] == 3 and tuple(info["size"]) == (256, 256) and info["fps"] == pytest.approx(5)


def test_a_cancelled_drive_leaves_no_file_and_the_window_keeps_working(qtbot, face_window, tmp_path, monkeypatch):
    monkeypatch.setattr("app.jobs.runner.PROGRESS_INTERVAL_S", 0.0)  # every frame reports, however fast
    out = tmp_path / "driven.mp4"
    dialog = drive(face_window, driving_video(tmp_path / "driver.mp4", 5), out)
    job = dialog.start()
    rendered = []

    def cancel_while_rendering(p) -> None:  # runs in the worker thread, between two frames
        if p.text.startswith("Rendering frames"):
            rendered.append(p.done)
            job.cancel()

    job.progressed.connect(cancel_while_rendering, Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert job.outcome == ("cancelled", None) and rendered == [1], "cancelled mid-way through rendering"
    assert not out.exists() and leftovers(tmp_path) == []
    assert "nothing was written" in dialog.status.text() and face_window.banner.kind != "error"
    before = face_window.last_result
    face_window.request_render()  # the window renders again afterwards
    qtbot.waitUntil(lambda: face_window.last_result is not before and face_window.idle, timeout=30000)


def test_a_video_without_a_face_shows_the_banner_and_writes_nothing(qtbot, face_window, tmp_path):
    out = tmp_path / "driven.mp4"
    dialog = drive(face_window, faceless_video(tmp_path / "empty.mp4"), out)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert face_window.banner.isVisible() and face_window.banner.kind == "error"
    assert "no face found in any frame" in face_window.banner.text()
    assert not out.exists() and leftovers(tmp_path) == [] and dialog.export_button.isEnabled()


def test_without_a_face_checkpoint_drive_uses_the_mesh_warp_and_names_the_file(qtbot, weights_store, editor,
                                                                                tmp_path):
    from app.face.drive import DriveDialog

    window = editor.face_tools.face()
    window.drive_after_open = True  # as Tools → Drive a Portrait with a Video… does
    window = open_face(qtbot, editor)
    qtbot.waitUntil(lambda: window.findChild(DriveDialog) is not None, timeout=20000)
    dialog = window.findChild(DriveDialog)
    text = dialog.status.text()
    assert "landmark mesh warp" in text and "Import Face Checkpoint" in text
    out = tmp_path / "warped.gif"
    dialog.driving_edit.setText(str(driving_video(tmp_path / "driving.mp4", 3)))
    dialog.out_edit.setText(str(out))
    dialog.frame.setCurrentIndex(dialog.frame.findData(False))
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert dialog.written is not None, dialog.status.text()
    assert dialog.written.renderer.startswith("Landmark mesh warp") and "Landmark mesh warp" in dialog.status.text()
    info = probe_video(out)
    assert info["frames"] == 3 and tuple(info["size"]) == (256, 256)
