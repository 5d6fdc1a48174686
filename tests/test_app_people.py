"""The People dock and the canvas's people layer with real mouse events: clicking another person's skeleton selects
them, hand points drag only when zoomed in (or the hand is selected), add / duplicate / delete / hide are one undo
step each, presets apply to the selected person and a saved preset shows in the list."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog

from core.pose_presets import user_dir
from core.posedoc import Hand, Person, PoseDocument
from core.skeleton import JOINT_INDEX

NECK, R_WRIST, L_WRIST, R_SHOULDER = (JOINT_INDEX[n] for n in ("neck", "right_wrist", "left_wrist", "right_shoulder"))
LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


def hand_at(x: float, y: float, size: float = 12.0) -> Hand:
    """A 21-point hand fanned out below (x, y): the wrist there, five fingers of four points each."""
    pts = [(x, y)]
    for f in range(5):
        for k in range(1, 5):
            pts.append((x + (f - 2) * size * 0.35, y + k * size * 0.3))
    return Hand(np.array(pts, dtype=np.float64))


def view_pos(canvas, xy) -> QPoint:
    return canvas.mapFromScene(QPointF(float(xy[0]), float(xy[1])))


def drag(qtbot, canvas, start: QPoint, end: QPoint, steps: int = 6) -> None:
    vp = canvas.viewport()
    QTest.mouseMove(vp, start)
    QTest.mousePress(vp, LEFT, NO_MOD, start)
    for k in range(1, steps + 1):
        QTest.mouseMove(vp, start + (end - start) * (k / steps))
        qtbot.wait(2)
    QTest.mouseRelease(vp, LEFT, NO_MOD, end)


@pytest.fixture
def two(editor):
    """The editor with two people: the detected one (with a right hand) and a copy 110 px to the left, smaller."""
    body = editor.document.pose
    first = Person(body, right_hand=hand_at(*body.xy[R_WRIST]))
    second = Person(body.transformed(0.6, (-40.0, 60.0)))
    model = editor.people_dock.model
    model.set_document(PoseDocument(editor.document.size, (first, second)), selected=0)
    editor.document.undo_stack.clear()
    return editor, model, first, second


def test_clicking_the_second_persons_skeleton_selects_them_and_undo_goes_back(qtbot, two):
    editor, model, first, second = two
    canvas = editor.canvas
    assert model.state.selected == 0
    mid = (second.body.xy[JOINT_INDEX["right_hip"]] + second.body.xy[JOINT_INDEX["right_knee"]]) / 2  # on a limb
    QTest.mouseClick(canvas.viewport(), LEFT, NO_MOD, view_pos(canvas, mid))
    assert model.state.selected == 1
    assert editor.document.pose == second.body  # the canvas now edits (and the renderer renders) person 2
    assert editor.people_dock.people.currentRow() == 1
    editor.document.undo_stack.undo()
    assert model.state.selected == 0 and editor.document.pose == first.body


def test_a_hand_point_drags_when_zoomed_in_and_is_not_grabbed_at_the_fitted_zoom(qtbot, two):
    editor, model, first, _second = two
    canvas = editor.canvas
    tip = first.right_hand.xy[8].copy()  # index finger tip
    drag(qtbot, canvas, view_pos(canvas, tip), view_pos(canvas, tip) + QPoint(25, 0))
    assert np.allclose(model.state.current.right_hand.xy, first.right_hand.xy)  # the fitted view: not grabbed
    assert canvas.rig.overlay.part == "right_hand"  # that click selected the hand: its points are now grabbable
    assert canvas.rig.overlay.shows_points(model.state.current, "right_hand")
    canvas.rig.overlay.part = None  # unselect it and zoom in instead
    canvas.zoom_by(8.0, view_pos(canvas, tip))
    qtbot.wait(20)  # the scroll bars appear
    assert canvas.rig.overlay.shows_points(model.state.current, "right_hand")
    start = view_pos(canvas, tip)
    drag(qtbot, canvas, start, start + QPoint(40, 0))
    moved = model.state.current.right_hand.xy
    assert moved[8, 0] > tip[0] + 2.0 and np.allclose(moved[0], first.right_hand.xy[0])  # only that point moved
    assert editor.document.pose == first.body
    editor.document.undo_stack.undo()
    assert np.allclose(model.state.current.right_hand.xy, first.right_hand.xy)


def test_the_hand_follows_its_wrist_when_the_body_is_dragged(qtbot, two):
    editor, model, first, _second = two
    canvas = editor.canvas
    start = view_pos(canvas, first.body.xy[R_WRIST])
    drag(qtbot, canvas, start, start + QPoint(-30, -20))
    wrist = editor.document.pose.xy[R_WRIST]
    assert not np.allclose(wrist, first.body.xy[R_WRIST])
    assert np.allclose(model.state.current.right_hand.xy[0], wrist)


def test_add_duplicate_delete_hide_are_one_undo_step_each(qtbot, two):
    editor, model, _first, _second = two
    dock, stack = editor.people_dock, editor.document.undo_stack
    dock._fill_add_menu()
    standing = next(a for a in dock.add_menu.actions() if a.text() == "Standing")
    standing.trigger()
    assert len(model.state.people) == 3 and model.state.selected == 2 and dock.people.count() == 3
    QTest.mouseClick(dock.duplicate_button, LEFT)
    assert len(model.state.people) == 4 and model.state.selected == 3
    copy, original = model.state.people[3].body, model.state.people[2].body
    assert np.allclose(copy.xy[:, 1], original.xy[:, 1]) and (copy.xy[:, 0] > original.xy[:, 0]).all()
    QTest.mouseClick(dock.delete_button, LEFT)
    assert len(model.state.people) == 3
    item = dock.people.item(1)
    item.setCheckState(Qt.CheckState.Unchecked)  # what a click on the tick box does
    assert model.state.hidden == (False, True, False)
    assert "(hidden)" in dock.people.item(1).text()
    counts = []
    for _ in range(4):
        stack.undo()
        counts.append((len(model.state.people), model.state.hidden[1]))
    assert counts == [(3, False), (4, False), (3, False), (2, False)]
    assert not stack.canUndo()


def test_the_last_person_cannot_be_deleted(qtbot, editor):
    dock = editor.people_dock
    assert not dock.delete_button.isEnabled()
    dock.model.delete()
    assert len(dock.model.state.people) == 1


def test_applying_a_preset_poses_the_selected_person_as_one_undo_step(qtbot, two):
    editor, model, first, _second = two
    dock = editor.people_dock
    row = next(i for i in range(dock.presets.count()) if dock.presets.item(i).text() == "T pose")
    dock.presets.setCurrentRow(row)
    QTest.mouseClick(dock.apply_button, LEFT)
    pose = editor.document.pose
    arm = abs(pose.xy[R_WRIST, 1] - pose.xy[R_SHOULDER, 1])
    assert arm < 0.1 * abs(first.body.xy[R_WRIST, 1] - first.body.xy[R_SHOULDER, 1])  # arm level with the shoulder
    assert np.allclose(model.state.current.body.xy, pose.xy)
    editor.document.undo_stack.undo()
    assert editor.document.pose == first.body


def test_save_current_pose_as_preset_lists_it_and_it_applies(qtbot, two, monkeypatch):
    editor, model, first, _second = two
    dock = editor.people_dock
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("My crouch", True)))
    QTest.mouseClick(dock.save_button, LEFT)
    names = [dock.presets.item(i).text() for i in range(dock.presets.count())]
    assert "My crouch  (yours)" in names
    assert (user_dir() / "my_crouch.json").is_file()
    saved = dock.presets.currentItem()  # the new preset is selected in the list
    dock.presets.setCurrentRow(next(i for i, n in enumerate(names) if n == "T pose"))
    dock.apply_selected_preset()
    assert not np.allclose(editor.document.pose.xy, first.body.xy, atol=2.0)
    dock.presets.setCurrentItem(saved)
    dock.apply_selected_preset()  # back to the saved pose on the same person
    assert np.allclose(editor.document.pose.xy, first.body.xy, atol=1.0)


def test_a_project_saves_and_reopens_the_people_hands_and_hidden_flags(qtbot, two, tmp_path):
    editor, model, first, second = two
    tl, doc = editor.timeline, editor.document
    model.toggle_hidden(1)
    model.select(1)
    path = tmp_path / "two.gflaproj"
    assert tl.project.save_as(path)
    import json

    assert json.loads(path.read_text())["version"] == 4
    model.set_document(PoseDocument(doc.size, (first,)))
    assert len(model.state.people) == 1
    tl.project.confirm_discard = lambda what: True
    with qtbot.waitSignal(doc.photoChanged, timeout=5000):
        assert tl.project.open_project(path)
    state = model.state
    assert len(state.people) == 2 and state.selected == 1 and state.hidden == (False, True)
    assert np.allclose(state.people[0].right_hand.xy, first.right_hand.xy)
    assert doc.pose == second.body and editor.people_dock.people.count() == 2


def test_a_one_body_project_keeps_the_old_version(qtbot, editor, tmp_path):
    import json

    path = tmp_path / "one.gflaproj"
    assert editor.timeline.project.save_as(path)
    raw = json.loads(path.read_text())
    assert raw["version"] == 1 and "people" not in raw


def test_opening_a_comfyui_file_with_two_people_and_hands_brings_them_all_as_one_undo_step(qtbot, editor, tmp_path):
    from core.formats import write_pose_document

    body = editor.document.pose
    before = editor.document.pose
    people = (Person(body.transformed(0.5, (0.0, 0.0)), left_hand=hand_at(*body.xy[L_WRIST] * 0.5)),
              Person(body.transformed(0.5, (120.0, 0.0))))
    w, h = editor.document.size
    path = tmp_path / "pose_keypoint.json"
    write_pose_document(path, [PoseDocument((w, h), people)], "comfyui")
    assert editor.apply_pose_file(str(path))
    state = editor.people_dock.model.state
    assert len(state.people) == 2 and state.people[0].left_hand is not None
    assert np.allclose(state.people[1].body.xy, people[1].body.xy, atol=0.01)
    assert editor.document.pose in (state.people[0].body, state.people[1].body)
    editor.document.undo_stack.undo()
    assert len(editor.people_dock.model.state.people) == 1 and editor.document.pose == before


def test_hovering_a_hand_point_names_it_and_leaving_it_hides_the_name(qtbot, two):
    editor, _model, first, _second = two
    canvas = editor.canvas
    tip = first.right_hand.xy[8].copy()
    canvas.zoom_by(8.0, view_pos(canvas, tip))
    qtbot.wait(20)
    QTest.mouseMove(canvas.viewport(), view_pos(canvas, tip))
    label = canvas.skeleton.label
    assert label.isVisible() and label.text() == "right hand: index tip"
    assert "right hand: index tip" in canvas.viewport().toolTip()
    QTest.mouseMove(canvas.viewport(), view_pos(canvas, first.right_hand.xy[20]))
    assert label.text() == "right hand: little tip"
    QTest.mouseMove(canvas.viewport(), view_pos(canvas, first.right_hand.xy[0]))
    assert label.text() == "Right wrist"  # the body's wrist lies under the hand's: the body joint wins
    QTest.mouseMove(canvas.viewport(), view_pos(canvas, tip) + QPoint(60, 60))  # nothing there
    assert not label.isVisible()
