"""Face mode's timeline: landmarks keyed and interpolated like body poses, onion skin, undo, and the face animation
exported as a video by the landmark mesh warp (no checkpoint), all through the window's own controls."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import drag
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from test_app_face import LIP, open_face

from core.keypoints import Keypoints


@pytest.fixture
def face_window(qtbot, weights_store, editor):
    window = open_face(qtbot, editor)
    qtbot.waitUntil(lambda: window.last_result is not None and window.idle, timeout=20000)
    return window


def key_open_mouth(qtbot, window, frame: int, pull: int = 30) -> None:
    """Move the playhead, pull the lower lip down on the canvas and press K, as a user would."""
    window.timeline.ctl.set_frame(frame)
    start = window.canvas.joint_viewport_pos(LIP)
    drag(qtbot, window.canvas, start, start + QPoint(0, pull))
    QTest.keyClick(window.canvas, Qt.Key.Key_K)


def test_keyed_landmarks_interpolate_on_the_timeline_and_undo_in_order(qtbot, face_window):
    window, ctl = face_window, face_window.timeline.ctl
    rest = window.document.pose
    QTest.keyClick(window.canvas, Qt.Key.Key_K)  # the detected landmarks at frame 0
    key_open_mouth(qtbot, window, 20)
    assert ctl.track.frames == (0, 20) and ctl.track.n_points == 68
    opened = ctl.track.keyframe_at(20).pose
    assert isinstance(opened, Keypoints) and opened.xy[LIP, 1] > rest.xy[LIP, 1] + 5
    ctl.set_frame(10)
    middle = window.document.pose.xy
    np.testing.assert_allclose(middle, (rest.xy + opened.xy) / 2, atol=1e-6)  # linear by default
    assert window.timeline.onion.shown_frames == (0, 20)
    qtbot.waitUntil(lambda: window.idle, timeout=20000)
    assert window.last_result is not None and "Landmark mesh warp" in window.result_header.text()
    # one undo stack for landmark and timeline edits: the key at 20, then the drag before it, then the key at 0
    stack = window.document.undo_stack
    stack.undo()
    assert ctl.track.frames == (0,)
    stack.undo()
    assert window.document.pose.xy[LIP, 1] < opened.xy[LIP, 1]
    stack.undo()
    assert ctl.track.frames == () and stack.index() == 0


def test_a_face_animation_exports_one_frame_per_track_frame_with_the_landmarks_beside(qtbot, face_window, tmp_path):
    from core.export import probe_video

    window, ctl = face_window, face_window.timeline.ctl
    QTest.keyClick(window.canvas, Qt.Key.Key_K)
    key_open_mouth(qtbot, window, 7)
    ctl.set_length(8)
    ctl.set_fps(8.0)
    qtbot.waitUntil(lambda: window.idle, timeout=20000)
    window.timeline.export_action.trigger()
    dialog = window.timeline.export_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.renderer.count() == 1 and dialog.renderer.itemText(0) == "Landmark mesh warp"  # the only renderer
    out = tmp_path / "face.mp4"
    dialog.path_edit.setText(str(out))
    dialog.width_spin.setValue(256)
    dialog.skeleton.setChecked(True)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60000)
    assert dialog.written is not None, dialog.status.text()
    info = probe_video(out)
    assert info["frames"] == 8 and tuple(info["size"]) == (512, 256)
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_without_keyframes_export_says_what_to_do_and_another_portrait_asks_before_emptying_the_animation(qtbot, face_window):
    window = face_window
    window.timeline.export_action.trigger()
    assert window.timeline.export_dialog is None and "no keyframes" in window.banner.text()
    QTest.keyClick(window.canvas, Qt.Key.Key_K)
    assert len(window.timeline.ctl.track) == 1
    asked: list[str] = []
    window.timeline.project.confirm_discard = lambda what: asked.append(what) or False  # "Cancel"
    assert not window.open_portrait(window.portrait.path)
    assert asked == ["Open another portrait"] and len(window.timeline.ctl.track) == 1, "the unsaved keyframe stays"
    window.timeline.project.confirm_discard = lambda what: True  # "Discard"
    assert window.open_portrait(window.portrait.path)
    qtbot.waitUntil(lambda: len(window.timeline.ctl.track) == 0 and window.idle, timeout=20000)
    assert window.timeline.ctl.track.n_points == 68


def test_a_face_project_saves_and_reopens_from_either_window_with_its_keyframes(qtbot, face_window, editor, tmp_path):
    window, ctl = face_window, face_window.timeline.ctl
    QTest.keyClick(window.canvas, Qt.Key.Key_K)
    key_open_mouth(qtbot, window, 12)
    saved_track, saved_marks = ctl.track, window.document.detected
    assert window.isWindowModified()
    path = tmp_path / "smile.gflaproj"
    assert window.timeline.project.save_as(path) and not window.isWindowModified()
    assert "smile.gflaproj" in window.windowTitle() and "Face Mode" in window.windowTitle()
    window.timeline.project.new_project()
    assert len(ctl.track) == 0
    assert editor.timeline.project.open_project(path)  # File → Open Project… in the body editor: face mode opens it
    qtbot.waitUntil(lambda: len(ctl.track) == 2, timeout=10000)
    assert ctl.track == saved_track and window.document.detected == saved_marks
    assert len(editor.timeline.ctl.track) == 0, "the body editor's animation is untouched"
    qtbot.waitUntil(lambda: window.idle, timeout=20000)


def test_a_body_project_opened_in_face_mode_goes_to_the_body_editor(qtbot, face_window, editor, tmp_path):
    editor.timeline.actions["key"].trigger()
    body = tmp_path / "body.gflaproj"
    assert editor.timeline.project.save_as(body)
    editor.timeline.project.new_project()
    assert face_window.timeline.project.open_project(body)
    qtbot.waitUntil(lambda: len(editor.timeline.ctl.track) == 1, timeout=10000)
    assert len(face_window.timeline.ctl.track) == 0 and face_window.timeline.ctl.track.n_points == 68


def test_a_face_keyframe_needs_every_landmark(qtbot, face_window):
    window, ctl = face_window, face_window.timeline.ctl
    notices: list[str] = []
    ctl.notice.connect(notices.append)
    window.document.move_joint(LIP, None, "Hide the lip")
    QTest.keyClick(window.canvas, Qt.Key.Key_K)
    assert len(ctl.track) == 0 and "Restore the 1 hidden landmark(s) first" in notices[-1]
    window.document.undo_stack.undo()
    QTest.keyClick(window.canvas, Qt.Key.Key_K)
    assert ctl.track.frames == (0,)


def test_face_autosave_runs_again_when_the_closed_window_is_shown_again(qtbot, face_window, editor):
    project = face_window.timeline.project
    project.start_autosave()
    assert project._timer.isActive()
    face_window.close()
    assert not project._timer.isActive()
    assert editor.face_tools.face() is face_window and project._timer.isActive()


def test_a_face_video_imports_as_keyframes_on_the_portrait_in_one_undo_step(qtbot, face_window, tmp_path):
    from test_app_face_drive import driving_video

    window, ctl = face_window, face_window.timeline.ctl
    video = driving_video(tmp_path / "driving.mp4", 6)  # the portrait itself, shifted a little more each frame
    job = window.timeline.import_motion(str(video))
    assert job is not None
    qtbot.waitUntil(lambda: window.timeline.import_job is None, timeout=60000)
    track = ctl.track
    assert track.length_frames == 6 and 2 <= len(track) <= 6 and track.n_points == 68
    assert window.document.undo_stack.undoText() == "Import face motion"
    first, last = track.pose_at(0).xy, track.pose_at(5).xy
    np.testing.assert_allclose(first, window.document.detected.xy, atol=3.0)  # frame 0 is the portrait's own face
    shift = (last - first).mean(axis=0)
    assert shift[0] > 5 and shift[1] > 3, "the driver moved right and down, so do the keyed landmarks"
    window.document.undo_stack.undo()
    assert len(ctl.track) == 0


def test_unsaved_face_work_is_offered_back_at_the_next_start(qtbot, face_window, editor):
    from core.project_file import clear_recovery, find_recovery

    project = face_window.timeline.project
    project.start_autosave()
    QTest.keyClick(face_window.canvas, Qt.Key.Key_K)
    face_window.close()  # unsaved: written to face mode's own recovery file
    assert find_recovery("face-autosave") is not None and find_recovery() is None
    try:
        project.recovery_banner.hide()
        assert editor.face_tools.offer_recovery() and face_window.isVisible()
        assert project.recovery_banner.isVisible() and "unsaved face animation work" in project.recovery_banner.label.text()
    finally:
        project.autosave_enabled = False  # closing the window at teardown must not write it again
        clear_recovery("face-autosave")
