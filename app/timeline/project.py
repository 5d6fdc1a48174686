"""Project files for the editor: New, Open, Save, Save As, autosave every minute and the offer to recover.

The project (core.project_file) holds the photo (referenced with its hash, or embedded when it has no
file), the source pose, the keyframes, the canvas pose when it is not keyed, and the renderer settings.
Opening one hands its photo and source pose to the worker without detecting again, then puts its track
on the timeline and its canvas pose on the canvas; a malformed or newer file shows a banner and changes
nothing. Autosave writes the recovery file only when there are edits
since the last save or autosave; closing with unsaved edits writes it once more, a clean close removes
it, and the next start offers it back in a non-modal strip (Recover / Discard).

The same manager serves both subjects of the window (body and face): it sees only an app.host.ProjectHost
(the subject's document, banner, title and status line, ``project_folder()``, ``project_renderer()``,
``use_project_photo(...)`` and ``open_project_elsewhere`` for a project of the other layout: a face project
opened in the body editor goes to face mode, and back). Each subject has its own recovery file.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.host import ProjectHost
from app.timeline.controller import TimelineController
from app.timeline.recovery_banner import RecoveryBanner
from app.worker import user_message
from core.animation.keyframes import Track

if TYPE_CHECKING:
    from app.people import PeopleModel

AUTOSAVE_MS = 60_000
PROJECT_FILTER = "GFLA Pose Studio project (*.gflaproj);;All files (*)"


class ProjectManager(QObject):
    """File menu project actions for one window; ``path`` is the project file now open (None: unsaved)."""

    pathChanged = Signal()

    def __init__(self, host: ProjectHost, ctl: TimelineController, recovery: str = "autosave") -> None:
        super().__init__(host if isinstance(host, QObject) else None)
        self.win, self.ctl, self.recovery = host, ctl, recovery
        self.recovery_what = "work"  # what the recovery offer calls it ("face animation work" in face mode)
        self.path: Path | None = None
        self.autosave_enabled = False
        self.recovery_banner = RecoveryBanner()
        self.recovery_banner.recover.connect(self.recover)
        self.recovery_banner.discard.connect(self.discard_recovery)
        self.confirm_discard: Callable[[str], bool] = self._ask_discard  # tests replace it
        self._pending = None  # a loaded core Project waiting for the worker to take its photo
        self.people: PeopleModel | None = None  # the body editor's people (app.people), saved with the project
        self._pending_path: Path | None = None
        self._pending_dirty = False
        self._revision = 0  # bumped by every undo-stack change; compared with the autosaved one
        self._autosaved = 0
        self._timer = QTimer(self)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.autosave_now)
        stack = host.document.undo_stack
        stack.indexChanged.connect(self._bump)
        stack.cleanChanged.connect(self._on_clean_changed)
        host.document.photoChanged.connect(self._on_photo)

    # ----- state --------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """Unsaved edits: anything on the undo stack since the last save, New or Open."""
        return not self.win.document.undo_stack.isClean()

    def _bump(self, *_: object) -> None:
        self._revision += 1

    def _on_clean_changed(self, _clean: bool) -> None:
        if not isinstance(self.win, QObject) or shiboken6.isValid(self.win):  # also reported while it is destroyed
            self._update_title()

    def _update_title(self) -> None:
        doc = self.win.document
        if self.path is not None:
            name = self.path.name
        elif doc.path:
            name = os.path.basename(doc.path)
        else:
            name = "Untitled"
        self.win.set_title(f"{name}[*] — {self.win.subject.title_suffix}", self.dirty)

    def _photo_file(self) -> Path | None:
        p = self.win.document.path
        return Path(p) if p and Path(p).is_file() and not p.endswith(".gflaproj") else None

    def current(self):  # noqa: ANN201 - core.project_file.Project
        """The open photo, pose and animation as a core Project."""
        from core.project_file import Project

        doc = self.win.document
        assert doc.image is not None, "a project is saved only with a photo open"
        unkeyed = doc.pose != doc.detected and not self.ctl.pose_is_keyed()  # opening would not bring it back
        people = None if self.people is None else self.people.saved_state()
        return Project(image=doc.image, source_pose=doc.detected, track=self.ctl.track, photo_path=self._photo_file(),
                       renderer=self.win.project_renderer(), canvas_pose=doc.pose if unkeyed else None, people=people)

    # ----- New / Open / Save ----------------------------------------------------------------------
    def _ask_discard(self, what: str) -> bool:
        answer = QMessageBox.question(self.win.dialog_parent(), "Unsaved changes", f"The animation has unsaved changes. {what} anyway?",
                                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def new_project(self) -> bool:
        """An empty animation for the open photo (the pose goes back to the detected one); not undoable."""
        if self.dirty and not self.confirm_discard("Start a new project"):
            return False
        doc = self.win.document
        self.ctl.reset(Track(layout=self.ctl.track.layout))
        if doc.has_photo:
            doc.set_pose(doc.detected)
        doc.undo_stack.clear()
        self._set_path(None)
        return True

    def open_dialog(self) -> None:
        start = str(self.path.parent) if self.path else self.win.project_folder()
        path, _ = QFileDialog.getOpenFileName(self.win.dialog_parent(), "Open a project", start, PROJECT_FILTER)
        if path:
            self.open_project(path)

    def open_project(self, path: str | os.PathLike, ask: bool = True, as_path: Path | None | bool = True,
                     dirty: bool = False) -> bool:
        """Read ``path`` and, when it is usable, replace the photo, pose and animation with it.

        A damaged or newer file shows a banner and changes nothing. ``as_path``: True → the project is
        now ``path``; a Path or None → that (used by Recover). ``dirty``: mark it unsaved once opened.
        """
        from core.errors import StudioError
        from core.project_file import load_project

        try:
            project = load_project(path)
        except StudioError as exc:
            self.win.banner.show_error(f"Could not open the project: {user_message(exc)}")
            return False
        if project.layout != self.win.subject.project_layout:  # a face project in the body editor, or back
            return self.win.open_project_elsewhere(path)  # that subject asks about its own unsaved changes
        if ask and self.dirty and not self.confirm_discard("Open another project"):
            return False
        self._pending = project
        self._pending_path = Path(path).resolve() if as_path is True else (as_path or None)
        self._pending_dirty = dirty
        photo = str(project.photo_path) if project.photo_path is not None else f"{Path(path).resolve()}"
        self.win.use_project_photo(photo, project.image, project.source_pose, project.photo_path is not None)
        return True

    def _on_photo(self) -> None:
        project = self._pending
        # a photo still loading when the project was opened arrives first and must not take its track:
        # the project's photo is recognised as the very image array handed to the worker
        if project is None or self.win.document.image is not project.image:
            if self.path is not None:
                self._set_path(None)  # another photo: no longer the project that was open
            return
        self._pending = None
        self.ctl.reset(project.track)
        if project.canvas_pose is not None:  # the pose that was on the canvas, keyed or not
            self.win.document.set_pose(project.canvas_pose)
        if self.people is not None and project.people is not None:
            self.people.restore(project.people)
        self.win.document.undo_stack.clear()
        self._set_path(self._pending_path)
        if self._pending_dirty:
            self._revision += 1  # nothing on the stack, but unsaved: autosave keeps it until saved
            self.win.document.undo_stack.resetClean()
        for warning in project.warnings:
            self.win.banner.show_info(warning, timeout_ms=12000)
        QTimer.singleShot(0, self._update_title)  # after the window names the photo

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.win.document.undo_stack.setClean()
        self._autosaved = self._revision
        self.pathChanged.emit()
        self._update_title()

    def save(self) -> bool:
        return self.save_as(self.path) if self.path is not None else self.save_as_dialog()

    def save_as_dialog(self) -> bool:
        if not self.win.document.has_photo:
            self.win.banner.show_info("Open a photo first: a project is a photo and its animation.")
            return False
        doc = self.win.document
        default = self.path or Path(self.win.project_folder()) / (Path(doc.path or "pose").stem + ".gflaproj")
        path, _ = QFileDialog.getSaveFileName(self.win.dialog_parent(), "Save the project", str(default), PROJECT_FILTER)
        return self.save_as(path) if path else False

    def save_as(self, path: str | os.PathLike) -> bool:
        """Write the project to ``path`` (atomically); a banner says why when it cannot."""
        from core.project_file import SUFFIX, clear_recovery, save_project

        if not self.win.document.has_photo:
            self.win.banner.show_info("Open a photo first: a project is a photo and its animation.")
            return False
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(SUFFIX)
        try:
            save_project(self.current(), target)
            if self.autosave_enabled:
                clear_recovery(self.recovery)
        except Exception as exc:
            self.win.banner.show_error(f"Could not save the project: {user_message(exc)}")
            return False
        self._set_path(target.resolve())
        self.win.show_status(f"Saved {target}", 10000)
        return True

    # ----- autosave and recovery ------------------------------------------------------------------
    def start_autosave(self, interval_ms: int = AUTOSAVE_MS) -> None:
        """Autosave every ``interval_ms`` when there are unsaved edits, and offer a recovery file if one exists."""
        self.autosave_enabled = True
        self._timer.setInterval(interval_ms)
        self._timer.start()
        self.check_recovery()

    def resume_autosave(self) -> None:
        """Autosave again after ``on_close`` stopped it (a face window shown again); no new recovery offer."""
        if self.autosave_enabled and not self._timer.isActive():
            self._timer.start()

    def autosave_now(self) -> bool:
        """Write the recovery file if there are edits since the last save or autosave; True if written."""
        from core.project_file import autosave

        if not self.win.document.has_photo or not self.dirty or self._revision == self._autosaved:
            return False
        try:
            autosave(self.current(), origin=self.path, name=self.recovery)
        except Exception as exc:
            self.win.show_status(f"Autosave failed: {user_message(exc)}", 10000)
            return False
        self._autosaved = self._revision
        return True

    def check_recovery(self) -> bool:
        from core.project_file import find_recovery

        found = find_recovery(self.recovery)
        if found is None:
            return False
        when = _dt.datetime.fromtimestamp(found.stat().st_mtime).strftime("%d %b %H:%M")
        self.recovery_banner.label.setText(f"↺  Your last session left unsaved {self.recovery_what} (autosaved "
                                           f"{when}). Recover it, or discard it?")
        self.recovery_banner.show()
        return True

    def recover(self) -> bool:
        from core.errors import StudioError
        from core.project_file import autosave_path, load_project

        self.recovery_banner.hide()
        try:
            origin = load_project(autosave_path(self.recovery)).origin
        except StudioError as exc:
            self.win.banner.show_error(f"The recovery file cannot be used: {user_message(exc)}")
            return False
        return self.open_project(autosave_path(self.recovery), ask=False, as_path=origin, dirty=True)

    def discard_recovery(self) -> None:
        from core.project_file import clear_recovery

        self.recovery_banner.hide()
        try:
            clear_recovery(self.recovery)
        except Exception as exc:
            self.win.banner.show_error(user_message(exc))

    def on_close(self) -> None:
        """At a normal exit: keep unsaved edits in the recovery file, else remove it."""
        if not self.autosave_enabled:
            return
        self._timer.stop()
        from core.project_file import clear_recovery

        try:
            if self.dirty and self.win.document.has_photo:
                self._autosaved = -1
                self.autosave_now()
            elif not self.recovery_banner.isVisible():  # an offer not yet answered stays for next time
                clear_recovery(self.recovery)
        except Exception:  # noqa: BLE001 - never block closing the window
            pass
