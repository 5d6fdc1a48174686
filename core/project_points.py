"""Points and people in project files: the JSON form of a point set (null for a missing point) and the people of
a format-version-4 project (core.people.PeopleState), both ways. Used by core.project_file."""

from __future__ import annotations

import numpy as np

from core.animation.keyframes import Points
from core.keypoints import points_of
from core.people import PeopleState
from core.posedoc import PART_NAMES, Person
from core.project_schema import JointXY, PersonModel, ProjectModel
from core.skeleton import Pose


def pose_to_json(pose: Points | np.ndarray) -> list[JointXY]:
    xy = np.asarray(getattr(pose, "xy", pose), dtype=np.float64)
    return [None if np.isnan(x) else (float(x), float(y)) for x, y in xy]


def xy_from_json(values: list[JointXY]) -> np.ndarray:
    return np.array([(np.nan, np.nan) if v is None else v for v in values], dtype=np.float64).reshape(-1, 2)


def pose_from_json(values: list[JointXY], layout: str) -> Points:
    """A project's points of ``layout`` ("body18", "face68") from their JSON list."""
    return points_of(layout, xy_from_json(values))


def person_model(person: Person, hidden: bool) -> PersonModel:
    parts = {name: None if pts is None else pose_to_json(pts.xy) for name, pts in
             ((n, person.part(n)) for n in PART_NAMES)}
    return PersonModel(**parts, hidden=hidden)  # pyright: ignore[reportArgumentType]


def people_from_model(model: ProjectModel) -> PeopleState | None:
    if model.people is None:
        return None
    people = []
    for m in model.people:
        person = Person(Pose(xy_from_json(m.body)))
        for name in PART_NAMES[1:]:
            values = getattr(m, name)
            if values is not None:
                person = person.with_part(name, xy_from_json(values))
        people.append(person)
    return PeopleState(tuple(people), model.selected_person or 0, tuple(m.hidden for m in model.people))
