"""Face mode: the window's page for the face subject (core.subjects.FACE), editing a portrait's 68 landmarks.

It is one page of the editor window (Face in its mode switch), not a window of its own: the window's banner, status bar,
menus (actions registered for the "face" subject) and worker thread serve it. Its document holds the
session (core.session: the portrait once, the typed landmarks, the newest-result-wins stamps). Every drag
move shows a landmark mesh warp preview (on a copy of at most 768 px); when the landmarks settle, the face
network renders them if its checkpoint is imported, else the mesh warp at full size. The result pane's title
names the renderer of what it shows.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QStatusBar, QVBoxLayout, QWidget

from app.banner import Banner
from app.canvas import Keypoints, PoseCanvas
from app.face import page_files
from app.face.actions import FaceActions
from app.face.document import KeypointDocument
from app.face.image_pane import ImagePane
from app.face.jobs import FaceJobs
from app.face.page_files import face_view_box
from app.face.sessions import FaceSession, Portrait, Rendered, checkpoint_problem, load_portrait
from app.face.timeline import FaceTimeline
from app.host import PageHost
from app.panels import editing_panes, header_label
from core.face.layout import FACE68
from core.project_file import RendererSettings
from core.render.targets import face_target
from core.session import RenderRequest
from core.subjects import FACE

if TYPE_CHECKING:
    from app.face.drive import DriveDialog
    from app.jobs import Job


class FacePage(QWidget):
    """One portrait, its editable 68 landmarks and the face network's result, as the window's face subject."""

    subject = FACE
    title_suffix = FACE.title_suffix

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.banner: Banner = host.banner
        self.folder = host.settings.last_dir()
        self.drive_after_open = False  # open Drive with Video… once the portrait being detected is open
        self.ended = False  # closed (face mode ended) and not shown again since
        self.document = KeypointDocument(FACE68, self)
        self.canvas = PoseCanvas(self.document, layout=FACE68)
        self.canvas.empty_text = FACE.empty_text
        self.result_view = ImagePane("Finding the face…")
        self.result_header = header_label("Result")
        self.checkpoint_banner = Banner()  # the lasting "needs the face checkpoint" notice
        self.session = FaceSession(host.settings.device)
        self.portrait: Portrait | None = None  # the worker's view of the session's photo (the same image array)
        self.last_result: Rendered | None = None
        self.checkpoint_missing: str | None = None
        self.jobs = FaceJobs(host.jobs, self)
        self.jobs.connect_page(self)
        self.document.poseChanged.connect(self._on_pose_changed)
        self.canvas.hoveredJointChanged.connect(self._on_hover)
        for bar in (self.canvas.horizontalScrollBar(), self.canvas.verticalScrollBar()):
            bar.valueChanged.connect(self._follow_canvas)  # zoom and pan move the scroll bars
            bar.rangeChanged.connect(self._follow_canvas)
        self.timeline = FaceTimeline(self)
        self.acts = FaceActions(self, host.registry)
        self.canvas.extra_actions = [self.acts.mirror, self.acts.reset]
        hint = header_label(FACE.hint)
        hint.setWordWrap(True)
        hint.setStyleSheet("color:#444; padding:2px 4px;")
        strips = (self.timeline.project.recovery_banner, self.checkpoint_banner, hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editing_panes(FACE.photo_header, self.canvas, self.result_header, self.result_view, strips))
        self.setWindowTitle(FACE.title_suffix)

    # ----- what the timeline, the drive dialog and the project manager ask of their page ----------------
    def statusBar(self) -> QStatusBar:  # noqa: N802 - the name QMainWindow gives it
        return self.host.statusBar()

    def show_status(self, text: str, timeout_ms: int = 0) -> None:
        self.host.statusBar().showMessage(text, timeout_ms)

    def add_dock(self, widget: QWidget, title: str, height: int = 0) -> QDockWidget:
        return self.host.add_dock(widget, title, height, FACE.kind)

    def dialog_parent(self) -> QWidget:
        return self.host.dialog_parent()

    def set_title(self, title: str, modified: bool) -> None:
        self.setWindowTitle(title)
        self.setWindowModified(modified)
        self.host.page_title_changed()

    def project_folder(self) -> str:
        return self.folder

    def project_renderer(self) -> RendererSettings:
        return RendererSettings(kind="face", device=self.session.device)

    def use_project_photo(self, path: str, image: np.ndarray, points: object, remember: bool) -> None:
        """A face project's portrait with its saved landmarks becomes the portrait (no detection)."""
        del remember  # portraits are not in the recent-photos list
        self.drive_after_open = False
        self.jobs.detect.drop()  # a detection still running must not replace the project's portrait later
        landmarks = np.array(getattr(points, "xy", points))
        self._on_detected(0, (Portrait(path, image, landmarks), checkpoint_problem("face")))
        self.show_status(f"Opened the project's portrait {os.path.basename(path)} and its landmarks.", 6000)

    def open_project_elsewhere(self, path: str | os.PathLike) -> bool:
        """A body project opened here opens in the body subject."""
        return self.host.open_project_in("body", path)

    # ----- the portrait -----------------------------------------------------------------
    def open_portrait(self, path: str | os.PathLike) -> bool:
        """Load the portrait and find its 68 landmarks in the worker; the open one stays until that succeeds.

        Another portrait starts an empty animation, so unsaved keyframes are asked about first (False: kept).
        """
        project = self.timeline.project
        if len(self.timeline.ctl.track) and project.dirty and not project.confirm_discard("Open another portrait"):
            return False
        path = str(path)
        self.show_status(f"Finding the face in {os.path.basename(path)}…")
        self.jobs.detect.request(lambda ctx: (load_portrait(path), checkpoint_problem("face")))
        return True

    def open_dialog(self) -> None:
        if path := page_files.ask_portrait(self):
            self.open_portrait(path)

    @Slot(int, object)
    def _on_detected(self, _generation: int, answer: tuple[Portrait, str | None]) -> None:
        portrait, problem = answer
        self.portrait, self.last_result = portrait, None
        self._set_missing(problem)
        self.result_view.set_image(None)
        self.result_view.set_placeholder("Rendering…")
        if self.banner.kind == "error":
            self.banner.dismiss()  # the failure it reported is over
        self.set_title(f"{os.path.basename(portrait.path)} — {FACE.title_suffix}", False)
        self.show_status(f"Found the face: {FACE68.size} landmarks.", 6000)
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
            self.checkpoint_banner.show_info(page_files.CHECKPOINT_TEXT, timeout_ms=0)
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
        policy = FACE.policy
        if interactive and policy.preview_every_move:
            self.request_preview()
        elif not interactive and policy.settle_on_release:
            self.request_render()

    @Slot(int)
    def _on_hover(self, index: int) -> None:
        if index >= 0:
            group = FACE68.group_of(index).replace("_", " ")
            part = FACE68.drag_group(index)[0].replace("_", " ")
            self.show_status(f"{FACE68.label(index)} ({group}) — drag to move it, Shift+drag moves the {part}; "
                             "click, then arrows nudge")
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
    def _request(self, preview: bool) -> tuple[Portrait, RenderRequest] | None:
        """The portrait and a numbered request for the landmarks, or None (with a notice) when they cannot render."""
        session = self.document.session
        if self.portrait is None or not session.has_photo:
            return None
        problem = session.why_not_render()
        if problem is not None:
            self.banner.show_info(problem[0].upper() + problem[1:] + ".")
            return None
        return self.portrait, session.request(preview)

    def request_preview(self) -> bool:
        """A quick mesh-warp preview of the landmarks being dragged (newest wins; each newer result is shown)."""
        return self._submit(preview=True)

    def request_render(self) -> bool:
        """Render the landmarks in the worker (newest wins; F5 too); False when nothing was posted. The face network
        renders them when its checkpoint is imported (looked for at every render), else the mesh warp at full size."""
        return self._submit(preview=False)

    def _submit(self, preview: bool) -> bool:
        """Submit the landmarks to the worker: a preview lets the running one finish, a render stops it."""
        asked = self._request(preview)
        if asked is None:
            return False
        (portrait, request), session = asked, self.session
        draw, what = (session.preview, "Previewing") if preview else (session.render, "Rendering")
        if not preview:
            self.result_header.setText("Result — rendering…")
        return self.jobs.runner.submit(
            self.jobs.preview if preview else self.jobs.render,
            lambda _res: (request, draw(portrait, face_target(request.points))),
            lambda answer: self.show_result(*answer),
            lambda msg: self.banner.show_error(f"{what} the face failed: {msg}"),
            cancel_running=not preview)  # fmt: skip

    @property
    def idle(self) -> bool:
        """No detection, preview or render waiting or running (tests wait for this)."""
        return self.jobs.idle

    def show_result(self, request: RenderRequest, answer: Rendered) -> bool:
        """Show ``answer`` unless something asked for later is already shown (a late preview after the settled
        render, say); True when shown."""
        if not request.preview:
            self._set_missing(answer.missing)
            self.last_result = answer
        if not self.document.session.accept(request):
            return False
        self.result_view.set_image(answer.image)
        what = "drag preview" if answer.preview else f"{answer.seconds * 1000:.0f} ms"
        self.result_header.setText(f"Result — {answer.renderer} · {what}")
        return True

    # ----- the face checkpoint and files (app.face.page_files) ------------------------------
    def import_checkpoint(self, path: str) -> Job | None:
        """Check ``path`` strictly as the face network and import it (in the worker); the face renders with it."""
        return page_files.import_checkpoint(self, path)

    def save_result(self, path: str) -> bool:
        return page_files.save_result(self, path)

    def save_landmarks(self, path: str) -> bool:
        return page_files.save_landmarks(self, path)

    def load_landmarks(self, path: str) -> bool:
        return page_files.load_landmarks(self, path)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ending face mode (the window closing): exports stop, unsaved work goes to face mode's recovery file."""
        from app.face.drive import DriveDialog

        if not self.ended:  # once per showing: the window closing after the page did writes no second recovery file
            for dialog in self.findChildren(DriveDialog):
                dialog.cancel()  # a running export stops and leaves no file
            self.timeline.close()
            self.jobs.close()
        self.ended = True
        super().closeEvent(event)
