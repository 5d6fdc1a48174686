"""Editing the pose on the canvas with real mouse and keyboard events: drag, undo, hover, nudge, zoom, pan, hide."""

from __future__ import annotations

import numpy as np
from gui_helpers import drag
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from core.skeleton import JOINT_INDEX

WRIST = JOINT_INDEX["right_wrist"]



def wait_for_result_change(qtbot, editor, before: np.ndarray) -> np.ndarray:
    """The result once the newest pose is rendered; it must differ from ``before``."""
    qtbot.waitUntil(lambda: editor.client.idle, timeout=5000)
    after = editor.result_view.composed_rgb()
    assert not np.array_equal(after, before)
    return after


def test_dragging_a_joint_moves_it_and_rerenders_the_result(qtbot, editor):
    canvas, doc = editor.canvas, editor.document
    before_pose, before_image = doc.pose, editor.result_view.composed_rgb()
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(40, -60))
    moved = doc.pose.xy[WRIST] - before_pose.xy[WRIST]
    scale = canvas.transform().m11()
    np.testing.assert_allclose(moved, np.array([40, -60]) / scale, atol=2.0 / scale)
    others = np.delete(np.arange(18), WRIST)
    np.testing.assert_array_equal(doc.pose.xy[others], before_pose.xy[others])
    wait_for_result_change(qtbot, editor, before_image)
    assert doc.undo_stack.count() == 1, "a whole drag must be one undo step"


def test_undo_restores_the_pose_and_the_result_and_redo_reapplies(qtbot, editor):
    canvas, doc = editor.canvas, editor.document
    original_pose, original_image = doc.pose, editor.result_view.composed_rgb()
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(-30, 50))
    dragged_pose = doc.pose
    dragged_image = wait_for_result_change(qtbot, editor, original_image)
    canvas.setFocus()
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.pose == original_pose
    qtbot.waitUntil(lambda: np.array_equal(editor.result_view.composed_rgb(), original_image), timeout=5000)
    QTest.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert doc.pose == dragged_pose
    qtbot.waitUntil(lambda: np.array_equal(editor.result_view.composed_rgb(), dragged_image), timeout=5000)


def test_hovering_a_joint_highlights_it_and_shows_its_name(qtbot, editor):
    canvas = editor.canvas
    QTest.mouseMove(canvas.viewport(), canvas.joint_viewport_pos(WRIST) + QPoint(3, 2))
    qtbot.waitUntil(lambda: canvas.hovered == WRIST, timeout=2000)
    assert canvas.skeleton.label.isVisible()
    assert canvas.skeleton.label.text() == "Right wrist"
    assert "Right wrist" in canvas.viewport().toolTip()
    assert canvas.skeleton.joints[WRIST].hovered
    assert "Right wrist" in editor.statusBar().currentMessage()
    QTest.mouseMove(canvas.viewport(), QPoint(2, 2))
    qtbot.waitUntil(lambda: canvas.hovered == -1, timeout=2000)
    assert not canvas.skeleton.label.isVisible()


def test_arrow_keys_nudge_the_selected_joint_and_shift_moves_it_further(qtbot, editor):
    canvas, doc = editor.canvas, editor.document
    pos = canvas.joint_viewport_pos(WRIST)
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    assert canvas.selected == WRIST
    x0, y0 = doc.pose.xy[WRIST]
    QTest.keyClick(canvas, Qt.Key.Key_Right)
    small = doc.pose.xy[WRIST][0] - x0
    QTest.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    large = doc.pose.xy[WRIST][1] - y0
    assert small > 0 and large > 5 * small
    assert doc.undo_stack.count() == 1, "quick nudges of one joint fold into one undo step"
    doc.undo_stack.undo()
    np.testing.assert_allclose(doc.pose.xy[WRIST], (x0, y0))


def test_wheel_zooms_about_the_cursor_and_middle_button_pans(qtbot, editor):
    canvas = editor.canvas
    vp = canvas.viewport()
    anchor = canvas.joint_viewport_pos(JOINT_INDEX["neck"])
    scene_before = canvas.mapToScene(anchor)
    scale_before = canvas.transform().m11()
    wheel = QWheelEvent(QPointF(anchor), QPointF(vp.mapToGlobal(anchor)), QPoint(0, 0), QPoint(0, 360),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, wheel)
    assert canvas.transform().m11() > 1.5 * scale_before
    scene_after = canvas.mapToScene(anchor)
    assert abs(scene_after.x() - scene_before.x()) < 2 and abs(scene_after.y() - scene_before.y()) < 2
    centre = vp.rect().center()
    seen_before = canvas.mapToScene(centre)
    QTest.mousePress(vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(vp, centre + QPoint(60, 40))
    QTest.mouseRelease(vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, centre + QPoint(60, 40))
    seen_after = canvas.mapToScene(centre)
    assert seen_after.x() < seen_before.x() - 10 and seen_after.y() < seen_before.y() - 10
    pose = editor.document.pose
    QTest.keyPress(canvas, Qt.Key.Key_Space)  # Space + left drag pans too, and moves no joint
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(vp, centre - QPoint(50, 30))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre - QPoint(50, 30))
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    panned_back = canvas.mapToScene(centre)
    assert panned_back.x() > seen_after.x() + 10 and panned_back.y() > seen_after.y() + 5
    assert editor.document.pose == pose


def test_hiding_a_joint_from_the_context_menu_and_restoring_it_from_the_joint_list(qtbot, editor):
    canvas, doc, dock = editor.canvas, editor.document, editor.pose_dock
    menu = canvas.build_context_menu(canvas.joint_viewport_pos(WRIST))
    hide = next(a for a in menu.actions() if a.text().startswith("Hide"))
    hide.trigger()
    assert not doc.pose.present[WRIST]
    assert not canvas.skeleton.joints[WRIST].isVisible()
    item = dock.joints.item(WRIST)
    assert item.checkState() == Qt.CheckState.Unchecked
    item.setCheckState(Qt.CheckState.Checked)
    assert doc.pose.present[WRIST]
    np.testing.assert_allclose(doc.pose.xy[WRIST], doc.detected.xy[WRIST])
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.pose == doc.detected


def test_mirror_swaps_sides_and_reset_returns_to_the_detected_pose(qtbot, editor):
    doc = editor.document
    editor.acts.mirror.trigger()
    assert doc.pose == doc.detected.mirrored()
    editor.acts.reset.trigger()
    assert doc.pose == doc.detected
    assert doc.undo_stack.count() == 2


def test_in_the_window_the_ik_key_and_a_wrist_drag_bend_the_elbow_and_keep_the_arm_lengths(qtbot, editor):
    from core.rig import DragMode

    canvas, doc = editor.canvas, editor.document
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_E)
    assert canvas.rig.mode is DragMode.IK, "E (IK) must not clash with a window shortcut"
    elbow, shoulder = JOINT_INDEX["right_elbow"], JOINT_INDEX["right_shoulder"]
    before = doc.pose
    arm = [np.hypot(*(before.xy[b] - before.xy[a])) for a, b in ((shoulder, elbow), (elbow, WRIST))]
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(-40, -50))
    after = [np.hypot(*(doc.pose.xy[b] - doc.pose.xy[a])) for a, b in ((shoulder, elbow), (elbow, WRIST))]
    np.testing.assert_allclose(after, arm, atol=1e-6)
    assert not np.allclose(doc.pose.xy[elbow], before.xy[elbow])
    assert doc.undo_stack.count() == 1
    QTest.keyClick(canvas, Qt.Key.Key_Q)
    assert canvas.rig.mode is DragMode.FREE
