"""The window around the canvas: first-run hint, saving, applying pose files, recent files, drops, views, prefs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from app import file_ops
from app.preferences import PreferencesDialog
from app.result_view import ResultView
from core.errors import CheckpointError
from core.imageio_utils import load_image
from core.pose_io import read_openpose_json, write_openpose_json
from core.skeleton import JOINT_INDEX

WRIST = JOINT_INDEX["right_wrist"]


def test_first_run_hint_shows_until_the_first_drag(qtbot, editor):
    assert editor.hint.isVisible() and "Drag a joint" in editor.hint.findChild(QLabel).text()
    canvas = editor.canvas
    start = canvas.joint_viewport_pos(WRIST)
    QTest.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(canvas.viewport(), start + QPoint(20, 20))
    QTest.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(20, 20))
    assert not editor.hint.isVisible()
    assert editor.settings.hint_done


def test_saving_writes_the_result_the_pose_json_and_the_controlnet_skeleton(qtbot, editor, tmp_path):
    editor.document.move_joint(WRIST, (60.0, 200.0), "move")
    qtbot.waitUntil(lambda: editor.client.busy_text == "" and editor.result_view.has_result, timeout=5000)
    assert file_ops.save(editor, "result", str(tmp_path / "result.png"))
    assert file_ops.save(editor, "result", str(tmp_path / "result.jpg"))
    assert file_ops.save(editor, "pose", str(tmp_path / "pose.json"))
    assert file_ops.save(editor, "skeleton", str(tmp_path / "skeleton.png"))
    w, h = editor.document.size
    np.testing.assert_array_equal(load_image(tmp_path / "result.png"), editor.result_view.composed_rgb())
    assert load_image(tmp_path / "result.jpg").shape == (h, w, 3)
    assert read_openpose_json(tmp_path / "pose.json") == editor.document.pose
    skeleton = load_image(tmp_path / "skeleton.png")
    assert skeleton.shape == (h, w, 3) and skeleton.any() and skeleton[0, 0].sum() == 0
    assert not editor.banner.isVisible()


def test_saving_into_a_missing_folder_shows_a_banner_and_writes_nothing(qtbot, editor, tmp_path):
    target = tmp_path / "no" / "such" / "folder" / "pose.json"
    assert not file_ops.save(editor, "pose", str(target))
    assert editor.banner.kind == "error" and "pose.json" in editor.banner.text()
    assert not target.exists()


def test_a_pose_file_from_the_same_frame_applies_as_is_and_one_from_another_frame_is_fitted(qtbot, editor, tmp_path):
    doc = editor.document
    wanted = doc.pose.with_joint(WRIST, (40.0, 60.0))
    write_openpose_json(tmp_path / "same.json", wanted, canvas_size=doc.size)
    assert editor.apply_pose_file(str(tmp_path / "same.json"))
    np.testing.assert_allclose(doc.pose.xy, wanted.xy, atol=1e-3)
    doc.undo_stack.undo()
    assert doc.pose == doc.detected
    other = wanted.transformed(0.5, (500.0, 700.0))  # the same pose, half size, somewhere in a 2000 px frame
    write_openpose_json(tmp_path / "other.json", other, canvas_size=(2000, 2000))
    assert editor.apply_pose_file(str(tmp_path / "other.json"))
    np.testing.assert_allclose(doc.pose.xy, wanted.xy, atol=1.0)
    bad = tmp_path / "broken.json"
    bad.write_text("{ not json")
    assert not editor.apply_pose_file(str(bad))
    assert "broken.json" in editor.banner.text()


def test_opened_photos_go_to_recent_files_and_the_recent_menu(qtbot, editor, photo_path):
    assert editor.settings.recent_files[0] == str(photo_path.resolve())
    editor.acts.recent_menu.aboutToShow.emit()  # what opening the menu does
    assert str(photo_path.resolve()) in [a.text() for a in editor.acts.recent_menu.actions()]


def test_dropping_an_image_file_on_the_window_opens_it(qtbot, editor, tmp_path):
    from PIL import Image

    other = tmp_path / "other.jpg"
    Image.fromarray(np.full((300, 200, 3), 120, np.uint8)).save(other)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(50, 50), *args)
    QApplication.sendEvent(editor, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(editor.client.photoReady, timeout=5000):
        QApplication.sendEvent(editor, QDropEvent(QPointF(50, 50), *args))
    assert editor.document.path == str(other) and editor.document.size == (200, 300)
    assert editor.document.undo_stack.count() == 0


def test_view_modes_switch_the_result_pane_and_the_split_slider_follows_the_mouse(qtbot, editor):
    view = editor.result_view
    editor.acts.modes["split"].trigger()
    assert view.mode == "split" and editor.settings.view_mode == "split"
    rect = view.image_rect()
    x = int(rect.left() + 0.25 * rect.width())
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, int(rect.center().y())))
    assert view.split == pytest.approx(0.25, abs=0.02)
    editor.acts.modes["flow"].trigger()
    assert view.mode == "flow" and view.has_flow
    assert not view.grab().isNull()


def test_a_cropped_network_result_is_pasted_back_into_the_photo(qtbot):
    view = ResultView()
    qtbot.addWidget(view)
    photo = np.zeros((100, 80, 3), np.uint8)
    view.set_photo(photo)
    crop = np.full((40, 20, 3), 200, np.uint8)
    view.set_result(SimpleNamespace(image=crop, crop_box=(30.0, 20.0, 50.0, 60.0), flows=[]))
    out = view.composed_rgb()
    assert out.shape == photo.shape
    assert (out[25:55, 35:45] == 200).all()
    assert (out[:15] == 0).all() and (out[:, :25] == 0).all() and (out[65:] == 0).all()


def test_preferences_list_imported_checkpoints_and_import_failures_are_explained(qtbot, editor, tmp_path):
    entry = SimpleNamespace(kind="pose_fashion", original_name="fashion.pth", path=lambda: tmp_path / "f.safetensors")
    keypoint = SimpleNamespace(kind="dance_keypoint", original_name="kp.pth", path=lambda: tmp_path / "k.safetensors")
    editor.services.find_weights = lambda: [entry, keypoint]

    def refuse(path):
        raise CheckpointError("missing keys: flow_net.conv1.weight")

    editor.services.import_checkpoint = refuse
    dialog = PreferencesDialog(editor.settings, editor.services, editor)
    qtbot.addWidget(dialog)
    labels = [dialog.checkpoint.itemText(i) for i in range(dialog.checkpoint.count())]
    assert labels == ["Skeleton warp (no checkpoint)", "pose_fashion — fashion.pth"]
    assert not dialog.import_file(str(tmp_path / "x.pth"))
    assert "flow_net.conv1.weight" in dialog.message.text()
    dialog.checkpoint.setCurrentIndex(1)
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog.apply()
    assert editor.settings.checkpoint == str(tmp_path / "f.safetensors") and editor.settings.device == "cpu"


def test_the_window_has_a_bottom_dock_place_for_the_timeline(qtbot, editor):
    dock = editor.add_dock(QLabel("timeline"))
    assert editor.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert dock.toggleViewAction() in editor.acts.panels_menu.actions()


def test_choosing_an_imported_checkpoint_in_the_renderer_menu_switches_the_renderer(qtbot, editor, tmp_path):
    entry = SimpleNamespace(kind="pose_fashion", original_name="fashion.pth", path=lambda: tmp_path / "f.safetensors")
    editor.services.find_weights = lambda: [entry]
    menu = editor.acts.renderer_menu
    menu.aboutToShow.emit()  # what opening the menu does
    labels = [a.text() for a in menu.actions() if a.text()]
    assert labels[:2] == ["Skeleton warp (no checkpoint)", "pose_fashion — fashion.pth"]
    assert menu.actions()[0].isChecked()
    with qtbot.waitSignal(editor.client.rendererChanged, timeout=5000):
        menu.actions()[1].trigger()
    assert editor.render_status.renderer.text() == "Renderer: Fake GFLA"
    assert editor.settings.checkpoint == str(tmp_path / "f.safetensors")
    with qtbot.waitSignal(editor.client.rendered, timeout=5000, check_params_cb=lambda o: o.network):
        editor.acts.mirror.trigger()
    assert "Fake GFLA" in editor.result_header.text()


def test_banner_text_is_light_on_its_dark_strip(qtbot):
    from PySide6.QtGui import QPalette

    from app.banner import Banner

    banner = Banner()
    qtbot.addWidget(banner)
    for show, colour in ((banner.show_error, "#ffecec"), (banner.show_info, "#eaf3ff")):
        banner.dismiss()
        show("readable")
        banner._label.ensurePolished()
        assert banner._label.palette().color(QPalette.ColorRole.WindowText).name() == colour
