"""The people of the body editor: a PeopleModel (core.people.PeopleState kept in step with the document, whose pose
is the selected person's body) and its undo step. Selecting, adding, duplicating, deleting and hiding a person are
each one QUndoStack step on the document's stack, so undo replays body edits and people edits in one order."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from app.document import PoseDocument
from core.people import PeopleState
from core.posedoc import Person
from core.posedoc import PoseDocument as PoseDoc
from core.skeleton import Pose

DUPLICATE_OFFSET = 0.25  # a duplicate sits this many body widths to the right


class PeopleCommand(QUndoCommand):
    """Replace the people state; undo puts the previous one back."""

    def __init__(self, model: PeopleModel, before: PeopleState, after: PeopleState, text: str) -> None:
        super().__init__(text)
        self.model, self.before, self.after = model, before, after

    def redo(self) -> None:
        self.model.set_state(self.after)

    def undo(self) -> None:
        self.model.set_state(self.before)


class PeopleModel(QObject):
    """Every person of the open photo; the document's pose is the selected person's body."""

    changed = Signal()

    def __init__(self, doc: PoseDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.state = PeopleState((Person(doc.body_pose()),))
        doc.photoChanged.connect(self._on_photo)
        doc.poseChanged.connect(self._on_pose)

    # ----- following the document ------------------------------------------------------------
    def _on_photo(self) -> None:
        self.state = PeopleState((Person(self.doc.body_pose()),))
        self.changed.emit()

    def _on_pose(self, _interactive: bool = False) -> None:
        pose = self.doc.pose
        if isinstance(pose, Pose) and pose != self.state.current.body:
            self.state = self.state.with_current_body(pose)
            self.changed.emit()

    def set_state(self, state: PeopleState) -> None:
        """Show ``state`` (undo commands call this); the document's pose becomes its selected body."""
        self.state = state
        if state.current.body != self.doc.pose:
            self.doc.set_pose(state.current.body)
        self.changed.emit()

    def set_document(self, document: PoseDoc, selected: int | None = None) -> None:
        """Every person of a whole-body document (a detection, an opened OpenPose/ComfyUI file); not an undo step."""
        self.set_state(PeopleState.from_document(document, selected))

    # ----- edits, each one undo step ---------------------------------------------------------
    def push(self, after: PeopleState, text: str) -> None:
        if after != self.state:
            self.doc.undo_stack.push(PeopleCommand(self, self.state, after, text))

    def select(self, index: int) -> None:
        if index != self.state.selected:
            self.push(self.state.selecting(index), f"Select person {index + 1}")

    def add(self, person: Person) -> None:
        self.push(self.state.added(person), f"Add person {len(self.state.people) + 1}")

    def duplicate(self, index: int | None = None) -> None:
        i = self.state.selected if index is None else index
        box = self.state.people[i].bounds()
        dx = 40.0 if box is None else max(box[2] - box[0], 20.0) * (1.0 + DUPLICATE_OFFSET)
        self.push(self.state.duplicated(i, (dx, 0.0)), f"Duplicate person {i + 1}")

    def delete(self, index: int | None = None) -> None:
        i = self.state.selected if index is None else index
        if len(self.state.people) > 1:
            self.push(self.state.deleted(i), f"Delete person {i + 1}")

    def toggle_hidden(self, index: int) -> None:
        verb = "Show" if self.state.hidden[index] else "Hide"
        self.push(self.state.toggled_hidden(index), f"{verb} person {index + 1}")

    def edit_part(self, before: PeopleState, person: Person, text: str) -> None:
        """A drag of a hand or face point, previewed with ``preview_part``, committed from ``before``."""
        after = before.with_person(before.selected, person)
        self.state = before
        self.push(after, text)

    def preview_part(self, person: Person) -> None:
        self.state = self.state.with_person(self.state.selected, person)
        self.changed.emit()

    def saved_state(self) -> PeopleState | None:
        """What a project saves: the state, or None when it is just one body (older files keep their version)."""
        state = self.state
        if len(state.people) == 1 and not any(state.hidden) and state.current.found_parts() in ([], ["body"]):
            return None
        return state

    def restore(self, state: PeopleState) -> None:
        """A reopened project's people (not an undo step)."""
        self.set_state(state)

    def document(self, include_hidden: bool = False) -> PoseDoc:
        """The people as a core pose document in the photo's frame (for saving and exporting)."""
        size = self.doc.size
        return self.state.document(size if size != (0, 0) else None, include_hidden)
