"""Rigging on the canvas with real mouse and key events: IK and Rotate keep bone lengths, Alt is Free, pins stay,
rubber band and Ctrl+click select, the selection moves / turns / scales about its centroid, symmetric edits,
every drag one undo step; the mode keys, Fit (F) and 100 % (1)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import standing_pose_xy
from gui_helpers import NO_MOD, assert_one_undo_step, drag, face_points, shown_canvas
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.canvas.modes import drag_mode_actions, edit_toggle_actions, view_actions
from app.document import PoseDocument
from core.rig import BODY_TREE, DragMode
from core.skeleton import JOINT_INDEX, Pose

SHOULDER, ELBOW, WRIST = (JOINT_INDEX[n] for n in ("right_shoulder", "right_elbow", "right_wrist"))
ARM = (SHOULDER, ELBOW, WRIST)
BONES = [(p, j) for j, p in enumerate(BODY_TREE.parent) if p >= 0]



def lengths(pose: Pose) -> np.ndarray:
    return np.array([np.hypot(*(pose.xy[j] - pose.xy[p])) for p, j in BONES])


@pytest.fixture
def body(qtbot):
    doc = PoseDocument()
    canvas = shown_canvas(qtbot, doc, (600, 800))
    doc.set_photo("person.png", np.full((360, 240, 3), 110, np.uint8), Pose(standing_pose_xy(240, 360)))
    return canvas, doc


def scene_xy(canvas, pos: QPoint) -> np.ndarray:
    p = canvas.mapToScene(pos)
    return np.array([p.x(), p.y()])


def test_ik_mode_wrist_drag_moves_the_elbow_and_keeps_both_bone_lengths(qtbot, body):
    canvas, doc = body
    canvas.rig.set_mode(DragMode.IK)
    before = doc.pose
    start = canvas.joint_viewport_pos(WRIST)
    end = start + QPoint(-50, -70)
    drag(qtbot, canvas, start, end)
    np.testing.assert_allclose(lengths(doc.pose), lengths(before), atol=1e-6)
    assert np.hypot(*(doc.pose.xy[ELBOW] - before.xy[ELBOW])) > 3, "the elbow bends to reach"
    np.testing.assert_allclose(doc.pose.xy[WRIST], scene_xy(canvas, end), atol=1.5)
    np.testing.assert_array_equal(doc.pose.xy[SHOULDER], before.xy[SHOULDER])
    assert_one_undo_step(doc, before, "Reach with right wrist")


def test_rotate_mode_keeps_lengths_and_the_child_chain_follows(qtbot, body):
    canvas, doc = body
    canvas.rig.set_mode(DragMode.ROTATE)
    before = doc.pose
    start = canvas.joint_viewport_pos(ELBOW)
    drag(qtbot, canvas, start, start + QPoint(-80, -20))
    np.testing.assert_allclose(lengths(doc.pose), lengths(before), atol=1e-6)
    assert np.hypot(*(doc.pose.xy[WRIST] - before.xy[WRIST])) > 10, "the forearm follows the upper arm"
    np.testing.assert_array_equal(doc.pose.xy[SHOULDER], before.xy[SHOULDER])
    assert doc.undo_stack.count() == 1


def test_alt_drag_is_free_for_that_drag_even_in_ik_mode(qtbot, body):
    canvas, doc = body
    canvas.rig.set_mode(DragMode.IK)
    before = doc.pose
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(40, -60), mods=Qt.KeyboardModifier.AltModifier)
    others = [j for j in range(18) if j != WRIST]
    np.testing.assert_array_equal(doc.pose.xy[others], before.xy[others])
    assert not np.allclose(doc.pose.xy[WRIST], before.xy[WRIST])
    assert canvas.rig.mode is DragMode.IK, "Alt is for one drag only"


def test_turning_the_lock_off_makes_ik_free(qtbot, body):
    canvas, doc = body
    canvas.rig.set_mode(DragMode.IK)
    assert canvas.rig.lock_lengths and canvas.canvas_actions.lock.isChecked(), "the lock is on by default"
    canvas.canvas_actions.lock.trigger()
    before = doc.pose
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(40, -60))
    np.testing.assert_array_equal(doc.pose.xy[ELBOW], before.xy[ELBOW])


def test_a_pinned_elbow_stays_and_is_drawn_pinned(qtbot, body):
    canvas, doc = body
    canvas.rig.set_mode(DragMode.IK)
    vp = canvas.viewport()
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, NO_MOD, canvas.joint_viewport_pos(ELBOW))
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_P)
    assert canvas.rig.pins == {ELBOW} and canvas.skeleton.joints[ELBOW].pinned
    before = doc.pose
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(-60, -40))
    np.testing.assert_array_equal(doc.pose.xy[ELBOW], before.xy[ELBOW])
    np.testing.assert_allclose(lengths(doc.pose), lengths(before), atol=1e-6)
    assert not np.allclose(doc.pose.xy[WRIST], before.xy[WRIST])
    menu = canvas.build_context_menu(canvas.joint_viewport_pos(ELBOW))
    next(a for a in menu.actions() if a.text() == "Unpin right elbow").trigger()
    assert not canvas.rig.pins and not canvas.skeleton.joints[ELBOW].pinned


def band_around(canvas, joints) -> tuple[QPoint, QPoint]:
    pts = [canvas.joint_viewport_pos(j) for j in joints]
    xs, ys = [p.x() for p in pts], [p.y() for p in pts]
    return QPoint(min(xs) - 20, min(ys) - 20), QPoint(max(xs) + 5, max(ys) + 5)


def test_a_rubber_band_selects_and_a_selected_joint_drags_the_whole_selection(qtbot, body):
    canvas, doc = body
    start, end = band_around(canvas, ARM)
    assert canvas.joint_at(start) == -1
    drag(qtbot, canvas, start, end)
    assert canvas.selection == set(ARM)
    assert all(canvas.skeleton.joints[j].selected for j in ARM) and not canvas.skeleton.joints[0].selected
    assert doc.undo_stack.count() == 0, "selecting edits nothing"
    before = doc.pose
    grab = canvas.joint_viewport_pos(ELBOW)
    drag(qtbot, canvas, grab, grab + QPoint(30, 25))
    shift = doc.pose.xy[list(ARM)] - before.xy[list(ARM)]
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-9)
    assert shift[0][0] > 5
    others = [j for j in range(18) if j not in ARM]
    np.testing.assert_array_equal(doc.pose.xy[others], before.xy[others])
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Move 3 joints"


def test_ctrl_click_adds_and_removes_joints_from_the_selection(qtbot, body):
    canvas, _doc = body
    vp = canvas.viewport()
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, NO_MOD, canvas.joint_viewport_pos(SHOULDER))
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, ctrl, canvas.joint_viewport_pos(WRIST))
    assert canvas.selection == {SHOULDER, WRIST} and canvas.selected == WRIST
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, ctrl, canvas.joint_viewport_pos(SHOULDER))
    assert canvas.selection == {WRIST}
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.selection == set() and canvas.selected == -1


@pytest.mark.parametrize("key", [Qt.Key.Key_R, Qt.Key.Key_S])
def test_r_and_s_drags_turn_and_scale_the_selection_about_its_centroid(qtbot, body, key):
    canvas, doc = body
    canvas.set_selection(set(ARM))
    before = doc.pose
    c = before.xy[list(ARM)].mean(axis=0)
    canvas.setFocus()
    QTest.keyPress(canvas, key)
    grab = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, grab, grab + QPoint(60, 10))
    QTest.keyRelease(canvas, key)
    after = doc.pose.xy[list(ARM)]
    np.testing.assert_allclose(after.mean(axis=0), c, atol=1e-6)
    r0, r1 = np.hypot(*(before.xy[list(ARM)] - c).T), np.hypot(*(after - c).T)
    if key == Qt.Key.Key_R:
        np.testing.assert_allclose(r1, r0, atol=1e-6)
        assert not np.allclose(after, before.xy[list(ARM)])
        assert doc.undo_stack.text(0) == "Rotate 3 joints"
    else:
        ratio = r1 / r0
        np.testing.assert_allclose(ratio, ratio[0], atol=1e-9)
        assert ratio[0] > 1.1
    assert doc.undo_stack.count() == 1
    assert not canvas.rig.held


def test_symmetric_mirrors_an_ik_arm_edit_onto_the_other_arm(qtbot, body):
    canvas, doc = body
    canvas.rig.set_mode(DragMode.IK)
    canvas.canvas_actions.symmetric.trigger()
    assert canvas.rig.symmetric
    before = doc.pose
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(-40, -80))
    left = [JOINT_INDEX[n] for n in ("left_shoulder", "left_elbow", "left_wrist")]
    mirror = doc.pose.mirrored(120.0)  # the photo's person is symmetric about x = 120
    np.testing.assert_allclose(doc.pose.xy[left], mirror.xy[left], atol=1e-6)
    assert not np.allclose(doc.pose.xy[left], before.xy[left])
    np.testing.assert_allclose(lengths(doc.pose), lengths(before), atol=1e-6)
    assert doc.undo_stack.count() == 1


def test_mode_keys_fit_and_actual_size_work_on_the_canvas(qtbot, body):
    canvas, _doc = body
    canvas.setFocus()
    modes = drag_mode_actions(canvas)
    assert [a.text() for a in modes] == ["Free", "Rotate", "IK"] and all(a.isCheckable() for a in modes)
    for key, mode in [(Qt.Key.Key_E, DragMode.IK), (Qt.Key.Key_W, DragMode.ROTATE), (Qt.Key.Key_Q, DragMode.FREE)]:
        QTest.keyClick(canvas, key)
        assert canvas.rig.mode is mode and canvas.canvas_actions.modes[mode].isChecked()
    QTest.keyClick(canvas, Qt.Key.Key_X)
    assert canvas.rig.symmetric
    assert [a.text() for a in edit_toggle_actions(canvas)][:2] == ["Lock Bone Lengths", "Symmetric"]
    QTest.keyClick(canvas, Qt.Key.Key_1)
    assert canvas.transform().m11() == pytest.approx(1.0)
    actual = canvas.mapFromScene(canvas.sceneRect()).boundingRect()
    assert abs(actual.width() - 240) <= 2 and abs(actual.height() - 360) <= 2, "one photo pixel per screen pixel"
    QTest.keyClick(canvas, Qt.Key.Key_F)
    rect = canvas.mapFromScene(canvas.sceneRect()).boundingRect()
    vp = canvas.viewport()
    assert rect.height() <= vp.height() + 2 and rect.width() <= vp.width() + 2
    assert max(rect.width() / vp.width(), rect.height() / vp.height()) > 0.98, "the photo fills the view"
    assert [a.text() for a in view_actions(canvas)] == ["Fit to Window", "Actual Size (100 %)"]


def test_the_face_canvas_drags_free_in_ik_mode_and_shift_moves_a_part_in_one_shift(qtbot):
    from app.face.document import KeypointDocument
    from core.face.layout import FACE68
    from core.keypoints import Keypoints

    doc = KeypointDocument(FACE68)
    canvas = shown_canvas(qtbot, doc, layout=FACE68)
    marks = Keypoints(face_points(400, 400))
    # KeypointDocument holds Keypoints but inherits PoseDocument.set_photo's Pose hint (app typing, not this test)
    doc.set_photo("face.png", np.full((400, 400, 3), 120, np.uint8), marks)  # pyright: ignore[reportArgumentType]
    canvas.rig.set_mode(DragMode.IK)
    assert canvas.rig.tree is None
    before = doc.pose
    start = canvas.joint_viewport_pos(30)
    drag(qtbot, canvas, start, start + QPoint(12, 20))
    others = np.delete(np.arange(68), 30)
    np.testing.assert_array_equal(doc.pose.xy[others], before.xy[others])
    assert not np.allclose(doc.pose.xy[30], before.xy[30])


def test_shift_drag_moves_the_whole_skeleton_as_one_shift_stopped_at_the_photo_edge(qtbot, body):
    canvas, doc = body
    canvas.rig.set_mode(DragMode.IK)  # Shift+drag is a part move in any mode
    before = doc.pose
    start = canvas.joint_viewport_pos(WRIST)
    drag(qtbot, canvas, start, start + QPoint(-500, 0), mods=Qt.KeyboardModifier.ShiftModifier)
    shift = doc.pose.xy - before.xy
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-9)
    assert doc.pose.xy[:, 0].min() == pytest.approx(0.0) and shift[0][1] == pytest.approx(0.0)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Move body"


def test_ctrl_wheel_scales_the_selection_about_its_centroid_in_one_undo_step(qtbot, body):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    canvas, doc = body
    canvas.set_selection(set(ARM))
    before, zoom = doc.pose, canvas.transform().m11()
    vp = canvas.viewport()
    at = canvas.joint_viewport_pos(ELBOW)
    for _ in range(3):
        wheel = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 120),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(vp, wheel)
    c = before.xy[list(ARM)].mean(axis=0)
    np.testing.assert_allclose(doc.pose.xy[list(ARM)] - c, 1.05**3 * (before.xy[list(ARM)] - c), atol=1e-6)
    assert canvas.transform().m11() == zoom, "Ctrl+wheel with a selection scales it instead of zooming"
    assert doc.undo_stack.count() == 1


def test_ctrl_wheel_without_a_selection_still_zooms(qtbot, body):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    canvas, doc = body
    before, zoom = doc.pose, canvas.transform().m11()
    vp = canvas.viewport()
    at = vp.rect().center()
    wheel = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, wheel)
    assert canvas.transform().m11() > 1.3 * zoom and doc.pose == before
