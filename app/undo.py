"""The one undo command of the app: replace an immutable value (a pose, a track) with another; undo puts the old
one back. Quick repeats with the same merge key (nudges of one joint, spinning the fps box) fold into one step."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QUndoCommand

T = TypeVar("T")
MERGE_WINDOW_S = 1.5  # commands with the same merge key fold together when they follow within this many seconds


class ReplaceCommand(QUndoCommand, Generic[T]):
    """``apply(after)`` on redo, ``apply(before)`` on undo. ``owner`` is what the value belongs to: commands merge
    only with ones of the same class, owner and merge key; ``merge_id`` tells the undo stack which may merge."""

    merge_id = -1

    def __init__(self, owner: object, apply: Callable[[T], None], before: T, after: T, text: str,
                 merge_key: object = None) -> None:
        super().__init__(text)
        self.owner, self.apply, self.before, self.after, self.merge_key = owner, apply, before, after, merge_key
        self.stamp = time.monotonic()

    def redo(self) -> None:
        self.apply(self.after)

    def undo(self) -> None:
        self.apply(self.before)

    def id(self) -> int:
        return self.merge_id if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if (not isinstance(other, type(self)) or other.merge_key != self.merge_key or other.owner is not self.owner
                or other.stamp - self.stamp > MERGE_WINDOW_S):
            return False
        self.after, self.stamp = other.after, other.stamp
        return True
