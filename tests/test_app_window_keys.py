"""Window usability: the rig's drag modes on the toolbar, Space in the view plays and pauses (Space+drag still
pans), and Help ▸ Keyboard Shortcuts lists the keys."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.screen_fit import PREFERRED_SIZE, TITLE_BAR_PX, fit_to_screen
from core.rig import DragMode


def test_the_drag_modes_and_bone_lock_are_on_the_toolbar_and_switch_the_canvas(qtbot, editor):
    texts = [a.text() for a in editor.toolbar.actions()]
    assert {"Free", "Rotate", "IK", "Lock Bone Lengths", "Symmetric"} <= set(texts)
    ik = next(a for a in editor.toolbar.actions() if a.text() == "IK")
    ik.trigger()
    assert editor.canvas.rig.mode is DragMode.IK


def test_space_tapped_in_the_view_plays_and_pauses_the_timeline(qtbot, editor):
    playback = editor.timeline.panel.playback
    editor.canvas.setFocus()
    QTest.keyClick(editor.canvas, Qt.Key.Key_Space)
    assert playback.playing
    QTest.keyClick(editor.canvas, Qt.Key.Key_Space)
    assert not playback.playing


def test_space_drag_pans_the_view_without_starting_playback(qtbot, editor):
    canvas, playback = editor.canvas, editor.timeline.panel.playback
    canvas.zoom_by(4.0)
    vp, bar = canvas.viewport(), canvas.horizontalScrollBar()
    start_scroll = bar.value()
    QTest.keyPress(canvas, Qt.Key.Key_Space)
    start = QPoint(vp.width() // 2, vp.height() // 2)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 6):
        QTest.mouseMove(vp, start + QPoint(-20 * k, 0))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(-100, 0))
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    assert bar.value() != start_scroll
    assert not playback.playing


def test_keyboard_shortcuts_lists_menu_canvas_and_mouse_keys(qtbot, editor):
    dialog = editor.show_shortcuts()
    qtbot.addWidget(dialog)
    keys = {(where, key) for where, key, _what in dialog.rows}
    assert ("Edit (body mode)", "E") in keys and ("Edit (body mode)", "L") in keys  # IK, the bone-length lock
    assert any(key == "Ctrl+Z" for _w, key in keys)
    assert ("Edit (body mode)", "P") in keys and ("View (body mode)", "F") in keys  # pin; fit to window
    assert ("File (face mode)", "Ctrl+D") in keys  # Drive with Video
    assert ("Timeline", "Space") in keys
    assert dialog.table.rowCount() == len(dialog.rows)


def test_the_window_opens_inside_the_screens_free_area_with_every_pane_shown(qtbot, editor):
    """The window is shrunk to the screen it opens on (the offscreen screen, 800 px, is smaller than the preferred
    size), and its smallest layout fits a 1280x720 laptop with a title bar."""
    hint = editor.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720 - TITLE_BAR_PX
    fit_to_screen(editor, PREFERRED_SIZE)  # what MainWindow.__init__ does (the fixture then resized it to 1200x800)
    qtbot.wait(50)
    free = editor.screen().availableGeometry()
    assert editor.width() <= free.width() and editor.height() <= free.height()
    for dock in (editor.pose_dock, editor.people_dock, editor.timeline.dock):
        assert dock.isVisible() and dock.width() > 100 and dock.height() > 60, dock.windowTitle()
