"""The editor window: one QMainWindow whose subjects (body, face: core.subjects) are switchable pages; the body subject's
canvas, result pane, pose dock and status bar are wired to the render worker here, face mode is app.face.window."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QDialog, QDockWidget, QMainWindow, QMenu, QVBoxLayout, QWidget

from app import file_ops
from app.actions import build_menus, build_toolbar, create_actions, fill_recent_menu, fill_renderer_menu
from app.banner import Banner
from app.body_rendering import BodyRendering
from app.canvas import PoseCanvas
from app.document import PoseDocument
from app.face.install import install_face_tools
from app.face.window import FacePage
from app.jobs import Job, JobRunner
from app.modes import SubjectTabs
from app.panels import HELP, HintBar, RenderStatus, editing_panes, header_label
from app.people_dock import install_people
from app.pose_dock import PoseDock
from app.preferences import PreferencesDialog
from app.registry import LAYOUT, ActionRegistry
from app.render_client import RenderClient
from app.result_view import ResultView
from app.screen_fit import PREFERRED_SIZE, fit_to_screen
from app.services import Services
from app.settings import Settings
from app.shortcuts import GESTURES, ShortcutsDialog, action_rows
from app.timeline.install import install_timeline
from app.tools_finetune import install_finetune
from core.points import PointSet
from core.project_file import RendererSettings
from core.skeleton import Pose, joint_label
from core.subjects import BODY, FACE


class MainWindow(QMainWindow):
    """The one document window: the body subject (a photo, its editable pose, the re-rendered result) and the face
    subject (``face_page``) as pages sharing the menus, banner, status bar and worker thread."""

    subject = BODY
    title_suffix = BODY.title_suffix

    def __init__(self, settings: Settings, services: Services | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.services = services or Services()
        self.finetune_dialog: QDialog | None = None
        self.document = PoseDocument(self, BODY)
        self.client = RenderClient(self.services, self)  # the one worker thread; body renders go through it
        self.canvas = PoseCanvas(self.document)
        self.result_view = ResultView()
        self.banner = Banner()
        self.renderer_name, self.device = "", ""
        self.registry = ActionRegistry(self.menuBar())
        self.acts = create_actions(self)
        build_menus(self.registry, self, self.acts)
        self.toolbar = build_toolbar(self, self.acts)
        self.modes = SubjectTabs(self, self.registry, self.acts.panels_menu)
        self.canvas.extra_actions = [self.acts.mirror, self.acts.reset]
        self.pose_dock = PoseDock(self.document, [self.acts.mirror, self.acts.reset], self)
        self._build_central()
        self.modes.place_dock(self.pose_dock, BODY.kind, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.render_status = RenderStatus(self.statusBar())
        self._connect()
        self.people_dock = install_people(self)  # the person list, presets, other people/hands/faces on the canvas
        self.acts.recent_menu.aboutToShow.connect(lambda: fill_recent_menu(self))
        self.acts.renderer_menu.aboutToShow.connect(lambda: fill_renderer_menu(self))
        self.setAcceptDrops(True)
        self.set_view_mode(settings.view_mode if settings.view_mode in self.acts.modes else "side")
        self.client.set_renderer(settings.checkpoint, settings.device)
        self.timeline = install_timeline(self)  # the dock, onion skin, project and animation actions
        self.timeline.project.people = self.people_dock.model  # projects save and reopen the people
        self.finetune_action = install_finetune(self)  # Tools → Fine-tune on a Video…
        self.face_page = FacePage(self)
        self.modes.add(FACE.kind, self.face_page, self.face_page.acts.toolbar)
        self.face_tools = install_face_tools(self, lambda: self.face_page)  # File → Open Portrait (Face Mode)…
        self.modes.changed.connect(lambda kind: self.render_status.show_for(kind == BODY.kind))
        for canvas, panel in ((self.canvas, self.timeline.panel), (self.face_page.canvas, self.face_page.timeline.panel)):
            canvas.spaceTapped.connect(panel.playback.toggle)  # Space in the view plays, as on the timeline
        self.modes.show(BODY.kind)
        fit_to_screen(self, PREFERRED_SIZE)  # after every dock is in, so their minimum sizes count

    # ----- layout -----------------------------------------------------------------------
    def _build_central(self) -> None:
        self.hint = HintBar()
        self.hint.closed.connect(self._hint_done)
        self.hint.setVisible(not self.settings.hint_done)
        self.result_header = header_label("Result")
        self.body_page = editing_panes(BODY.photo_header, self.canvas, self.result_header, self.result_view,
                                       (self.hint,))
        self.modes.add(BODY.kind, self.body_page, self.toolbar)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.modes.stack, 1)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        self.rendering = BodyRendering(self)  # the render worker's answers, shown in this window
        self.client.follow(self.document)  # a pose edit goes straight to the render client
        self.canvas.hoveredJointChanged.connect(self._on_hover)
        self.canvas.dragFinished.connect(self._hint_done)
        self.canvas.selectedJointChanged.connect(self.pose_dock.select)
        self.pose_dock.jointSelected.connect(self.canvas.select)

    # ----- what the add-ons and pages ask of the window (app.host protocols) ------------------------
    def dialog_parent(self) -> QWidget:
        return self

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def add_dock(self, widget: QWidget, title: str = "Timeline", height: int = 0, subject: str = "body") -> QDockWidget:
        """Put ``widget`` in a dock of ``subject`` under the panes (the timeline's place)."""
        return self.modes.add_dock(widget, title, height, subject)

    def add_banner(self, widget: QWidget) -> None:
        """A notice strip above the body subject's panes (the project recovery offer)."""
        layout = self.body_page.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, widget)

    def run_job(self, job: Job) -> bool:
        return self.client.run_job(job)

    @property
    def jobs(self) -> JobRunner:
        return self.client.jobs

    def show_subject(self, kind: str) -> None:
        """Switch the window to the ``kind`` subject ("body", "face")."""
        self.modes.show(kind)

    def set_title(self, title: str, modified: bool) -> None:
        self.modes.set_title(BODY.kind, title, modified)

    def page_title_changed(self) -> None:
        self.modes.set_title(FACE.kind, self.face_page.windowTitle(), self.face_page.isWindowModified())

    def open_project_in(self, kind: str, path: str | os.PathLike) -> bool:
        """Open a project in the ``kind`` subject (a project of the other layout opened in one of them)."""
        self.show_subject(kind)
        page = self.timeline if kind == BODY.kind else self.face_page.timeline
        return page.project.open_project(path)

    def open_project_elsewhere(self, path: str | os.PathLike) -> bool:
        """A face project opened in the body subject opens in face mode."""
        return self.open_project_in(FACE.kind, path)

    # ----- photos -----------------------------------------------------------------------
    def open_photo(self, path: str | os.PathLike) -> None:
        """Load a photo and find its person in the worker; the current photo stays until that succeeds."""
        self.client.open_photo(str(path), self.settings.detector_backend)

    def open_dialog(self) -> None:
        path = file_ops.ask_open_image(self, self.settings.last_dir())
        if path:
            self.open_photo(path)

    def open_sample(self) -> None:
        sample = file_ops.sample_photo()
        if sample is None:
            self.banner.show_error("The bundled sample photo is missing from resources/.")
        else:
            self.open_photo(sample)

    def detect_again(self) -> None:
        if self.document.has_photo:
            self.client.detect_again(self.settings.detector_backend)

    # ----- pose edits -------------------------------------------------------------------
    def mirror(self) -> None:
        if self.document.has_photo:
            self.document.commit(self.document.body_pose().mirrored(), "Mirror pose")

    def reset_pose(self) -> None:
        if self.document.has_photo:
            self.document.commit(self.document.detected, "Reset pose")

    def apply_pose_dialog(self) -> None:
        path = file_ops.ask_open_pose(self, self.settings.last_dir())
        if path:
            self.apply_pose_file(path)

    def apply_pose_file(self, path: str) -> bool:
        """Apply the pose in an OpenPose JSON file as one undo step (app.file_ops.apply_pose_file); a file with several
        people or hands/face brings all of them (app.people_dock)."""
        return self.people_dock.apply_people_file(path) or file_ops.apply_pose_file(self, path)

    @Slot(int)
    def _on_hover(self, index: int) -> None:
        if index >= 0:
            self.statusBar().showMessage(f"{joint_label(index)} — drag to move; click it, then arrow keys nudge")
        else:
            self.statusBar().clearMessage()

    def _hint_done(self) -> None:
        self.hint.hide()
        self.settings.hint_done = True

    def choose_renderer(self, checkpoint: str | None) -> None:
        self.settings.checkpoint = checkpoint
        self.client.set_renderer(checkpoint, self.settings.device)

    def show_preferences(self) -> None:
        dialog = PreferencesDialog(self.settings, self.services, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            dialog.apply()
            self.client.set_renderer(self.settings.checkpoint, self.settings.device)

    def set_view_mode(self, mode: str) -> None:
        self.result_view.set_mode(mode)
        self.acts.modes[mode].setChecked(True)
        self.settings.view_mode = mode
        if mode == "flow" and self.result_view.has_result and not self.result_view.has_flow:
            self.statusBar().showMessage("This renderer gives no flow to show.", 5000)

    # ----- saving -----------------------------------------------------------------------
    def save_result_dialog(self) -> None:
        file_ops.save_with_dialog(self, "result")

    def save_pose_dialog(self) -> None:
        file_ops.save_with_dialog(self, "pose")

    def save_skeleton_dialog(self) -> None:
        file_ops.save_with_dialog(self, "skeleton")

    def show_help(self) -> None:
        self.banner.show_info(HELP, timeout_ms=30000)

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help ▸ Keyboard Shortcuts: the menus' keys (both modes), the canvas's, then the mouse gestures."""
        rows: list[tuple[str, str, str]] = []
        seen: set[QAction] = set()
        for menu_id, title, _sections in LAYOUT:
            for action in self.registry.menu(menu_id).actions():
                sub = action.menu()
                found = [a for a in (sub.actions() if isinstance(sub, QMenu) else [action]) if a not in seen]
                seen.update(found)
                for a in found:
                    modes = self.registry.modes_of(a) or self.registry.modes_of(action)
                    where = title.replace("&", "") + (f" ({' / '.join(sorted(modes))} mode)" if modes else "")
                    rows += action_rows(where, [a])
        rows += action_rows("Canvas", [a for a in self.canvas.actions() if a not in seen])
        dialog = ShortcutsDialog(list(dict.fromkeys(rows)) + list(GESTURES), self)
        dialog.show()
        return dialog

    # ----- drag and drop, closing ---------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            return
        event.acceptProposedAction()
        if files[0].lower().endswith(".json"):
            self.apply_pose_file(files[0])
        else:
            self.open_photo(files[0])

    # ----- projects -----------------------------------------------------------------------------------
    def project_folder(self) -> str:
        return self.settings.last_dir()

    def project_renderer(self) -> RendererSettings:
        return RendererSettings(checkpoint=self.settings.checkpoint, device=self.settings.device)

    def use_project_photo(self, path: str, image, points: PointSet, remember: bool) -> None:  # noqa: ANN001
        """A project's photo with its known pose becomes the photo (no detection); photoChanged follows."""
        assert isinstance(points, Pose)
        self.client.use_photo(path, image, points, remember=remember)

    def shutdown(self) -> None:
        """Stop the worker thread; safe to call more than once."""
        self.client.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.face_page.close()  # face mode's unsaved animation goes to its recovery file
        self.timeline.close()
        self.shutdown()
        self.settings.sync()
        super().closeEvent(event)

