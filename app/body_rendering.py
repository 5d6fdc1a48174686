"""The body subject's one adapter to the render worker (app.render_client.RenderClient): the worker's answers (a
photo opened, a result rendered, the renderer changed, busy) shown in the window. Replacing the job system
touches this module and the window's few ``client`` calls only."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from app.worker import Photo, RenderOutcome
from core.subjects import BODY

if TYPE_CHECKING:
    from app.main_window import MainWindow


class BodyRendering(QObject):
    """Connects the window's RenderClient signals to the window's panes."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        c = win.client
        c.photoReady.connect(self._on_photo_ready)
        c.photoFailed.connect(self._on_photo_failed)
        c.rendered.connect(self._on_rendered)
        c.failed.connect(win.banner.show_error)
        c.rendererChanged.connect(self._on_renderer_changed)
        c.busy.connect(self._on_busy)

    @Slot(object)
    def _on_photo_ready(self, photo: Photo) -> None:
        doc = self.win.document
        if photo.redetected and doc.has_photo and photo.path == doc.path:
            doc.detected = photo.pose
            doc.commit(photo.pose, "Detect pose")
            self._show_people(photo)
            self.win.client.request_render(doc.body_pose(), settled=True)  # the source changed: render again
            return
        self.win.result_view.set_photo(photo.image)
        doc.set_photo(photo.path, photo.image, photo.pose)
        self._show_people(photo)
        if photo.remember:
            self.win.settings.add_recent(photo.path)
        self.win.set_title(f"{os.path.basename(photo.path)} — {BODY.title_suffix}", False)
        found = int(photo.pose.present.sum())
        if found < len(photo.pose.present):
            self.win.statusBar().showMessage(
                f"Found {found} of {len(photo.pose.present)} joints; restore missing ones in the Pose panel.", 8000
            )

    def _show_people(self, photo: Photo) -> None:
        """Everyone the whole-body detection found goes into the person list; the body detection's person selected."""
        people = photo.people
        if people is None:
            return
        self.win.people_dock.model.set_document(people, selected=photo.selected)
        summary = "; ".join(f"person {i + 1}: {p.summary()}" for i, p in enumerate(people.people))
        self.win.statusBar().showMessage(f"Found {len(people.people)} "
                                         f"{'person' if len(people.people) == 1 else 'people'} — {summary}", 10000)

    @Slot(str, str)
    def _on_photo_failed(self, path: str, message: str) -> None:
        keep = " The previous photo stays open." if self.win.document.has_photo else ""
        self.win.banner.show_error(f"Could not open {os.path.basename(path)}: {message}{keep}")

    @Slot(object)
    def _on_rendered(self, outcome: RenderOutcome) -> None:
        self.win.result_view.set_result(outcome.result)
        text = f"Result — {outcome.renderer}"
        if not outcome.network and self.win.renderer_name and self.win.renderer_name != outcome.renderer:
            text += f" (quick preview; {self.win.renderer_name} renders when you let go)"
        self.win.result_header.setText(text)
        self.win.render_status.set_time(outcome.milliseconds)
        self.win.pose_dock.set_render_time(outcome.milliseconds)

    @Slot(str, str)
    def _on_renderer_changed(self, name: str, device: str) -> None:
        self.win.renderer_name, self.win.device = name, device
        self.win.render_status.set_renderer(name, device)
        self.win.pose_dock.set_renderer(name, device)

    @Slot(str)
    def _on_busy(self, text: str) -> None:
        self.win.render_status.set_busy(text)
        if text and not self.win.document.has_photo:
            self.win.result_view.placeholder = text
            self.win.result_view.update()
