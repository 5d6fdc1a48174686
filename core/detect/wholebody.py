"""Whole-body detection of every person in a photo, offline, with the models the MediaPipe wheel ships.

One MediaPipe Holistic graph (pose ``model_complexity=1``, the bundled hand landmark and attention face mesh models,
``refine_face_landmarks`` for the irises) finds one person at a time. Several people are found one after another:
each found person's box is painted over with the photo's median colour and the graph runs again, on the whole photo
and, where it finds nobody there (several people side by side confuse MediaPipe's single-person detector), on
overlapping square windows of the photo's short side and of half of it, until nobody more is found or
``max_people`` (MAX_PEOPLE) are found. Limits, stated: people who overlap a found person's box by much
are hidden with it and not found; people smaller than about 1/12 of the photo's height are usually missed by
MediaPipe's pose detector; a crowd gives at most MAX_PEOPLE people, the most prominent first.

Parts, in core.posedoc's OpenPose orders:

* body: the 33 pose landmarks mapped to COCO-18 (core.detect.mediapipe_backend), visibility < 0.5 missing;
* feet: BODY_25's big toes and heels from MediaPipe's foot index and heel landmarks (small toes have no MediaPipe
  landmark and stay absent);
* hands: MediaPipe's 21 hand landmarks, which are OpenPose's 21 hand points in the same order; Holistic crops each
  hand from the pose's own wrist, so a hand belongs to the person found;
* face: the 68 iBUG landmarks from the face mesh (core.detect.face_mesh) and the two iris centres as the pupils
  (mesh vertex 468 is the subject's right iris, 473 the left).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from core.detect.base import MIN_JOINTS
from core.detect.face_mesh import N_MESH, mesh_to_face68
from core.detect.mediapipe_backend import MediaPipeGraphDetector, landmarks_to_coco18
from core.errors import PoseError
from core.posedoc import N_FEET, Person, PoseDocument
from core.skeleton import Pose

MAX_PEOPLE = 6
PARTS = ("body", "feet", "hands", "face")
FEET_FROM_MEDIAPIPE = {0: 31, 2: 29, 3: 32, 5: 30}  # BODY_25 foot slot -> MediaPipe pose landmark
RIGHT_IRIS, LEFT_IRIS = 468, 473
MIN_HEIGHT_PX = 48  # a "person" whose box is shorter than this is a false find (MediaPipe hallucinates small ones)
MIN_RELATIVE_HEIGHT = 0.25  # ... or shorter than this fraction of the tallest person found
BOX_MARGIN = 0.12  # a found person's box grows by this fraction of its size before it is painted over


def parse_parts(text: str | Iterable[str]) -> frozenset[str]:
    """'body,hands,face' -> the set of parts; 'hands' and 'face' imply nothing else; the body is always found."""
    names = [t.strip() for t in (text.split(",") if isinstance(text, str) else text) if t.strip()]
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        raise PoseError(f"unknown part {unknown[0]!r}: choose from {', '.join(PARTS)}")
    return frozenset(names) | {"body"}


@dataclass(frozen=True)
class WholeBodyResult:
    """The document (people ordered by size, largest first) and the seconds detection took."""

    document: PoseDocument
    seconds: float

    def report(self) -> list[str]:
        """One line per person: which parts were found."""
        return [f"person {i}: {p.summary()}" for i, p in enumerate(self.document.people)]


def _points(landmarks, size_wh: tuple[int, int], n: int) -> np.ndarray:
    xy = np.array([(p.x, p.y) for p in landmarks.landmark], dtype=np.float64)[:n]
    return xy * np.array(size_wh, dtype=np.float64)


class WholeBodyDetector(MediaPipeGraphDetector):
    """MediaPipe Holistic on one photo: one person per call of ``find``; ``detect_document`` finds them all."""

    name = "mediapipe-holistic"

    def __init__(self, max_side: int = 1024, visibility_threshold: float = 0.5) -> None:
        self.max_side = int(max_side)
        self.visibility_threshold = float(visibility_threshold)
        super().__init__()

    def _build(self, static: bool):
        from mediapipe.python.solutions import holistic  # the package's __init__ does not declare it for checkers

        return holistic.Holistic(
            static_image_mode=static, model_complexity=1, refine_face_landmarks=True, enable_segmentation=False
        )

    def _read(self, result, size_wh: tuple[int, int]) -> Person | None:
        if result.pose_landmarks is None:
            return None
        lm = np.array([(p.x, p.y, p.visibility) for p in result.pose_landmarks.landmark])
        body, _ = landmarks_to_coco18(lm, size_wh, self.visibility_threshold)
        if int(body.present.sum()) < MIN_JOINTS:
            return None
        person = Person(body)
        feet = np.full((N_FEET, 2), np.nan)
        for slot, idx in FEET_FROM_MEDIAPIPE.items():
            if lm[idx, 2] >= self.visibility_threshold:
                feet[slot] = lm[idx, :2] * np.array(size_wh, dtype=np.float64)
        if not np.isnan(feet).all():
            person = person.with_part("feet", feet)
        for name, hand in (("left_hand", result.left_hand_landmarks), ("right_hand", result.right_hand_landmarks)):
            if hand is not None:
                person = person.with_part(name, _points(hand, size_wh, 21))
        if result.face_landmarks is not None:
            mesh = _points(result.face_landmarks, size_wh, len(result.face_landmarks.landmark))
            face = np.full((70, 2), np.nan)
            face[:68] = mesh_to_face68(mesh[:N_MESH])
            if len(mesh) > LEFT_IRIS:
                face[68], face[69] = mesh[RIGHT_IRIS], mesh[LEFT_IRIS]
            person = person.with_part("face", face)
        return person

    def find(self, image: np.ndarray) -> Person | None:
        """The most prominent person of ``image`` (RGB uint8), or None."""
        with self._lock:
            return self._run(self._graph, image)


def _windows(h: int, w: int) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) square windows of the photo's short side, then of half of it, overlapping by half."""
    out: list[tuple[int, int, int, int]] = []
    for side in (min(h, w), min(h, w) // 2):
        if side < 64:
            continue
        step = side // 2
        for y in range(0, max(1, h - side + step), step):
            for x in range(0, max(1, w - side + step), step):
                out.append((min(x, w - side), min(y, h - side), min(x, w - side) + side, min(y, h - side) + side))
    return list(dict.fromkeys(out))


def _find_anywhere(det: WholeBodyDetector, image: np.ndarray) -> Person | None:
    """The most prominent person of the whole photo; where MediaPipe finds nobody there (several people side by
    side confuse its single-person detector), the first person found in the windows of _windows."""
    person = det.find(image)
    if person is not None:
        return person
    h, w = image.shape[:2]
    for x0, y0, x1, y1 in _windows(h, w):
        if (x0, y0, x1, y1) == (0, 0, w, h):
            continue
        person = det.find(np.ascontiguousarray(image[y0:y1, x0:x1]))
        if person is not None:
            return person.transformed(1.0, (float(x0), float(y0)))
    return None


def _paint_over(image: np.ndarray, person: Person, fill: np.ndarray) -> np.ndarray:
    box = person.bounds()
    if box is None:
        return image
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    mx, my = BOX_MARGIN * (x1 - x0), BOX_MARGIN * (y1 - y0)
    out = image.copy()
    out[max(0, int(y0 - my)):min(h, int(y1 + my) + 1), max(0, int(x0 - mx)):min(w, int(x1 + mx) + 1)] = fill
    return out


def _inside_only(person: Person, w: int, h: int) -> Person:
    """Points MediaPipe guessed outside the photo are absent, as OpenPose leaves them."""
    out = person
    for name, pts in person.parts():
        xy = pts.xy.copy()
        outside = (xy[:, 0] < 0) | (xy[:, 0] > w - 1) | (xy[:, 1] < 0) | (xy[:, 1] > h - 1)
        if outside.any():
            xy[outside] = np.nan
            out = out.with_part(name, None if np.isnan(xy).all() and name != "body" else xy)
    return out


def _tall_enough(person: Person, found: list[Person]) -> bool:
    box = person.bounds()
    if box is None or int(person.body.present.sum()) < MIN_JOINTS:
        return False
    tallest = max((b[3] - b[1] for b in (p.bounds() for p in found) if b is not None), default=0.0)
    return box[3] - box[1] >= max(MIN_HEIGHT_PX, MIN_RELATIVE_HEIGHT * tallest)


def _overlap(a: Person, b: Person) -> float:
    """Intersection over the smaller box: a second find of the same person is near 1."""
    ba, bb = a.bounds(), b.bounds()
    if ba is None or bb is None:
        return 0.0
    iw = max(0.0, min(ba[2], bb[2]) - max(ba[0], bb[0]))
    ih = max(0.0, min(ba[3], bb[3]) - max(ba[1], bb[1]))
    smaller = min(a.area, b.area)
    return 0.0 if smaller <= 0 else iw * ih / smaller


def detect_document(
    image: np.ndarray,
    people: str = "all",
    parts: Iterable[str] = PARTS,
    max_people: int = MAX_PEOPLE,
    detector: WholeBodyDetector | None = None,
) -> WholeBodyResult:
    """Every person of ``image`` (RGB uint8) with the chosen parts; ``people='largest'`` keeps the largest only.

    An empty document (no people) when nobody is found; the caller decides whether that is an error."""
    if people not in ("all", "largest"):
        raise PoseError(f"people must be 'all' or 'largest', got {people!r}")
    wanted = parse_parts(parts)
    det = detector or get_wholebody_detector()
    start = time.perf_counter()
    found: list[Person] = []
    work = image[..., :3]
    fill = np.median(work.reshape(-1, 3), axis=0).astype(image.dtype)
    limit = 1 if people == "largest" else max(1, int(max_people))
    h, w = image.shape[:2]
    while len(found) < limit:
        person = _find_anywhere(det, work)
        if person is None or any(_overlap(person, p) > 0.6 for p in found):
            break
        person = _inside_only(person, w, h)
        if not _tall_enough(person, found):
            break
        found.append(person)
        work = _paint_over(work, person, fill)
    drop = [n for n, key in (("feet", "feet"), ("left_hand", "hands"), ("right_hand", "hands"), ("face", "face"))
            if key not in wanted]
    kept = sorted((p.without(drop) for p in found), key=lambda p: -p.area)
    return WholeBodyResult(PoseDocument((w, h), tuple(kept)), time.perf_counter() - start)


_DETECTOR: WholeBodyDetector | None = None


def get_wholebody_detector() -> WholeBodyDetector:
    """The process's one Holistic graph (made on first use; MediaPipe graphs are slow to start)."""
    global _DETECTOR
    if _DETECTOR is None:
        _DETECTOR = WholeBodyDetector()
    return _DETECTOR


def with_body_of(doc: PoseDocument, pose: Pose) -> tuple[PoseDocument, int]:
    """``doc`` with the person that ``pose`` (a body-only detection of the same photo) found given exactly that
    body, and that person's index: the editor's detected pose and its person list then agree to the pixel."""
    probe = Person(pose)
    if not doc.people:
        return PoseDocument(doc.canvas, (probe,)), 0
    index = max(range(len(doc.people)), key=lambda i: _overlap(probe, doc.people[i]))
    if _overlap(probe, doc.people[index]) < 0.5:  # the two detectors disagree: the body detection is one more
        return PoseDocument(doc.canvas, (*doc.people, probe)), len(doc.people)
    people = list(doc.people)
    people[index] = people[index].with_part("body", pose)
    return PoseDocument(doc.canvas, tuple(people)), index
