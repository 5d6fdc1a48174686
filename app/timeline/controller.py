"""The timeline's state (track, playhead, selection, clipboard) and every edit, each one undo step on the canvas's stack.

Rules the rest of the timeline relies on:

- Every edit replaces the immutable ``Track`` through a ``SetTrackCommand`` pushed on the document's
  ``QUndoStack`` (the one the canvas uses), so Ctrl+Z undoes pose and timeline edits in the order made.
- Moving the playhead is a view change, not an edit: when the track has keyframes, the canvas pose becomes
  the track's pose at the playhead (``PoseDocument.set_pose``, not recorded), and the window's usual
  render path draws the warp preview (``interactive=True`` while scrubbing or playing, settled after).
- A track edit (or its undo) re-shows the track's pose at the playhead only if the canvas was showing the
  track before the edit, so a pose edited on the canvas but not yet keyed is never silently replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.timeline.commands import SetTrackCommand
from core.animation.keyframes import Keyframe, Track, TrackError
from core.keypoints import Keypoints
from core.skeleton import Pose

if TYPE_CHECKING:
    from app.document import PoseDocument


def _same(a: Pose | Keypoints, b: Pose | Keypoints) -> bool:
    return bool(np.allclose(a.xy, b.xy, atol=1e-6, equal_nan=True))


class TimelineController(QObject):
    """One animation being edited against one PoseDocument."""

    trackChanged = Signal()  # the track was replaced (edit, undo, redo, load)
    frameChanged = Signal(int)  # the playhead moved
    selectionChanged = Signal()
    notice = Signal(str)  # a plain message for the status bar or banner (e.g. an edit that cannot be done)

    def __init__(self, document: PoseDocument, parent: QObject | None = None, layout: str = "body18") -> None:
        super().__init__(parent)
        self.doc = document
        self.track = Track(layout=layout)  # 18 body joints, or 68 face landmarks in face mode
        self.complete_keys = layout != "body18"  # the face renderers need every landmark; a body may miss joints
        self.frame = 0
        self.selection: tuple[int, ...] = ()
        self.clipboard: tuple[Keyframe, ...] = ()

    # ----- the track ------------------------------------------------------------------------
    def edit(self, new: Track, text: str, merge_key: object = None) -> bool:
        """Make ``new`` the track as one undo step named ``text``; False when nothing changed."""
        if new == self.track:
            return False
        self.doc.undo_stack.push(SetTrackCommand(self, self.track, new, text, merge_key))
        return True

    def apply_track(self, track: Track) -> None:
        """Show ``track`` (the undo commands call this; it records nothing)."""
        old, self.track = self.track, track
        showing_track = len(old) > 0 and self.doc.has_photo and _same(self.doc.pose, old.pose_at(self.frame))
        if self.frame >= track.length_frames:
            self.frame = track.length_frames - 1
            self.frameChanged.emit(self.frame)
        self.selection = tuple(f for f in self.selection if track.index_of(f) is not None)
        self.trackChanged.emit()
        self.selectionChanged.emit()
        if showing_track and len(track):
            self._show_pose(False)

    def reset(self, track: Track, frame: int = 0) -> None:
        """Replace the track without an undo step (New, Open, Recover); the playhead goes to ``frame``."""
        self.track = track
        self.selection = ()
        self.frame = int(np.clip(frame, 0, track.length_frames - 1))
        self.trackChanged.emit()
        self.selectionChanged.emit()
        self.frameChanged.emit(self.frame)
        if len(track) and self.doc.has_photo:
            self._show_pose(False)

    def _try(self, make, text: str, merge_key: object = None) -> bool:
        try:
            new = make()
        except TrackError as exc:
            self.notice.emit(str(exc))
            return False
        return self.edit(new, text, merge_key)

    # ----- playhead -------------------------------------------------------------------------
    def set_frame(self, frame: int, interactive: bool = False) -> None:
        """Move the playhead (clamped to the animation); the canvas shows the track's pose there."""
        frame = int(np.clip(round(frame), 0, self.track.length_frames - 1))
        moved = frame != self.frame
        self.frame = frame
        if moved:
            self.frameChanged.emit(frame)
        if len(self.track) and self.doc.has_photo and (moved or not interactive):
            self._show_pose(interactive)

    def _show_pose(self, interactive: bool) -> None:
        self.doc.set_pose(self.track.pose_at(self.frame), interactive=interactive)

    def pose_is_keyed(self) -> bool:
        """True when the canvas shows exactly the track's pose at the playhead."""
        return len(self.track) > 0 and _same(self.doc.pose, self.track.pose_at(self.frame))

    # ----- selection ------------------------------------------------------------------------
    def select(self, frames: Iterable[int], add: bool = False) -> None:
        wanted = [f for f in frames if self.track.index_of(f) is not None]
        sel = tuple(sorted(set(self.selection) ^ set(wanted))) if add else tuple(sorted(set(wanted)))
        if sel != self.selection:
            self.selection = sel
            self.selectionChanged.emit()

    def _targets(self, frames: Iterable[int] | None) -> list[int]:
        """The keyframes an action applies to: given, else the selection, else the one at the playhead."""
        if frames is not None:
            return [f for f in frames if self.track.index_of(f) is not None]
        if self.selection:
            return list(self.selection)
        return [self.frame] if self.track.index_of(self.frame) is not None else []

    def segment_key(self) -> Keyframe | None:
        """The keyframe whose interpolation shapes the segment under the playhead (the one at or before it)."""
        before = [k for k in self.track.keyframes if k.frame <= self.frame]
        return before[-1] if before else None

    # ----- edits ----------------------------------------------------------------------------
    def add_key(self, frame: int | None = None, pose: Pose | Keypoints | None = None) -> bool:
        """Key the canvas pose (or ``pose``) at ``frame`` (default: the playhead); replaces a key already there."""
        if not self.doc.has_photo and pose is None:
            self.notice.emit("Open a portrait first: a keyframe records the landmarks on the canvas." if self.complete_keys
                             else "Open a photo first: a keyframe records the pose on the canvas.")
            return False
        f = self.frame if frame is None else int(frame)
        p = self.doc.pose if pose is None else pose
        if not p.present.any():
            self.notice.emit("The pose has no joints to key.")
            return False
        if self.complete_keys and not p.present.all():
            self.notice.emit(f"Restore the {int((~p.present).sum())} hidden landmark(s) first: a face keyframe needs all "
                             f"{len(p.present)} (right-click the face to restore one).")
            return False
        verb = "Update" if self.track.index_of(f) is not None else "Add"
        ok = self._try(lambda: self.track.add(f, p), f"{verb} keyframe at {f}")
        if ok:
            self.select([f])
        return ok

    def delete_keys(self, frames: Iterable[int] | None = None) -> bool:
        targets = self._targets(frames)
        if not targets:
            self.notice.emit("Select a keyframe to delete (click its ◆).")
            return False

        def make() -> Track:
            t = self.track
            for f in targets:
                t = t.delete(f)
            return t

        n = len(targets)
        return self._try(make, "Delete keyframe" if n == 1 else f"Delete {n} keyframes")

    def move_key(self, frame: int, to_frame: int) -> bool:
        ok = self._try(lambda: self.track.move(frame, int(to_frame)), f"Move keyframe {frame} → {to_frame}")
        if ok:
            self.select([int(to_frame)])
        return ok

    def duplicate_key(self, frame: int | None = None, to_frame: int | None = None) -> bool:
        """Copy a keyframe to ``to_frame``: default the playhead, or the next free frame when it sits on the key."""
        targets = self._targets(None if frame is None else [frame])
        if not targets:
            self.notice.emit("Select a keyframe to duplicate.")
            return False
        src = targets[0]
        if to_frame is None:
            to_frame = self.frame if self.frame != src else self._free_after(src)
        if to_frame is None:
            self.notice.emit("There is no free frame after this keyframe: lengthen the animation first.")
            return False
        ok = self._try(lambda: self.track.duplicate(src, int(to_frame)), f"Duplicate keyframe {src} → {to_frame}")
        if ok:
            self.select([int(to_frame)])
        return ok

    def _free_after(self, frame: int) -> int | None:
        for f in range(frame + 1, self.track.length_frames):
            if self.track.index_of(f) is None:
                return f
        return None

    def copy(self, frames: Iterable[int] | None = None) -> int:
        """Copy keyframes (default: the selection or the one at the playhead); returns how many."""
        targets = self._targets(frames)
        self.clipboard = tuple(self.track.keyframe_at(f) for f in targets)  # type: ignore[misc]
        if targets:
            self.notice.emit(f"Copied {len(targets)} keyframe{'s' if len(targets) > 1 else ''}.")
        return len(targets)

    def paste(self, at: int | None = None) -> bool:
        """Paste the copied keyframes so the earliest lands on ``at`` (default: the playhead)."""
        if not self.clipboard:
            self.notice.emit("Nothing to paste: copy a keyframe first.")
            return False
        f = self.frame if at is None else int(at)
        n = len(self.clipboard)
        ok = self._try(lambda: self.track.paste(self.clipboard, f), f"Paste {n} keyframe{'s' if n > 1 else ''}")
        if ok:
            shift = f - min(k.frame for k in self.clipboard)
            self.select([k.frame + shift for k in self.clipboard])
        return ok

    def set_interp(self, interp: str, frame: int | None = None) -> bool:
        """Set the interpolation of the segment starting at ``frame`` (default: ``segment_key()``)."""
        key = self.track.keyframe_at(frame) if frame is not None else self.segment_key()
        if key is None:
            self.notice.emit("Add a keyframe first: a segment starts at a keyframe.")
            return False
        return self._try(lambda: self.track.set_interp(key.frame, interp), f"Interpolation {interp} from {key.frame}")

    def set_length(self, frames: int) -> bool:
        dropped = sum(1 for k in self.track.keyframes if k.frame >= frames)
        ok = self._try(lambda: self.track.with_length(int(frames)), "Set length", merge_key="length")
        if ok and dropped:
            self.notice.emit(f"{dropped} keyframe(s) beyond the new end were removed (Undo brings them back).")
        return ok

    def set_fps(self, fps: float) -> bool:
        return self._try(lambda: self.track.with_fps(float(fps)), "Set frame rate", merge_key="fps")
