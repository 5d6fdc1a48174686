"""Face mode's actions: registered for the "face" subject in the window's action registry, plus its toolbar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from app.face import page_files
from app.registry import ActionRegistry
from core.subjects import FACE

if TYPE_CHECKING:
    from app.face.window import FacePage

MODES = (FACE.kind,)


class FaceActions:
    """Every action of face mode, placed in the registry's sections and on the face toolbar."""

    def __init__(self, page: FacePage, registry: ActionRegistry) -> None:
        self.page = page
        stack = page.document.undo_stack
        self.undo = stack.createUndoAction(page, "Undo")
        self.undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo.setIconText("Undo")
        self.redo = stack.createRedoAction(page, "Redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo.setIconText("Redo")
        files = page_files.dialog_actions(page)
        a = self._act
        self.open = a(FACE.open_text, page.open_dialog, QKeySequence.StandardKey.Open)
        self.open.setIconText("Open")
        self.mirror = a("Mirror", page.mirror, "M", "Swap the face's left and right (M)")
        self.reset = a("Reset", page.reset, "Ctrl+R", "Back to the detected landmarks (Ctrl+R)")
        self.render = a("Render", page.request_render, "F5", "Render the face now (also looks for a newly imported "
                        "checkpoint)")
        self.import_weights = a("Import Face Checkpoint…", files["import_checkpoint"], None,
                                "Import the published face network (latest_net_G.pth from face_checkpoints)")
        self.save_result = a("Save Result Image…", files["save_result"], QKeySequence.StandardKey.Save)
        self.save_marks = a("Save Landmarks as JSON…", files["save_landmarks"], "Ctrl+Shift+S")
        self.open_marks = a("Apply Landmarks from JSON…", files["load_landmarks"], "Ctrl+Shift+O")
        self.drive = a("Drive with Video…", page.drive_dialog, "Ctrl+D",
                       "Move the portrait's face like the face in a video; export MP4 or GIF (Ctrl+D)")
        t = page.timeline
        registry.add_all("file.project", t.project_actions, MODES)
        registry.add_all("file.open", [self.open, self.open_marks], MODES)
        registry.add_all("file.motion", [t.import_action, t.export_action, self.drive], MODES)
        registry.add_all("file.save", [self.save_marks, self.save_result, self.import_weights], MODES)
        registry.add_all("edit.history", [self.undo, self.redo], MODES)
        registry.add_all("edit.points", [self.mirror, self.reset, self.render], MODES)
        registry.add("edit.timeline", t.key_action, MODES)
        self.toolbar = QToolBar("Face", page)
        self.toolbar.setObjectName("FaceToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.open, self.undo, self.redo, self.mirror, self.reset, self.render,
                                 self.save_result, self.drive])

    def _act(self, text: str, slot: Callable[[], object], shortcut: object = None, tip: str = "") -> QAction:
        action = QAction(text, self.page)
        if isinstance(shortcut, (str, QKeySequence.StandardKey)):
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        return action
