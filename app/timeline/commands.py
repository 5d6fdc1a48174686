"""Undo command for timeline edits: the whole Track before and after (tracks are immutable, so this is cheap)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.undo import ReplaceCommand
from core.animation.keyframes import Track

if TYPE_CHECKING:
    from app.timeline.controller import TimelineController


class SetTrackCommand(ReplaceCommand[Track]):
    """Replace the controller's track; undo puts the previous one back. Lives on the canvas's undo stack."""

    merge_id = 0x71E

    def __init__(self, ctl: TimelineController, before: Track, after: Track, text: str, merge_key: object = None) -> None:
        super().__init__(ctl, ctl.apply_track, before, after, text, merge_key)
        self.ctl = ctl
