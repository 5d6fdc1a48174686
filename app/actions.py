"""The window's actions, menus and toolbar, with their shortcuts, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

from app.canvas import drag_mode_actions, edit_toggle_actions, view_actions
from app.preferences import WARP_LABEL, entry_label, entry_path, renderer_entries
from app.registry import ActionRegistry
from app.result_view import MODE_TITLES, MODES

if TYPE_CHECKING:
    from app.main_window import MainWindow


@dataclass
class Actions:
    open: QAction
    open_sample: QAction
    save_result: QAction
    save_pose: QAction
    save_skeleton: QAction
    apply_pose: QAction
    preferences: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    detect: QAction
    mirror: QAction
    reset: QAction
    zoom_in: QAction
    zoom_out: QAction
    fit: QAction
    modes: dict[str, QAction]
    recent_menu: QMenu
    renderer_menu: QMenu
    export_menu: QMenu
    panels_menu: QMenu


def _act(win: MainWindow, text: str, slot, shortcut=None, tip: str = "") -> QAction:  # noqa: ANN001
    action = QAction(text, win)
    if shortcut is not None:
        if isinstance(shortcut, (list, tuple)):
            action.setShortcuts([QKeySequence(s) for s in shortcut])
        else:
            action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def create_actions(win: MainWindow) -> Actions:
    stack = win.document.undo_stack
    undo = stack.createUndoAction(win, "Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    undo.setIconText("Undo")  # the menu says "Undo Move right wrist"; the toolbar stays short
    undo.setToolTip("Undo the last pose edit (Ctrl+Z)")
    redo = stack.createRedoAction(win, "Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    redo.setIconText("Redo")
    redo.setToolTip("Redo (Ctrl+Shift+Z)")
    group = QActionGroup(win)
    modes: dict[str, QAction] = {}
    for n, mode in enumerate(MODES, start=1):
        a = _act(win, MODE_TITLES[mode], lambda m=mode: win.set_view_mode(m), f"Ctrl+{n}")
        a.setCheckable(True)
        group.addAction(a)
        modes[mode] = a
    modes["side"].setToolTip("Result next to the photo (Ctrl+1)")
    modes["split"].setToolTip("Photo and result in one frame with a split slider: drag it in the result pane (Ctrl+2)")
    modes["flow"].setToolTip("Colour each result pixel by where in the photo it was taken from (Ctrl+3)")
    return Actions(
        open=_act(win, "Open Photo…", win.open_dialog, QKeySequence.StandardKey.Open, "Open a photo of a person (Ctrl+O)"),
        open_sample=_act(win, "Open Sample Photo", win.open_sample),
        save_result=_act(win, "Save Result Image…", win.save_result_dialog, QKeySequence.StandardKey.Save,
                         "Save the re-posed photo as PNG or JPEG (Ctrl+S)"),
        save_pose=_act(win, "Save Pose as OpenPose / ControlNet JSON…", win.save_pose_dialog, "Ctrl+Shift+S"),
        save_skeleton=_act(win, "Save ControlNet Skeleton Image…", win.save_skeleton_dialog, "Ctrl+Alt+S"),
        apply_pose=_act(win, "Apply Pose from JSON (OpenPose, ControlNet, ComfyUI)…", win.apply_pose_dialog, "Ctrl+Shift+O",
                        "Load a skeleton from a file and fit it onto the person"),
        preferences=_act(win, "Preferences…", win.show_preferences, QKeySequence.StandardKey.Preferences),
        quit=_act(win, "Quit", win.close, QKeySequence.StandardKey.Quit),
        undo=undo,
        redo=redo,
        detect=_act(win, "Detect", win.detect_again, "Ctrl+D", "Find the person's skeleton in the photo again (Ctrl+D)"),
        mirror=_act(win, "Mirror", win.mirror, "M", "Swap left and right (M)"),
        reset=_act(win, "Reset", win.reset_pose, "Ctrl+R", "Back to the detected pose (Ctrl+R)"),
        zoom_in=_act(win, "Zoom In", lambda: win.canvas.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn),
        zoom_out=_act(win, "Zoom Out", lambda: win.canvas.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut),
        fit=_act(win, "Fit Photo", win.canvas.fit, "Ctrl+0"),
        modes=modes,
        recent_menu=QMenu("Open Recent", win),
        renderer_menu=QMenu("Renderer", win),
        export_menu=QMenu("Export", win),
        panels_menu=QMenu("Panels", win),
    )


def build_menus(registry: ActionRegistry, win: MainWindow, a: Actions) -> None:
    """Place the body editor's actions in the registry's sections (shown in body mode) and the shared ones."""
    body = ("body",)
    registry.add("file.open", a.open, body)
    registry.add("file.open", a.recent_menu, body)
    registry.add("file.open", a.open_sample, body)
    registry.add_all("file.save", [a.save_result, a.save_pose, a.save_skeleton], body)
    registry.add_all("file.app", [a.preferences, a.quit])
    registry.add_all("edit.history", [a.undo, a.redo], body)
    registry.add_all("edit.points", [a.mirror, a.reset, a.detect, a.apply_pose], body)
    registry.add_all("view.modes", list(a.modes.values()), body)
    registry.add_all("edit.rig", drag_mode_actions(win.canvas) + edit_toggle_actions(win.canvas), body)
    registry.add_all("view.zoom", [a.zoom_in, a.zoom_out, a.fit, *view_actions(win.canvas)], body)
    registry.add("view.panels", a.panels_menu)
    a.renderer_menu.setTitle("&Renderer")
    registry.add_menu(a.renderer_menu, before="tools", modes=body)
    registry.add("help.main", _act(win, "Mouse and Keyboard", win.show_help, QKeySequence.StandardKey.HelpContents))
    registry.add("help.main", _act(win, "Keyboard Shortcuts", win.show_shortcuts, "Ctrl+/",
                                   "Every key and mouse gesture of the editor, in one list (Ctrl+/)"))
    registry.adopt("export", a.export_menu, ("images", "animation"))
    registry.add_all("export.images", [a.save_result, a.save_pose, a.save_skeleton])


def _menu_button(menu: QMenu, text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


def build_toolbar(win: MainWindow, a: Actions) -> QToolBar:
    tb = QToolBar("Main", win)
    tb.setObjectName("MainToolbar")
    tb.setMovable(False)
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    a.open.setIconText("Open")
    tb.addAction(a.open)
    tb.addAction(a.detect)
    tb.addSeparator()
    tb.addActions([a.undo, a.redo])
    tb.addSeparator()
    tb.addActions([a.mirror, a.reset])
    tb.addSeparator()
    tb.addActions(drag_mode_actions(win.canvas))  # Free / Rotate / IK (Q / W / E)
    tb.addActions(edit_toggle_actions(win.canvas)[:2])  # Lock Bone Lengths (L), Symmetric (X)
    tb.addSeparator()
    tb.addWidget(_menu_button(a.renderer_menu, "Renderer ▾", "Choose what renders the result"))
    tb.addSeparator()
    for mode in MODES:
        tb.addAction(a.modes[mode])
    tb.addSeparator()
    tb.addWidget(_menu_button(a.export_menu, "Export ▾", "Save the result image, the pose or a skeleton image"))
    win.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
    return tb


def fill_renderer_menu(win: MainWindow) -> None:
    """The Renderer menu: the skeleton warp, every imported checkpoint (the one in use ticked), import, prefs."""
    menu = win.acts.renderer_menu
    menu.clear()
    current = win.settings.checkpoint or ""
    options = [(WARP_LABEL, "")] + [(entry_label(e), entry_path(e)) for e in renderer_entries(win.services)]
    for label, path in options:
        action = menu.addAction(label, lambda p=path: win.choose_renderer(p or None))
        action.setCheckable(True)
        action.setChecked(path == current)
    menu.addSeparator()
    menu.addAction("Import a checkpoint…", win.show_preferences)
    menu.addAction(win.acts.preferences)


def fill_recent_menu(win: MainWindow) -> None:
    menu = win.acts.recent_menu
    menu.clear()
    for path in win.settings.recent_files:
        menu.addAction(path, lambda p=path: win.open_photo(p))
    if menu.isEmpty():
        menu.addAction("(none yet)").setEnabled(False)
