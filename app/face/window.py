"""Face mode: a window that edits a portrait's 68 landmarks on the editor's canvas and re-renders the face.

It is a separate window (File → Open Portrait (Face Mode)…), not a mode of the body window: it has its own
document, undo stack and timeline, and shares only the editor's worker thread (jobs posted with
RenderClient.run_job). Every drag move shows a landmark mesh warp preview (on a copy of at most 768 px);
when the landmarks settle, the face network renders them if its checkpoint is imported, else the mesh warp
at full size. The result pane's title names the renderer of what it shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from app.banner import Banner
from app.canvas import Keypoints, PoseCanvas
from app.face.document import KeypointDocument
from app.face.image_pane import ImagePane
from app.face.latest_job import LatestJob
from app.face.sessions import FaceSession, Portrait, Rendered, checkpoint_problem, load_portrait
from app.panels import header_label, titled_pane
from app.timeline.jobs import Job, PatientPoster
from app.worker import user_message
from core.face.layout import FACE68

if TYPE_CHECKING:
    from app.face.drive import DriveDialog

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;All files (*)"
JSON_FILTER = "Landmarks JSON (*.json);;All files (*)"
HINT = ("Drag a landmark; Shift+drag moves its whole part: pull the lower lip down to open the mouth, lift a brow, "
        "move the nose and jaw to turn the head. Right-click hides or restores one · arrows nudge · M mirrors · "
        "Ctrl+Z undoes · K keys the landmarks on the timeline.")
FACE_VIEW_SCALE = 1.9  # the canvas opens zoomed on the face: this many times its size


def face_view_box(landmarks: np.ndarray, scale: float = FACE_VIEW_SCALE) -> tuple[float, float, float, float]:
    """A square around the landmarks, ``scale`` times their larger side, raised a little to show the forehead."""
    lo, hi = np.nanmin(landmarks, axis=0), np.nanmax(landmarks, axis=0)
    side = scale * float(max(hi - lo))
    cx, cy = (lo + hi) / 2.0 - np.array([0.0, 0.1 * float(hi[1] - lo[1])])
    return cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2


class FaceWindow(QMainWindow):
    """One portrait, its editable 68 landmarks and the face network's result."""

    def __init__(self, run_job: Callable[[Job], bool], device: str = "auto", folder: str = "",
                 parent: QWidget | None = None, running_job: Callable[[], Job | None] | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.run_job = run_job
        self.drive_after_open = False  # open Drive with Video… once the portrait being detected is open
        self.document = KeypointDocument(FACE68, self)
        self.canvas = PoseCanvas(self.document, layout=FACE68)
        self.canvas.empty_text = "Open a portrait (Ctrl+O): one face, roughly frontal"
        self.result_view = ImagePane("Finding the face…")
        self.banner = Banner()
        self.checkpoint_banner = Banner()  # the lasting "needs the face checkpoint" notice
        self.session = FaceSession(device)
        self.portrait: Portrait | None = None
        self.last_result: Rendered | None = None
        self.checkpoint_missing: str | None = None
        self._stamp = self._shown_stamp = 0  # request order across previews and renders: newest shown wins
        self._detect = LatestJob(run_job, "Finding the face", self)
        self._render = LatestJob(run_job, "Rendering the face", self)
        self._preview = LatestJob(run_job, "Previewing the face", self, progressive=True)
        self.long_jobs = PatientPoster(run_job, self, running=running_job)  # exports wait for previews and renders
        self._detect.finished.connect(self._on_detected)
        self._detect.failed.connect(self._on_detect_failed)
        self._render.finished.connect(self._on_rendered)
        self._render.failed.connect(lambda _g, msg: self.banner.show_error(f"Rendering the face failed: {msg}"))
        self._render.busyChanged.connect(self._on_render_busy)
        self._preview.finished.connect(self._on_previewed)
        self._preview.failed.connect(lambda _g, msg: self.banner.show_error(f"Previewing the face failed: {msg}"))
        self.document.poseChanged.connect(self._on_pose_changed)
        self.canvas.hoveredJointChanged.connect(self._on_hover)
        for bar in (self.canvas.horizontalScrollBar(), self.canvas.verticalScrollBar()):
            bar.valueChanged.connect(self._follow_canvas)  # zoom and pan move the scroll bars
            bar.rangeChanged.connect(self._follow_canvas)
        self._build()
        from app.face.timeline import FaceTimeline

        self.timeline = FaceTimeline(self)
        self._add_timeline_menus()
        self.setWindowTitle("Face Mode — GFLA Pose Studio")
        self.resize(1200, 860)

    # ----- layout and actions -------------------------------------------------------------
    def _act(self, text: str, slot: Callable[[], object], shortcut: object = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build(self) -> None:
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setIconText("Undo")
        self.redo_action = stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setIconText("Redo")
        a = self._act
        self.open_action = a("Open Portrait…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.mirror_action = a("Mirror", self.mirror, "M", "Swap the face's left and right (M)")
        self.reset_action = a("Reset", self.reset, "Ctrl+R", "Back to the detected landmarks (Ctrl+R)")
        self.render_action = a("Render", self.request_render, "F5",
                               "Render the face now (also looks for a newly imported checkpoint)")
        self.import_weights_action = a("Import Face Checkpoint…", self.import_checkpoint_dialog, None,
                                       "Import the published face network (latest_net_G.pth from face_checkpoints)")
        save_result = a("Save Result Image…", self.save_result_dialog, QKeySequence.StandardKey.Save)
        save_marks = a("Save Landmarks as JSON…", self.save_landmarks_dialog, "Ctrl+Shift+S")
        open_marks = a("Apply Landmarks from JSON…", self.load_landmarks_dialog, "Ctrl+Shift+O")
        self.drive_action = a("Drive with Video…", self.drive_dialog, "Ctrl+D",
                              "Move the portrait's face like the face in a video; export MP4 or GIF (Ctrl+D)")
        close = a("Close", self.close, QKeySequence.StandardKey.Close)
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([self.open_action, open_marks, save_marks, save_result, self.drive_action,
                                   self.import_weights_action, close])
        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([self.undo_action, self.redo_action, self.mirror_action, self.reset_action,
                                   self.render_action])
        tb = self.addToolBar("Face")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.open_action.setIconText("Open")
        tb.addActions([self.open_action, self.undo_action, self.redo_action, self.mirror_action, self.reset_action,
                       self.render_action, save_result, self.drive_action])
        self.canvas.extra_actions = [self.mirror_action, self.reset_action]
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#444; padding:2px 4px;")
        self.result_header = header_label("Result")
        panes = QSplitter(Qt.Orientation.Horizontal)
        panes.addWidget(titled_pane(header_label("Portrait — drag the landmarks"), self.canvas))
        panes.addWidget(titled_pane(self.result_header, self.result_view))
        panes.setSizes([600, 600])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        for widget in (self.checkpoint_banner, self.banner, hint):
            layout.addWidget(widget)
        layout.addWidget(panes, 1)
        self.setCentralWidget(central)

    def _add_timeline_menus(self) -> None:
        t = self.timeline
        first = self.file_menu.actions()[0]
        self.file_menu.insertActions(first, t.project_actions)
        self.file_menu.insertSeparator(first)
        self.file_menu.insertActions(self.drive_action, [t.import_action, t.export_action])
        self.centralWidget().layout().insertWidget(0, t.project.recovery_banner)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(t.key_action)
        view = self.menuBar().addMenu("&View")
        view.addAction(t.dock.toggleViewAction())

    # ----- what the project manager (app.timeline.project) asks of its window -----------------
    title_suffix = "Face Mode — GFLA Pose Studio"
    open_body_project: Callable[[str], bool] | None = None  # set by the editor that made this window

    def project_folder(self) -> str:
        return self.folder

    def project_renderer(self):  # noqa: ANN201 - core.project_file.RendererSettings
        from core.project_file import RendererSettings

        return RendererSettings(kind="face", device=self.session.device)

    def use_project_photo(self, path: str, image: np.ndarray, landmarks: Keypoints, _remember: bool) -> None:
        """A face project's portrait with its saved landmarks becomes the portrait (no detection)."""
        self.drive_after_open = False
        self._detect.drop()  # a detection still running must not replace the project's portrait later
        self._on_detected(0, (Portrait(path, image, np.array(landmarks.xy)), checkpoint_problem("face")))
        self.statusBar().showMessage(f"Opened the project's portrait {os.path.basename(path)} and its landmarks.", 6000)

    def open_project_elsewhere(self, path: str | os.PathLike) -> bool:
        """A body project opened here opens in the body editor."""
        if self.open_body_project is None:
            self.banner.show_error(f"Could not open the project: {os.path.basename(path)} is a body project")
            return False
        return self.open_body_project(str(path))

    # ----- the portrait -----------------------------------------------------------------
    def open_portrait(self, path: str | os.PathLike) -> bool:
        """Load the portrait and find its 68 landmarks in the worker; the open one stays until that succeeds.

        Another portrait starts an empty animation, so unsaved keyframes are asked about first (False: kept).
        """
        project = self.timeline.project
        if len(self.timeline.ctl.track) and project.dirty and not project.confirm_discard("Open another portrait"):
            return False
        path = str(path)
        self.statusBar().showMessage(f"Finding the face in {os.path.basename(path)}…")
        self._detect.request(lambda ctx: (load_portrait(path), checkpoint_problem("face")))
        return True

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a portrait", self.folder, IMAGE_FILTER)
        if path:
            self.folder = os.path.dirname(path)
            self.open_portrait(path)

    @Slot(int, object)
    def _on_detected(self, _generation: int, answer: tuple[Portrait, str | None]) -> None:
        portrait, problem = answer
        self.portrait, self.last_result = portrait, None
        self._set_missing(problem)
        self.result_view.set_image(None)
        self.result_view.set_placeholder("Rendering…")
        self._shown_stamp = self._stamp  # nothing asked for the previous portrait shows over this one
        if self.banner.kind == "error":
            self.banner.dismiss()  # the failure it reported is over
        self.setWindowTitle(f"{os.path.basename(portrait.path)} — Face Mode — GFLA Pose Studio")
        self.statusBar().showMessage(f"Found the face: {FACE68.size} landmarks.", 6000)
        self.timeline.new_portrait()
        self.document.set_photo(portrait.path, portrait.image, Keypoints(portrait.landmarks))
        self.canvas.focus_on(face_view_box(portrait.landmarks))
        self._follow_canvas()
        if self.drive_after_open:
            self.drive_after_open = False
            self.drive_dialog()

    @Slot(int, str)
    def _on_detect_failed(self, _generation: int, message: str) -> None:
        self.drive_after_open = False
        self.statusBar().clearMessage()
        keep = " The previous portrait stays open." if self.portrait is not None else ""
        self.banner.show_error(f"Could not open the portrait: {message}{keep}")
        if self.portrait is None:
            self.result_view.set_placeholder("")

    def _set_missing(self, problem: str | None) -> None:
        if problem == self.checkpoint_missing:
            return
        self.checkpoint_missing = problem
        if problem:
            text = ("Results come from the landmark mesh warp (no checkpoint). For the GFLA face network, import "
                    "latest_net_G.pth from the published face_checkpoints with File ▸ Import Face Checkpoint… "
                    "(or `python main.py weights import PATH`; see weights/README.md).")
            self.checkpoint_banner.show_info(text, timeout_ms=0)
        else:
            self.checkpoint_banner.dismiss()

    def drive_dialog(self) -> DriveDialog | None:
        """File → Drive with Video…: the export dialog (None, with a banner saying why, without portrait or checkpoint)."""
        from app.face.drive import open_drive_dialog

        return open_drive_dialog(self)

    # ----- edits ------------------------------------------------------------------------
    def mirror(self) -> None:
        if self.document.has_photo:
            self.document.commit(self.document.mirrored(), "Mirror face")

    def reset(self) -> None:
        if self.document.has_photo:
            self.document.commit(self.document.detected, "Reset landmarks")

    @Slot(bool)
    def _on_pose_changed(self, interactive: bool) -> None:
        if interactive:
            self.request_preview()
        else:
            self.request_render()

    @Slot(int)
    def _on_hover(self, index: int) -> None:
        if index >= 0:
            group = FACE68.group_of(index).replace("_", " ")
            part = FACE68.drag_group(index)[0].replace("_", " ")
            self.statusBar().showMessage(f"{FACE68.label(index)} ({group}) — drag to move it, Shift+drag moves the "
                                         f"{part}; click, then arrows nudge")
        else:
            self.statusBar().clearMessage()

    @Slot()
    def _follow_canvas(self, *_: object) -> None:
        """The result pane shows the part of the portrait the canvas shows (zoomed on the face, say)."""
        w, h = self.document.size
        if not self.document.has_photo or not w or not h:
            self.result_view.set_region(None)
            return
        seen = self.canvas.mapToScene(self.canvas.viewport().rect()).boundingRect()
        self.result_view.set_region((seen.left() / w, seen.top() / h, seen.right() / w, seen.bottom() / h))

    # ----- rendering --------------------------------------------------------------------
    def _target(self) -> np.ndarray | None:
        """The landmarks to render, or None (with a notice) when there is no portrait or some are hidden."""
        if self.portrait is None or not self.document.has_photo:
            return None
        target = np.array(self.document.pose.xy)
        if not np.isfinite(target).all():
            self.banner.show_info("The face needs all 68 landmarks to render: restore the hidden ones.")
            return None
        return target

    def request_preview(self) -> bool:
        """A quick mesh-warp preview of the landmarks being dragged (newest wins; each newer result is shown)."""
        target = self._target()
        if target is None:
            return False
        portrait, session, stamp = self.portrait, self.session, self._next_stamp()
        self._preview.request(lambda ctx: (stamp, session.preview(portrait, target)))
        return True

    def request_render(self) -> bool:
        """Render the current landmarks in the worker (newest wins); False when nothing was posted.

        The face network renders them when its checkpoint is imported (looked for again at every render, so a
        newly imported one is used at once), else the landmark mesh warp at full size. Render (F5) calls it too.
        """
        target = self._target()
        if target is None:
            return False
        portrait, session, stamp = self.portrait, self.session, self._next_stamp()
        self._render.request(lambda ctx: (stamp, session.render(portrait, target)))
        return True

    def _next_stamp(self) -> int:
        self._stamp += 1
        return self._stamp

    @property
    def idle(self) -> bool:
        """No detection, preview or render waiting or running (tests wait for this)."""
        return self._detect.idle and self._render.idle and self._preview.idle

    def _show(self, stamp: int, answer: Rendered) -> bool:
        """Show ``answer`` unless something asked for later is already shown (a late preview after the settled
        render, say); True when shown."""
        if stamp <= self._shown_stamp:
            return False
        self._shown_stamp = stamp
        self.result_view.set_image(answer.image)
        what = "drag preview" if answer.preview else f"{answer.seconds * 1000:.0f} ms"
        self.result_header.setText(f"Result — {answer.renderer} · {what}")
        return True

    @Slot(int, object)
    def _on_previewed(self, _generation: int, answer: tuple[int, Rendered]) -> None:
        self._show(*answer)

    @Slot(int, object)
    def _on_rendered(self, _generation: int, answer: tuple[int, Rendered]) -> None:
        stamp, rendered = answer
        self._set_missing(rendered.missing)
        self.last_result = rendered
        self._show(stamp, rendered)

    @Slot(bool)
    def _on_render_busy(self, busy: bool) -> None:
        if busy:
            self.result_header.setText("Result — rendering…")

    # ----- the face checkpoint -----------------------------------------------------------
    def import_checkpoint_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import the face checkpoint", self.folder,
                                              "Checkpoints (*.pth *.pt *.safetensors);;All files (*)")
        if path:
            self.import_checkpoint(path)

    def import_checkpoint(self, path: str) -> Job | None:
        """Check ``path`` strictly as the face network and import it into the weights store (in the worker); the face
        is then rendered with it."""
        from core.weights_store import import_checkpoint

        job = Job("Importing the face checkpoint", lambda ctx: import_checkpoint(path, kind="face"))
        job.finished.connect(lambda _entry: (self.banner.show_info(
            f"Imported {os.path.basename(path)}: the GFLA face network renders the face from now on."),
            self.request_render()))
        job.failed.connect(lambda msg: self.banner.show_error(f"Could not import {os.path.basename(path)}: {msg}"))
        if not self.long_jobs.post(job):
            self.banner.show_info("Another long job is running; wait for it or cancel it first.")
            return None
        self.statusBar().showMessage(f"Checking {os.path.basename(path)}…", 6000)
        return job

    # ----- files ------------------------------------------------------------------------
    def _stem(self) -> str:
        return os.path.join(self.folder, os.path.splitext(os.path.basename(self.document.path or "face"))[0])

    def save_result(self, path: str) -> bool:
        """Write the shown result image (PNG or JPEG, atomically)."""
        from core.imageio_utils import save_image

        if self.last_result is None:
            self.banner.show_info("There is no rendered result to save yet.")
            return False
        return self._try(lambda: save_image(path, self.last_result.image), path)

    def save_landmarks(self, path: str) -> bool:
        """Write the landmarks as JSON (app.face.files; atomically)."""
        from app.face.files import write_landmarks

        if not self.document.has_photo:
            return False
        name = os.path.basename(self.document.path or "")
        return self._try(lambda: write_landmarks(path, self.document.pose.xy, self.document.size, name), path)

    def load_landmarks(self, path: str) -> bool:
        """Apply landmarks from a JSON file as one undo step (scaled when saved for another image size)."""
        from app.face.files import read_landmarks

        if not self.document.has_photo:
            return False
        try:
            xy = read_landmarks(path, self.document.size)
        except Exception as exc:
            self.banner.show_error(f"Could not apply {os.path.basename(path)}: {user_message(exc)}")
            return False
        self.document.commit(Keypoints(xy), "Apply landmarks from file")
        return True

    def _try(self, write: Callable[[], None], path: str) -> bool:
        try:
            write()
        except Exception as exc:
            self.banner.show_error(f"Could not save {os.path.basename(path)}: {user_message(exc)}")
            return False
        self.statusBar().showMessage(f"Saved {path}", 6000)
        return True

    def save_result_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the result image", self._stem() + "_face.png",
                                              "PNG image (*.png);;JPEG image (*.jpg *.jpeg)")
        if path:
            self.save_result(path)

    def save_landmarks_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the landmarks", self._stem() + "_landmarks.json", JSON_FILTER)
        if path:
            self.save_landmarks(path)

    def load_landmarks_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Apply landmarks from a file", self.folder, JSON_FILTER)
        if path:
            self.load_landmarks(path)

    def closeEvent(self, event: QCloseEvent) -> None:
        from app.face.drive import DriveDialog

        for dialog in self.findChildren(DriveDialog):
            dialog.cancel()  # a running export stops and leaves no file
        self.timeline.close()
        self._detect.close()
        self._render.close()
        self._preview.close()
        super().closeEvent(event)
