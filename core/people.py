"""The people of the pose being edited, Qt-free: every person of a core.posedoc.PoseDocument, which of them is
selected (its body is what the canvas edits and the renderer renders) and which are hidden (not drawn, not
exported). Every operation returns a new immutable state, so an undo step simply keeps the state before and after.

Hands follow their wrist and the face follows the nose when the body is edited: each is moved by that joint's
displacement, so dragging an arm carries its hand along.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.errors import PoseError
from core.posedoc import Person, PoseDocument
from core.skeleton import JOINT_INDEX, Pose

FOLLOW: dict[str, int] = {"left_hand": JOINT_INDEX["left_wrist"], "right_hand": JOINT_INDEX["right_wrist"],
                          "face": JOINT_INDEX["nose"]}
EDITABLE_PARTS = ("left_hand", "right_hand", "face")


def _moved(old: Pose, new: Pose, joint: int) -> np.ndarray | None:
    """The displacement of ``joint`` from ``old`` to ``new``, None unless it is present in both."""
    if not (old.present[joint] and new.present[joint]):
        return None
    return np.asarray(new.xy[joint]) - np.asarray(old.xy[joint])


def with_body(person: Person, body: Pose) -> Person:
    """``person`` with a new body; each hand follows its wrist and the face the nose."""
    out = replace(person, body=body)
    for part, joint in FOLLOW.items():
        pts = person.part(part)
        delta = _moved(person.body, body, joint)
        if pts is not None and delta is not None and bool(np.any(delta)):
            out = out.with_part(part, pts.xy + delta)
    return out


def shifted(person: Person, dx: float, dy: float) -> Person:
    return person.transformed(1.0, (dx, dy))


@dataclass(frozen=True)
class PeopleState:
    """The people, the selected one's index and a hidden flag per person."""

    people: tuple[Person, ...]
    selected: int = 0
    hidden: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if not self.people:
            raise PoseError("there must be at least one person")
        hidden = tuple(self.hidden) + (False,) * (len(self.people) - len(self.hidden))
        object.__setattr__(self, "hidden", hidden[: len(self.people)])
        if not 0 <= self.selected < len(self.people):
            raise PoseError(f"person {self.selected} does not exist (there are {len(self.people)})")

    @classmethod
    def from_document(cls, doc: PoseDocument, selected: int | None = None) -> PeopleState:
        """Every person of ``doc`` (one empty body when it has none); the largest is selected by default."""
        people = doc.people or (Person(Pose.empty()),)
        if selected is None:
            selected = people.index(max(people, key=lambda p: p.area))
        return cls(tuple(people), selected)

    @property
    def current(self) -> Person:
        return self.people[self.selected]

    def document(self, canvas: tuple[int, int] | None, include_hidden: bool = False) -> PoseDocument:
        """The people as a pose document (hidden ones left out unless ``include_hidden``)."""
        keep = [p for p, h in zip(self.people, self.hidden, strict=True) if include_hidden or not h]
        return PoseDocument(canvas, tuple(keep))

    def _with(self, people: list[Person], selected: int, hidden: list[bool]) -> PeopleState:
        return PeopleState(tuple(people), selected, tuple(hidden))

    def with_person(self, index: int, person: Person) -> PeopleState:
        people = list(self.people)
        people[index] = person
        return self._with(people, self.selected, list(self.hidden))

    def with_current_body(self, body: Pose) -> PeopleState:
        """The selected person with an edited body (hands and face follow); the same state when nothing changed."""
        if body == self.current.body:
            return self
        return self.with_person(self.selected, with_body(self.current, body))

    def selecting(self, index: int) -> PeopleState:
        self.person_check(index)
        return replace(self, selected=index)

    def added(self, person: Person) -> PeopleState:
        """``person`` appended and selected."""
        return self._with([*self.people, person], len(self.people), [*self.hidden, False])

    def duplicated(self, index: int, offset: tuple[float, float]) -> PeopleState:
        """A copy of person ``index`` moved by ``offset``, put after it and selected."""
        self.person_check(index)
        people, hidden = list(self.people), list(self.hidden)
        people.insert(index + 1, shifted(self.people[index], *offset))
        hidden.insert(index + 1, False)
        return self._with(people, index + 1, hidden)

    def deleted(self, index: int) -> PeopleState:
        """Without person ``index``; PoseError for the last person (the editor always has one)."""
        self.person_check(index)
        if len(self.people) == 1:
            raise PoseError("the last person cannot be deleted")
        people, hidden = list(self.people), list(self.hidden)
        del people[index], hidden[index]
        selected = self.selected - 1 if self.selected > index else min(self.selected, len(people) - 1)
        return self._with(people, selected, hidden)

    def toggled_hidden(self, index: int) -> PeopleState:
        """Person ``index`` hidden or shown again; when the selected one is hidden, the next visible person (after
        it, else before it) is selected; with no one visible the selection stays."""
        self.person_check(index)
        hidden = list(self.hidden)
        hidden[index] = not hidden[index]
        selected = self.selected
        if index == selected and hidden[index]:  # hiding the selected person selects the next visible one
            order = [*range(index + 1, len(hidden)), *range(index - 1, -1, -1)]
            selected = next((i for i in order if not hidden[i]), index)
        return self._with(list(self.people), selected, hidden)

    def person_check(self, index: int) -> None:
        if not 0 <= index < len(self.people):
            raise PoseError(f"person {index + 1} does not exist (there are {len(self.people)})")


def person_label(index: int, person: Person, hidden: bool = False) -> str:
    """'Person 2: body, 2 hands, face (hidden)' for the person list (Person.summary() gives the point counts)."""
    found = person.found_parts()
    hands = sum(name in found for name in ("left_hand", "right_hand"))
    parts = [n.replace("_", " ") for n in found if n not in ("left_hand", "right_hand")]
    if hands:
        parts.insert(1 if "body" in found else 0, f"{hands} hand{'s' if hands > 1 else ''}")
    return f"Person {index + 1}: {', '.join(parts) or 'no points'}" + (" (hidden)" if hidden else "")
