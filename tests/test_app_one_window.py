"""Body and face are two subjects of one window: the mode switch swaps the menus' actions, toolbar, docks and title,
and add-ons place actions by section id in the action registry."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenuBar
from test_app_face import open_face


def shown(menu) -> list[QAction]:
    return [a for a in menu.actions() if a.isVisible() and not a.isSeparator()]


def shortcuts_are_unambiguous(window) -> bool:
    keys = [s.toString() for m in ("file", "edit", "view") for a in shown(window.registry.menu(m))
            for s in a.shortcuts()]
    return len(keys) == len(set(keys))


def test_opening_a_portrait_switches_the_same_window_to_face_mode_and_back(qtbot, weights_store, editor):
    page = open_face(qtbot, editor)
    assert page.window() is editor and editor.modes.current == "face"
    assert page.acts.toolbar.isVisible() and not editor.toolbar.isVisible()
    assert page.timeline.dock.isVisible() and not editor.timeline.dock.isVisible() and not editor.pose_dock.isVisible()
    file_texts = [a.text() for a in shown(editor.registry.menu("file"))]
    assert "Open Portrait…" in file_texts and "Import Face Motion…" in file_texts and "Open Photo…" not in file_texts
    assert not editor.acts.renderer_menu.menuAction().isVisible(), "the body's Renderer menu is not face mode's"
    assert "Face Mode" in editor.windowTitle() and "portrait" in editor.windowTitle()
    assert shortcuts_are_unambiguous(editor)
    editor.modes.switch_actions["body"].trigger()
    assert editor.modes.current == "body" and editor.toolbar.isVisible() and not page.acts.toolbar.isVisible()
    assert editor.timeline.dock.isVisible() and editor.pose_dock.isVisible() and not page.timeline.dock.isVisible()
    assert "Open Photo…" in [a.text() for a in shown(editor.registry.menu("file"))]
    assert "Face Mode" not in editor.windowTitle() and editor.acts.renderer_menu.menuAction().isVisible()
    assert shortcuts_are_unambiguous(editor)
    assert page.document.has_photo, "the portrait stays open in face mode while the body is shown"


def test_the_registry_places_actions_by_section_id_and_shows_each_subjects_own(qtbot):
    from app.registry import ActionRegistry

    bar = QMenuBar()
    qtbot.addWidget(bar)
    registry = ActionRegistry(bar)
    body, face, both = QAction("Body only", bar), QAction("Face only", bar), QAction("Both", bar)
    registry.add("file.save", body, ("body",))
    registry.add("file.open", face, ("face",))
    registry.add("file.open", both)
    assert [a.text() for a in registry.menu("file").actions() if not a.isSeparator()] == ["Face only", "Both",
                                                                                          "Body only"]
    assert registry.actions("file.open") == [face, both]
    registry.set_mode("face")
    assert face.isVisible() and both.isVisible() and not body.isVisible()
    registry.set_mode("body")
    assert body.isVisible() and both.isVisible() and not face.isVisible()
    with pytest.raises(KeyError, match="no menu section 'file.nowhere'; the sections are file.project"):
        registry.add("file.nowhere", QAction("Lost", bar))
